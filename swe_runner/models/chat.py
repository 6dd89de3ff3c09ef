"""The conversation in Chat Completions' shape, and a reply back in the loop's (pure).

The loop speaks Anthropic's content blocks (:mod:`swe_runner.models.base`); an
OpenAI-compatible endpoint speaks messages with ``tool_calls`` and ``role: tool`` results:

- the system prompt is the first message; a user turn's text blocks are one user message;
  its ``tool_result`` blocks are ``tool`` messages, in order (an error result says so);
- an assistant turn's text is its ``content`` and its ``tool_use`` blocks its ``tool_calls``
  (arguments as JSON text: arguments that were not valid JSON go back as they came); its
  thinking is not sent back (no Chat Completions server takes it);
- tools are functions with the same names and JSON schemas as the custom tools;
- a reply's ``tool_calls`` become ``tool_use`` blocks whose ``input`` is the parsed arguments,
  or the raw text when it is not a JSON object (the loop answers that with an error result);
  a reasoning field some servers add (``reasoning_content``, ``reasoning``) becomes a
  ``thinking`` block.
"""

from __future__ import annotations

import json
from typing import Any

from swe_runner.tools.schemas import CUSTOM_TOOLS

__all__ = ["blocks_of", "chat_messages", "chat_tools"]


def chat_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Function-calling definitions of the loop's tools (built-in types get their schema)."""
    out = []
    for tool in tools:
        spec = CUSTOM_TOOLS.get(str(tool.get("name")), tool)
        function = {
            "name": spec["name"],
            "description": spec.get("description", ""),
            "parameters": spec.get("input_schema", {"type": "object", "properties": {}}),
        }
        out.append({"type": "function", "function": function})
    return out


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(str(b.get("text", "")) for b in content or [] if b.get("type") == "text")


def _arguments(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _assistant(content: list[dict[str, Any]]) -> dict[str, Any]:
    calls = [
        {
            "id": b.get("id"),
            "type": "function",
            "function": {"name": b.get("name"), "arguments": _arguments(b.get("input"))},
        }
        for b in content
        if b.get("type") == "tool_use"
    ]
    text = _text(content)
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if calls:
        message["tool_calls"] = calls
    return message


def _user(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"role": "user", "content": content}]
    out: list[dict[str, Any]] = []
    for block in content:
        if block.get("type") == "tool_result":
            text = _text(block.get("content"))
            if block.get("is_error"):
                text = f"error: {text}"
            out.append({"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": text})
    text = _text(content)
    if text:
        out.append({"role": "user", "content": text})
    return out


def chat_messages(system: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Chat Completions messages of ``system`` and the loop's ``messages``."""
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for message in messages:
        if message["role"] == "assistant":
            out.append(_assistant(message["content"]))
        else:
            out.extend(_user(message["content"]))
    return out


def _input(arguments: Any) -> Any:
    """The parsed arguments, or the raw text when they are not a JSON object (some servers
    send an object rather than JSON text: taken as it is)."""
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments or "{}")
    except (TypeError, ValueError):
        return arguments
    return value if isinstance(value, dict) else arguments


def blocks_of(message: dict[str, Any], turn_id: str) -> list[dict[str, Any]]:
    """The content blocks of a Chat Completions reply ``message`` (a plain dict).
    ``turn_id`` names tool calls that came without an id."""
    blocks: list[dict[str, Any]] = []
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        blocks.append({"type": "thinking", "thinking": reasoning})
    if message.get("content"):
        blocks.append({"type": "text", "text": str(message["content"])})
    for number, call in enumerate(message.get("tool_calls") or []):
        function = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id") or f"call_{turn_id}_{number}",
                "name": function.get("name") or "",
                "input": _input(function.get("arguments")),
            }
        )
    return blocks
