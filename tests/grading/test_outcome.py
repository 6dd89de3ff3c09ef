"""An evaluation's outcome from its log: each verdict the log can give, and its report."""

from __future__ import annotations

from swe_runner.grading import markers, outcome
from swe_runner.grading.outcome import (
    PATCH_NOT_APPLIED,
    Verdict,
    outcome_from_log,
    stopped_before_grading,
)
from swe_runner.records import EvalReport, Outcome
from swe_runner.task import Prediction, Task
from tests.grading.test_grade import eval_log

A = "tests/test_a.py::"
TASK = Task(
    instance_id="acme__calc-1",
    repo="acme/calc",
    base_commit="0" * 40,
    problem_statement="x",
    patch="diff",
    test_patch="diff",
    FAIL_TO_PASS=[A + "test_one"],
    PASS_TO_PASS=[A + "test_two"],
)
PRED = Prediction(instance_id=TASK.instance_id, model_name_or_path="m", model_patch="diff")


def report_of(log: str) -> EvalReport:
    return outcome_from_log(TASK, PRED, log, {"container": 1.5})


def test_a_passing_run_resolves_with_what_the_log_recorded() -> None:
    report = report_of(eval_log("all_pass"))
    assert (report.outcome, report.resolved, report.error) == (Outcome.RESOLVED, True, None)
    assert report.patch_successfully_applied and report.apply_method == "git apply"
    assert (report.exit_code, report.log_valid) == (0, True)
    assert report.tests_status.FAIL_TO_PASS.success == [A + "test_one"]
    assert report.timings == {"container": 1.5}


def test_a_failing_run_is_unresolved() -> None:
    report = report_of(eval_log("some_fail"))
    assert (report.outcome, report.resolved, report.error) == (Outcome.UNRESOLVED, False, None)


def test_a_prediction_that_did_not_apply_is_patch_failed_and_not_graded() -> None:
    report = report_of(f"{markers.APPLY_FAILED}\n")
    assert report.outcome is Outcome.PATCH_FAILED and report.error == PATCH_NOT_APPLIED
    assert not report.patch_successfully_applied and report.apply_method is None
    assert report.exit_code is None and report.log_valid is None


def test_a_container_the_harness_stopped_is_limit_exceeded_with_its_reason() -> None:
    log = eval_log("all_pass", after=f"{markers.LIMIT_STOPPED} disk limit 10240 MB\n")
    report = report_of(log)
    assert report.outcome is Outcome.LIMIT_EXCEEDED and report.error == "disk limit 10240 MB"
    assert report.exit_code is None and not report.resolved


def test_the_stop_line_counts_only_as_the_log_s_last_line() -> None:
    printed = f"{markers.LIMIT_STOPPED} printed by a test\n"
    assert stopped_before_grading(printed + eval_log("all_pass")) is None


def test_tests_past_their_time_limit_are_limit_exceeded() -> None:
    report = report_of(eval_log("some_fail", exit_status=markers.TIMEOUT_STATUS))
    assert report.outcome is Outcome.LIMIT_EXCEEDED
    assert report.error == "tests ran past the 600s limit"


def test_a_killed_unresolved_test_run_is_limit_exceeded() -> None:
    report = report_of(eval_log("some_fail", exit_status=markers.KILLED_STATUS))
    assert report.outcome is Outcome.LIMIT_EXCEEDED and "killed" in (report.error or "")


def test_a_file_too_large_in_the_tests_of_an_unresolved_run_is_limit_exceeded() -> None:
    body = eval_log("some_fail").replace(
        markers.TEST_END, f"OSError: {markers.FILE_TOO_LARGE}\n{markers.TEST_END}"
    )
    report = report_of(body)
    assert report.outcome is Outcome.LIMIT_EXCEEDED and report.error == "file size limit reached"


def test_a_run_cut_short_is_an_error_saying_why() -> None:
    cut = f"{markers.APPLY_OK} git apply\n{markers.TEST_START}\ncollecting ...\n"
    assert report_of(cut).error == "the test run did not finish"
    timed_out = report_of(f"{cut}{markers.EVAL_TIMED_OUT}\n")
    assert timed_out.outcome is Outcome.ERROR
    assert timed_out.error == "evaluation container timed out"


def test_a_verdict_is_outcome_and_reason() -> None:
    assert stopped_before_grading(f"{markers.TEST_PATCH_FAILED}\n") == Verdict(
        Outcome.ERROR, "the hidden test patch did not apply"
    )


def test_duration_is_the_last_one_the_script_measured() -> None:
    log = f"{markers.TEST_DURATION} 1500\n{markers.TEST_DURATION} 2250\n"
    assert outcome.test_duration(log) == 2.25
    assert outcome.test_duration("no duration") is None
