"""The per-repository flavours of the pytest parser that the official SWE-bench specs name.

Each reads the same hardened short summary as :func:`parse_pytest` and then applies the
one rule its flavour adds, so task ids written by the official harness match:

- ``pytest_options`` (requests, pylint, pydicom): a parametrize id that is an absolute
  path (``[/usr/lib/x.txt]``, not ``//`` and without ``*``) is shortened to its last part
  (``[/x.txt]``).
- ``matplotlib``: ``MouseButton.LEFT`` and ``MouseButton.RIGHT`` in ids read ``1``, ``3``.
- ``seaborn``: also reads ``-v`` result lines; only PASSED, FAILED and ERROR are kept
  (seaborn's official grading treats skipped and expected-failure tests as absent, hence
  failing, and so do we; it ignores errors, which we keep: they fail either way).
- ``pytest_v2`` (astropy, scikit-learn, sphinx; often run through tox): also reads the
  ``-v`` result lines printed before pytest's first section, for runs without ``-rA``.
"""

from __future__ import annotations

import re

from swe_runner.grading.parsers.base import ParsedLog
from swe_runner.grading.parsers.pytest import parse_pytest, read_pytest
from swe_runner.records import TestStatus

__all__ = [
    "official_name",
    "parse_matplotlib",
    "parse_pytest_options",
    "parse_pytest_v2",
    "parse_seaborn",
]

_OPTION = re.compile(r"^(?P<main>.*?)\[(?P<option>.*)\]$")
_SEABORN_KEEPS = (TestStatus.PASSED, TestStatus.FAILED, TestStatus.ERROR)


def _renamed(parsed: ParsedLog, rename: dict[str, str]) -> ParsedLog:
    statuses: dict[str, TestStatus] = {}
    for test, status in parsed.statuses.items():
        statuses[rename.get(test, test)] = status
    return ParsedLog(statuses, ran=parsed.ran, problem=parsed.problem)


def short_option(test: str) -> str:
    """``test`` with an absolute-path parametrize id cut to its last part."""
    match = _OPTION.match(test)
    if match is None:
        return test
    option = match.group("option")
    if option.startswith("/") and not option.startswith("//") and "*" not in option:
        return f"{match.group('main')}[/{option.rsplit('/', 1)[-1]}]"
    return test


def parse_pytest_options(text: str) -> ParsedLog:
    """``pytest -rA`` output, path-like parametrize ids shortened (see module docs)."""
    parsed = parse_pytest(text)
    return _renamed(parsed, {test: short_option(test) for test in parsed.statuses})


def _mouse_buttons(test: str) -> str:
    return test.replace("MouseButton.LEFT", "1").replace("MouseButton.RIGHT", "3")


def parse_matplotlib(text: str) -> ParsedLog:
    """``pytest -rA`` output, mouse-button names in ids replaced by their numbers."""
    parsed = parse_pytest(text)
    return _renamed(parsed, {test: _mouse_buttons(test) for test in parsed.statuses})


def official_name(node_id: str) -> str:
    """A pytest node id as a flavour above may rename it (path ids shortened, mouse buttons
    numbered): how a task's lists can name a test the log shows under its node id."""
    return _mouse_buttons(short_option(node_id))


def parse_seaborn(text: str) -> ParsedLog:
    """pytest output, only passes, failures and errors kept (see module docs)."""
    parsed = read_pytest(text, verbose=True)
    kept = {t: s for t, s in parsed.statuses.items() if s in _SEABORN_KEEPS}
    return ParsedLog(kept, ran=parsed.ran, problem=parsed.problem)


def parse_pytest_v2(text: str) -> ParsedLog:
    """pytest output with or without ``-rA``: summary lines and ``-v`` result lines."""
    return read_pytest(text, verbose=True)
