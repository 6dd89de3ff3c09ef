"""The demo, run as a user who installed the wheel (as ``pipx install`` or ``uv tool
install`` do: a venv of its own, dependencies from the package index), from a directory
that is not a checkout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HOST_CA_BUNDLE
from tests.packaging.wheel import build_wheel, install, outside_env

pytestmark = pytest.mark.docker


def test_installed_wheel_builds_and_runs_the_demo(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    bin_dir = install(build_wheel(tmp_path / "dist"), tmp_path / "venv", own_dependencies=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**outside_env(), **({"SWE_RUNNER_CA_BUNDLE": HOST_CA_BUNDLE} if HOST_CA_BUNDLE else {})}

    def swe_runner(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(bin_dir / "swe-runner"), *args],
            cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    built = swe_runner("images", "build", "--dataset", "demo")
    assert built.stdout.startswith("instance images of demo (10 tasks):\n"), built.stdout
    tags = [line.split()[-1] for line in built.stdout.splitlines()[1:]]
    assert sorted(tags) == sorted(demo_images.values())  # the same definitions
    swe_runner("run", "--suite", "demo", "--agent", "gold", "--run-id", "g", "--workers", "2")
    summary = json.loads((elsewhere / "results" / "g" / "summary.json").read_text())
    assert summary["counts"]["resolved"] == 10, summary["counts"]
