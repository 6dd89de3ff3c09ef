"""JSON schemas of the two tools, for models that predate Anthropic's built-in tool types.

Claude 4 models take the built-in ``bash_20250124`` and ``text_editor_20250728`` types; older
models (Claude 3.x) reject those, so they get the same tools as ordinary custom tools, with
the same names and inputs: the loop and the tools do not change.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CUSTOM_TOOLS", "tools_for_model"]

CUSTOM_TOOLS: dict[str, dict[str, Any]] = {
    "bash": {
        "name": "bash",
        "description": (
            "Run a command in a persistent bash shell (cwd, variables and background jobs "
            "persist between calls). Long output is clipped. Use restart to get a new shell."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The bash command to run."},
                "restart": {"type": "boolean", "description": "Restart the shell."},
            },
        },
    },
    "str_replace_based_edit_tool": {
        "name": "str_replace_based_edit_tool",
        "description": (
            "View, create and edit files. view: a file with line numbers (optional view_range)"
            " or a directory two levels deep. create: a new file. str_replace: replace old_str,"
            " which must occur exactly once, with new_str. insert: new_str after insert_line."
            " Paths are absolute."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "enum": ["view", "create", "str_replace", "insert"]},
                "path": {"type": "string"},
                "file_text": {"type": "string"},
                "old_str": {"type": "string"},
                "new_str": {"type": "string"},
                "insert_line": {"type": "integer"},
                "view_range": {"type": "array", "items": {"type": "integer"}},
            },
            "required": ["command", "path"],
        },
    },
}

_LEGACY_PREFIXES = ("claude-3-", "claude-2", "claude-instant")


def tools_for_model(model: str, definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Built-in tool definitions as they are, or as custom tools for models before Claude 4."""
    if not model.startswith(_LEGACY_PREFIXES):
        return definitions
    return [CUSTOM_TOOLS.get(d.get("name", ""), d) if "type" in d else d for d in definitions]
