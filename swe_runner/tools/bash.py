"""The ``bash`` tool: one persistent shell per agent, restarted (and the model told) when it
times out or dies."""

from __future__ import annotations

from typing import Any

from swe_runner.sandbox.base import Sandbox
from swe_runner.sandbox.shell import ShellDead, ShellSession
from swe_runner.tools.base import ToolError, ToolResult, clip

__all__ = ["BashTool"]

RESET_NOTE = "the shell was restarted: working directory, variables and background jobs are reset"


class BashTool:
    """Anthropic's ``bash`` tool (``bash_20250124``) on a sandbox."""

    name = "bash"

    def __init__(self, sandbox: Sandbox, timeout: float = 180.0, max_output: int = 30_000):
        self.sandbox = sandbox
        self.timeout = timeout
        self.max_output = max_output
        self.session: ShellSession | None = None

    def definition(self) -> dict[str, Any]:
        return {"type": "bash_20250124", "name": self.name}

    def _shell(self) -> ShellSession:
        if self.session is None or not self.session.alive:
            self.session = self.sandbox.open_shell()
        return self.session

    def __call__(self, arguments: dict[str, Any]) -> ToolResult:
        if arguments.get("restart"):
            self.close()
            self._shell()
            return ToolResult("tool has been restarted.")
        command = arguments.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ToolError("no command given: pass {'command': '...'}")
        try:
            result = self._shell().run(command, self.timeout)
        except ShellDead as dead:
            self.session = None
            text = self._text(dead.output)
            return ToolResult(f"{text}\n[the shell exited; {RESET_NOTE}]", is_error=True)
        text = self._text(result.output)
        if result.timed_out:
            self.session = None
            note = f"[command timed out after {self.timeout:g}s and was killed; {RESET_NOTE}]"
            return ToolResult(f"{text}\n{note}".lstrip("\n"), is_error=True)
        if result.exit_code:
            text += f"\n[exit code {result.exit_code}]"
        return ToolResult(text)

    def _text(self, output: bytes) -> str:
        # backslashreplace: bytes that are not UTF-8 survive as \xNN escapes.
        return clip(output.decode("utf-8", errors="backslashreplace"), self.max_output)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
