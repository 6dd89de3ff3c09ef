"""The SymPy parser on real output of SymPy's verbose runner (make_sympy_logs.py)."""

from __future__ import annotations

from swe_runner.grading.parsers.sympy import parse_sympy
from swe_runner.records import TestStatus
from tests.grading.logs import golden

P, F = TestStatus.PASSED, TestStatus.FAILED


def test_every_mark_and_the_wrapped_totals() -> None:
    parsed = parse_sympy(golden("sympy/1.13.3/mixed")[0])
    assert parsed.problem is None
    assert parsed.statuses == {
        "test_ok": P,
        "test_fail": F,
        "test_error": TestStatus.ERROR,
        "test_xfail": TestStatus.XFAIL,
        "test_xpass": TestStatus.XPASS,
        "test_skip": TestStatus.SKIPPED,
        "test_skip_decorated": TestStatus.SKIPPED,
    }


def test_the_last_test_of_a_file_counts_despite_the_file_tag() -> None:
    parsed = parse_sympy(golden("sympy/1.13.3/all_pass")[0])
    assert parsed.statuses == {"test_one": P, "test_two": P}
    assert parsed.problem is None


def test_a_mark_pushed_to_its_own_line_by_output() -> None:
    parsed = parse_sympy(golden("sympy/1.13.3/prints")[0])
    assert parsed.statuses == {"test_loud": P, "test_quiet": P}


def test_colour_codes_are_stripped() -> None:
    assert parse_sympy(golden("sympy/1.13.3/colour")[0]).statuses == {"test_ok": P, "test_bad": F}


def test_a_printed_ok_line_does_not_pass_a_failing_test() -> None:
    parsed = parse_sympy(golden("sympy/1.13.3/spoof_result_line")[0])
    assert parsed.statuses["test_hidden"] is F
    assert "test_prints" not in parsed.statuses  # its own mark was taken by the spoof line


def test_totals_that_disagree_with_the_marks_make_the_log_untrustworthy() -> None:
    log = golden("sympy/1.13.3/all_pass")[0].replace("2 passed", "3 passed")
    parsed = parse_sympy(log)
    assert parsed.problem is not None and "disagree" in parsed.problem


def test_a_log_without_the_final_line_did_not_run() -> None:
    log = golden("sympy/1.13.3/all_pass")[0]
    assert not parse_sympy(log.split("tests finished")[0]).ran
    assert not parse_sympy("").ran


def test_a_name_of_two_files_takes_the_last_files_status_as_officially() -> None:
    # sympy names tests without their file; the official parser keeps a name's last line.
    later_passes = parse_sympy(golden("sympy/1.13.3/one_name_fails_then_passes")[0])
    assert later_passes.problem is None
    assert later_passes.statuses == {"test_same": P, "test_a": P, "test_b": P}
    later_fails = parse_sympy(golden("sympy/1.13.3/one_name_passes_then_fails")[0])
    assert later_fails.statuses == {"test_same": F, "test_a": P, "test_b": P}
