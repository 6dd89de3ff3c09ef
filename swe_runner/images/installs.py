"""The instance's own step, run in a container and committed as one layer.

Each instance image is its snapshot (history only) plus one layer: what the base commit
adds to the snapshot's history (a git pack), the checkout's index and what the spec's
setup made or changed (``containers/instance/build.sh``). The step runs in a container on
the snapshot, its build context put there with ``docker cp``, and the container is
committed with the instance's configuration at once (:func:`committed`): a Dockerfile
would cost a container and a layer per step, and on a chain of eighty snapshot layers
each of those steps takes a second.

*The packages layer.* Some specs' setup installs the project's dependencies with it:
sphinx's `pip install -e .[test]` puts 60-70 MB of packages (Babel, Pygments,
docutils...) into every instance image, seaborn's as much. The packages layer holds what
the setup adds to the venv at G, the newest commit that the base commit of every instance
on the environment descends from, once, between the environment and the packs and
snapshots above it (the builder makes it: ``ImageBuilder._ensure_packages``). Nothing else
sees it: an instance on it gets the venv a build without it makes, file for file.

Pip cannot be asked to start from the packages layer: it keeps an installed release
whenever it satisfies a requirement, where a fresh install takes the newest one allowed
(pool.py). So an instance's setup there runs in a container whose /opt/venv is a volume
holding the environment's venv, the one below the packages layer: pip sees what a fresh
build's pip sees. What the setup changes elsewhere (the work tree, the profile) is
committed as the instance's first layer; the venv it leaves becomes a delta on the
packages layer's venv (:mod:`pool`), which the builder checks file for file against the
volume's.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swe_runner.errors import ImageError
from swe_runner.images.buildlog import failure_message
from swe_runner.images.pool import VENV
from swe_runner.sandbox.labels import WORKTREE_LABEL

__all__ = ["Setup", "committed", "run_setup"]

# Where each file of the build context goes in the container: the pack into the
# repository, the rest (containers/instance/ and what the builder adds) into /tmp/swe-runner.
PACK_DIR = "/testbed/.git/objects/pack"
SCRIPTS_DIR = "/tmp/swe-runner"
SCRIPTS = ("build.sh", "install.sh", "setup.sh", "extra-ca.pem", "packed-refs", "worktree.py",
           "entrypoint")  # fmt: skip
# What of an image's configuration an instance keeps from its parent or sets.
CONFIG = ("Cmd", "Entrypoint", "Env", "User", "WorkingDir")
# What it sets: the entrypoint that writes the work tree's stowed files as a container
# starts (containers/instance/worktree.py), the command, and WORKTREE_LABEL saying so.
ENTRYPOINT = ["/opt/swe-runner/entrypoint"]
CMD = ["bash"]


@dataclass
class Setup:
    """The setup's container once it has run: its output, exit status and log."""

    container: Any
    output: str
    status: int
    log: Path

    def failure(self, tag: str) -> str:
        """What a build of ``tag`` says of this setup's failure (empty: it succeeded)."""
        if self.status == 0:
            return ""
        error = f"the setup exited with status {self.status}"
        return failure_message(tag, error, self.output, self.log)


def _tar(files: list[tuple[Path, str]]) -> bytes:
    """A tar of ``files`` (path, name in the archive), owned by root as COPY makes them."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, name in files:
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            with path.open("rb") as body:
                tar.addfile(info, body)
    return buffer.getvalue()


def _venv(volume: str) -> dict[str, Any]:
    """``volume`` mounted at /opt/venv, as a mount only (the daemon's Mount object): a
    volume in the container's config (docker-py's ``volumes=``) would be committed as the
    image's VOLUME."""
    return {"Target": VENV, "Source": volume, "Type": "volume", "ReadOnly": False}


@contextmanager
def _venv_volume(client: Any, env: str) -> Iterator[str]:
    """A volume holding ``env``'s /opt/venv (docker fills an empty volume from the image
    of the first container that mounts it), removed afterwards."""
    volume = client.volumes.create()
    try:
        filler = client.containers.create(env, command=["true"], mounts=[_venv(volume.name)])
        try:
            filler.start()
            filler.wait()
        finally:
            filler.remove(force=True)
        yield volume.name
    finally:
        volume.remove(force=True)


@contextmanager
def run_setup(
    client: Any, parent: str, ctx: Path, commit: str, log: Path, env: str | None = None
) -> Iterator[Setup]:
    """Run the instance's step (``ctx``: its build context) at ``commit`` on ``parent``,
    with ``env``'s venv in place of ``parent``'s if given, its output written to ``log``
    as it comes, then its exit status; the container is removed afterwards."""
    script = ["sh", f"{SCRIPTS_DIR}/build.sh", commit]
    # an entrypoint given here would be committed; only one the parent has is replaced
    replaced = client.images.get(parent).attrs["Config"].get("Entrypoint")
    with _venv_volume(client, env) if env else nullcontext(None) as volume:
        run = {"entrypoint": script[:2], "command": script[2:]} if replaced else {"command": script}
        mounts = [_venv(volume)] if volume else []
        container = client.containers.create(parent, working_dir="/testbed", mounts=mounts, **run)
        try:
            packs = sorted((ctx / "pack").iterdir())
            container.put_archive(PACK_DIR, _tar([(p, p.name) for p in packs]))
            files = [(ctx / name, f"swe-runner/{name}") for name in SCRIPTS]
            container.put_archive("/tmp", _tar(files))
            container.start()
            with log.open("wb") as out:
                for chunk in container.logs(stream=True, follow=True):
                    out.write(chunk)
                    out.flush()
            status = int(container.wait().get("StatusCode", 1))
            output = log.read_text(errors="replace")
            with log.open("a") as out:
                out.write(f"\nswe-runner: the setup exited {status}\n")
            yield Setup(container, output, status, log)
        finally:
            container.remove(force=True)


def committed(client: Any, setup: Setup, parent: str, labels: dict[str, str]) -> str:
    """The setup's container as an untagged image (the venv left out when it is a volume),
    configured as an instance on ``parent``: ``parent``'s configuration, /testbed its
    working directory, the entrypoint that writes the stowed work tree; returns its id."""
    config = client.images.get(parent).attrs["Config"]
    changes = [
        f"ENTRYPOINT {json.dumps(ENTRYPOINT)}",
        f"CMD {json.dumps(CMD)}",
        "WORKDIR /testbed",
        *(f"LABEL {key}={value}" for key, value in {**labels, WORKTREE_LABEL: "stowed"}.items()),
    ]
    image = setup.container.commit(changes=changes)
    made = image.attrs["Config"]
    want = {**config, "WorkingDir": "/testbed", "Entrypoint": ENTRYPOINT, "Cmd": CMD}
    wrong = [k for k in CONFIG if (made.get(k) or None) != (want.get(k) or None)]
    if wrong:
        client.images.remove(image.id, force=True)
        raise ImageError(
            f"the setup's container, committed on {parent}, is configured otherwise than an "
            f"instance on it: {', '.join(wrong)}"
        )
    return str(image.id)
