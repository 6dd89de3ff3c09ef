"""The results folder as a user meets it: files get the usual modes (``0666 & ~umask``:
colleagues and web servers can read them), and a folder that cannot be written (under a
regular file, read-only, full) is one ``Error:`` line, never a traceback. Runs on the fake
runtime, in a subprocess (its own umask, its own mount namespace)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from swe_runner.errors import ResultsWriteError
from swe_runner.records import atomic_write_text, current_umask

RUN = ["run", "--suite", "demo", "--agent", "gold", "--run-id", "r"]


def swe_runner(
    cache: Path, *args: str, umask: int = 0o022, wrap: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``swe-runner ARGS`` on the fake runtime, with ``umask``, inside ``wrap`` if given."""
    env = {**os.environ, "SWE_RUNNER_RUNTIME": "fake", "SWE_RUNNER_CACHE_DIR": str(cache)}
    command = [*(wrap or []), sys.executable, "-m", "swe_runner", *args]

    def set_umask() -> None:
        os.umask(umask)

    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, preexec_fn=set_umask
    )


def modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_atomic_writes_take_the_umask_not_the_temp_file_s_0600(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        atomic_write_text(tmp_path / "a.txt", "x")
        os.umask(0o002)
        atomic_write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o664


def test_run_files_and_exports_are_readable_as_the_umask_says(
    tmp_path: Path, fake_runtime_cache: Path
) -> None:
    results = tmp_path / "results"
    done = swe_runner(fake_runtime_cache, *RUN, "-i", "textkit-1", "--results-dir", str(results))
    assert done.returncode == 0, done.stderr
    for fmt in ("html", "experiments", "json"):
        out = tmp_path / fmt
        args = ["export", "r", "-f", fmt, "-o", str(out), "--results-dir", str(results)]
        exported = swe_runner(fake_runtime_cache, *args)
        assert exported.returncode == 0, exported.stderr
    written = {**modes(results), **{f"html/{k}": v for k, v in modes(tmp_path / "html").items()}}
    written |= {f"exp/{k}": v for k, v in modes(tmp_path / "experiments").items()}
    written |= {f"json/{k}": v for k, v in modes(tmp_path / "json").items()}
    for name in ("r/run.json", "r/summary.json", "r/predictions.jsonl", "r/textkit-1/report.json",
                 "html/index.html", "exp/metadata.yaml", "exp/all_preds.jsonl"):  # fmt: skip
        assert name in written
    assert {k: v for k, v in written.items() if v != 0o644} == {}


def _refused(done: subprocess.CompletedProcess[str], folder: Path, reason: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip() and "0:00" not in line]
    assert done.returncode == 3, done.stderr
    assert lines[-1] == f"Error: cannot write results to {folder}: {reason}", done.stderr
    assert "Traceback" not in done.stderr


def test_a_results_folder_under_a_regular_file_is_one_error_line(
    tmp_path: Path, fake_runtime_cache: Path
) -> None:
    (tmp_path / "file").write_text("")
    results = tmp_path / "file" / "results"
    done = swe_runner(fake_runtime_cache, *RUN, "-i", "textkit-1", "--results-dir", str(results))
    _refused(done, results / "r", "Not a directory")


needs_mounts = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare (a mount namespace of the test's own)",
)


def _in_namespace(mount: str) -> Callable[[Path], list[str]]:
    def wrap(folder: Path) -> list[str]:
        return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', str(folder)]

    return wrap


@needs_mounts
def test_a_read_only_results_folder_is_one_error_line(
    tmp_path: Path, fake_runtime_cache: Path
) -> None:
    results = tmp_path / "ro"
    results.mkdir()
    wrap = _in_namespace('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"')(results)
    args = [*RUN, "-i", "textkit-1", "--results-dir", str(results)]
    done = swe_runner(fake_runtime_cache, *args, wrap=wrap)
    _refused(done, results / "r", "Read-only file system")


@needs_mounts
def test_a_full_disk_mid_run_is_one_error_line(tmp_path: Path, fake_runtime_cache: Path) -> None:
    results = tmp_path / "full"
    results.mkdir()
    wrap = _in_namespace('mount -t tmpfs -o size=24k tmpfs "$0"')(results)
    args = [*RUN, "-i", "textkit-1", "-i", "textkit-2", "--results-dir", str(results)]
    done = swe_runner(fake_runtime_cache, *args, wrap=wrap)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    last = [line for line in done.stderr.splitlines() if line.strip()][-1]
    assert last.startswith(f"Error: cannot write results to {results / 'r'}")
    assert last.endswith(": No space left on device"), last


def test_a_write_error_names_the_folder_and_leaves_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ResultsWriteError, match=r"cannot write results to .*: Not a directory"):
        atomic_write_text(tmp_path / "file" / "x" / "a.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
