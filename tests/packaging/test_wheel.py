"""The wheel carries the demo suite and the image definitions (``tasks/`` and
``containers/`` stay at the top of the repository): an installed swe-runner lists and
builds the demo from any directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.packaging.wheel import build_wheel, install, outside_env


def test_installed_wheel_lists_the_demo_suite_from_another_directory(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    bin_dir = install(wheel, tmp_path / "venv", own_dependencies=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = subprocess.run(
        [str(bin_dir / "swe-runner"), "tasks", "list", "demo"],
        cwd=elsewhere, env=outside_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "textkit-1" in listed.stdout and "10 tasks" in listed.stdout
    where = subprocess.run(
        [str(bin_dir / "python"), "-c",
         "import swe_runner.shipped as s; print(s.TASKS_DIR); print(s.CONTAINERS_DIR)"],
        cwd=elsewhere, env=outside_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    tasks_dir, containers_dir = (Path(line) for line in where.stdout.split())
    assert (tmp_path / "venv") in tasks_dir.parents, where.stdout  # the wheel's copy
    assert (containers_dir / "base" / "Dockerfile").is_file()
    assert (containers_dir / "instance" / "build.sh").is_file()
