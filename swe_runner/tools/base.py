"""The tool seam: a name, the tool definition the model sees, and a call.

A :class:`ToolError` is the model's problem (bad arguments, no such file): it goes back to
the model as an ``is_error`` result. Anything else is infrastructure and ends the instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Tool", "ToolError", "ToolResult", "clip"]


class ToolError(Exception):
    """A mistake the model can fix; its message is what the model reads."""


@dataclass(frozen=True)
class ToolResult:
    output: str
    is_error: bool = False


class Tool(Protocol):
    name: str

    def definition(self) -> dict[str, Any]:
        """The tool parameter for the Messages API (Anthropic's built-in schema)."""
        ...

    def __call__(self, arguments: dict[str, Any]) -> ToolResult:
        """Run the tool. Raises ToolError for the model's mistakes."""
        ...

    def close(self) -> None: ...


def clip(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, keeping its head and tail, with a marker."""
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut} characters clipped ...]\n{text[-half:]}"
