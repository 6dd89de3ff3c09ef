"""Faults injected into demo runs (shared by the fault tests and ``benchmarks/faults.py``).

Each injector runs ``swe-runner run`` on four demo tasks with a command agent, hits the run
with one fault and returns a :class:`Row`: instances affected, marked error, finished
results lost, containers left behind, and what a rerun did afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from swe_runner.config import load_settings
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import load_dataset
from swe_runner.runs import load_run
from swe_runner.sandbox.containers import connect
from swe_runner.sandbox.labels import INSTANCE_LABEL, MANAGED_LABEL, RUN_DIR_LABEL
from tests.conftest import HOST_CA_BUNDLE
from tests.fakes.anthropic_server import Error, FakeAnthropic, Reply
from tests.integrity.private_daemon import private_daemon

__all__ = ["Row", "api_down", "daemon_restart", "interrupted", "killed_container"]

# A command agent that fixes textkit-2 (its off-by-one) and nothing else.
FIX = (
    'grep -q "wrap() breaks lines" "$PROBLEM_STATEMENT_FILE" && sed -i '
    '"s/len(current) + 1 + len(word) < width/len(current) + 1 + len(word) <= width/" '
    "textkit/wrap.py; true"
)
EXPECTED = {"textkit-2": "resolved"}  # without faults; the other picks end empty_patch
PICK = ["-i", "textkit-2", "-i", "textkit-3", "-i", "confparse-1", "-i", "confparse-2"]


@dataclass
class Row:
    fault: str
    affected: int
    errors: int
    lost: int
    leftover: int
    after: str


def cli(results: Path, run_id: str, *args: str) -> list[str]:
    base = [sys.executable, "-m", "swe_runner", "run", "--suite", "demo", "--run-id", run_id]
    return [*base, "--results-dir", str(results), *PICK, *args]


def reports(results: Path, run_id: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for path in (results / run_id).glob("*/report.json"):
        out.update(json.loads(path.read_text()))  # a corrupt file raises: counted as lost
    return out


def leftover(results: Path, run_id: str) -> int:
    run_dir = str((results / run_id).resolve())
    labels = [MANAGED_LABEL, f"{RUN_DIR_LABEL}={run_dir}"]
    return len(connect().containers.list(all=True, filters={"label": labels}))


def wait_for(check: Callable[[], bool], seconds: float = 180) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("the fault's moment never came")
        time.sleep(0.2)


def agent_args(agent: Path, command: str) -> list[str]:
    return ["--agent", "command", "--agent-files", str(agent), "--agent-command", command]


def killed_container(results: Path, agent: Path) -> Row:
    proc = subprocess.Popen(
        cli(results, "kill-box", *agent_args(agent, f"sleep 15; {FIX}"), "-w", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    labels = [MANAGED_LABEL, f"{INSTANCE_LABEL}=textkit-2"]
    wait_for(lambda: bool(connect().containers.list(filters={"label": labels})))
    connect().containers.list(filters={"label": labels})[0].kill()
    proc.wait()
    got = reports(results, "kill-box")
    errors = sum(r["outcome"] == "error" for r in got.values())
    again = subprocess.run(
        cli(results, "kill-box", *agent_args(agent, FIX), "--retry-errors"), capture_output=True
    )
    fixed = reports(results, "kill-box")["textkit-2"]["outcome"]
    after = f"--retry-errors: textkit-2 {fixed} (exit {again.returncode})"
    return Row(
        "agent container killed", 1, errors, 4 - len(got), leftover(results, "kill-box"), after
    )


def _picked_images() -> list[str]:
    """The instance images of the demo tasks the faults run on (built when missing)."""
    demo = load_dataset("demo")
    builder = ImageBuilder(load_settings(None, {"ca_bundle": HOST_CA_BUNDLE}, environ={}))
    tasks = [t for t in demo.tasks if t.instance_id in PICK[1::2]]
    return [builder.ensure_instance(t, demo.repo_sources.get(t.repo)) for t in tasks]


def daemon_restart(results: Path, agent: Path) -> Row:
    images = _picked_images()
    with private_daemon() as daemon:  # its own network namespace: the host's is untouched
        daemon.load_images(images)
        env = {**os.environ, "DOCKER_HOST": daemon.host}
        args = cli(results, "restart", *agent_args(agent, f"sleep 10; {FIX}"), "-w", "2")
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ps = ["docker", "-H", daemon.host, "ps", "-q", "--filter", "label=swe-runner.instance"]
        wait_for(lambda: bool(subprocess.run(ps, capture_output=True, text=True).stdout.strip()))
        daemon.restart()
        proc.wait()
        got = reports(results, "restart")
        errors = sum(r["outcome"] == "error" for r in got.values())
        affected = sum(r["outcome"] != EXPECTED.get(i, "empty_patch") for i, r in got.items())
        retry = [*args[:-2], "--retry-errors"]  # -w 2 dropped: one worker
        retry[retry.index(f"sleep 10; {FIX}")] = FIX
        again = subprocess.run(retry, env=env, capture_output=True)
        done = reports(results, "restart")
        fixed = sum(r["outcome"] == "error" for r in done.values())
        fixed_one = done["textkit-2"]["outcome"]
        after = (
            f"--retry-errors: {fixed} errors left, textkit-2 {fixed_one} (exit {again.returncode})"
        )
        left = subprocess.run(
            ["docker", "-H", daemon.host, "ps", "-aq", "--filter", f"label={MANAGED_LABEL}"],
            capture_output=True,
            text=True,
        )
        return Row(
            "Docker daemon restarted",
            affected,
            errors,
            4 - len(got),
            len(left.stdout.split()),
            after,
        )


def api_down(results: Path) -> Row:
    down = True  # the outage ends before the retry
    api = FakeAnthropic(
        lambda body: Error(529) if down else Reply([{"type": "text", "text": "I give up."}])
    )
    env = {**os.environ, "ANTHROPIC_API_KEY": "sk-fake", "ANTHROPIC_BASE_URL": api.url}
    env.update(SWE_RUNNER_API_RETRIES="2", SWE_RUNNER_API_BACKOFF="0.05")
    with api.running():
        args = ["--agent", "claude", "--model", "claude-sonnet-4-5", "-w", "2"]
        subprocess.run(cli(results, "api-down", *args), env=env, capture_output=True)
        got = reports(results, "api-down")
        errors = sum(
            r["outcome"] == "error" and r.get("stop_reason") == "api_error" for r in got.values()
        )
        down = False
        again = subprocess.run(
            cli(results, "api-down", *args, "--retry-errors"), env=env, capture_output=True
        )
    left = sum(r["outcome"] == "error" for r in reports(results, "api-down").values())
    after = f"API back, --retry-errors: {left} errors left (exit {again.returncode})"
    return Row(
        "model API down (529)", 4, errors, 4 - len(got), leftover(results, "api-down"), after
    )


def interrupted(results: Path, agent: Path, sig: signal.Signals) -> Row:
    run_id = f"sig-{sig.name.lower()}"
    proc = subprocess.Popen(
        cli(results, run_id, *agent_args(agent, f"sleep 4; {FIX}")), stderr=subprocess.DEVNULL
    )
    wait_for(lambda: len(list((results / run_id).glob("*/report.json"))) >= 1)
    before = {k: json.dumps(v) for k, v in reports(results, run_id).items()}
    proc.send_signal(sig)
    proc.wait()
    kept = reports(results, run_id)
    lost = sum(json.dumps(kept.get(k)) != v for k, v in before.items())
    # What a report shows now: Ctrl-C wrote the in-flight ones, the loader finds SIGKILL's.
    shown = load_run(run_id, results).reports
    cut = [i for i, r in shown.items() if i not in before]
    errors = sum(shown[i].outcome == "error" and shown[i].interrupted for i in cut)
    left = leftover(results, run_id)  # SIGKILL: the resume clears them
    resume = subprocess.run(cli(results, run_id, *agent_args(agent, FIX)), capture_output=True)
    done = reports(results, run_id)
    redone = sum(done[i]["outcome"] != "error" for i in cut)
    after = f"resume: {redone}/{len(cut)} interrupted redone, {len(done)}/4 reports"
    after += f" (exit {resume.returncode})"
    if sig is signal.SIGKILL:
        after += f", {left} containers cleared by the resume"
        left = leftover(results, run_id)
    return Row(f"swe-runner {sig.name}", len(cut), errors, lost, left, after)
