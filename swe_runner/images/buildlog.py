"""Why an image build failed, in one line, from its log.

Docker's builder writes a step's stderr in red (``ESC[91m`` ... ``ESC[0m``), so pip's
``ERROR:`` lines and a compiler's errors arrive with colour codes in front; they are
stripped before the log is read. The cause is the last few lines that say what went wrong:
pip's errors, a Python exception, a compiler's error, apt's ``E:``, git's ``fatal:``, a
missing command. pip's generic ``error: subprocess-exited-with-error`` and the like are
used only when nothing more specific is there.
"""

from __future__ import annotations

import re

__all__ = ["failure_message", "find_cause", "strip_ansi"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")
_SPECIFIC = re.compile(
    r"""^(
        ERROR:\ .+                                        # pip
      | [A-Za-z_][\w.]*(Error|Exception|Exit):\ .+        # a Python exception
      | \S+:\d+(:\d+)?:\ (fatal\ )?error:\ .+             # gcc, clang, gfortran
      | error:\ command\ .+\ failed.*                     # setuptools running a compiler
      | E:\ .+                                            # apt
      | fatal:\ .+                                        # git
      | .+:\ (command\ )?not\ found                       # the shell
    )$""",
    re.VERBOSE,
)
# pip's words for "a subprocess failed", said whatever the cause: a last resort.
_GENERIC = re.compile(r"^error: [a-z-]+$")
_DOCKER_STEP = re.compile(r"^The command '.*' returned a non-zero code: (\d+)$", re.DOTALL)
MAX_LINE = 300


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour and cursor codes."""
    return _ANSI.sub("", text)


def find_cause(log: str, most: int = 3) -> list[str]:
    """The last ``most`` distinct lines of ``log`` that say why the build failed."""
    lines = [line.strip() for line in strip_ansi(log).splitlines()]
    found = [line for line in lines if _SPECIFIC.match(line)]
    if not found:
        found = [line for line in lines if _GENERIC.match(line)]
    unique = list(dict.fromkeys(_clip(line) for line in found))
    return unique[-most:]


def failure_message(tag: str, error: str, log: str, log_path: object) -> str:
    """What a failed build of ``tag`` says: the cause first, then docker's own error
    (its failing RUN command shortened to its exit status), then where the log is."""
    error = strip_ansi(error).strip()
    step = _DOCKER_STEP.match(error)
    if step:
        error = f"a build step exited with status {step[1]}"
    cause = find_cause(log)
    said = f"{' | '.join(cause)} ({error}; " if cause else f"{error} ("
    return f"building {tag} failed: {said}full log: {log_path})"


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."
