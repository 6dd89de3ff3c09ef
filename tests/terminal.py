"""A person at a terminal, for the commands that give one a shell (``reproduce --shell``,
a kept sandbox's ``enter`` line)."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


def in_a_terminal(command: str, keys: str, timeout: float = 120) -> tuple[int, str]:
    """Run the shell line ``command`` on a fresh pseudo-terminal, typing ``keys``; its exit
    status and everything the terminal showed."""
    main_fd, child_fd = os.openpty()
    proc = subprocess.Popen(
        ["bash", "-c", command], stdin=child_fd, stdout=child_fd, stderr=child_fd,
        start_new_session=True,
    )  # fmt: skip
    os.close(child_fd)
    os.write(main_fd, keys.encode())
    shown, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([main_fd], [], [], 1.0)[0]:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal's other end is closed: it ended
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    try:
        return proc.wait(timeout=30), shown.decode(errors="replace")
    finally:
        os.close(main_fd)  # after its end: closing a terminal hangs up what still runs on it


@contextmanager
def typed_in(keys: str) -> Iterator[None]:
    """This process's standard input reads ``keys`` (then its end) for the block."""
    read, write = os.pipe()
    os.write(write, keys.encode())
    os.close(write)
    saved = os.dup(0)
    os.dup2(read, 0)
    os.close(read)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)
