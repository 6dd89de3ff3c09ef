"""The conversation the loop sends, and how a long one is kept within the context window.

Past ``ContextPolicy.clear_at`` tokens of context (measured on the last request), or when the
API refuses a request as too long, the oldest tool results are replaced by a short marker,
the newest ``keep_last`` kept whole: the model keeps every call it made and what it said,
only old outputs go. What was cleared is returned for the trajectory to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swe_runner.records import CONTEXT_SETTING

__all__ = ["CLEARED", "Cleared", "ContextPolicy", "Conversation"]

CLEARED = "[cleared to save context: {chars} characters of an old tool result]"


@dataclass(frozen=True, kw_only=True)
class ContextPolicy:
    """When to clear old tool results (``clear_at``: tokens of context; None: never) and
    how many of the newest to keep."""

    clear_at: int | None = None
    keep_last: int = 5

    def describe(self) -> str:
        if self.clear_at is None:
            return f"{CONTEXT_SETTING}old tool results are never cleared"
        return (
            f"{CONTEXT_SETTING}past {self.clear_at:,} tokens, tool results older than the newest "
            f"{self.keep_last} are cleared"
        )


@dataclass(frozen=True)
class Cleared:
    """What one clearing dropped: how many results, their characters, the turns they were in."""

    results: int
    chars: int
    first_turn: int
    last_turn: int

    def describe(self) -> str:
        turns = (
            f"turn {self.first_turn}"
            if self.first_turn == self.last_turn
            else f"turns {self.first_turn}-{self.last_turn}"
        )
        return f"cleared {self.results} tool results ({self.chars:,} characters) of {turns}"


def _payload(block: dict[str, Any]) -> tuple[str, str] | None:
    """The key holding an observation block's text, and the text."""
    if block.get("type") == "tool_result":
        content = block.get("content")
        text = content if isinstance(content, str) else str(content)
        return "content", text
    if block.get("type") == "text":
        return "text", str(block.get("text", ""))
    return None


class Conversation:
    """The task prompt, then the model's replies and the observations they led to."""

    def __init__(self, task_prompt: str) -> None:
        self.messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "text", "text": task_prompt}]}
        ]
        self._observed: list[tuple[dict[str, Any], int]] = []  # (block, turn), oldest first
        self._cleared: set[int] = set()  # ids of blocks already cleared

    def add_reply(self, content: list[dict[str, Any]]) -> None:
        self.messages.append({"role": "assistant", "content": content})

    def add_observations(self, blocks: list[dict[str, Any]], turn: int) -> None:
        self.messages.append({"role": "user", "content": blocks})
        self._observed.extend((block, turn) for block in blocks)

    def clear_old(self, keep_last: int) -> Cleared | None:
        """Clear every observation but the newest ``keep_last``; None if none was left."""
        old = self._observed[: max(0, len(self._observed) - keep_last)]
        chars, turns = 0, []
        for block, turn in old:
            payload = _payload(block)
            if payload is None or id(block) in self._cleared:
                continue
            key, text = payload
            block[key] = CLEARED.format(chars=len(text))
            self._cleared.add(id(block))
            chars += len(text)
            turns.append(turn)
        if not turns:
            return None
        return Cleared(len(turns), chars, min(turns), max(turns))
