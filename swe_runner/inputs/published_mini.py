"""mini-swe-agent's trajectories, as its own code writes them.

- **1.x** (``trajectory_format: mini-swe-agent-1``): ``messages`` of plain role/content. An
  assistant message holds an action when the agent's action regex finds exactly one bash
  block in it (``action_regex`` of the config; before 1.16 built in, ``\\s*`` since 1.12);
  the next user message is its observation, rendered by ``action_observation_template``
  (``<returncode>N</returncode>`` then ``<output>`` or, past 10,000 characters, a head and a
  tail) or by ``timeout_template``. When the agent submitted, the last action's next
  message is the submission itself (its output less the first line).
- **2.x** (``trajectory_format: mini-swe-agent-1.1``): an assistant message's actions are in
  ``extra.actions`` (``command``); each observation carries ``extra.raw_output`` and
  ``extra.returncode``; the submitting action has no observation (the ``exit`` message
  follows); a submit counts only with exit code 0 (as in 1.x since 1.17.4).

Every action ran in a fresh shell: the Docker environment's ``interpreter`` (``bash -lc``
in 1.x; 2.x's config names it), in ``cwd``, with the config's ``env`` and ``timeout``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from swe_runner.inputs.published import PublishedTrajectory, RecordedStep, Shell, StepKind

__all__ = ["SUBMIT_MARKERS", "read"]

SUBMIT_MARKERS = ("MINI_SWE_AGENT_FINAL_OUTPUT", "COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT")
_RETURNCODE = re.compile(r"<returncode>(-?\d+)</returncode>")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3]) or (0,)


def _action_regex(agent: dict[str, Any], version: str) -> str:
    if isinstance(agent.get("action_regex"), str):
        return str(agent["action_regex"])
    return r"```bash\s*\n(.*?)\n```" if _version(version) >= (1, 12) else r"```bash\n(.*?)\n```"


def _shell(config: dict[str, Any], v2: bool) -> Shell:
    env_cfg = config.get("environment") or {}
    kind = str(config.get("environment_type", "docker")).lower()
    if "docker" in kind and "swerex" not in kind:
        default: tuple[str, ...] = ("bash", "-lc")
    elif "singularity" in kind or "bubblewrap" in kind:
        default = ("bash", "-c")
    else:  # local, SWE-ReX: subprocess shell=True
        default = ("sh", "-c")
    given = env_cfg.get("interpreter") if v2 else None
    interpreter = tuple(str(p) for p in given) if isinstance(given, list) and given else default
    env = {str(k): str(v) for k, v in (env_cfg.get("env") or {}).items()}
    return Shell(
        interpreter=interpreter,
        env=env,
        timeout=float(env_cfg.get("timeout") or 30),
        cwd=str(env_cfg.get("cwd") or "/"),
    )


def _between(text: str, start: str, end: str) -> str | None:
    first = text.find(start)
    last = text.rfind(end)
    if first < 0 or last < first + len(start):
        return None
    return text[first + len(start) : last]


def _observation_v1(number: int, action: str, text: str) -> RecordedStep:
    """An action and its 1.x observation, as its templates rendered it."""
    step = RecordedStep(number, StepKind.SHELL, action)
    if "timed out and has been killed" in text and "<returncode>" not in text:
        return RecordedStep(number, StepKind.SHELL, action, timed_out=True)
    code = _RETURNCODE.search(text)
    if code is None:
        return step  # a template a replay does not read: nothing to compare
    exit_code = int(code.group(1))
    head = _between(text, "<output_head>\n", "\n</output_head>")
    tail = _between(text, "<output_tail>\n", "\n</output_tail>")
    if head is not None and tail is not None:
        clipped = (head, tail)
        return RecordedStep(number, StepKind.SHELL, action, exit_code=exit_code, clipped=clipped)
    output = _between(text, "<output>\n", "</output>")
    return RecordedStep(number, StepKind.SHELL, action, output=output, exit_code=exit_code)


def _steps_v1(messages: list[dict[str, Any]], regex: str, submitted: bool) -> list[RecordedStep]:
    steps: list[RecordedStep] = []
    for i, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        actions = re.findall(regex, str(message.get("content", "")), re.DOTALL)
        if len(actions) != 1:
            continue  # a format error: nothing ran
        action = str(actions[0]).strip()
        after = messages[i + 1] if i + 1 < len(messages) else None
        number = len(steps) + 1
        if after is None or after.get("role") != "user":
            steps.append(RecordedStep(number, StepKind.SHELL, action))
            continue
        steps.append(_observation_v1(number, action, str(after.get("content", ""))))
    if submitted and steps:
        last = steps[-1]
        steps[-1] = RecordedStep(last.number, StepKind.SUBMIT, last.action)
    return steps


def _unanswered(pending: list[str], done: int, submitted: bool) -> list[RecordedStep]:
    """The actions of the last message, which got no observation: when the agent
    submitted, the one that did (the first naming a submit marker, else the last) is the
    submit step, and those after it never ran."""
    if not submitted or not pending:
        return [RecordedStep(done + n, StepKind.SHELL, a) for n, a in enumerate(pending, 1)]
    named = [i for i, a in enumerate(pending) if any(m in a for m in SUBMIT_MARKERS)]
    last = named[0] if named else len(pending) - 1
    steps = [RecordedStep(done + n, StepKind.SHELL, a) for n, a in enumerate(pending[:last], 1)]
    return [*steps, RecordedStep(done + last + 1, StepKind.SUBMIT, pending[last])]


def _steps_v2(messages: list[dict[str, Any]]) -> list[RecordedStep]:
    """2.x: actions from ``extra.actions``; observations in order after them."""
    steps: list[RecordedStep] = []
    pending: list[str] = []
    for message in messages:
        extra = message.get("extra") or {}
        role = message.get("role")
        if role == "assistant":
            for left in pending:  # an action never answered (the run ended)
                steps.append(RecordedStep(len(steps) + 1, StepKind.SHELL, left))
            pending = [str(a.get("command", "")) for a in extra.get("actions") or []]
        elif role in ("user", "tool") and "returncode" in extra and pending:
            action = pending.pop(0)
            number = len(steps) + 1
            code = extra.get("returncode")
            info = str(extra.get("exception_info") or "")
            timed_out = "timed out" in info or "TimeoutExpired" in str(extra.get("exception_type"))
            steps.append(
                RecordedStep(
                    number,
                    StepKind.SHELL,
                    action,
                    output=None if timed_out else str(extra.get("raw_output", "")),
                    exit_code=None if timed_out or code is None else int(code),
                    timed_out=timed_out,
                )
            )
        elif role == "exit":
            steps += _unanswered(pending, len(steps), extra.get("exit_status") == "Submitted")
            pending = []
    for left in pending:
        steps.append(RecordedStep(len(steps) + 1, StepKind.SHELL, left))
    return steps


def read(instance_id: str, path: Path, data: dict[str, Any]) -> PublishedTrajectory:
    """The trajectory of ``data`` (the file at ``path``, of ``instance_id``)."""
    info = data.get("info") or {}
    config = info.get("config") or {}
    v2 = data.get("trajectory_format") != "mini-swe-agent-1"
    version = str(info.get("mini_version") or data.get("trajectory_format"))
    messages = [m for m in data.get("messages") or [] if isinstance(m, dict)]
    exit_status = str(info.get("exit_status") or "")
    if v2:
        steps = _steps_v2(messages)
    else:
        regex = _action_regex(config.get("agent") or {}, version)
        steps = _steps_v1(messages, regex, exit_status == "Submitted")
    return PublishedTrajectory(
        instance_id=instance_id,
        path=path,
        scaffold="mini-swe-agent",
        version=version,
        shell=_shell(config, v2),
        steps=tuple(steps),
        submission=str(info.get("submission") or ""),
        exit_status=exit_status,
        submit_needs_zero_exit=v2 or _version(version) >= (1, 17, 4),
    )
