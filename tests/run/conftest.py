"""A world to run the pipeline in: the fake runtime (fast suite) or Docker (docker suite).

The same test drives ``swe-runner run`` in both; only the runtime setting differs, and how
a test reaches in from outside (killing an agent's sandbox, looking for leftovers).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.run.batch import run_labels
from swe_runner.rundir import RunDir
from swe_runner.runtime import open_runtime
from tests.conftest import HOST_CA_BUNDLE


@dataclass
class World:
    """Where a test's runs go, and the settings (as variables) that pick the runtime."""

    kind: str  # "fake" or "docker"
    results: Path
    env: dict[str, str]

    def args(self, run_id: str, *args: str) -> list[str]:
        ca = ["--ca-bundle", HOST_CA_BUNDLE] if HOST_CA_BUNDLE else []
        common = ["--run-id", run_id, "--results-dir", str(self.results), *ca]
        return ["run", "--suite", "demo", *common, *args]

    def cli(self, run_id: str, *args: str) -> list[str]:
        """``swe-runner run`` on the demo suite, as a command line for a subprocess."""
        return [sys.executable, "-m", "swe_runner", *self.args(run_id, *args)]

    def run(self, run_id: str, *args: str) -> int:
        """``swe-runner run`` on the demo suite, in this process."""
        return main(self.args(run_id, *args))

    def leftovers(self, run_id: str) -> int:
        """How many sandboxes of the run are still there (they are removed, counting)."""
        settings = load_settings(None, {}, environ=self.env)
        runtime = open_runtime(settings, run_labels(RunDir(self.results, run_id)))
        try:
            return runtime.remove_all()
        finally:
            runtime.close()

    def kill_agent_sandbox(self, instance_id: str, deadline: float = 120) -> None:
        """Kill the sandbox an agent works on ``instance_id`` in, from outside."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self._kill(instance_id):
                return
            time.sleep(0.2)
        raise AssertionError(f"no agent sandbox for {instance_id}")

    def _kill(self, instance_id: str) -> bool:
        if self.kind == "docker":
            from swe_runner.sandbox.containers import connect
            from swe_runner.sandbox.labels import INSTANCE_LABEL, MANAGED_LABEL

            labels = [MANAGED_LABEL, f"{INSTANCE_LABEL}={instance_id}"]
            found = connect().containers.list(filters={"label": labels})
            for container in found:
                container.kill()
            return bool(found)
        from swe_runner.runtime.fake import INSTANCE_FILE, PID_FILE

        home = Path(self.env["SWE_RUNNER_CACHE_DIR"]) / "fake-runtime" / "sandboxes"
        for marker in home.glob(f"*/*/{INSTANCE_FILE}"):
            if marker.read_text() == instance_id:
                os.kill(int((marker.parent / PID_FILE).read_text()), signal.SIGKILL)
                return True
        return False


@pytest.fixture(params=["fake", pytest.param("docker", marks=pytest.mark.docker)])
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_runtime_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    env = {"SWE_RUNNER_RUNTIME": request.param}
    if request.param == "fake":
        env["SWE_RUNNER_CACHE_DIR"] = str(fake_runtime_cache)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield World(request.param, tmp_path / "r", env)
