"""The planners (what a run is to do, from its request and its folder) and the order
:func:`run_batch` gives the jobs' sandboxes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from swe_runner.config import load_settings
from swe_runner.inputs.dataset import load_dataset, predictions_from_tasks
from swe_runner.run.batch import _warmed
from swe_runner.run.instance import Job
from swe_runner.run.pipeline import evaluate_predictions, plan_evaluation
from swe_runner.run.request import EvalRequest


def test_a_grading_job_warms_the_sandbox_of_the_patch_its_worker_grades_next() -> None:
    tasks = load_dataset("demo").tasks[:5]
    gold, empty = predictions_from_tasks(tasks, "gold"), predictions_from_tasks(tasks, "empty")
    # the second has no patch to grade: no sandbox, so it neither warms nor is warmed
    picks = [gold, empty, gold, gold, gold]
    jobs = [Job(task=t, prediction=p[t.instance_id]) for t, p in zip(tasks, picks, strict=True)]
    warm = [job.warm and job.warm.instance_id for job in _warmed(jobs, 2)]
    ids = [t.instance_id for t in tasks]
    assert warm == [ids[3], None, ids[4], None, None]
    assert [job.warm for job in _warmed(jobs, 0)] == [None] * 5  # lookahead unknown


def test_a_resumed_evaluation_keeps_the_reports_of_unchanged_patches_and_regrades_the_rest(
    tmp_path: Path,
) -> None:
    demo = load_dataset("demo")
    settings = load_settings(None, {"results_dir": tmp_path}, environ={})
    empty = predictions_from_tasks(demo.tasks, "empty")
    first = demo.tasks[0].instance_id
    req = EvalRequest(
        dataset=demo, predictions=empty, predictions_source="p", run_id="r", settings=settings
    )
    evaluate_predictions(req)  # empty patches: graded without a sandbox
    changed = {**empty, first: predictions_from_tasks(demo.tasks[:1], "gold")[first]}
    plan = plan_evaluation(replace(req, predictions=changed))
    assert [job.key for job in plan.jobs] == [first]
    assert sorted(r.instance_id for r in plan.reused) == sorted(set(empty) - {first})
    assert plan.needs_runtime  # a patch to grade
    assert not plan_evaluation(req).jobs and not plan_evaluation(req).needs_runtime
