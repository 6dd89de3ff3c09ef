"""Grade a test log: a pure function of the log text and the task's test lists.

Rules (each pinned by a test named after it), the official grader's (SWE-bench 5.x): a test
missing from the log fails; PASSED and XFAIL pass; a skipped PASS_TO_PASS test is kept, a
skipped FAIL_TO_PASS test fails; anything else fails. Ours on top: a log where the suite
never ran, whose totals disagree with its lines, or that contradicts the recorded exit
status is invalid, and an invalid log never resolves. Resolved means a valid log where
every FAIL_TO_PASS and PASS_TO_PASS test passes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from swe_runner.grading import guard, markers, record
from swe_runner.grading.parsers import ParsedLog, get_parser
from swe_runner.grading.parsers.pytest import strip_ansi
from swe_runner.records import GradeResult, SuccessFailure, TestsStatus, TestStatus

__all__ = ["grade", "split_by_outcome"]

_FAILING = (TestStatus.FAILED, TestStatus.ERROR)


def _found(test: str, statuses: dict[str, TestStatus]) -> list[TestStatus]:
    """The statuses the log gives ``test`` (none: it is missing).

    Besides exact ids, two kinds of cut id in the published datasets are matched as the
    official grader matches them: ids cut at their first space (the official parser split
    lines on whitespace) cover every parsed id that starts so; ids cut inside their
    parameters (more ``[`` than ``]``, SWE-bench issue #290) match the parsed ids they
    start, only when those agree on pass or fail.
    """
    if test in statuses:
        return [statuses[test]]
    if " " in test:
        return []
    covered = [s for name, s in statuses.items() if " " in name and name.split(" ", 1)[0] == test]
    if covered or test.count("[") <= test.count("]"):
        return covered
    cut = [s for name, s in statuses.items() if name.startswith(test)]
    return cut if len({s.ok for s in cut}) == 1 else []


def split_by_outcome(
    tests: Sequence[str], statuses: dict[str, TestStatus], skipped_ok: bool = False
) -> SuccessFailure:
    """Tests that passed and tests that did not (a missing test did not), in order.

    ``skipped_ok``: a skipped test counts as kept (PASS_TO_PASS, as in the official grader:
    a skip is not a regression); a skipped FAIL_TO_PASS test is not a resolution.
    """
    allowed = {TestStatus.PASSED, TestStatus.XFAIL} | (
        {TestStatus.SKIPPED} if skipped_ok else set()
    )
    success: list[str] = []
    failure: list[str] = []
    for test in tests:
        found = _found(test, statuses)
        (success if found and all(s in allowed for s in found) else failure).append(test)
    return SuccessFailure(success=success, failure=failure)


# Dataset entries that are no test id but a pytest progress mark: the official parser took
# a line "PASSED    [100%]" (a test's status printed on its own line under live logging)
# as the test "[100%]", and the published PASS_TO_PASS lists keep it (pytest-dev__pytest-5262).
_ARTEFACT = re.compile(r"^\[\d+%?\]$")
# The statuses the official parser knows (its TestStatus); a line starting with another
# word is no result line to it.
_OFFICIAL = ("FAILED", "PASSED", "SKIPPED", "ERROR", "XFAIL")


def _as_official(section: str, wanted: set[str]) -> dict[str, TestStatus]:
    """The statuses the official pytest parser gives the ``wanted`` names, read as it reads
    every line of the section, captured output included: a line starting with a status
    word, `` - `` dropped from a FAILED one, its second word the name; the last line wins.
    A first word that is no status of ours (``XFAILED``) is a failure to it."""
    found: dict[str, TestStatus] = {}
    for line in strip_ansi(section) if wanted else ():
        if not line.startswith(_OFFICIAL):
            continue
        words = (line.replace(" - ", " ") if line.startswith("FAILED") else line).split()
        if len(words) > 1 and words[1] in wanted:
            known = words[0] in _OFFICIAL
            found[words[1]] = TestStatus(words[0]) if known else TestStatus.FAILED
    return found


def _artefacts(section: str, expected: Sequence[str]) -> dict[str, TestStatus]:
    """The statuses the official parser gives the expected entries that are parser
    artefacts (:data:`_ARTEFACT`), read as it reads them."""
    return _as_official(section, {name for name in expected if _ARTEFACT.match(name)})


def _ghosts(
    section: str,
    expected: Sequence[str],
    statuses: dict[str, TestStatus],
    test_files: Sequence[str],
    seen: record.Record | None,
) -> dict[str, TestStatus]:
    """Ghost ids: expected ids that are no test of the graded session, found only where the
    official parser reads them, with the status it gives them.

    pytest's own suite runs inner sessions (pytester) whose result lines the tests print
    (``XFAIL test_foo.py::MyTestCase::test_bar``); the official parser reads them, and the
    published lists hold such ids (pytest-dev__pytest-7521). An id is a ghost when the log
    does not give it (our parser reads the session's own summary only), its file is none
    of the files the test command ran, and the harness's record, when there is one, did
    not collect it. A test of the session is never judged so: its file is one the command
    ran, so forged output printed for it still cannot help it.
    """
    if not test_files:
        return {}
    runs = tuple(test_files)
    candidates = set()
    for name in expected:
        path = name.split("::", 1)[0]
        if "::" not in name or _found(name, statuses) or _ARTEFACT.match(name):
            continue
        if path in runs or path.startswith(tuple(f.rstrip("/") + "/" for f in runs)):
            continue
        if seen is not None and seen.node_ids(name):
            continue
        candidates.add(name)
    return _as_official(section, candidates)


def _invalid_reason(parsed: ParsedLog, exit_code: int | None) -> str | None:
    if not parsed.ran:
        return "no sign that the test suite ran (no session start or final summary)"
    if parsed.problem:
        return parsed.problem
    if exit_code is None:
        return "the log does not record the test command's exit status"
    failing = any(s in _FAILING for s in parsed.statuses.values())
    if exit_code == 0 and failing:
        return "log contradicts exit status 0: it lists failing tests"
    if exit_code != 0 and not failing:
        return f"log contradicts exit status {exit_code}: it lists no failing test"
    return None


def grade(
    log: str,
    fail_to_pass: Sequence[str],
    pass_to_pass: Sequence[str],
    parser: str = "pytest",
    test_files: Sequence[str] = (),
) -> GradeResult:
    """Grade the full evaluation log (with the eval script's markers). ``test_files``: the
    files the test command ran (the test patch's), which tell a test of the session from
    a ghost id (:func:`_ghosts`); none: no id is judged a ghost.

    Raises:
        UnknownNameError: ``parser`` is not a registered log parser.
    """
    parse = get_parser(parser)
    section = markers.test_section(log)
    exit_code = markers.exit_status(log)
    if section is None:
        return GradeResult(
            resolved=False,
            log_valid=False,
            exit_code=exit_code,
            invalid_reason="the test suite never ran (no test markers in the log)",
            tests_status=_tests_status(fail_to_pass, pass_to_pass, {}),
        )
    parsed = parse(section)
    expected = [*fail_to_pass, *pass_to_pass]
    statuses = {**_artefacts(section, expected), **parsed.statuses}
    seen = record.read(log) if record.requested(log) else None
    ghosts = _ghosts(section, expected, statuses, test_files, seen)
    statuses.update(ghosts)
    status = _tests_status(fail_to_pass, pass_to_pass, statuses)
    disagreement, checked = _against_record(log, status, statuses, set(ghosts))
    reason = _invalid_reason(parsed, exit_code) or _guard_reason(log) or disagreement
    all_pass = not status.FAIL_TO_PASS.failure and not status.PASS_TO_PASS.failure
    return GradeResult(
        resolved=reason is None and all_pass,
        log_valid=reason is None,
        invalid_reason=reason,
        exit_code=exit_code,
        status_map=parsed.statuses,
        tests_status=status,
        record_check=checked,
        ghost_ids=[name for name in expected if name in ghosts],
    )


def _guard_reason(log: str) -> str | None:
    """Why the integrity guard's lines make the log untrustworthy, or None."""
    done = guard.actions(log)
    if done.failed:
        return f"the integrity guard failed ({done.failed[0]}): the runner was not protected"
    if done.runner_changed:
        return f"the test runner's installed files changed before the run: {done.runner_changed[0]}"
    return None


def _against_record(
    log: str, status: TestsStatus, statuses: dict[str, TestStatus], ghosts: set[str]
) -> tuple[str | None, str | None]:
    """Every test the log passes, checked against the harness's record of the run (when
    the evaluation asked for one): (why the log is untrustworthy or None, what was checked).
    Ghost ids (:func:`_ghosts`) are no tests of the session: nothing to check them against."""
    if not record.requested(log):
        return None, None
    seen = record.read(log)
    if seen is None:
        return record.MISSING, "record missing"
    mismatch = record.runner_mismatch(log, seen)
    if mismatch:
        return mismatch, "runner loaded from elsewhere"
    # Parser artefacts ("[100%]", pytest-5262) are no tests: nothing to check them against.
    successes = [*status.FAIL_TO_PASS.success, *status.PASS_TO_PASS.success]
    passing = [test for test in successes if not _ARTEFACT.match(test) and test not in ghosts]
    for test in passing:
        node_ids = seen.node_ids(test)
        if not node_ids:
            return (
                f"the log passes {test}, but pytest never collected it (harness record)",
                "a passing test was never collected",
            )
        claimed = _found(test, statuses)
        for node_id in node_ids:
            found = statuses.get(node_id) or (claimed[0] if claimed else None)
            why = record.contradiction(seen, node_id, found) if found else None
            if why:
                return why, "a test the log passes did not pass"
    return None, f"{len(passing)} passing tests agree with the harness's record"


def _tests_status(
    f2p: Sequence[str], p2p: Sequence[str], statuses: dict[str, TestStatus]
) -> TestsStatus:
    return TestsStatus(
        FAIL_TO_PASS=split_by_outcome(f2p, statuses),
        PASS_TO_PASS=split_by_outcome(p2p, statuses, skipped_ok=True),
    )
