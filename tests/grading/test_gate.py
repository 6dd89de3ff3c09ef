"""The gold gate's classification (pure): valid, flaky, broken, unbuildable, from reports."""

from __future__ import annotations

from pathlib import Path

from swe_runner.grading import markers, outcome
from swe_runner.grading.gate import classify, known_bad_list, unbuildable
from swe_runner.grading.outcome import TEST_PATCH_NOT_APPLIED
from swe_runner.inputs.known_bad import GateClass, load_exclusion
from swe_runner.records import EvalReport, Outcome, SuccessFailure, TestsStatus
from swe_runner.task import Prediction, Task

F2P = ["t.py::test_fixed_a", "t.py::test_fixed_b"]
P2P = ["t.py::test_old", "t.py::test_coin"]
TASK = Task(
    instance_id="acme__calc-1",
    repo="acme/calc",
    base_commit="0" * 40,
    problem_statement="x",
    patch="diff",
    test_patch="diff",
    FAIL_TO_PASS=F2P,
    PASS_TO_PASS=P2P,
)


def run(passing: set[str], outcome: Outcome | None = None, **extra: object) -> EvalReport:
    """A graded run in which exactly the tests in ``passing`` passed."""

    def split(tests: list[str]) -> SuccessFailure:
        return SuccessFailure(
            success=[t for t in tests if t in passing],
            failure=[t for t in tests if t not in passing],
        )

    resolved = set(F2P + P2P) <= passing
    fields: dict[str, object] = {"log_valid": True, **extra}
    return EvalReport(
        instance_id=TASK.instance_id,
        outcome=outcome or (Outcome.RESOLVED if resolved else Outcome.UNRESOLVED),
        resolved=resolved,
        tests_status=TestsStatus(FAIL_TO_PASS=split(F2P), PASS_TO_PASS=split(P2P)),
        **fields,  # type: ignore[arg-type]
    )


ALL = set(F2P + P2P)
BEFORE = set(P2P)  # the unpatched repository: the old tests pass, the new ones fail


def error(message: str) -> EvalReport:
    return EvalReport(instance_id=TASK.instance_id, outcome=Outcome.ERROR, error=message)


def test_gold_resolving_every_run_and_empty_failing_is_valid() -> None:
    verdict = classify(TASK, [run(ALL)] * 3, run(BEFORE))
    assert verdict.cls is GateClass.VALID and verdict.ok
    assert verdict.notes == [] and verdict.tests == []
    assert verdict.gold == [Outcome.RESOLVED] * 3 and verdict.empty is Outcome.UNRESOLVED


def test_a_verdict_changing_between_gold_runs_is_flaky_and_names_the_test() -> None:
    coin_lost = run(ALL - {"t.py::test_coin"})
    verdict = classify(TASK, [run(ALL), coin_lost, run(ALL)], run(BEFORE))
    assert verdict.cls is GateClass.FLAKY
    assert verdict.tests == ["t.py::test_coin"]
    assert "gold runs differ: resolved, unresolved, resolved; 1 test flip" in verdict.reason


def test_a_test_flipping_under_a_steady_verdict_is_still_flaky() -> None:
    # test_fixed_b always fails (unresolved every run), test_coin flips.
    runs = [run(ALL - {F2P[1]}), run(ALL - {F2P[1], "t.py::test_coin"}), run(ALL - {F2P[1]})]
    verdict = classify(TASK, runs, run(BEFORE))
    assert verdict.cls is GateClass.FLAKY and verdict.tests == ["t.py::test_coin"]
    assert verdict.reason == "1 test flip between gold runs (unresolved every run)"


def test_gold_failing_every_run_is_broken_with_the_failing_tests() -> None:
    verdict = classify(TASK, [run(BEFORE)] * 3, run(BEFORE))
    assert verdict.cls is GateClass.BROKEN
    assert verdict.tests == F2P
    assert "2 FAIL_TO_PASS and 0 PASS_TO_PASS tests fail" in verdict.reason


