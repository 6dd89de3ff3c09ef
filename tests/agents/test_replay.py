"""``run --agent replay --from RUN`` checks the recorded run before the run starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.agents.replay import ReplayAgent
from swe_runner.cli.main import main
from swe_runner.errors import InputError
from swe_runner.records import Outcome, TrajectoryStep
from swe_runner.rundir import RunDir
from swe_runner.runs import load_run
from tests.reporting.runs_factory import manifest, report

STEP = TrajectoryStep(kind="tool", turn=1, name="bash", input={"command": "true"}, output="")


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """A recorded run with a trajectory for textkit-1 only (textkit-2 never got one)."""
    run = RunDir(tmp_path / "recorded", "src")
    run.write_json("run.json", manifest("src").model_dump(mode="json"))
    run.write_instance(report("textkit-1", Outcome.RESOLVED), "", None, None, [STEP])
    return run.path


def test_replay_of_instances_without_a_recorded_trajectory_fails_before_the_run(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    args = ["run", "--suite", "demo", "--agent", "replay", "--from", str(recorded)]
    picked = ["-i", "textkit-1", "-i", "textkit-2", "-i", "textkit-3"]
    code = main([*args, *picked, "--run-id", "again", "--results-dir", str(results)])
    err = capsys.readouterr().err
    assert code != 0
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert "textkit-2" in errors[0] and "textkit-3" in errors[0]
    assert "textkit-1" not in errors[0]  # it has a trajectory
    assert not (results / "again").exists()  # the run never started


def test_replay_agent_accepts_only_instances_with_a_recorded_trajectory(recorded: Path) -> None:
    ReplayAgent(recorded, ["textkit-1"])  # no error: everything it will replay is recorded
    with pytest.raises(InputError, match="textkit-9"):
        ReplayAgent(recorded, ["textkit-1", "textkit-9"])


def test_replay_of_a_command_agent_run_is_refused_before_the_run_naming_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a command agent records: its whole command as one `command` step.
    run = RunDir(tmp_path / "recorded", "cmd")
    run.write_json("run.json", manifest("cmd").model_dump(mode="json"))
    step = TrajectoryStep(kind="tool", name="command", input={"command": "bash fix.sh"})
    for iid in ("textkit-1", "textkit-2"):
        run.write_instance(report(iid, Outcome.RESOLVED), "", None, None, [STEP, step])
    results = tmp_path / "results"
    args = ["run", "--suite", "demo", "--agent", "replay", "--from", str(run.path)]
    picked = ["-i", "textkit-1", "-i", "textkit-2", "--results-dir", str(results)]
    assert main([*args, *picked]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --from ") and err.count("\n") == 1, err
    assert "cannot be replayed" in err and "'command' in textkit-1, textkit-2" in err
    assert not results.exists()  # refused before anything started


def test_replay_of_a_run_compares_each_call_and_sets_the_recorded_verdict_beside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fake_runtime_cache: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))
    results = ["--results-dir", str(tmp_path / "r")]
    base = ["run", "--suite", "demo", "-i", "textkit-2", *results]
    assert main([*base, "--agent", "gold", "--run-id", "first"]) == 0
    assert main([*base, "--agent", "replay", "--from", "first", "--run-id", "again"]) == 0
    assert "replay: every instance reached the recorded patch" in capsys.readouterr().err
    report = load_run("again", tmp_path / "r").reports["textkit-2"]
    assert report.replay is not None
    assert report.replay.steps == report.replay.steps_replayed > 0
    assert (report.replay.steps_drifted, report.replay.submission.value) == (0, "same")
    assert report.replay.published_resolved is True and report.resolved
