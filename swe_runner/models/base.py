"""The model seam: a client that answers a Messages-API-shaped request with one turn.

Content blocks are plain dicts in the Anthropic wire format (``{"type": "text", ...}``,
``{"type": "tool_use", "id", "name", "input"}``): that is what the API takes and returns,
and what the trajectory records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["ContextExceeded", "ModelAPIError", "ModelClient", "ModelReply", "Usage"]


class ModelAPIError(Exception):
    """The API kept failing (after retries) or refused the request: an infrastructure stop."""


class ContextExceeded(ModelAPIError):
    """The conversation no longer fits the model's context window."""


@dataclass
class Usage:
    """Token counts, all four kinds the API reports."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def __iadd__(self, other: Usage) -> Usage:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())


@dataclass(frozen=True)
class ModelReply:
    content: list[dict[str, Any]]
    stop_reason: str
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    retries: int = 0


class ModelClient(Protocol):
    """One request, one reply. Raises ModelAPIError / ContextExceeded."""

    model: str

    def complete(
        self,
        system: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int,
    ) -> ModelReply: ...
