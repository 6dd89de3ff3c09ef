"""Choosing an executor: ``local`` by default; ``ray`` imported only when chosen, and one
``Error:`` line when it is missing or the cluster cannot be reached, before anything runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.executors import container_memory

MISSING_RAY = """
import sys
sys.modules["ray"] = None  # as if it were not installed: importing it fails
from swe_runner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def run_args(results: Path, *more: str) -> list[str]:
    return ["run", "--suite", "demo", "--agent", "gold", "--results-dir", str(results), *more]


def test_ray_missing_is_one_error_line_naming_the_extra(tmp_path: Path) -> None:
    command = [sys.executable, "-c", MISSING_RAY, *run_args(tmp_path, "--executor", "ray")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: --executor ray needs Ray")
    assert "pip install 'swe-runner[ray]'" in lines[0]
    assert not tmp_path.exists() or not any(tmp_path.iterdir())  # nothing was started


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("127.0.0.1:1", "cannot reach the Ray cluster at 127.0.0.1:1"),
        ("no-port", "expected HOST:PORT"),
    ],
)
def test_an_unreachable_cluster_is_one_error_line(
    address: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(run_args(tmp_path, "--executor", "ray", "--ray-address", address))
    err = capsys.readouterr().err
    assert code == 3, err
    assert err.startswith("Error: ") and says in err, err
    assert not list(tmp_path.rglob("run.json"))  # refused before the run folder was made


def test_the_executor_settings_come_from_every_layer(tmp_path: Path) -> None:
    assert load_settings(None, {}, environ={}).executor == "local"
    env = {"SWE_RUNNER_EXECUTOR": "ray", "SWE_RUNNER_RAY_ADDRESS": "head.example:6379"}
    settings = load_settings(None, {"node_workers": 2}, environ=env)
    assert (settings.executor, settings.ray_address, settings.node_workers) == (
        "ray",
        "head.example:6379",
        2,
    )


def test_container_memory_reads_docker_limits() -> None:
    assert container_memory("4g") == 4 * 1024**3
    assert container_memory("512m") == 512 * 1024**2
    assert container_memory("0") == 0
    assert container_memory("bogus") == 0
