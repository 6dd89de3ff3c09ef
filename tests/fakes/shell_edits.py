"""The demo scripts' tool calls as the shell commands a text-only model would write: a bash
call is its command; an editor call is ``cat -n`` or a short Python script in a heredoc."""

from __future__ import annotations

import json
import shlex
from typing import Any

_EDITS = {
    "create": "p.write_text({file_text})",
    "str_replace": (
        "s = p.read_text()\nassert s.count({old_str}) == 1, 'old_str must occur once'\n"
        "p.write_text(s.replace({old_str}, {new_str}))"
    ),
    "insert": (
        "lines = p.read_text().splitlines(keepends=True)\n"
        "lines.insert({insert_line}, {new_str} + '\\n')\np.write_text(''.join(lines))"
    ),
}


def as_command(block: dict[str, Any]) -> str:
    """The shell command doing what the tool_use ``block`` does."""
    arguments = block["input"]
    if block["name"] == "bash":
        return str(arguments["command"])
    command, path = arguments["command"], arguments["path"]
    if command == "view":
        return f"cat -n {shlex.quote(path)}"
    # JSON strings (ASCII-escaped) are valid Python string literals.
    literals = {k: json.dumps(v) for k, v in arguments.items()}
    body = _EDITS[command].format(**literals)
    script = f"import pathlib\np = pathlib.Path({json.dumps(path)})\n{body}"
    return f"python - <<'SWE_EDIT'\n{script}\nSWE_EDIT"


def as_text(blocks: list[dict[str, Any]]) -> str:
    """A text-format reply: the blocks' text, then one bash block (``submit`` when the turn
    calls no tool). Scripts call at most one tool a turn."""
    calls = [b for b in blocks if b["type"] == "tool_use"]
    assert len(calls) <= 1, "a text-format turn runs one command"
    prose = "\n".join(b["text"] for b in blocks if b["type"] == "text")
    command = as_command(calls[0]) if calls else "submit"
    return f"{prose}\n```bash\n{command}\n```"
