"""Parser for SymPy's own test runner in verbose mode (``bin/test --verbose``).

Between ``test process starts`` and the first ``tests finished:`` line, each test is
announced as ``test_name `` and its mark (``ok``, ``F``, ``E``, ``f`` expected failure, ``X``
unexpected pass, ``s``/``w``/``K``/``T`` skips, after the skip reason) is written after
whatever the test printed, so the mark may land on a later line; it belongs to the last
announced test. Failure tracebacks (after a ``____`` rule) are not read. The counts in
``tests finished: 2 passed, 1 failed, ...`` (possibly wrapped over two lines) must match
the marks read, or the log is marked untrustworthy.

A name given more than once within one file's tests takes its worst status, so that a line
a test prints cannot pass a failing one. Across files the last file run wins, as the
official parser's last line does: sympy names tests without their file, and one name can
be a test of several files (``test_MatrixSymbol_printing`` of the pretty, str and LaTeX
printers), each announced under its file's ``path.py[count]`` line.
"""

from __future__ import annotations

import re

from swe_runner.grading.parsers.base import ParsedLog
from swe_runner.grading.parsers.pytest import strip_ansi, worst
from swe_runner.records import TestStatus

__all__ = ["parse_sympy"]

_START = re.compile(r"^=+ test process starts =+$")
_FINISHED = re.compile(r"^[\s=]*tests finished: ")
_RULE = re.compile(r"^_{10,}")
_FILE = re.compile(r"^\S+\.py\[\d+\]\s*$")
_MARK = re.compile(r"(?:^|\s)(?P<mark>ok|F|E|T|f|X|s|K|w)(?:\s+\[(?:OK|FAIL)\])?$")
_MARKS = {
    "ok": TestStatus.PASSED,
    "F": TestStatus.FAILED,
    "E": TestStatus.ERROR,
    "T": TestStatus.ERROR,  # a time-out: an exception, or a skip when timeouts are skips
    "f": TestStatus.XFAIL,
    "X": TestStatus.XPASS,
    "s": TestStatus.SKIPPED,
    "K": TestStatus.SKIPPED,
    "w": TestStatus.SKIPPED,
}
_COUNT = re.compile(
    r"(\d+) (passed|failed|skipped|expected to fail but passed|expected to fail|exceptions)"
)
_COUNT_KEY = {
    "passed": TestStatus.PASSED,
    "failed": TestStatus.FAILED,
    "skipped": TestStatus.SKIPPED,
    "expected to fail": TestStatus.XFAIL,
    "expected to fail but passed": TestStatus.XPASS,
    "exceptions": TestStatus.ERROR,
}


def _read(lines: list[str]) -> tuple[dict[str, TestStatus], dict[TestStatus, int]]:
    by_file: list[dict[str, TestStatus]] = [{}]
    seen = dict.fromkeys(TestStatus, 0)
    pending: str | None = None
    for line in lines:
        if _RULE.match(line):
            break
        if _FILE.match(line):
            by_file.append({})
            pending = None
            continue
        if line.startswith("test_"):
            pending = line.split()[0]
        mark = _MARK.search(line) if pending is not None else None
        if mark and pending is not None:
            status = _MARKS[mark.group("mark")]
            worst(by_file[-1], pending, status)
            seen[status] += 1
            pending = None
    statuses: dict[str, TestStatus] = {}
    for found in by_file:  # in the order the files ran: the last file's status wins
        statuses.update(found)
    return statuses, seen


def parse_sympy(text: str) -> ParsedLog:
    """Statuses by test function name from SymPy's verbose runner output."""
    lines = strip_ansi(text)
    start = next((i for i, line in enumerate(lines) if _START.match(line)), None)
    if start is None:
        return ParsedLog(ran=False)
    end = next((i for i in range(start, len(lines)) if _FINISHED.match(lines[i])), None)
    if end is None:
        return ParsedLog(ran=False)
    statuses, seen = _read(lines[start + 1 : end])
    totals = " ".join(lines[end : end + 2])
    return ParsedLog(statuses, ran=True, problem=_check_totals(totals, seen))


def _check_totals(totals: str, seen: dict[TestStatus, int]) -> str | None:
    claimed = dict.fromkeys(TestStatus, 0)
    for number, words in _COUNT.findall(totals):
        claimed[_COUNT_KEY[words]] += int(number)
    # "T" is counted as a skip or as an exception depending on the run's options.
    either = (TestStatus.SKIPPED, TestStatus.ERROR)
    wrong = [
        f"{s.value}: {claimed[s]} claimed, {seen[s]} listed"
        for s in TestStatus
        if s not in either and claimed[s] != seen[s]
    ]
    if sum(claimed[s] for s in either) != sum(seen[s] for s in either):
        wrong.append("skipped and exceptions: claimed and listed differ")
    return f"sympy's totals disagree with its lines ({'; '.join(wrong)})" if wrong else None
