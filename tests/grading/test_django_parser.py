"""The Django/unittest parser on real output of Django's runner (3.2 on Python 3.9, 5.0 on
3.11) and ``python -m unittest -v`` (make_django_logs.py, make_unittest_logs.py)."""

from __future__ import annotations

import pytest

from swe_runner.grading import markers
from swe_runner.grading.grade import grade
from swe_runner.grading.parsers.django import parse_django, parse_unittest
from swe_runner.records import GradeResult, TestStatus
from tests.grading.logs import golden

P, F, E, S = TestStatus.PASSED, TestStatus.FAILED, TestStatus.ERROR, TestStatus.SKIPPED
IDS = {"3.2.25": "test_{} (app.tests.T)", "5.0.14": "test_{} (app.tests.T.test_{})"}


def tid(version: str, name: str) -> str:
    return IDS[version].format(name, name)


@pytest.mark.parametrize("version", list(IDS))
def test_mixed_results_docstrings_and_skips(version: str) -> None:
    parsed = parse_django(golden(f"django/{version}/mixed")[0])
    assert parsed.problem is None
    assert parsed.statuses[tid(version, "ok")] is P
    assert parsed.statuses[tid(version, "fail")] is F
    assert parsed.statuses[tid(version, "error")] is E
    assert parsed.statuses[tid(version, "skip")] is S
    assert parsed.statuses["Checks a thing -- with a docstring."] is P


def test_failing_subtests_seen_only_in_headers_fail() -> None:
    parsed = parse_django(golden("django/3.2.25/mixed")[0])
    assert parsed.statuses["test_subtests (app.tests.T) (i=1)"] is F
    assert "test_subtests (app.tests.T)" not in parsed.statuses  # absent: fails


@pytest.mark.parametrize("version", list(IDS))
def test_traceback_text_that_looks_like_a_result_does_not_count(version: str) -> None:
    parsed = parse_django(golden(f"django/{version}/spoof_traceback")[0])
    assert parsed.statuses == {tid(version, "hidden"): E}


@pytest.mark.parametrize("version", list(IDS))
def test_a_printed_ok_line_does_not_pass_a_failing_test(version: str) -> None:
    parsed = parse_django(golden(f"django/{version}/spoof_result_line")[0])
    assert parsed.statuses[tid(version, "hidden")] is F


@pytest.mark.parametrize("version", list(IDS))
def test_result_pushed_to_its_own_line_by_output(version: str) -> None:
    parsed = parse_django(golden(f"django/{version}/interrupted")[0])
    assert parsed.statuses == {tid(version, "plain"): P, tid(version, "prints"): P}


def test_expected_failures_and_unexpected_successes() -> None:
    parsed = parse_django(golden("django/5.0.14/expected_failures")[0])
    assert parsed.statuses[tid("5.0.14", "xfail")] is TestStatus.XFAIL
    assert parsed.statuses[tid("5.0.14", "xpass")] is TestStatus.XPASS
    assert parsed.problem is None


def test_totals_that_disagree_with_the_lines_make_the_log_untrustworthy() -> None:
    log = golden("django/5.0.14/mixed")[0].replace("FAILED (failures=3,", "FAILED (failures=1,")
    parsed = parse_django(log)
    assert parsed.problem is not None and "disagree" in parsed.problem


def test_a_log_without_the_ran_line_did_not_run() -> None:
    log = golden("django/5.0.14/all_pass")[0]
    assert not parse_django(log.split("-" * 70)[0]).ran


@pytest.mark.parametrize("version", ["3.9.18", "3.11.7"])
def test_unittest_verbose_output(version: str) -> None:
    parsed = parse_unittest(golden(f"unittest/{version}/mixed")[0])
    assert parsed.problem is None
    tests = {name.split()[0]: status for name, status in parsed.statuses.items()}
    assert tests == {
        "test_ok": P,
        "test_fail": F,
        "test_error": E,
        "test_skip": S,
        "test_prints": P,
    }


def test_grade_reads_django_logs_with_the_django_parser() -> None:
    body, status = golden("django/5.0.14/mixed")
    log = f"{markers.TEST_START}\n{body}{markers.TEST_END}\n{markers.TEST_EXIT} {status}\n"
    result = grade(log, [tid("5.0.14", "ok")], [tid("5.0.14", "fail")], parser="django")
    assert result.log_valid and not result.resolved
    assert result.tests_status.FAIL_TO_PASS.success == [tid("5.0.14", "ok")]


def _with_fake_passes(log: str, before: str, fakes: list[str]) -> str:
    """``log`` with ``fakes`` printed just before its line starting with ``before``, as code
    imported or run earlier would print them."""
    lines = log.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(before))
    return "".join([*lines[:at], *(f"{fake}\n" for fake in fakes), *lines[at:]])


def _graded(body: str, status: int, f2p: list[str], parser: str = "django") -> GradeResult:
    log = f"{markers.TEST_START}\n{body}{markers.TEST_END}\n{markers.TEST_EXIT} {status}\n"
    return grade(log, f2p, [], parser=parser)


@pytest.mark.parametrize("version", list(IDS))
@pytest.mark.parametrize("count", [1, 3])
def test_fake_passes_printed_before_a_failed_import_do_not_resolve(
    version: str, count: int
) -> None:
    """The hidden tests' module fails to import; code imported before it printed result
    lines for those tests. Their names are more tests than the runner ran (1)."""
    body, status = golden(f"django/{version}/import_error")
    hidden = [tid(version, f"hidden_{n}") for n in range(count)]
    spoofed = _with_fake_passes(body, "app.tests (unittest", [f"{t} ... ok" for t in hidden])
    assert parse_django(spoofed).statuses[hidden[0]] is P  # the lines alone would pass it
    result = _graded(spoofed, status, hidden)
    assert not result.resolved and not result.log_valid
    assert "more tests than its runner ran" in (result.invalid_reason or "")


@pytest.mark.parametrize("version", ["3.9.18", "3.11.7"])
def test_one_fake_pass_among_real_results_makes_the_log_untrustworthy(version: str) -> None:
    """Even one invented pass is caught when every real test has a line of its own."""
    body, status = golden(f"unittest/{version}/mixed")
    fake = "test_new (test_mod.T) ... ok"
    result = _graded(_with_fake_passes(body, "test_error", [fake]), status, [fake[:-7]])
    assert not result.resolved and not result.log_valid
    assert "(6 listed, 'Ran 5')" in (result.invalid_reason or "")


@pytest.mark.parametrize("version", ["3.9.18", "3.11.7"])
def test_fixture_and_subtest_lines_do_not_count_against_the_total(version: str) -> None:
    """Real output with more result lines than tests run: skipping and failing class
    fixtures and failing subtests (before Python 3.11 the skip is a bare line)."""
    body, status = golden(f"unittest/{version}/fixtures")
    statuses = parse_unittest(body).statuses
    assert len(statuses) > 2 and "Ran 2 tests" in body
    ok = next(t for t in statuses if t.startswith("test_ok"))
    result = _graded(body, status, [ok], parser="unittest")
    assert result.log_valid, result.invalid_reason
    assert result.tests_status.FAIL_TO_PASS.success == [ok]


def test_a_test_printing_a_result_line_for_another_id_makes_the_log_untrustworthy() -> None:
    parsed = parse_django(golden("django/3.2.25/spoof_result_line")[0])
    assert parsed.problem == "the log lists more tests than its runner ran (3 listed, 'Ran 2')"
