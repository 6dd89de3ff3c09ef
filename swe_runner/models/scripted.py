"""A deterministic model that replays shipped tool-call scripts through the real agent loop.

A script is a JSON file ``<instance_id>.json``: ``{"turns": [{"content": [blocks...]}, ...]}``
with Anthropic content blocks (``text``, ``tool_use`` without ids: ids are assigned). Token
usage is estimated from the request and reply sizes (4 characters a token), so runs report
plausible, repeatable figures. An instance without a script gets one reply that gives up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from swe_runner.errors import TaskFileError
from swe_runner.models.base import ModelAPIError, ModelReply, Usage

__all__ = ["ScriptedModel", "load_scripts"]

GIVE_UP = [{"type": "text", "text": "I could not work out a fix for this issue."}]


def load_scripts(folder: Path) -> dict[str, list[list[dict[str, Any]]]]:
    """Every ``*.json`` script in ``folder`` by instance id (an absent folder: none).

    Raises:
        TaskFileError: a script is not valid JSON or lacks ``turns``.
    """
    scripts = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            turns = json.loads(path.read_text(encoding="utf-8"))["turns"]
            scripts[path.stem] = [list(turn["content"]) for turn in turns]
        except (ValueError, KeyError, TypeError) as exc:
            raise TaskFileError(path, "", f"not a valid script: {exc!r}") from None
    return scripts


def _tokens(data: Any) -> int:
    return max(1, len(json.dumps(data)) // 4)


class ScriptedModel:
    """Plays one instance's script, a reply per call."""

    model = "scripted"

    def __init__(self, instance_id: str, turns: list[list[dict[str, Any]]] | None) -> None:
        self.instance_id = instance_id
        self.turns = turns if turns is not None else [GIVE_UP]
        self.index = 0

    def complete(
        self,
        system: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int,
    ) -> ModelReply:
        if self.index >= len(self.turns):
            raise ModelAPIError(f"the script of {self.instance_id} has no turn {self.index + 1}")
        content = []
        for number, block in enumerate(self.turns[self.index]):
            if block.get("type") == "tool_use":
                block = {**block, "id": f"toolu_{self.index + 1:02d}_{number}"}
            content.append(block)
        self.index += 1
        calls = any(b.get("type") == "tool_use" for b in content)
        usage = Usage(
            input_tokens=_tokens([system, messages, tools]), output_tokens=_tokens(content)
        )
        return ModelReply(content, "tool_use" if calls else "end_turn", usage)