def test_a_task_the_empty_patch_resolves_is_broken() -> None:
    verdict = classify(TASK, [run(ALL)] * 3, run(ALL))
    assert verdict.cls is GateClass.BROKEN
    assert "empty patch resolves it" in verdict.reason and verdict.tests == F2P


def test_mislabelled_tests_leave_the_task_valid_with_notes() -> None:
    # test_fixed_a already passes before the fix; test_old fails before it.
    before = {F2P[0], "t.py::test_coin"}
    verdict = classify(TASK, [run(ALL)], run(before))
    assert verdict.cls is GateClass.VALID
    assert any("already pass without the gold patch" in n and F2P[0] in n for n in verdict.notes)
    assert any("PASS_TO_PASS tests that fail" in n and "t.py::test_old" in n for n in verdict.notes)


def test_an_environment_failing_every_run_is_unbuildable() -> None:
    runs = [error("ContainerError: exec failed")] * 2
    verdict = classify(TASK, runs, error("ContainerError: exec failed"))
    assert verdict.cls is GateClass.UNBUILDABLE and "exec failed" in verdict.reason
    assert unbuildable(TASK, "ImageError: pip failed").cls is GateClass.UNBUILDABLE


def test_one_gold_run_erroring_is_flaky_with_the_error() -> None:
    verdict = classify(TASK, [run(ALL), error("ContainerTimeout: 30s"), run(ALL)], run(BEFORE))
    assert verdict.cls is GateClass.FLAKY
    assert "error (ContainerTimeout: 30s)" in verdict.reason and verdict.tests == []


def test_patches_that_do_not_apply_are_broken() -> None:
    failed = EvalReport(instance_id=TASK.instance_id, outcome=Outcome.PATCH_FAILED)
    assert classify(TASK, [failed], run(BEFORE)).cls is GateClass.BROKEN
    verdict = classify(TASK, [error(TEST_PATCH_NOT_APPLIED)], error(TEST_PATCH_NOT_APPLIED))
    assert verdict.cls is GateClass.BROKEN and "test patch does not apply" in verdict.reason


def test_the_test_patch_failure_is_recognised_in_grading_s_own_words() -> None:
    log = f"{markers.APPLY_OK} git apply\n{markers.TEST_PATCH_FAILED}\n"
    pred = Prediction(instance_id=TASK.instance_id, model_name_or_path="gold", model_patch="x")
    report = outcome.outcome_from_log(TASK, pred, log)
    assert report.outcome is Outcome.ERROR and report.error == TEST_PATCH_NOT_APPLIED


def test_invalid_logs_with_and_without_gold_are_unbuildable_with_gold_only_broken() -> None:
    bad = run(set(), log_valid=False, invalid_reason="no test session in the log")
    assert classify(TASK, [bad], bad).cls is GateClass.UNBUILDABLE
    assert classify(TASK, [bad], run(BEFORE)).cls is GateClass.BROKEN


def test_the_known_bad_list_holds_every_task_not_valid(tmp_path: Path) -> None:
    other = TASK.model_copy(update={"instance_id": "acme__calc-2"})
    verdicts = [
        classify(TASK, [run(ALL)] * 3, run(BEFORE)),
        classify(other, [run(BEFORE)] * 3, run(BEFORE)),
    ]
    listed = known_bad_list(verdicts, {"name": "toy", "fingerprint": "f00d"}, repeat=3)
    assert [e.instance_id for e in listed.instances] == ["acme__calc-2"]
    entry = listed.instances[0]
    assert entry.cls is GateClass.BROKEN and entry.tests == F2P
    path = tmp_path / "kb.json"
    listed.write(path)
    text = path.read_text()
    assert '"class": "broken"' in text and '"fingerprint": "f00d"' in text
    assert '"repeat": 3' in text and '"validated": 2' in text
    assert load_exclusion(path).instances == ["acme__calc-2"]
