"""Joining a Ray cluster fails in seconds with one line that says why and what to do:
no cluster at all, a stale ``ray_current_cluster`` naming a stopped head (it spent 7
minutes printing GCS warnings), a cluster that wants an auth token we lack or got wrong
(22 lines of warnings over 20 s, then an error naming an address) (issue 27 items 7, 20)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.ray_cluster import free_port, local_cluster


def swe_runner_ray(
    results: Path, env: dict[str, str], *more: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``swe-runner run --executor ray`` in a subprocess; the result and its seconds."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "SWE_RUNNER_"))}
    command = [sys.executable, "-m", "swe_runner", "run", "--suite", "demo", "--agent", "gold",
               "--executor", "ray", "--results-dir", str(results), *more]  # fmt: skip
    env = {**clean, "SWE_RUNNER_RUNTIME": "fake", **env}
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, done.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


def test_no_cluster_and_no_address_says_how_to_start_one(tmp_path: Path) -> None:
    """Chosen: no throwaway local Ray is started for the run (README: Many machines)."""
    done, took = swe_runner_ray(tmp_path / "r", {"RAY_TMPDIR": str(tmp_path)})
    line = one_error_line(done)
    assert "no Ray cluster to join (--ray-address auto" in line
    assert "ray start --head" in line and "--executor local" in line
    assert took < 30 and not (tmp_path / "r").exists()


def test_a_stale_current_cluster_file_fails_in_seconds_naming_it(tmp_path: Path) -> None:
    (tmp_path / "ray").mkdir()
    stale = tmp_path / "ray" / "ray_current_cluster"
    dead = f"127.0.0.1:{free_port()}"  # a head stopped by its pid left this behind
    stale.write_text(dead + "\n")
    done, took = swe_runner_ray(tmp_path / "r", {"RAY_TMPDIR": str(tmp_path)})
    line = one_error_line(done)
    assert f"cannot reach the Ray cluster at {dead} (from {stale})" in line
    assert "no longer running" in line and "ray start --head" in line
    assert took < 30, took  # not 7 minutes of retries
    done, _ = swe_runner_ray(tmp_path / "r", {"RAY_ADDRESS": dead})
    assert f"at {dead} (from RAY_ADDRESS)" in one_error_line(done)


def test_a_cluster_that_wants_a_token_says_it_is_missing_or_wrong(tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="r27-", dir="/tmp"))  # Ray's socket paths stay short
    try:
        _token_checks(root, tmp_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _token_checks(root: Path, tmp_path: Path) -> None:
    with local_cluster(root, workers=0, cpus=1) as cluster:
        args = ("--ray-address", cluster.address)
        done, took = swe_runner_ray(tmp_path / "r", {}, *args)
        line = one_error_line(done)
        assert f"the Ray cluster at {cluster.address} needs an auth token" in line, line
        assert "export RAY_AUTH_MODE=token RAY_AUTH_TOKEN=" in line
        assert took < 30, took  # not 20 s of GCS warnings before the error
        wrong = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "0" * 32}
        done, _ = swe_runner_ray(tmp_path / "r", wrong, *args)
        assert "refused the auth token set here" in one_error_line(done)


@pytest.mark.parametrize("address", ["127.0.0.1:1", "no-port"])
def test_an_explicit_bad_address_is_still_one_line(tmp_path: Path, address: str) -> None:
    done, took = swe_runner_ray(tmp_path / "r", {}, "--ray-address", address)
    assert address in one_error_line(done) and took < 30
