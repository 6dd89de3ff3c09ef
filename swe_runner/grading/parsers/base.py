"""The log-parser seam: text in, per-test statuses out, with evidence that the run happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from swe_runner.records import TestStatus

__all__ = ["LogParser", "ParsedLog"]


@dataclass(frozen=True)
class ParsedLog:
    """What a parser read. ``ran``: the runner visibly started and finished. ``problem``:
    why the log cannot be trusted even so (e.g. its own totals disagree with its lines)."""

    statuses: dict[str, TestStatus] = field(default_factory=dict)
    ran: bool = False
    problem: str | None = None


class LogParser(Protocol):
    def __call__(self, text: str) -> ParsedLog: ...
