"""The fake runtime: the whole pipeline on host folders, without Docker.

A task's "image" is a folder: its repository cut at the base commit exactly as the instance
image holds it (:func:`swe_runner.images.repo.export_at_commit`) and a venv over the host's
own Python (``--system-site-packages``: the host's pytest is the task's). Each sandbox is a
copy of that folder run as a :class:`~swe_runner.sandbox.jail.JailSandbox`, where
``/testbed`` and ``/venv`` are the copy's. The spec's install commands are not run: tasks
whose code runs from its checkout on the host's Python (the demo suite) work, others do not.

No isolation from the host beyond the jail's namespaces: for swe-runner's own tests and for
debugging the pipeline, never for an untrusted agent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from swe_runner.config import Settings
from swe_runner.errors import ImageError
from swe_runner.images import repo
from swe_runner.runtime.base import Kept
from swe_runner.sandbox.base import Sandbox, snapshot
from swe_runner.sandbox.jail import JailSandbox
from swe_runner.sandbox.profiles import BUILD, ImageProfile
from swe_runner.task import Task

__all__ = ["INSTANCE_FILE", "PID_FILE", "FakeRuntime"]

PID_FILE = "jail.pid"  # in each sandbox's folder: the host pid of its jail's first process
INSTANCE_FILE = "instance"  # and the task an agent sandbox works on (empty otherwise)


class FakeRuntime:
    """Sandboxes as jails over folders under ``settings.cache_dir / "fake-runtime"``.

    ``keep``: evaluation jails are left running when closed, listed by :meth:`kept`.
    """

    name = "fake"

    def __init__(
        self,
        settings: Settings,
        labels: Mapping[str, str],
        notify: Callable[[str], None] = lambda _: None,
        keep: bool = False,
    ) -> None:
        self.settings, self.notify, self.keeping = settings, notify, keep
        self.home = settings.cache_dir / "fake-runtime"
        key = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]
        self.sandboxes = self.home / "sandboxes" / key  # this run's, whichever process
        self._live: dict[str, JailSandbox] = {}  # by folder
        self._kept: list[Kept] = []
        self._lock = threading.Lock()

    @property
    def profile(self) -> ImageProfile:
        return BUILD

    @property
    def ca_bundle(self) -> Path | None:
        return self.settings.ca_bundle

    def versions(self) -> dict[str, str]:
        return {"runtime": "fake"}

    def _image_dir(self, task: Task) -> Path:
        digest = hashlib.sha256(f"{task.repo}@{task.base_commit}".encode()).hexdigest()[:16]
        return self.home / "images" / f"{task.instance_id}-{digest}"

    def image(self, task: Task, source: Path | None) -> str:
        """The task's folder, made once: the repository at its base commit and a venv.

        Raises:
            RepoError: the repository is unreachable or lacks the base commit.
        """
        folder = self._image_dir(task)
        if folder.is_dir():
            return str(folder)
        s = self.settings
        where = repo.locate(task.repo, s.repo_sources, s.mirror_dir, source)
        local = repo.obtain(where, task.base_commit, s.cache_dir)
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".building-") as tmp:
            repo.export_at_commit(local, task.base_commit, Path(tmp) / "testbed")
            venv = [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip"]
            subprocess.run([*venv, str(Path(tmp) / "venv")], check=True, capture_output=True)
            self.notify(f"made fake image {folder.name}")
            with contextlib.suppress(OSError):  # another thread made it first: use that
                os.rename(tmp, folder)
        return str(folder)

    def image_ready(self, task: Task) -> str | None:
        folder = self._image_dir(task)
        return str(folder) if folder.is_dir() else None

    def _sandbox(self, image: str, instance: str = "") -> JailSandbox:
        folder = Path(image)
        if not (folder / "testbed").is_dir():
            raise ImageError(f"fake image {image} not found")
        own = self.sandboxes / uuid.uuid4().hex[:12]
        shutil.copytree(folder, own, symlinks=True)
        (own / "root").mkdir()
        head = subprocess.run(
            ["git", "-C", str(own / "testbed"), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

        def removed() -> None:
            with self._lock:
                self._live.pop(str(own), None)
            shutil.rmtree(own, ignore_errors=True)

        binds = {"/venv": own / "venv"}
        jail = JailSandbox(own / "root", own / "testbed", head, binds, on_close=removed)
        (own / PID_FILE).write_text(str(jail.pid))
        (own / INSTANCE_FILE).write_text(instance)  # an agent's: which task it works on
        with self._lock:
            self._live[str(own)] = jail
        return jail

    def agent_sandbox(self, image: str, task: Task, network: str) -> JailSandbox:
        jail = self._sandbox(image, task.instance_id)  # the host's network, whatever asked
        try:
            jail.start = snapshot(jail)
        except BaseException:
            jail.close()
            raise
        return jail

    def warm(self, image: str) -> None:
        """Nothing to start ahead: a jail starts in a fraction of a second."""

    def eval_sandbox(self, image: str) -> JailSandbox:
        jail = self._sandbox(image)
        if self.keeping:
            kept = self.keep(jail)
            with self._lock:
                self._kept.append(kept)
        return jail

    def kept(self) -> list[Kept]:
        with self._lock:
            return list(self._kept)

    def keep(self, sandbox: Sandbox) -> Kept:
        jail = _jail(sandbox)
        jail.detach()
        folder = jail.root.parent
        bash = [f"{k}={v}" for k, v in jail.environment(None).items()] + ["bash"]
        removal = f"kill -9 -- -{jail.init.pid} {jail.pid}; rm -rf {shlex.quote(str(folder))}"
        return Kept(folder.name, shlex.join(jail.enter(bash)), removal)

    def discard(self, kept: Sequence[Kept]) -> None:
        with self._lock:
            live = {Path(folder).name: jail for folder, jail in self._live.items()}
        for one in kept:
            if one.id in live:
                live[one.id].remove()
            else:  # another process's
                subprocess.run(["bash", "-c", one.remove], capture_output=True, check=False)

    def shell(self, sandbox: Sandbox) -> int:
        jail = _jail(sandbox)
        return subprocess.call(jail.enter(["bash"]), env=jail.environment(None))

    def remove_all(self) -> int:
        """Remove this process's jails of the run, kill every other jail over its folders
        (a killed process's, or one still being made: found by its command line, so none
        escapes between its start and its pid file), and delete every folder."""
        with self._lock:
            live = list(self._live.values())
        for jail in live:
            jail.remove()
        _kill_jails(self.sandboxes.resolve())
        left = list(self.sandboxes.iterdir()) if self.sandboxes.is_dir() else []
        for folder in left:
            shutil.rmtree(folder, ignore_errors=True)
        return len(live) + len(left)

    def close(self) -> None:
        """Nothing is started ahead, so nothing is left to remove."""


def _jail(sandbox: Sandbox) -> JailSandbox:
    if not isinstance(sandbox, JailSandbox):
        raise TypeError(f"not a sandbox of the fake runtime: {sandbox!r}")
    return sandbox


def _kill_jails(under: Path) -> None:
    """Kill every jail whose folders are under ``under``: its ``unshare`` process leads a
    process group holding the jail's first process, whose end ends the jail."""
    marker = f"{under}/".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if cmdline.startswith(b"unshare\0") and marker in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(int(entry.name), signal.SIGKILL)
