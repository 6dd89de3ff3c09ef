"""``scripts/setup-host`` makes python3 import swe_runner from this checkout, installing it
in place of another clone's (saying so): a leftover ``site-packages/swe_runner/_shipped/`` of
a deleted clone imports as a namespace package and passed for "installed" (``scripts/demo``
then failed with ``No module named 'swe_runner.cli'``), and another clone's install ran
silently (issue 27 item 1); refusing instead stopped CI's clean clone. Each case in a
throwaway venv; this machine's install is not touched."""

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


def test_another_clone_installed_is_replaced_by_this_checkout_saying_so(tmp_path: Path) -> None:
    bin_dir, _ = venv(tmp_path / "venv")
    other = tmp_path / "other-clone"
    (other / "swe_runner").mkdir(parents=True)
    (other / "swe_runner" / "__init__.py").write_text("")
    (other / "pyproject.toml").write_text(
        '[project]\nname = "swe-runner"\nversion = "0.0.1"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "hatchling", "editables"]
    subprocess.run(pip, env=outside_env(), check=True, capture_output=True)
    quiet = {"PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    install_other = [*pip[:4], "-q", "-e", str(other)]
    subprocess.run(install_other, env={**outside_env(), **quiet}, check=True, capture_output=True)
    assert imported_from(bin_dir) == str(other)
    done = setup_host(bin_dir, **quiet)
    assert done.returncode == 0, done.stderr
    assert f"swe-runner was installed from {other}; installing this checkout" in done.stderr
    assert imported_from(bin_dir) == str(ROOT.resolve())


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
