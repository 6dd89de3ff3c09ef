"""``scripts/setup-host`` makes python3 import swe_runner from this checkout, or says in one
line what to do: a leftover ``site-packages/swe_runner/_shipped/`` of a deleted clone
imports as a namespace package and passed for "installed" (``scripts/demo`` then failed
with ``No module named 'swe_runner.cli'``), and another clone's install ran silently
(issue 27 item 1). Each case in a throwaway venv; this machine's install is not touched."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.packaging.wheel import ROOT, outside_env

SETUP = ROOT / "scripts" / "setup-host"


def venv(where: Path) -> tuple[Path, Path]:
    """A venv of its own (no system site-packages): its bin folder and site-packages."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run(
        [str(where / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    return where / "bin", Path(purelib)


def setup_host(bin_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    env = {**outside_env(), "PATH": path, "VIRTUAL_ENV": str(bin_dir.parent), **extra}
    return subprocess.run(
        ["bash", str(SETUP), "package"], env=env, capture_output=True, text=True, timeout=600
    )


def imported_from(bin_dir: Path) -> str:
    code = "import swe_runner, os; print(os.path.dirname(os.path.dirname(swe_runner.__file__)))"
    done = subprocess.run([str(bin_dir / "python"), "-c", code], cwd="/", env=outside_env(),
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip() or done.stderr


def test_a_stale_namespace_leftover_is_not_taken_for_an_install(tmp_path: Path) -> None:
    bin_dir, site = venv(tmp_path / "venv")
    (site / "swe_runner" / "_shipped" / "tasks").mkdir(parents=True)  # a deleted clone's
    # Only the package itself: its dependencies are the index's concern, not this test's
    # (pip builds it with the venv's own hatchling; PIP_NO_BUILD_ISOLATION=0 means none).
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "hatchling", "editables"]
    subprocess.run(pip, env=outside_env(), check=True, capture_output=True)
    done = setup_host(bin_dir, PIP_NO_DEPS="1", PIP_NO_BUILD_ISOLATION="0")
    assert done.returncode == 0, done.stderr
    assert "installing swe-runner from" in done.stderr
    assert imported_from(bin_dir) == str(ROOT.resolve())


def test_another_clone_installed_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    bin_dir, site = venv(tmp_path / "venv")
    other = tmp_path / "other-clone"
    (other / "swe_runner").mkdir(parents=True)
    (other / "swe_runner" / "__init__.py").write_text("")
    (site / "other_clone.pth").write_text(f"{other}\n")
    done = setup_host(bin_dir)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0] == (
        f"swe-runner is installed from {other}, not this checkout ({ROOT.resolve()}): to use "
        f"this one, python3 -m pip install -e '{ROOT.resolve()}[dev]'"
    )


def test_this_checkout_installed_is_left_alone(tmp_path: Path) -> None:
    bin_dir, site = venv(tmp_path / "venv")
    (site / "this_checkout.pth").write_text(f"{ROOT.resolve()}\n")
    done = setup_host(bin_dir)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_demo_runs_this_checkout_s_swe_runner() -> None:
    demo = (ROOT / "scripts" / "demo").read_text()
    assert 'swe-runner() { python3 -m swe_runner "$@"; }' in demo
    assert demo.index("swe-runner()") < demo.index("swe-runner images build")
    assert sysconfig.get_paths()["purelib"]  # the machine's own install is untouched
