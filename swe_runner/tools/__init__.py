"""Tools an agent uses inside its sandbox, shaped like Anthropic's built-in tools."""

from swe_runner.tools.base import Tool, ToolError, ToolResult, clip

__all__ = ["Tool", "ToolError", "ToolResult", "clip"]
