"""Parser agreement: our parsers and the official ``swebench`` parsers (a dev dependency)
read the same real logs into the same status maps.

The official package must be installed: without it this module fails to import, and the
tests fail (they are never skipped). Before comparing, two kinds of difference that do not
change any grade are removed, each by a named rule below:

- entries the official parsers make from lines that are not test results
  (``OFFICIAL_ARTEFACTS``): they can never name a test of a published dataset;
- statuses the official parser has no word for (``OFFICIAL_LACKS``): it leaves those tests
  out, which grades them failing; we report them (XPASS, which fails too; XFAIL and skips,
  which the datasets never list for these runners because the official parser dropped them).

The pytest parsers of the official package also cut ids at their first space; grade.py
matches such cut ids, so ours are compared cut the same way.

Logs where the official parser is knowingly wrong are in ``EXCLUDED`` with the reason;
each has its own test below pinning what we do instead.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable

import pytest
from swebench.harness.log_parsers import python as official

from swe_runner.grading.parsers import ALIASES, PARSERS, get_parser
from swe_runner.records import TestStatus
from tests.grading.logs import LOGS, golden

OfficialParser = Callable[[str, object], dict[str, str]]
# The official parser each of ours must agree with (unittest output: the Django parser).
OFFICIAL: dict[str, OfficialParser] = {
    "pytest": official.parse_log_pytest,
    "pytest_options": official.parse_log_pytest_options,
    "pytest_v2": official.parse_log_pytest_v2,
    "matplotlib": official.parse_log_matplotlib,
    "seaborn": official.parse_log_seaborn,
    "django": official.parse_log_django,
    "unittest": official.parse_log_django,
    "sympy": official.parse_log_sympy,
    # An alias of pytest_v2, as in the official table; checked under its own name on tox logs.
    "sphinx": official.parse_log_sphinx,
}
PYTEST_FAMILY = ("pytest", "pytest_options", "pytest_v2", "matplotlib", "seaborn")
TOX_FAMILY = ("sphinx",)
# Official entries that are not tests: pytest's `SKIPPED [2] path:line` read as a test
# named "[2]"; SymPy's failure-section titles (`___ path.py:test_x ___`); Django's
# `FAIL: test_x (m.T)` headers read as a test named "test_x".
OFFICIAL_ARTEFACTS: dict[str, Callable[[str, str], bool]] = {
    **dict.fromkeys(PYTEST_FAMILY, lambda test, _: re.fullmatch(r"\[\d+\]", test) is not None),
    # ... and, under tox 3, tox's own `ERROR: InvocationError for command ...` and
    # `ERROR:   py39: commands failed` read as tests "InvocationError" and "py39:" whose
    # status is the word "ERROR:".
    "sphinx": lambda test, status: re.fullmatch(r"\[\d+\]", test) is not None or status == "ERROR:",
    "sympy": lambda test, _: ".py:" in test,
    "django": lambda test, status: " " not in test and status in ("FAILED", "ERROR"),
    "unittest": lambda test, status: " " not in test and status in ("FAILED", "ERROR"),
}
X, XF, S, E = TestStatus.XPASS, TestStatus.XFAIL, TestStatus.SKIPPED, TestStatus.ERROR
OFFICIAL_LACKS: dict[str, set[TestStatus]] = {
    **{name: {X} for name in PYTEST_FAMILY + TOX_FAMILY},
    "seaborn": {X, E},  # seaborn's official parser reads only PASSED and FAILED lines
    "django": {X, XF},
    "unittest": {X, XF},
    "sympy": {X, XF, S},
}


def comparable_official(parser: str, statuses: dict[str, str]) -> dict[str, str]:
    """The official map without its artefact entries."""
    artefact = OFFICIAL_ARTEFACTS.get(parser, lambda _t, _s: False)
    return {t: s for t, s in statuses.items() if not artefact(t, s)}


def comparable_ours(parser: str, statuses: dict[str, TestStatus]) -> dict[str, str]:
    """Our map without the statuses the official parser lacks, ids cut as it cuts them."""
    kept = {t: s.value for t, s in statuses.items() if s not in OFFICIAL_LACKS[parser]}
    if parser in PYTEST_FAMILY + TOX_FAMILY:
        kept = {t.split()[0]: s for t, s in kept.items()}
    return kept


PYTEST_VERSIONS = ("4.6.11", "5.4.3", "6.2.5", "7.4.4", "8.3.5")
PYTEST_CASES = (
    "all_pass",
    "some_fail",
    "collection_error",
    "two_errors",
    "xfail_xpass_skip",
    "odd_param_ids",
    "teardown_error",
    "verbose",
    "capture_off",
    "multiline_message",
    "no_tests",
    "spoof_captured",
)
V = PYTEST_VERSIONS
AGREEMENT: list[tuple[str, str]] = [
    *[("pytest", f"pytest/{v}/{c}") for v in V for c in PYTEST_CASES],
    *[("pytest_options", f"pytest/{v}/{c}") for v in V for c in ("path_params", "some_fail")],
    *[("matplotlib", f"pytest/{v}/{c}") for v in V for c in ("mouse_buttons", "some_fail")],
    *[("seaborn", f"pytest/{v}/{c}") for v in V for c in ("some_fail", "verbose", "all_pass")],
    *[("seaborn", f"pytest/{v}/verbose_no_summary") for v in V[1:]],
    *[("pytest_v2", f"pytest/{v}/{c}") for v in V for c in ("colour", "verbose_classic")],
    *[("pytest_v2", f"tox/4.67.15/{c}") for c in ("some_fail", "verbose", "all_pass")],
    # The official Sphinx command: tox 3 --current-env -epy39 -v (make_tox_logs.py --current-env)
    *[("sphinx", f"tox/3.28.0-current-env/{c}") for c in ("some_fail", "verbose", "all_pass")],
    *[
        ("django", f"django/{v}/{c}")
        for v in ("3.2.25", "5.0.14")
        for c in ("all_pass", "expected_failures", "interrupted", "import_error")
    ],
    ("django", "django/5.0.14/mixed"),
    *[
        ("unittest", f"unittest/{v}/{c}")
        for v in ("3.9.18", "3.11.7")
        for c in ("mixed", "all_pass")
    ],
    ("unittest", "unittest/3.11.7/fixtures"),
    ("sympy", "sympy/1.13.3/mixed"),
]
# Logs the official parser reads wrongly, each with why; test_<family>_parser.py pins ours.
EXCLUDED: dict[tuple[str, str], str] = {
    **{
        (parser, f"pytest/{v}/spoof_atexit"): "counts results printed after pytest's last line"
        for v in V
        for parser in PYTEST_FAMILY
    },
    **{
        ("pytest", f"pytest/{v}/spoof_message_ci"): (
            "reads a failure message's line `PASSED <test>` (pytest on CI prints whole"
            " messages in the summary) as a pass"
        )
        for v in V[3:]
    },
    **{
        ("seaborn", f"pytest/{v}/teardown_error"): (
            "ignores ERROR lines, so a test whose teardown fails counts as passed"
        )
        for v in V
    },
    **{
        ("pytest", f"pytest/{v}/colour"): "does not strip colour codes, so reads nothing"
        for v in V[3:]
    },
    **{
        ("pytest_v2", f"pytest/{v}/verbose_no_summary"): (
            "misses `-v` result lines that end in a progress percentage"
        )
        for v in V
    },
    **{
        ("django", f"django/{v}/spoof_traceback"): (
            "reads a traceback line `ValueError: boom ... ok` as a passing test"
        )
        for v in ("3.2.25", "5.0.14")
    },
    ("django", "django/3.2.25/mixed"): (
        "before Python 3.11 failing subtests appear only in `FAIL:` headers, which it records"
        " cut to `test_subtests`; we record the subtests' ids (same grade)"
    ),
    ("unittest", "unittest/3.9.18/fixtures"): (
        "before Python 3.11 failing subtests and a failing class fixture appear only in"
        " `FAIL:`/`ERROR:` headers, which it records cut to `test_subtests`/`setUpClass`;"
        " we record the subtests' and the fixture's ids (same grade)"
    ),
    ("sympy", "sympy/1.13.3/all_pass"): (
        "misses the last test of each file, whose line ends in the file's [OK] tag"
    ),
    ("sympy", "sympy/1.13.3/prints"): "misses results pushed to their own line by output",
    ("sympy", "sympy/1.13.3/colour"): "does not strip colour codes",
    ("sympy", "sympy/1.13.3/spoof_result_line"): (
        "takes a result line a test printed over the real, earlier one"
    ),
}


def official_map(parser: str, log: str) -> dict[str, str]:
    """What the official parser reads (its second argument, the task's spec, is unused
    by the Python parsers; a bare object stands in for it)."""
    return OFFICIAL[parser](log, types.SimpleNamespace())


@pytest.mark.parametrize(("parser", "path"), AGREEMENT, ids=[":".join(case) for case in AGREEMENT])
def test_status_maps_agree(parser: str, path: str) -> None:
    log, _ = golden(path)
    ours = get_parser(parser)(log)
    assert ours.ran
    assert comparable_ours(parser, ours.statuses) == comparable_official(
        parser, official_map(parser, log)
    )


@pytest.mark.parametrize(
    "path", ["sympy/1.13.3/one_name_fails_then_passes", "sympy/1.13.3/one_name_passes_then_fails"]
)
def test_a_sympy_name_of_two_files_gets_the_official_status(path: str) -> None:
    # The official parser keeps a name's last line; it misses each file's last test (its
    # line ends in the file's tag), which ours reads: those are left out of the comparison.
    log, _ = golden(path)
    theirs = official_map("sympy", log)
    ours = comparable_ours("sympy", get_parser("sympy")(log).statuses)
    assert "test_same" in theirs
    assert {name: ours[name] for name in theirs if name in ours} == comparable_official(
        "sympy", theirs
    )


@pytest.mark.parametrize(
    ("parser", "path"), list(EXCLUDED), ids=[":".join(case) for case in EXCLUDED]
)
def test_excluded_logs_really_disagree(parser: str, path: str) -> None:
    """An exclusion stays only while the official parser still reads the log differently."""
    log, _ = golden(path)
    ours = comparable_ours(parser, get_parser(parser)(log).statuses)
    assert ours != comparable_official(parser, official_map(parser, log)), EXCLUDED[parser, path]


def test_agreement_covers_every_parser_and_at_least_20_logs() -> None:
    names = {parser for parser, _ in AGREEMENT}
    assert set(PARSERS) <= names and names - set(PARSERS) <= set(ALIASES)
    assert len({path for _, path in AGREEMENT}) >= 20
    assert all((LOGS / f"{path}.txt").is_file() for _, path in [*AGREEMENT, *EXCLUDED])
    assert not set(AGREEMENT) & set(EXCLUDED)


def test_every_official_parser_name_is_registered() -> None:
    """specs.py names a task's parser after the official function, without `parse_log_`."""
    names = {fn.__name__ for fn in official.MAP_REPO_TO_PARSER_PY.values()}
    names |= {n for n in dir(official) if n.startswith("parse_log_")}
    for name in names:
        assert get_parser(name.removeprefix("parse_log_")) is get_parser(name)
