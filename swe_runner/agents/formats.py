"""How a model acts on the sandbox: by tool calls, or, for models without tool calling, by
one fenced bash block per reply (``--tool-format text``).

A format turns a reply into an :class:`Action`: the observations to send back (tool results,
or the command's output as text), or None when the model is done. A text reply without
exactly one bash block is a *format error*: the model reads what was wrong, the loop counts
it (the limit is ``LoopLimits.max_format_errors``). Every command still runs through the
session's ``bash`` tool, so it is recorded and replayable like a tool call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from swe_runner.agents.base import Session

__all__ = [
    "SUBMIT",
    "TEXT_SYSTEM_PROMPT",
    "TOOLS_SYSTEM_PROMPT",
    "TOOL_FORMATS",
    "Action",
    "TextCommands",
    "ToolCalls",
]

SUBMIT = "submit"
TOOLS_SYSTEM_PROMPT = (
    "You are an expert software engineer fixing a bug in a repository checked out in a "
    "sandbox. Use the bash tool to explore, run code and tests, and the "
    "str_replace_based_edit_tool to view and edit files (absolute paths). Make the smallest "
    "change that fixes the issue in the library's source; do not edit existing tests. When "
    "you are done, reply without calling a tool."
)
TEXT_SYSTEM_PROMPT = (
    "You are an expert software engineer fixing a bug in a repository checked out in a "
    "sandbox. You work through a persistent bash shell (the working directory and variables "
    "survive between commands). Every reply must contain exactly one fenced code block "
    "marked bash (```bash ... ```) holding the command to run; its output comes back in the "
    "next message. Think in plain text before the block if you like. Edit files with shell "
    "tools (sed -i, cat <<'EOF' > file, a short python3 script). Make the smallest change "
    "that fixes the issue in the library's source; do not edit existing tests. When you are "
    f"done, reply with a bash block holding only the word {SUBMIT}."
)
_BLOCK = re.compile(r"```(?:bash|sh|shell)[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Action:
    """What a reply led to: ``observations`` (user content blocks; None: the model is
    done), and what was wrong with its format, if anything."""

    observations: list[dict[str, Any]] | None
    format_error: str | None = None


class ToolFormat(Protocol):
    name: str
    system_prompt: str  # the default system prompt: how the model acts

    def tools(self, session: Session) -> list[dict[str, Any]]:
        """The tool definitions sent with each request."""
        ...

    def act(self, session: Session, content: list[dict[str, Any]]) -> Action:
        """Run what the reply ``content`` asks for."""
        ...


def _bad_input(value: Any) -> str:
    shown = repr(value)[:200]
    return (
        f"the tool arguments must be a JSON object, got {shown}; "
        'send them as a JSON object, e.g. {"command": "ls"}'
    )


class ToolCalls:
    """The model calls the bash and editor tools; calls of one reply run in order. A reply
    without a call ends the loop."""

    name = "tools"
    system_prompt = TOOLS_SYSTEM_PROMPT

    def tools(self, session: Session) -> list[dict[str, Any]]:
        return [tool.definition() for tool in session.tools.values()]

    def act(self, session: Session, content: list[dict[str, Any]]) -> Action:
        calls = [b for b in content if b.get("type") == "tool_use"]
        return Action([self._call(session, c) for c in calls] if calls else None)

    @staticmethod
    def _call(session: Session, block: dict[str, Any]) -> dict[str, Any]:
        arguments = block.get("input")
        if not isinstance(arguments, dict):
            result_text, is_error = _bad_input(arguments), True
        else:
            result = session.call(str(block.get("name")), arguments)
            result_text, is_error = result.output, result.is_error
        out: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": block.get("id"),
            "content": result_text or "(no output)",
        }
        if is_error:
            out["is_error"] = True
        return out


class TextCommands:
    """The model writes one ```bash block per reply; its output is the next user message.
    A block holding only ``submit`` ends the loop."""

    name = "text"
    system_prompt = TEXT_SYSTEM_PROMPT

    def tools(self, session: Session) -> list[dict[str, Any]]:
        return []

    def act(self, session: Session, content: list[dict[str, Any]]) -> Action:
        text = "\n".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
        blocks = _BLOCK.findall(text)
        if len(blocks) != 1:
            found = f"{len(blocks)} bash blocks" if blocks else "no bash block"
            message = (
                f"Format error: your reply must contain exactly one ```bash block; it had "
                f"{found}. Put the one command to run in a single ```bash block, or reply "
                f"with a block holding only {SUBMIT} when you are done."
            )
            return Action([{"type": "text", "text": message}], f"the reply had {found}")
        command = blocks[0].strip()
        if command == SUBMIT:
            return Action(None)
        result = session.call("bash", {"command": command})
        return Action([{"type": "text", "text": result.output or "(no output)"}])


TOOL_FORMATS: dict[str, type[ToolCalls] | type[TextCommands]] = {
    ToolCalls.name: ToolCalls,
    TextCommands.name: TextCommands,
}
