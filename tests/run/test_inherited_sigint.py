"""``kill -INT`` stops a run as Ctrl-C does even when SIGINT came in ignored, as it does
for a job a script starts in the background (``swe-runner run ... &``): swe-runner installs
its own handler. Fake runtime, a subprocess started with SIGINT set to SIG_IGN."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from swe_runner.runtime.fake import INSTANCE_FILE


def agent_sandboxes(cache: Path, instance_id: str) -> list[Path]:
    home = cache / "fake-runtime" / "sandboxes"
    return [m for m in home.glob(f"*/*/{INSTANCE_FILE}") if m.read_text() == instance_id]


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sigint_stops_a_run_that_inherited_it_ignored(
    tmp_path: Path, fake_runtime_cache: Path
) -> None:
    env = {
        **os.environ,
        "SWE_RUNNER_RUNTIME": "fake",
        "SWE_RUNNER_CACHE_DIR": str(fake_runtime_cache),
    }
    results = tmp_path / "results"
    command = [
        sys.executable, "-m", "swe_runner", "run", "--suite", "demo", "-i", "textkit-1",
        "--agent", "command", "--agent-command", "sleep 120", "--run-id", "bg",
        "--results-dir", str(results),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=ignore_sigint,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not agent_sandboxes(fake_runtime_cache, "textkit-1"):  # its command is under way
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the agent never started"
        time.sleep(0.1)
    time.sleep(1)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert time.monotonic() - sent < 30  # stopped, not left to run out its 120 s
    assert "resume" in err.decode()
    report = json.loads((results / "bg" / "textkit-1" / "report.json").read_text())
    assert report["textkit-1"]["interrupted"] is True
