"""What the make_*_logs.py scripts share: run a test runner the way the eval script does
and write its output as a golden log (the output, then a last line ``# exit <status>``).

The scripts import it by name: they run as ``python tests/data/logs/make_<x>_logs.py``,
which puts this folder first on the import path.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["record", "version_of", "write_files", "write_log"]


def version_of(cmd: Sequence[str]) -> str:
    """What ``cmd`` prints (a version, say), stripped.

    Raises:
        subprocess.CalledProcessError: ``cmd`` failed.
    """
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def record(
    cmd: Sequence[str], cwd: Path | None, env: Mapping[str, str], replace: Mapping[str, str]
) -> str:
    """Run ``cmd`` with stderr merged into stdout; its output, with each key of ``replace``
    replaced by its value in order (machine paths made stable), then ``# exit <status>``."""
    done = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(env)
    )
    output = done.stdout
    for old, new in replace.items():
        output = output.replace(old, new)
    return f"{output}# exit {done.returncode}\n"


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write each ``{relative path: text}`` below ``root``, making folders as needed."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def write_log(out: Path, name: str, text: str) -> None:
    """Write the golden log ``out/<name>.txt`` and print its name and exit line."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.txt").write_text(text)
    print(f"{out.name}/{name}: {text.splitlines()[-1]}")
