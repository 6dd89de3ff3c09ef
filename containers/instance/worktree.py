"""The files of /testbed an instance image leaves out, and their writing at a container's start.

``stow``, at the end of the image's build: the tracked files the setup left as git checked
them out are listed (STOWED) and removed, so that the image keeps the repository's history,
its index and what the setup changed or made, and no copy of the work tree of its own: the
work trees were most of the disk the instances of one repository did not share.

``restore``, as a container starts (its entrypoint, and swe-runner before it hands the
container out): git writes those files again from the history, with the time they had in
the build, and the index's record of them is refreshed, so the work tree, ``git status``
and ``git diff`` are what they were at the end of the build. Idempotent, and one at a time
(a lock): the entrypoint and swe-runner's own call may race.

Run by the image's own Python (/usr/bin/python3, 3.9 or later), the standard library only.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

TESTBED = "/testbed"
HOME = "/opt/swe-runner"
STOWED = f"{HOME}/stowed"  # the paths, NUL-separated, relative to /testbed; its mtime: theirs
DONE = f"{HOME}/restored"
LOCK = f"{HOME}/lock"
GITLINK = b"160000"  # a submodule's entry: no file of its own to write


def git(*args: str, data: bytes | None = None, check: bool = True) -> bytes:
    done = subprocess.run(
        ["git", *args], cwd=TESTBED, input=data, stdout=subprocess.PIPE, check=check
    )
    return done.stdout


def stow() -> None:
    git("update-index", "-q", "--refresh", check=False)  # exits 1 when a file changed
    changed = set(git("diff-files", "-z", "--name-only").split(b"\0"))
    paths = []
    for entry in git("ls-files", "-z", "--stage").split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, _, stage = meta.split(b" ")
        if mode != GITLINK and stage == b"0" and path not in changed:
            paths.append(path)
    os.chdir(TESTBED)
    paths = [p for p in paths if os.path.lexists(p)]
    when = max((os.lstat(p).st_mtime for p in paths), default=None)
    os.makedirs(HOME, exist_ok=True)
    with open(STOWED, "wb") as out:
        out.write(b"\0".join(paths))
    if when is not None:
        os.utime(STOWED, (when, when))
    for path in paths:
        os.unlink(path)


def restore() -> None:
    if not os.path.exists(STOWED):
        return
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(DONE):
            return
        with open(STOWED, "rb") as stowed:
            listed = stowed.read()
        when = os.stat(STOWED).st_mtime
        # the files' blobs lie deep in delta chains: a large cache of delta bases
        git("-c", "core.deltaBaseCacheLimit=512m", "checkout-index", "-q", "-z", "--stdin",
            data=listed + b"\0" if listed else b"")  # fmt: skip
        os.chdir(TESTBED)
        for path in listed.split(b"\0") if listed else []:
            os.utime(path, (when, when), follow_symlinks=False)
        git("update-index", "-q", "--refresh", check=False)
        with open(DONE, "w"):
            pass


if __name__ == "__main__":
    {"stow": stow, "restore": restore}[sys.argv[1]]()
