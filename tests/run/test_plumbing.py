"""The run's plumbing, the same on every runtime: resume after a kill, Ctrl-C, secrets,
the agent's fields in report.json, and retrying infrastructure errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import load_dataset
from swe_runner.rundir import KILLED
from swe_runner.runs import load_run
from tests.run.conftest import World

# A bring-your-own agent: a shell script that knows one fix (textkit-2's off-by-one).
FIX_WRAP = """#!/bin/bash
set -e
grep -q "wrap() breaks lines" "$PROBLEM_STATEMENT_FILE" || exit 0
sed -i 's/len(current) + 1 + len(word) < width/len(current) + 1 + len(word) <= width/' \\
    textkit/wrap.py
"""
DEMO = [t.instance_id for t in load_dataset("demo").tasks]


def outcomes(results: Path, run_id: str) -> dict[str, str]:
    summary = json.loads((results / run_id / "summary.json").read_text())
    return {row["instance_id"]: row["outcome"] for row in summary["instances"]}


def report(results: Path, run_id: str, instance_id: str) -> dict[str, object]:
    path = results / run_id / instance_id / "report.json"
    return json.loads(path.read_text())[instance_id]  # type: ignore[no-any-return]


def wait_for_reports(results: Path, run_id: str, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while len(list((results / run_id).glob("*/report.json"))) < count:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_sigkill_then_resume_gives_the_uninterrupted_summary(world: World) -> None:
    results = world.results
    cli = world.cli("killed", "--agent", "gold", "--workers", "2")
    proc = subprocess.Popen(cli, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_reports(results, "killed", 2, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for path in (results / "killed").rglob("*.json"):
        json.loads(path.read_text())  # nothing half-written
    assert not (results / "killed" / "summary.json").exists()
    cut = [r for r in load_run("killed", results).reports.values() if r.outcome != "resolved"]
    assert cut, "the kill came when no instance was in flight"
    assert all(r.outcome == "error" and r.interrupted and r.error == KILLED for r in cut)
    done = subprocess.run(cli, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert outcomes(results, "killed") == {i: "resolved" for i in DEMO}
    assert world.leftovers("killed") == 0  # the resume cleared what the kill left


def test_sigint_removes_sandboxes_keeps_results_and_resumes(world: World) -> None:
    results = world.results
    cli = world.cli("interrupted", "--agent", "gold", "--workers", "2")
    proc = subprocess.Popen(cli, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_reports(results, "interrupted", 1, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert "resume" in err.decode()
    assert world.leftovers("interrupted") == 0
    kept = [json.loads(p.read_text()) for p in (results / "interrupted").glob("*/report.json")]
    assert any(r["outcome"] == "resolved" for k in kept for r in k.values()), "results lost"
    cut = [r for k in kept for r in k.values() if r["outcome"] != "resolved"]
    assert cut, "the Ctrl-C came when no instance was in flight"
    assert all(r["outcome"] == "error" and r["interrupted"] and r["error"] for r in cut)
    assert world.run("interrupted", "--agent", "gold") == 0
    assert outcomes(results, "interrupted") == {i: "resolved" for i in DEMO}


def test_env_secrets_reach_the_agent_command_only_and_nothing_recorded(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = f"swe-secret-{os.urandom(8).hex()}"
    monkeypatch.setenv("SWE_TEST_TOKEN", secret)
    command = (
        'echo "agent sees $SWE_TEST_TOKEN"; '
        "if tr '\\0' '\\n' < /proc/1/environ | grep -q SWE_TEST_TOKEN; then echo CONFIG LEAK; fi; "
        'echo "token: $SWE_TEST_TOKEN" > leaked.txt'
    )
    agent = ["--agent", "command", "--agent-command", command, "--env", "SWE_TEST_TOKEN"]
    assert world.run("env", "-i", "textkit-3", *agent) == 0
    exports = [tmp_path / f for f in ("html", "experiments", "json")]
    for out in exports:
        args = ["--results-dir", str(world.results), "-f", out.name, "-o", str(out)]
        main(["export", "env", *args])
    printed = capsys.readouterr()
    folder = world.results / "env" / "textkit-3"
    step = json.loads((folder / "trajectory.jsonl").read_text().splitlines()[0])
    # It had the value (masked in the record), and the sandbox's own environment did not.
    assert step["output"] == "agent sees [secret SWE_TEST_TOKEN]\n"
    assert "+token: [secret SWE_TEST_TOKEN]" in (folder / "patch.diff").read_text()
    assert all(any(out.iterdir()) for out in exports)
    for root in (world.results, *exports):
        for path in root.rglob("*"):
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path
    assert secret not in printed.out + printed.err


def test_an_env_secret_on_the_command_line_is_masked_in_run_json(world: World) -> None:
    secret = f"hunter2-{os.urandom(6).hex()}"
    agent = ["--agent", "command", "--agent-command", "true", "--env", f"MY_TOKEN={secret}"]
    done = subprocess.run(
        world.cli("argv", "-i", "textkit-3", *agent), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((world.results / "argv" / "run.json").read_text())
    assert "--env MY_TOKEN=[secret MY_TOKEN]" in manifest["command"]
    for path in world.results.rglob("*"):
        assert not path.is_file() or secret.encode() not in path.read_bytes(), path
    assert secret not in done.stdout + done.stderr


def test_the_agent_s_fields_reach_report_json_and_its_patch_is_graded(world: World) -> None:
    # textkit-2's script edits at turn 4, then would rerun the tests: 4 turns end it there.
    assert world.run("lim", "--agent", "scripted", "--max-turns", "4", "-i", "textkit-2") == 0
    got = report(world.results, "lim", "textkit-2")
    assert got["agent"] == "scripted" and got["outcome"] == "resolved"
    assert got["stop_reason"] == "max_turns" and got["turns"] == 4
    assert isinstance(got["agent_time_s"], float) and got["usage"]
    steps = (world.results / "lim" / "textkit-2" / "trajectory.jsonl").read_text().splitlines()
    assert json.loads(steps[-1])["stop_reason"] == "max_turns"


def test_a_sandbox_killed_from_outside_is_error_and_retry_errors_redoes_just_it(
    world: World, tmp_path: Path
) -> None:
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir()
    (agent_dir / "fix.sh").write_text(FIX_WRAP)
    common = ["--agent", "command", "--agent-files", str(agent_dir), "-i", "textkit-2"]
    common += ["-i", "textkit-3"]
    slow = [*common, "--agent-command", "sleep 20; bash /agent/fix.sh", "--workers", "2"]
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(world.run, "killed-box", *slow)
        world.kill_agent_sandbox("textkit-2")
        assert first.result() == 0
    got = report(world.results, "killed-box", "textkit-2")
    assert got["outcome"] == "error" and got["error"]  # infrastructure, with a reason
    assert outcomes(world.results, "killed-box")["textkit-3"] == "empty_patch"
    kept = (world.results / "killed-box" / "textkit-3" / "report.json").read_bytes()
    fast = [*common, "--agent-command", "bash /agent/fix.sh", "--retry-errors"]
    assert world.run("killed-box", *fast) == 0
    assert outcomes(world.results, "killed-box") == {
        "textkit-2": "resolved",
        "textkit-3": "empty_patch",
    }
    assert (world.results / "killed-box" / "textkit-3" / "report.json").read_bytes() == kept
    assert world.leftovers("killed-box") == 0


def test_run_json_names_the_model_api_and_a_resume_against_another_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWE_RUNNER_API_RETRIES", "0")  # nothing listens: fail at once
    model = ["--agent", "model", "--provider", "openai", "--model", "local-m", "-i", "textkit-1"]
    first = "http://127.0.0.1:9/v1"
    assert world.run("api", *model, "--base-url", first) == 0
    agent = json.loads((world.results / "api" / "run.json").read_text())["agent"]
    assert agent == {"name": "model", "model": "local-m", "provider": "openai", "base_url": first}
    assert report(world.results, "api", "textkit-1")["outcome"] == "error"  # the API was down
    capsys.readouterr()
    assert world.run("api", *model, "--base-url", "http://127.0.0.1:10/v1") == 2
    err = capsys.readouterr().err
    assert f"made through openai at {first}, not through openai at http://127.0.0.1:10" in err
    assert world.run("api", *model, "--base-url", first) == 0  # the same API: resumed
    assert "resuming: 1 of 1 already finished" in capsys.readouterr().err
