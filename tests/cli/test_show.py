"""``swe-runner show`` on a run folder written through the real writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.records import Outcome, SuccessFailure, TestsStatus, TrajectoryStep
from swe_runner.rundir import RunDir
from tests.reporting.runs_factory import manifest, report

STEPS = [
    TrajectoryStep(
        kind="model",
        turn=1,
        content=[
            {"type": "thinking", "thinking": "The bug is in mean()."},
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "t1", "name": "bash", "input": {"command": "cat calc.py"}},
        ],
        usage={"input_tokens": 1000, "output_tokens": 100},
    ),
    TrajectoryStep(
        kind="tool",
        turn=1,
        name="bash",
        input={"command": "cat calc.py"},
        output="\n".join(f"line {n}" for n in range(40)),
    ),
    TrajectoryStep(kind="stop", turn=2, stop_reason="submitted"),
]
PATCH = "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-a\n+b\n"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    run = RunDir(tmp_path, "r")
    run.write_json("run.json", manifest("r").model_dump(mode="json"))
    failing = TestsStatus(FAIL_TO_PASS=SuccessFailure(failure=["tests/test_calc.py::test_mean"]))
    rep = report("alpha-1", Outcome.UNRESOLVED, tests_status=failing)
    run.write_instance(rep, PATCH, None, None, STEPS)
    return tmp_path


def test_show_prints_turns_usage_cost_patch_and_outcome(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "r", "alpha-1", "--results-dir", str(results)]) == 0
    out = capsys.readouterr().out
    assert "turn 1" in out and "The bug is in mean()." in out and "Let me look." in out
    assert "→ bash" in out and "line 0" in out and "more lines (--full shows them)" in out
    assert "input 1,000" in out and "cost $0.0045" in out  # claude-sonnet-4-5: $3 + $15 per M
    assert "+b" in out and "outcome unresolved" in out and "tests/test_calc.py::test_mean" in out
    assert main(["show", "r", "alpha-1", "--full", "--results-dir", str(results)]) == 0
    assert "line 39" in capsys.readouterr().out


def test_show_of_an_unknown_instance_is_one_error_line(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "r", "nope", "--results-dir", str(results)]) == 2
    assert "has no instance 'nope'" in capsys.readouterr().err


def test_show_of_a_multi_attempt_run_shows_its_first_attempt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.reporting.runs_factory import outcomes, write_run

    write_run(tmp_path, "k2", {}, attempts=2)
    first = write_run(tmp_path / "k2", "attempt-1", outcomes({"alpha-1"}))
    write_run(tmp_path / "k2", "attempt-2", outcomes(set()))
    first.write_instance(report("alpha-1", Outcome.RESOLVED), PATCH, None, None, STEPS)
    assert main(["show", "k2", "alpha-1", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "outcome resolved" in out and "Let me look." in out
    assert "attempt 1 of 2 (another: swe-runner show k2/attempt-N alpha-1)" in out


def test_show_says_how_the_agent_stopped_how_the_patch_applied_and_what_was_put_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from swe_runner.records import Integrity, StopReason

    run = RunDir(tmp_path, "r")
    run.write_json("run.json", manifest("r").model_dump(mode="json"))
    rep = report(
        "alpha-1",
        Outcome.UNRESOLVED,
        patch_successfully_applied=True,
        apply_method="patch --fuzz=5",
        test_config_touched=["conftest.py", "setup.cfg"],
        stop_reason=StopReason.AGENT_ERROR,
        stop_detail="the command exited 3",
        integrity=Integrity(
            restored=["bin/test (runner script)"],
            removed=["pytest.py (shadows pytest)"],
            record="12 passing tests agree with the harness's record",
        ),
    )
    stop = TrajectoryStep(kind="stop", stop_reason="agent_error", detail="the command exited 3")
    run.write_instance(rep, PATCH, None, None, [*STEPS[:2], stop])  # stop recorded as turn 0
    assert main(["show", "r", "alpha-1", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "stopped: agent_error (the command exited 3)" in out
    assert "patch applied with patch --fuzz=5" in out
    assert "test configuration put back to the base commit: conftest.py, setup.cfg" in out
    assert "integrity guard: put back: bin/test (runner script)" in out
    assert "integrity guard: removed: pytest.py (shadows pytest)" in out
    assert "runner check: 12 passing tests agree with the harness's record" in out
    assert "turn 0" not in out  # the stop is no turn of its own
    assert out.index("turn 1") < out.index("stopped: agent_error") < out.index("outcome")


APPLY_LOG = """>>>>> swe-runner: guard runner pytest /venv/pytest/__init__.py
error: patch failed: calc.py:1
error: calc.py: patch does not apply
Failed to apply patch to container: git apply --verbose
patching file calc.py
Hunk #1 FAILED at 1.
Failed to apply patch to container: patch --batch --forward --fuzz=5 -p1 -i
>>>>> swe-runner: patch failed to apply
"""


def test_show_says_why_a_patch_did_not_apply_from_the_test_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "the patch did not apply (git apply, patch)" while git's reason (the file
    and hunk) sat in test_output.txt (issue 27 item 10)."""
    run = RunDir(tmp_path, "r")
    run.write_json("run.json", manifest("r").model_dump(mode="json"))
    rep = report(
        "alpha-1", Outcome.PATCH_FAILED, patch_exists=True, patch_successfully_applied=False,
        error="the patch did not apply (git apply, patch)",
    )  # fmt: skip
    run.write_instance(rep, PATCH, "#!/bin/bash\n", APPLY_LOG, [])
    assert main(["show", "r", "alpha-1", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    said = out[out.index("patch did not apply, each try said:") :].splitlines()
    assert said[1:4] == [
        "    error: patch failed: calc.py:1",
        "    error: calc.py: patch does not apply",
        "    Failed to apply patch to container: git apply --verbose",
    ]
    assert "    Hunk #1 FAILED at 1." in said
    assert not any(">>>>>" in line for line in said)


def test_the_context_setting_is_shown_as_a_setting_not_an_event_of_turn_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "note: context: past 150,000 tokens..." stood under turn 1 of every model
    trajectory, even when nothing was cleared (issue 27 item 11)."""
    setting = "context: past 150,000 tokens, tool results older than the newest 5 are cleared"
    steps = [TrajectoryStep(kind="note", turn=1, detail=setting), *STEPS]
    run = RunDir(tmp_path, "r")
    run.write_json("run.json", manifest("r").model_dump(mode="json"))
    run.write_instance(report("alpha-1", Outcome.RESOLVED), PATCH, None, None, steps)
    assert main(["show", "r", "alpha-1", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    head = out.splitlines()[:3]
    assert head[1] == (
        "context: past 150,000 tokens, tool results older than the newest 5 are cleared "
        "(never needed)"
    )
    assert head[2].startswith("── turn 1")
    assert "note:" not in out
