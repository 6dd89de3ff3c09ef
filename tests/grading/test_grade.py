"""The grading rules, each pinned by a test named after it (logs are real pytest output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from swe_runner.grading import markers
from swe_runner.grading.grade import grade, split_by_outcome
from swe_runner.records import TestStatus
from tests.grading.test_pytest_parser import raw


def eval_log(name: str, exit_status: int | None = None, before: str = "", after: str = "") -> str:
    """A log as the eval script writes it around a golden pytest output."""
    body, status = raw(name)
    status = status if exit_status is None else exit_status
    return (
        f"{before}{markers.APPLY_OK} git apply\n{markers.TEST_START}\n{body}"
        f"{markers.TEST_END}\n{markers.TEST_EXIT} {status}\n{after}"
    )


A = "tests/test_a.py::"


def test_all_listed_tests_passing_resolves() -> None:
    result = grade(eval_log("all_pass"), [A + "test_one"], [A + "test_two"])
    assert result.resolved and result.log_valid and result.exit_code == 0


def test_missing_test_fails() -> None:
    result = grade(eval_log("all_pass"), [A + "test_one", A + "test_absent"], [])
    assert not result.resolved and result.log_valid
    assert result.tests_status.FAIL_TO_PASS.failure == [A + "test_absent"]


def test_failing_pass_to_pass_fails() -> None:
    result = grade(eval_log("some_fail"), [A + "test_ok"], [A + "test_bad"])
    assert not result.resolved and result.log_valid
    assert result.tests_status.PASS_TO_PASS.failure == [A + "test_bad"]
    assert result.tests_status.FAIL_TO_PASS.success == [A + "test_ok"]


def test_xfail_counts_as_pass() -> None:
    assert grade(eval_log("xfail_xpass_skip"), [A + "test_plain"], [A + "test_xfail"]).resolved


def test_xpass_fails() -> None:
    assert not grade(eval_log("xfail_xpass_skip"), [A + "test_xpass"], []).resolved


def test_skipped_fail_to_pass_fails() -> None:
    result = grade(eval_log("xfail_xpass_skip"), [A + "test_skip"], [A + "test_plain"])
    assert not result.resolved
    assert result.tests_status.FAIL_TO_PASS.failure == [A + "test_skip"]


def test_collection_error_fails_the_file_tests() -> None:
    result = grade(eval_log("collection_error"), [A + "test_x"], ["tests/test_b.py::test_fine"])
    assert result.log_valid and not result.resolved


def test_log_without_failures_but_nonzero_exit_is_invalid() -> None:
    result = grade(eval_log("all_pass", exit_status=1), [A + "test_one"], [A + "test_two"])
    assert not result.resolved and not result.log_valid
    assert "contradicts exit status 1" in (result.invalid_reason or "")


def test_log_with_failures_but_zero_exit_is_invalid() -> None:
    result = grade(eval_log("some_fail", exit_status=0), [A + "test_ok"], [])
    assert not result.resolved and not result.log_valid


def test_log_where_suite_never_ran_is_invalid() -> None:
    log = f"{markers.APPLY_OK} git apply\nTraceback: docker fell over\n"
    result = grade(log, [A + "test_one"], [])
    assert not result.resolved and not result.log_valid
    assert "never ran" in (result.invalid_reason or "")


def test_log_with_markers_but_no_pytest_session_is_invalid() -> None:
    log = f"{markers.TEST_START}\nPASSED {A}test_one\n{markers.TEST_END}\n{markers.TEST_EXIT} 0\n"
    result = grade(log, [A + "test_one"], [])
    assert not result.resolved and not result.log_valid


def test_log_without_exit_status_is_invalid() -> None:
    log = eval_log("all_pass").replace(f"{markers.TEST_EXIT} 0\n", "")
    assert not grade(log, [A + "test_one"], []).log_valid


def test_spoofed_passed_lines_do_not_resolve() -> None:
    s = "tests/test_spoof.py::"
    assert not grade(eval_log("spoof_captured"), [s + "test_hidden"], [s + "test_prints"]).resolved
    result = grade(eval_log("spoof_atexit"), [s + "test_hidden"], [s + "test_ok"])
    assert not result.resolved and not result.log_valid


def test_spoofed_markers_inside_the_test_output_do_not_move_the_section() -> None:
    fake = (
        f"{markers.TEST_END}\n{markers.TEST_EXIT} 0\n{markers.TEST_START}\n"
        f"=== test session starts ===\n=== short test summary info ===\n"
        f"PASSED {A}test_bad\n=== 1 passed in 0.01s ===\n"
    )
    body, status = raw("some_fail")
    log = f"{markers.TEST_START}\n{fake}{body}{markers.TEST_END}\n{markers.TEST_EXIT} {status}\n"
    result = grade(log, [A + "test_bad"], [])
    assert not result.resolved and result.exit_code == 1


def test_marker_text_inside_a_line_is_not_a_marker() -> None:
    log = eval_log("all_pass").replace(f"{markers.TEST_START}\n", f"echo {markers.TEST_START}\n")
    assert markers.test_section(log) is None
    assert not grade(log, [A + "test_one"], []).log_valid


def test_apply_method_is_read_from_the_log() -> None:
    assert markers.apply_method(eval_log("all_pass")) == "git apply"
    assert markers.apply_method("nothing here") is None


def test_official_ids_cut_at_a_space_match_the_tests_they_cover() -> None:
    """Published datasets hold ids the official parser cut at the first space."""
    log = eval_log("odd_param_ids")
    passed = grade(log, [A + "test_ids[a"], [])  # covers test_ids[a - b], which passed
    assert passed.tests_status.FAIL_TO_PASS.success == [A + "test_ids[a"]
    failed = grade(log, [A + "test_ids[sp"], [])  # covers test_ids[sp ace], which failed
    assert failed.tests_status.FAIL_TO_PASS.failure == [A + "test_ids[sp"]
    nothing = grade(log, [A + "test_ids[zz"], [])  # a cut that covers no test still fails
    assert nothing.tests_status.FAIL_TO_PASS.failure == [A + "test_ids[zz"]


def test_a_skipped_pass_to_pass_test_is_kept_and_a_skipped_fail_to_pass_test_fails() -> None:
    # The official grader (SWE-bench 5.x): a skip is no regression, and no resolution.
    statuses = {"t::f2p": TestStatus.PASSED, "t::p2p": TestStatus.SKIPPED}
    assert split_by_outcome(["t::p2p"], statuses, skipped_ok=True).success == ["t::p2p"]
    assert split_by_outcome(["t::p2p"], statuses).failure == ["t::p2p"]


def test_an_id_cut_inside_its_parameters_matches_as_the_official_grader_does() -> None:
    # SWE-bench issue #290: Verified ids such as test_grammar_fail[log(photon
    statuses = {
        "t.py::test_g[log(photon cm)]": TestStatus.PASSED,
        "t.py::test_g[log(photon s)]": TestStatus.XFAIL,
        "t.py::test_h[a b]": TestStatus.PASSED,
        "t.py::test_h[a c]": TestStatus.FAILED,
    }
    assert split_by_outcome(["t.py::test_g[log(photon"], statuses).success
    assert split_by_outcome(["t.py::test_h[a"], statuses).failure  # they disagree
    assert split_by_outcome(["t.py::test_g[log]"], statuses).failure  # balanced: exact only


def test_a_progress_mark_in_the_published_lists_is_read_as_the_official_parser_reads_it(
    tmp_path: Path,
) -> None:
    # pytest-dev__pytest-5262's PASS_TO_PASS holds "[100%]": the official parser's reading
    # of an inner pytest run's status line, printed on its own under live logging and shown
    # as captured output. A real pytest -rA log of a test printing such a line:
    (tmp_path / "test_t.py").write_text(
        "def test_inner_run():\n    print('PASSED' + ' ' * 67 + '[100%]')\n\n"
        "def test_b():\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "test_t.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    log = f"{markers.TEST_START}\n{done.stdout}{markers.TEST_END}\n{markers.TEST_EXIT} 0\n"
    expected = ["[100%]", "test_t.py::test_b"]
    assert grade(log, ["test_t.py::test_inner_run"], expected).resolved
    failed = log.replace("PASSED" + " " * 67, "FAILED" + " " * 67)
    assert not grade(failed, ["test_t.py::test_inner_run"], expected).resolved
