"""`swe-runner run` end to end on Docker: agents in containers, grading, workers, refusals
(resume, interrupts, secrets and retries run on every runtime: tests/run/test_plumbing.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS, Dataset
from swe_runner.sandbox.containers import connect
from swe_runner.sandbox.labels import INSTANCE_LABEL, MANAGED_LABEL, OWNER_LABEL, RUN_LABEL
from swe_runner.task import Task
from tests.conftest import TEST_OWNER, ca_args
from tests.fakes.published import Step, mini_v1, write
from tests.run.test_plumbing import FIX_WRAP

pytestmark = pytest.mark.docker


def outcomes(results: Path, run_id: str) -> dict[str, str]:
    summary = json.loads((results / run_id / "summary.json").read_text())
    return {row["instance_id"]: row["outcome"] for row in summary["instances"]}


def run(results: Path, run_id: str, *args: str) -> int:
    return main(
        [
            "run",
            "--suite",
            "demo",
            "--run-id",
            run_id,
            "--results-dir",
            str(results),
            *ca_args(),
            *args,
        ]
    )


def test_gold_agent_resolves_everything_through_the_tools(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    results = tmp_path / "r"
    assert run(results, "gold", "--agent", "gold", "--workers", "2") == 0
    assert set(outcomes(results, "gold").values()) == {"resolved"}
    task = demo.tasks[0]
    steps = [
        json.loads(line)
        for line in (results / "gold" / task.instance_id / "trajectory.jsonl")
        .read_text()
        .splitlines()
    ]
    assert [s["name"] for s in steps if s["kind"] == "tool"] == ["bash", "bash"]
    assert steps[-1] == {
        "kind": "stop",
        "turn": 0,
        "stop_reason": "submitted",
        "at": steps[-1]["at"],
    }
    preds = [json.loads(line) for line in (results / "gold" / "predictions.jsonl").open()]
    assert {p["instance_id"] for p in preds} == {t.instance_id for t in demo.tasks}
    assert all(p["model_patch"].startswith("diff --git") for p in preds)


def test_empty_agent_resolves_nothing(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    results = tmp_path / "r"
    assert run(results, "empty", "--agent", "empty", "--workers", "2") == 0
    assert set(outcomes(results, "empty").values()) == {"empty_patch"}
    summary = json.loads((results / "empty" / "summary.json").read_text())
    assert summary["pass_rate"] == 0.0 and summary["total"] == len(demo.tasks)


def test_command_agent_with_a_script_resolves_exactly_its_task(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir()
    (agent_dir / "fix.sh").write_text(FIX_WRAP)
    results = tmp_path / "r"
    assert (
        run(
            results,
            "byo",
            "--agent",
            "command",
            "--agent-files",
            str(agent_dir),
            "--agent-command",
            "bash /agent/fix.sh",
            "--workers",
            "2",
        )
        == 0
    )
    got = outcomes(results, "byo")
    assert [i for i, o in got.items() if o == "resolved"] == ["textkit-2"]


def test_a_failing_instance_is_recorded_as_error_and_the_batch_goes_on(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    suite = tmp_path / "demo"
    shutil.copytree(PROJECT_TASKS / "demo", suite)
    broken = suite / "instances" / "textkit-2" / "task.toml"
    broken.write_text(
        broken.read_text().replace(demo_task("textkit-2", demo).base_commit, "0" * 40)
    )
    results = tmp_path / "r"
    code = main(
        [
            "run",
            "--suite",
            str(suite),
            "--agent",
            "gold",
            "--run-id",
            "err",
            "--results-dir",
            str(results),
            "-i",
            "textkit-2",
            "-i",
            "textkit-4",
            "-i",
            "confparse-1",
            *ca_args(),
        ]
    )
    assert code == 0
    assert outcomes(results, "err") == {
        "textkit-2": "error",
        "textkit-4": "resolved",
        "confparse-1": "resolved",
    }
    report = json.loads((results / "err" / "textkit-2" / "report.json").read_text())["textkit-2"]
    assert "base commit 0000000000000000000000000000000000000000 is not in" in report["error"]
    assert "Traceback" in report["traceback"]


def demo_task(instance_id: str, demo: Dataset) -> Task:
    return next(t for t in demo.tasks if t.instance_id == instance_id)


def test_an_agent_command_killed_by_sigkill_is_its_exit_not_a_timeout(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    # SIGKILL is what the kernel's out-of-memory killer sends: the status is 137.
    results = tmp_path / "r"
    args = ["--agent", "command", "--agent-command", "kill -KILL $$", "-i", "textkit-2"]
    assert run(results, "oom", *args, "--timeout", "600") == 0
    report = json.loads((results / "oom" / "textkit-2" / "report.json").read_text())["textkit-2"]
    assert report["stop_reason"] == "agent_error", report
    assert report["stop_detail"] == "the command exited 137"


def test_the_workers_setting_runs_that_many_instances_at_once(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    args = [
        "--agent",
        "command",
        "--agent-command",
        "sleep 8",
        "-i",
        "textkit-1",
        "-i",
        "textkit-3",
    ]
    err = tmp_path / "stderr.txt"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "swe_runner", "run", "--suite", "demo", "--run-id", "par",
             "--results-dir", str(tmp_path / "r"), *ca_args(), *args],
            env={**os.environ, "SWE_RUNNER_WORKERS": "2"},
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )  # fmt: skip
    labels = [MANAGED_LABEL, INSTANCE_LABEL, f"{RUN_LABEL}=par", f"{OWNER_LABEL}={TEST_OWNER}"]
    most = 0
    while proc.poll() is None:  # the raw listing: no inspect racing a removal
        most = max(most, len(connect().api.containers(filters={"label": labels})))
        time.sleep(0.2)
    assert proc.returncode == 0, err.read_text()
    assert most == 2  # both agents at work together: the setting, not --workers' old 1


def test_the_predictions_agent_leaves_tasks_without_a_prediction_missing(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    fix = demo_task("textkit-2", demo).patch
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"instance_id": "textkit-2", "model_patch": fix}) + "\n")
    results = tmp_path / "r"
    args = ["--agent", "predictions", "-p", str(preds), "-i", "textkit-2", "-i", "textkit-3"]
    assert run(results, "preds", *args) == 0
    assert outcomes(results, "preds") == {"textkit-2": "resolved"}
    summary = json.loads((results / "preds" / "summary.json").read_text())
    assert summary["missing"] == ["textkit-3"] and summary["total"] == 2
    assert not (results / "preds" / "textkit-3").exists()  # never run, so no empty_patch


def test_a_run_of_another_agent_is_not_resumed_unless_forced(
    demo_images: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    pick = ["-i", "textkit-2", "-i", "textkit-3"]
    command = ["--agent", "command", "--agent-command", "true", *pick]
    assert run(results, "mine", *command) == 0
    kept = outcomes(results, "mine")
    made = (results / "mine" / "run.json").read_text()
    capsys.readouterr()
    assert run(results, "mine", "--agent", "gold", *pick) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: run mine was made by agent 'command', not by agent 'gold'")
    assert err.count("\n") == 1
    assert (results / "mine" / "run.json").read_text() == made
    assert outcomes(results, "mine") == kept
    assert run(results, "mine", *command) == 0
    assert "resuming: 2 of 2 already finished" in capsys.readouterr().err
    assert run(results, "mine", "--agent", "gold", *pick, "--force") == 0
    assert "resuming: 2 of 2 already finished" in capsys.readouterr().err


def test_replay_of_a_command_agent_run_is_refused_before_it_starts(
    demo_images: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    assert (
        run(results, "cmd", "--agent", "command", "--agent-command", "true", "-i", "textkit-2") == 0
    )
    capsys.readouterr()
    assert run(results, "again", "--agent", "replay", "--from", "cmd", "-i", "textkit-2") == 2
    err = capsys.readouterr().err
    assert "cannot be replayed" in err and "'command' in textkit-2" in err, err
    assert not (results / "again").exists()


def test_a_published_trajectory_replays_with_bytecode_written_as_in_the_swe_bench_images(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    """swe-runner's environment images set PYTHONDONTWRITEBYTECODE=1; the scaffold's
    commands ran in images that write bytecode, so a replayed command does too (else every
    command compiles anew: compile-time warnings on each run, slower commands)."""
    cached = "python3 -c 'import textkit.wrap' && ls textkit/__pycache__ | grep -c '^wrap\\.'"
    steps = [
        Step("python3 -c 'import sys; print(sys.dont_write_bytecode)'", "False\n"),
        Step(cached, "1\n"),
        Step("echo $PAGER", "cat\n"),  # the trajectory's own variables still apply
    ]
    folder = tmp_path / "trajs"
    write(folder, "textkit-2", mini_v1(steps, "", env={"PAGER": "cat"}))
    results = tmp_path / "r"
    assert run(results, "pyc", "--agent", "replay", "--from", str(folder), "-i", "textkit-2") == 0
    report = json.loads((results / "pyc" / "textkit-2" / "report.json").read_text())["textkit-2"]
    lines = (results / "pyc" / "textkit-2" / "trajectory.jsonl").read_text().splitlines()
    checks = [json.loads(line)["replay"] for line in lines if '"replay"' in line]
    assert [c["status"] for c in checks[:3]] == ["same"] * 3, checks
    assert report["replay"]["steps_drifted"] == 0
