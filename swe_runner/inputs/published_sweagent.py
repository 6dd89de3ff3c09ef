"""SWE-agent's ``.traj`` files, as its agent writes them: ``trajectory`` (one entry per
step: ``action``, raw ``observation``...), ``info`` (``submission``, ``exit_status``) and,
since 1.0, ``replay_config`` (the run's configuration as a JSON string).

SWE-agent runs actions in one persistent bash session (SWE-ReX) with its tools installed
on the PATH. A replay runs its shell commands in a persistent shell too, its
``str_replace_editor`` commands (``view``, ``create``, ``str_replace``, ``insert``) with
swe-runner's editor, and its final ``submit`` as the submit tool does (``git add -A &&
git diff --cached`` in the repository). Any other tool (``open``, ``edit``, ``goto``,
``find_file``...) is a step it cannot replay, named as such.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from swe_runner.inputs.published import PublishedTrajectory, RecordedStep, Shell, StepKind

__all__ = ["EDITOR", "TOOLS", "read"]

EDITOR = "str_replace_editor"
# SWE-agent's tools (its tools/*/bin, 1.x; the 0.x commands): not commands of a container.
TOOLS = frozenset(
    {
        "open", "goto", "scroll_up", "scroll_down", "create", "edit", "insert", "append",
        "search_dir", "search_file", "find_file", "filemap", "view_image", "exit_forfeit",
        "exit_cost", "exit_context", "exit_error", "exit_format", "exit_api", "exit",
        "submit", "_state", "_state_anthropic", "_state_diff_state", "str_replace_editor",
        "open_site", "close_site", "click_mouse", "double_click_mouse", "drag_mouse",
        "move_mouse", "scroll_on_page", "type_text", "press_keys_on_page", "screenshot_site",
        "navigate_back", "navigate_forward", "reload_page", "wait_time",
        "execute_script_on_page", "get_console_output", "set_browser_window_size",
    }
)  # fmt: skip
_EDIT_COMMANDS = ("view", "create", "str_replace", "insert")


def _editor_arguments(action: str) -> dict[str, Any] | None:
    """``str_replace_editor COMMAND PATH [--opt VALUE]...`` as swe-runner's editor arguments,
    or None when it is not one swe-runner's editor runs."""
    try:
        words = shlex.split(action)
    except ValueError:
        return None
    if len(words) < 3 or words[1] not in _EDIT_COMMANDS:
        return None
    args: dict[str, Any] = {"command": words[1], "path": words[2]}
    rest = words[3:]
    while rest:
        name, rest = rest[0], rest[1:]
        if name == "--view_range" and len(rest) >= 2:
            args["view_range"] = [int(rest[0]), int(rest[1])]
            rest = rest[2:]
        elif name in ("--file_text", "--old_str", "--new_str") and rest:
            args[name[2:]] = rest[0]
            rest = rest[1:]
        elif name == "--insert_line" and rest:
            args["insert_line"] = int(rest[0])
            rest = rest[1:]
        else:
            return None
    return args


def _step(number: int, action: str, observation: str, final_submit: bool) -> RecordedStep:
    first = action.split(maxsplit=1)[0] if action.split() else ""
    if first == "submit" and final_submit:
        return RecordedStep(number, StepKind.SUBMIT, action, tool="submit")
    if first == EDITOR:
        try:
            arguments = _editor_arguments(action)
        except ValueError:
            arguments = None
        if arguments is not None:
            return RecordedStep(
                number, StepKind.EDITOR, action, tool=EDITOR, arguments=arguments,
                output=observation,
            )  # fmt: skip
        verb = action.split()[1] if len(action.split()) > 1 else ""
        return RecordedStep(number, StepKind.OTHER, action, tool=f"{EDITOR} {verb}".strip())
    if first in TOOLS:
        return RecordedStep(number, StepKind.OTHER, action, tool=first)
    return RecordedStep(number, StepKind.SHELL, action, output=observation)


def _config(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("replay_config")
    try:
        config = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def read(instance_id: str, path: Path, data: dict[str, Any]) -> PublishedTrajectory:
    """The trajectory of ``data`` (the file at ``path``, of ``instance_id``)."""
    info = data.get("info") or {}
    tools = ((_config(data).get("agent") or {}).get("tools")) or {}
    entries = [e for e in data["trajectory"] if isinstance(e, dict)]
    pairs = [(str(e.get("action") or "").strip(), str(e.get("observation") or "")) for e in entries]
    actions = [(a, o) for a, o in pairs if a]  # no action: a format error, nothing ran
    submission = str(info.get("submission") or "")
    submits = [i for i, (a, _) in enumerate(actions) if a.split()[0] == "submit"]
    final = submits[-1] if submits and submission else None
    steps = tuple(_step(i + 1, a, o, i == final) for i, (a, o) in enumerate(actions))
    env = {str(k): str(v) for k, v in (tools.get("env_variables") or {}).items()}
    return PublishedTrajectory(
        instance_id=instance_id,
        path=path,
        scaffold="SWE-agent",
        version=str(info.get("swe_agent_version") or "0.x"),
        shell=Shell(
            interpreter=("bash",),
            env=env,
            timeout=float(tools.get("execution_timeout") or 30),
            cwd="/testbed",
            persistent=True,
        ),
        steps=steps,
        submission=submission,
        exit_status=str(info.get("exit_status") or ""),
    )
