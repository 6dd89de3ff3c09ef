"""Build swe-runner's wheel and install it into a fresh virtual environment, as
``pip install`` / ``pipx install`` would: what the package carries, not the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(dest: Path) -> Path:
    """The wheel of this checkout, built as any installer builds it (isolated backend)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dest.glob("swe_runner-*.whl")
    return wheel


def install(wheel: Path, venv: Path, *, own_dependencies: bool) -> Path:
    """A fresh venv with ``wheel`` installed; returns its ``bin`` folder.

    ``own_dependencies``: install every dependency into the venv from the package index
    (what pipx and uv tool do); otherwise reuse this interpreter's (faster, same code).
    """
    flags = [] if own_dependencies else ["--system-site-packages"]
    subprocess.run([sys.executable, "-m", "venv", *flags, str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--force-reinstall"]
    pip += [] if own_dependencies else ["--no-deps"]
    subprocess.run([*pip, str(wheel)], cwd=venv, env=outside_env(), check=True)
    return venv / "bin"


def outside_env() -> dict[str, str]:
    """This environment without the checkout on the import path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
