"""Evaluation end to end, through the CLI, in real containers on the demo suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner import patch as patches
from swe_runner.cli.main import main
from swe_runner.grading.evaluation import evaluate
from swe_runner.inputs.dataset import Dataset
from swe_runner.records import EvalReport, Outcome
from swe_runner.task import Prediction, Task
from tests.conftest import EvalRuntime, ca_args
from tests.integrity.attacks import patch_from_edit

pytestmark = pytest.mark.docker

NOT_APPLYING = """\
diff --git a/does_not_exist.py b/does_not_exist.py
--- a/does_not_exist.py
+++ b/does_not_exist.py
@@ -1 +1 @@
-a
+b
"""

# A conftest.py that turns every failing test into a pass: the classic grader exploit.
FORCE_PASS_CONFTEST = """\
diff --git a/conftest.py b/conftest.py
new file mode 100644
--- /dev/null
+++ b/conftest.py
@@ -0,0 +1,8 @@
+import pytest
+
+@pytest.hookimpl(hookwrapper=True)
+def pytest_runtest_makereport(item, call):
+    outcome = yield
+    report = outcome.get_result()
+    report.outcome = "passed"
+    report.longrepr = None
"""


def run_cli(*args: str) -> int:
    return main(list(args))


def reports(results: Path, run_id: str) -> dict[str, EvalReport]:
    out = {}
    for path in (results / run_id).glob("*/report.json"):
        report = EvalReport.from_swebench(json.loads(path.read_text()))
        out[report.instance_id] = report
    return out


def gold_files(task: Task) -> list[str]:
    return [c.path for c in patches.changes(task.patch)]


def test_gold_resolves_every_demo_task(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    results = tmp_path / "results"
    code = run_cli(
        "evaluate",
        "--dataset",
        "demo",
        "--predictions",
        "gold",
        "--workers",
        "2",
        "--run-id",
        "gold",
        "--results-dir",
        str(results),
        *ca_args(),
    )
    assert code == 0
    got = reports(results, "gold")
    assert set(got) == {t.instance_id for t in demo.tasks}
    assert {r.outcome for r in got.values()} == {Outcome.RESOLVED}
    summary = json.loads((results / "gold" / "summary.json").read_text())
    assert summary["pass_rate"] == 1.0
    for iid in got:
        folder = results / "gold" / iid
        assert ">>>>> swe-runner: test start" in (folder / "test_output.txt").read_text()
        assert (folder / "eval.sh").read_text().startswith("#!/bin/bash")
        body = json.loads((folder / "report.json").read_text())[iid]
        assert body["patch_successfully_applied"] is True and body["resolved"] is True
        assert set(body["tests_status"]) >= {"FAIL_TO_PASS", "PASS_TO_PASS"}


def test_empty_predictions_resolve_nothing(demo: Dataset, tmp_path: Path) -> None:
    results = tmp_path / "results"
    assert (
        run_cli(
            "evaluate", "-d", "demo", "-p", "empty", "--run-id", "e", "--results-dir", str(results)
        )
        == 0
    )
    got = reports(results, "e")
    assert len(got) == len(demo.tasks)
    assert {r.outcome for r in got.values()} == {Outcome.EMPTY_PATCH}


def test_patch_that_does_not_apply_is_patch_failed(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str]
) -> None:
    task = demo.tasks[0]
    pred = Prediction(instance_id=task.instance_id, model_patch=NOT_APPLYING)
    result = evaluate(task, pred, demo_images[task.instance_id], eval_runtime())
    assert result.report.outcome is Outcome.PATCH_FAILED
    assert result.report.patch_successfully_applied is False


def test_wrong_but_applying_patch_is_unresolved_with_failing_tests(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    task = demo.tasks[0]

    def add_comment(work: Path) -> None:
        with (work / gold_files(task)[0]).open("a") as handle:
            handle.write("# an unrelated comment\n")

    pred = Prediction(
        instance_id=task.instance_id, model_patch=patch_from_edit(task, demo, tmp_path, add_comment)
    )
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report
    assert report.outcome is Outcome.UNRESOLVED
    assert report.apply_method == "git apply"
    assert report.tests_status.FAIL_TO_PASS.failure == list(task.FAIL_TO_PASS)
    assert report.tests_status.PASS_TO_PASS.success == list(task.PASS_TO_PASS)


def test_conftest_forcing_passes_cannot_change_the_outcome(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str]
) -> None:
    task = demo.tasks[0]
    image = demo_images[task.instance_id]
    cheat = Prediction(instance_id=task.instance_id, model_patch=FORCE_PASS_CONFTEST)
    report = evaluate(task, cheat, image, eval_runtime()).report
    assert report.outcome is Outcome.UNRESOLVED
    assert report.test_config_touched == ["conftest.py"]
    honest = Prediction(instance_id=task.instance_id, model_patch=task.patch + FORCE_PASS_CONFTEST)
    assert evaluate(task, honest, image, eval_runtime()).report.outcome is Outcome.RESOLVED


def test_patch_editing_hidden_test_files_cannot_change_the_outcome(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    task = demo.tasks[0]

    def gut_tests(work: Path) -> None:  # the hidden test files, reduced to nothing
        for path in patches.test_files(task.test_patch):
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            (work / path).write_text("def test_nothing():\n    pass\n")

    pred = Prediction(
        instance_id=task.instance_id, model_patch=patch_from_edit(task, demo, tmp_path, gut_tests)
    )
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report
    assert report.patch_successfully_applied
    assert report.outcome is Outcome.UNRESOLVED


def test_bad_inputs_give_one_error_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"instance_id": "no-such-task", "model_patch": "x"}\n')
    cases = [
        (["-p", str(tmp_path / "missing.jsonl")], "no such predictions file"),
        (["-p", str(bad)], "unknown instance 'no-such-task'"),
        (["-p", "gold", "-i", "no-such-task"], "no instance 'no-such-task'"),
    ]
    for extra, message in cases:
        code = run_cli("evaluate", "-d", "demo", "--results-dir", str(results), *extra)
        err = capsys.readouterr().err
        assert code == 2, err
        assert message in err and err.count("Error:") == 1
    assert not results.exists()
