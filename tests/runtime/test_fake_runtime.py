"""The fake runtime's own promise: a killed process's jails are found and ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from swe_runner.config import load_settings
from swe_runner.runtime.fake import PID_FILE, FakeRuntime

LABELS = {"swe-runner.run": "killed-owner"}
OPEN_A_JAIL = """
import sys
from pathlib import Path
from swe_runner.config import load_settings
from swe_runner.inputs.dataset import load_dataset
from swe_runner.runtime.fake import FakeRuntime
task = load_dataset("demo").tasks[0]
runtime = FakeRuntime(
    load_settings(None, {"cache_dir": sys.argv[1]}, environ={}), {"swe-runner.run": "killed-owner"}
)
image = runtime.image(task, load_dataset("demo").repo_sources.get(task.repo))
runtime.agent_sandbox(image, task, "none")
print("open", flush=True)
sys.stdin.read()
"""


def jails_under(folder: Path) -> list[int]:
    marker = f"{folder.resolve()}/".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"unshare\0") and marker in cmdline:
                found.append(int(entry.name))
    return found


def test_a_killed_process_s_jail_is_ended_even_without_its_pid_file(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OPEN_A_JAIL, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert owner.stdout is not None and owner.stdout.readline() == b"open\n"
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    runtime = FakeRuntime(load_settings(None, {"cache_dir": tmp_path}, environ={}), LABELS)
    for pid_file in runtime.sandboxes.glob(f"*/{PID_FILE}"):
        pid_file.unlink()  # as if it was killed before it could write it
    assert jails_under(runtime.sandboxes), "the killed process left no jail to find"
    assert runtime.remove_all() == 1
    deadline = time.monotonic() + 10
    while jails_under(runtime.sandboxes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert jails_under(runtime.sandboxes) == []
    assert list(runtime.sandboxes.iterdir()) == []
