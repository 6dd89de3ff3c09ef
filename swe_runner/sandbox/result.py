"""What a finished command leaves: shared by the sandbox interface and its shell sessions,
so neither imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExecResult"]


@dataclass(frozen=True)
class ExecResult:
    """A finished command. ``output`` is stdout and stderr interleaved, raw bytes."""

    exit_code: int | None  # None when killed for running past its timeout
    output: bytes
    timed_out: bool = False

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")
