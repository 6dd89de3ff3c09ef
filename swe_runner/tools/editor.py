"""The ``str_replace_based_edit_tool``: view, create, str_replace and insert, on a sandbox.

Behaviour follows Anthropic's text editor tool: absolute paths, line-numbered views, and a
``str_replace`` that must match exactly once. Every mistake is a :class:`ToolError`.
"""

from __future__ import annotations

import shlex
from typing import Any

from swe_runner.sandbox.base import Sandbox
from swe_runner.tools.base import ToolError, ToolResult, clip

__all__ = ["EditorTool"]

SNIPPET_LINES = 4


def _numbered(text: str, first: int = 1) -> str:
    return "\n".join(f"{n:6}\t{line}" for n, line in enumerate(text.split("\n"), start=first))


def _arg(arguments: dict[str, Any], name: str, kind: type) -> Any:
    value = arguments.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ToolError(f"parameter `{name}` ({kind.__name__}) is required for this command")
    return value


class EditorTool:
    """Anthropic's ``str_replace_based_edit_tool`` (``text_editor_20250728``) on a sandbox."""

    name = "str_replace_based_edit_tool"

    def __init__(self, sandbox: Sandbox, max_output: int = 30_000) -> None:
        self.sandbox = sandbox
        self.max_output = max_output

    def definition(self) -> dict[str, Any]:
        return {"type": "text_editor_20250728", "name": self.name}

    def __call__(self, arguments: dict[str, Any]) -> ToolResult:
        command = arguments.get("command")
        path = _arg(arguments, "path", str)
        if not path.startswith("/"):
            raise ToolError(
                f"the path {path} is not absolute: use e.g. "
                f"{self.sandbox.workdir}/{path.lstrip('./')}"
            )
        handlers = {
            "view": self._view,
            "create": self._create,
            "str_replace": self._str_replace,
            "insert": self._insert,
        }
        if command not in handlers:
            raise ToolError(f"unknown command {command!r}; use one of: {', '.join(handlers)}")
        return ToolResult(clip(handlers[command](path, arguments), self.max_output))

    def _read(self, path: str) -> str:
        try:
            data = self.sandbox.read_file(path)
        except FileNotFoundError:
            raise ToolError(f"the path {path} does not exist") from None
        except IsADirectoryError:
            raise ToolError(f"{path} is a directory; only `view` works on directories") from None
        if b"\0" in data:
            raise ToolError(f"{path} is a binary file and cannot be shown or edited as text")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ToolError(f"{path} is not UTF-8 text and cannot be shown or edited") from None

    def _view(self, path: str, arguments: dict[str, Any]) -> str:
        listing = self.sandbox.exec(
            f"test -d {shlex.quote(path)} && find {shlex.quote(path)} -maxdepth 2 "
            "-not -path '*/.*' | sort",
            timeout=30,
        )
        if listing.exit_code == 0:
            return (
                f"Files and directories up to 2 levels deep in {path}, excluding hidden "
                f"items:\n{listing.text}"
            )
        text = self._read(path)
        lines = text.split("\n")
        view_range = arguments.get("view_range")
        if view_range is None:
            return f"Here's the result of running `cat -n` on {path}:\n{_numbered(text)}\n"
        if (
            not isinstance(view_range, list)
            or len(view_range) != 2
            or not all(isinstance(n, int) for n in view_range)
        ):
            raise ToolError("`view_range` must be a list of two integers, e.g. [10, 40]")
        start, end = view_range
        if not 1 <= start <= len(lines):
            raise ToolError(
                f"`view_range` start {start} is outside the file's lines [1, {len(lines)}]"
            )
        if end != -1 and not start <= end <= len(lines):
            raise ToolError(f"`view_range` end {end} must be -1 or in [{start}, {len(lines)}]")
        chosen = lines[start - 1 :] if end == -1 else lines[start - 1 : end]
        return (
            f"Here's the result of running `cat -n` on {path}:\n"
            f"{_numbered(chr(10).join(chosen), start)}\n"
        )

    def _create(self, path: str, arguments: dict[str, Any]) -> str:
        text = _arg(arguments, "file_text", str)
        if self.sandbox.exec(f"test -e {shlex.quote(path)}", timeout=30).exit_code == 0:
            raise ToolError(
                f"file already exists at {path}; `create` cannot overwrite it (use `str_replace`)"
            )
        self.sandbox.write_file(path, text.encode())
        return f"File created successfully at: {path}"

    def _str_replace(self, path: str, arguments: dict[str, Any]) -> str:
        old = _arg(arguments, "old_str", str)
        new = arguments.get("new_str") or ""
        if not isinstance(new, str):
            raise ToolError("`new_str` must be a string")
        text = self._read(path)
        count = text.count(old) if old else 0
        if count == 0:
            raise ToolError(
                f"No replacement was performed: old_str did not appear verbatim in "
                f"{path} (0 matches)."
            )
        if count > 1:
            where = [n + 1 for n, line in enumerate(text.split("\n")) if old.split("\n")[0] in line]
            raise ToolError(
                f"No replacement was performed: old_str matches {count} times in "
                f"{path} (lines {where}); make it unique."
            )
        before = text.split(old)[0]
        self.sandbox.write_file(path, text.replace(old, new).encode())
        first = before.count("\n") + 1
        return self._snippet(path, text.replace(old, new), first, new.count("\n"))

    def _insert(self, path: str, arguments: dict[str, Any]) -> str:
        line = _arg(arguments, "insert_line", int)
        new = _arg(arguments, "new_str", str)
        lines = self._read(path).split("\n")
        if not 0 <= line <= len(lines):
            raise ToolError(f"`insert_line` {line} must be in [0, {len(lines)}]")
        updated = "\n".join([*lines[:line], *new.split("\n"), *lines[line:]])
        self.sandbox.write_file(path, updated.encode())
        return self._snippet(path, updated, line + 1, new.count("\n"))

    def _snippet(self, path: str, text: str, first: int, extra: int) -> str:
        lines = text.split("\n")
        start = max(1, first - SNIPPET_LINES)
        end = min(len(lines), first + extra + SNIPPET_LINES)
        shown = _numbered("\n".join(lines[start - 1 : end]), start)
        return (
            f"The file {path} has been edited. Here's a snippet of the edited file:\n{shown}\n"
            "Review the changes and make sure they are as expected."
        )

    def close(self) -> None:
        """Nothing to release: every call goes straight to the sandbox."""
