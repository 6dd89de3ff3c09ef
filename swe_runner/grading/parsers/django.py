"""Parser for unittest-style verbose output: Django's runner at ``--verbosity 2`` and
``python -m unittest -v``.

A result line is ``<test> ... <result>`` (``ok``, ``FAIL``, ``ERROR``, ``skipped 'why'``,
``expected failure``, ``unexpected success``); the test is everything before the last
`` ... `` (a docstring's first line when the test has one, as unittest prints it). Output
the test prints can push the result to a line of its own, which then belongs to the last
unfinished test (before Python 3.11 a class or module fixture's skip is such a bare line,
counted as a skip of no test). ``FAIL:``/``ERROR:`` headers (printed after all tests) mark
their test failing too, so subtests that only appear there count. Result lines are read up to the
first traceback rule (70 ``=``), headers after it, all before the last ``Ran N tests in``
line; its outcome line (``OK``, ``FAILED (failures=1, ...)``) must match the lines read,
and the tests the lines name must be no more than the ``Ran N`` total (a test's subtests
count as that test; class and module fixtures, which the runner does not count, are left
out), or the log is marked untrustworthy: text printed outside the runner (e.g. on import
of a module whose tests then failed to load) cannot add passing tests. The worst status
wins.
"""

from __future__ import annotations

import re

from swe_runner.grading.parsers.base import ParsedLog
from swe_runner.grading.parsers.pytest import worst
from swe_runner.records import TestStatus

__all__ = ["parse_django", "parse_unittest"]

_RAN = re.compile(r"^Ran (\d+) tests? in [\d.]+s$")
_OUTCOME = re.compile(r"^(OK|FAILED)(?: \((?P<counts>.*)\))?$")
_COUNT = re.compile(r"(failures|errors|skipped|expected failures|unexpected successes)=(\d+)")
_RESULT = re.compile(
    r"^(?P<test>.*) \.\.\. (?P<result>ok|OK| OK|FAIL|ERROR|expected failure|unexpected success)$"
)
_SKIPPED = re.compile(r"^(?P<test>.*?) \.\.\. (?P<result>skipped\b.*)$")
_ALONE = re.compile(
    r"^(?P<result>ok|OK|FAIL|ERROR|expected failure|unexpected success|skipped\b.*)$"
)
_HEADER = re.compile(r"^(?P<result>FAIL|ERROR): (?P<test>\S.*)$")
# A test's id without a subtest's parameters: `test_x (mod.T)` or `test_x (mod.T.test_x)`.
_TEST_ID = re.compile(r"^\S+ \([^()]*\)")
_FIXTURES = ("setUpClass (", "tearDownClass (", "setUpModule (", "tearDownModule (")
_RULE = "=" * 70
_WORDS = {
    "ok": TestStatus.PASSED,
    "OK": TestStatus.PASSED,
    "FAIL": TestStatus.FAILED,
    "ERROR": TestStatus.ERROR,
    "expected failure": TestStatus.XFAIL,
    "unexpected success": TestStatus.XPASS,
}
_COUNT_KEY = {
    "failures": TestStatus.FAILED,
    "errors": TestStatus.ERROR,
    "skipped": TestStatus.SKIPPED,
    "expected failures": TestStatus.XFAIL,
    "unexpected successes": TestStatus.XPASS,
}


def _status(result: str) -> TestStatus:
    return TestStatus.SKIPPED if result.startswith("skipped") else _WORDS[result.strip()]


def _test_id(test: str) -> str | None:
    """The test a result line counts against the ``Ran`` total; None for a fixture's line."""
    if test.startswith(_FIXTURES):
        return None
    match = _TEST_ID.match(test)
    return match.group(0) if match else test


def _read_results(
    lines: list[str], statuses: dict[str, TestStatus], listed: set[str]
) -> dict[TestStatus, int]:
    """Record the result lines and the tests they name; how many of each status."""
    seen = dict.fromkeys(TestStatus, 0)
    pending: str | None = None
    for line in (raw.strip() for raw in lines):
        match = _RESULT.match(line) or _SKIPPED.match(line) or _ALONE.match(line)
        test = match.groupdict().get("test", pending) if match else None
        if match and (test is not None or match.group("result").startswith("skipped")):
            status = _status(match.group("result"))
            seen[status] += 1
            # No test: before Python 3.11 a skipping class or module fixture is a bare line.
            if test is not None:
                worst(statuses, test, status)
                listed.update(filter(None, [_test_id(test)]))
            pending = None
        elif " ... " in line:
            pending = line.split(" ... ", 1)[0]
    return seen


def _read_headers(lines: list[str], statuses: dict[str, TestStatus]) -> dict[TestStatus, int]:
    """Record the ``FAIL:``/``ERROR:`` headers; how many there are of each status."""
    seen = dict.fromkeys(TestStatus, 0)
    for line in lines:
        match = _HEADER.match(line)
        if match:
            status = _status(match.group("result"))
            worst(statuses, match.group("test"), status)
            seen[status] += 1
    return seen


def parse_django(text: str) -> ParsedLog:
    """Statuses by test from unittest-style verbose output (see the module docs)."""
    lines = text.splitlines()
    found = ((i, _RAN.match(lines[i].strip())) for i in range(len(lines) - 1, -1, -1))
    ran, total = next(((i, int(m.group(1))) for i, m in found if m), (None, 0))
    if ran is None:
        return ParsedLog(ran=False)
    # Results come first; tracebacks follow, each under a rule of 70 "=" and a header.
    rule = next((i for i in range(ran) if lines[i] == _RULE), ran)
    statuses: dict[str, TestStatus] = {}
    listed: set[str] = set()
    seen = _read_results(lines[:rule], statuses, listed)
    headers = _read_headers(lines[rule:ran], statuses)
    for status in (TestStatus.FAILED, TestStatus.ERROR):  # subtests: one header each
        seen[status] = max(seen[status], headers[status])
    outcome = next((line.strip() for line in lines[ran + 1 :] if line.strip()), "")
    problem = _check_outcome(outcome, seen) or _check_total(total, len(listed))
    return ParsedLog(statuses, ran=True, problem=problem)


def _check_total(ran: int, listed: int) -> str | None:
    if listed <= ran:
        return None
    return f"the log lists more tests than its runner ran ({listed} listed, 'Ran {ran}')"


def _check_outcome(outcome: str, seen: dict[TestStatus, int]) -> str | None:
    match = _OUTCOME.match(outcome)
    if match is None:
        return f"the runner's outcome line is missing after its 'Ran' line (got {outcome!r})"
    claimed = dict.fromkeys(TestStatus, 0)
    for word, number in _COUNT.findall(match.group("counts") or ""):
        claimed[_COUNT_KEY[word]] += int(number)
    wrong = [
        f"{s.value}: {claimed[s]} claimed, {seen[s]} listed"
        for s in TestStatus
        if s is not TestStatus.PASSED and claimed[s] != seen[s]
    ]
    return f"the runner's totals disagree with its lines ({'; '.join(wrong)})" if wrong else None


parse_unittest = parse_django
