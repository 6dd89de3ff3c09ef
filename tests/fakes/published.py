"""Small published trajectories, written by the tests in each scaffold's own layout.

Modelled on real ones: mini-swe-agent 1.15's (the bash-only leaderboard's
``trajs/<id>/<id>.traj.json``: plain role/content messages, observations rendered by its
SWE-bench config's templates, the submission as the last message), mini-swe-agent 2.x's
(``extra.actions``, ``extra.raw_output``/``returncode``, an ``exit`` message) and
SWE-agent 1.x's ``.traj`` (``trajectory`` entries, ``replay_config`` as a JSON string).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"
# mini-swe-agent 1.x's SWE-bench observation template (config/extra/swebench.yaml).
OBSERVATION_TEMPLATE = (
    "<returncode>{{output.returncode}}</returncode>\n{% if output.output | length < 10000 -%}\n"
    "<output>\n{{ output.output -}}\n</output>\n{%- else -%}\n<warning>...</warning>\n"
    "{%- set elided_chars = output.output | length - 10000 -%}\n<output_head>\n"
    "{{ output.output[:5000] }}\n</output_head>\n<elided_chars>\n{{ elided_chars }} characters "
    "elided\n</elided_chars>\n<output_tail>\n{{ output.output[-5000:] }}\n</output_tail>\n"
    "{%- endif -%}\n"
)
TIMEOUT_TEMPLATE = (
    "The last command <command>{{action['action']}}</command> timed out and has been killed.\n"
    "The output of the command was:\n <output>\n{{output}}\n</output>\n"
    "Please try another command and make sure to avoid those requiring interactive input."
)


@dataclass(frozen=True)
class Step:
    """An action and what the scaffold recorded of it (``timed_out``: killed at its
    timeout, ``output`` then the part it saw)."""

    command: str
    output: str = ""
    returncode: int = 0
    timed_out: bool = False


def _observation_v1(step: Step) -> str:
    """What mini-swe-agent 1.x's templates render for ``step``."""
    if step.timed_out:
        return (
            f"The last command <command>{step.command}</command> timed out and has been killed.\n"
            f"The output of the command was:\n <output>\n{step.output}\n</output>\n"
            "Please try another command and make sure to avoid those requiring interactive input."
        )
    out = step.output
    if len(out) < 10000:
        return f"<returncode>{step.returncode}</returncode>\n<output>\n{out}</output>"
    return (
        f"<returncode>{step.returncode}</returncode>\n<warning>\nThe output of your last command "
        "was too long.\n</warning>\n"
        f"<output_head>\n{out[:5000]}\n</output_head>\n<elided_chars>\n{len(out) - 10000} "
        f"characters elided\n</elided_chars>\n<output_tail>\n{out[-5000:]}\n</output_tail>"
    )


def _reply(command: str) -> str:
    return f"THOUGHT: next.\n\n```bash\n{command}\n```"


def mini_v1(
    steps: list[Step], submission: str, *, env: dict[str, str] | None = None, timeout: int = 60
) -> dict[str, Any]:
    """A mini-swe-agent 1.15 trajectory: ``steps``, then the submit step."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a helpful assistant..."},
        {"role": "user", "content": "<pr_description>...</pr_description>"},
    ]
    for step in steps:
        messages.append({"role": "assistant", "content": _reply(step.command), "extra": {}})
        messages.append({"role": "user", "content": _observation_v1(step)})
    messages.append(
        {"role": "assistant", "content": "Two blocks:\n```bash\nls\n```\n```bash\npwd\n```"}
    )
    messages.append({"role": "user", "content": "Please always provide EXACTLY ONE action..."})
    messages.append({"role": "assistant", "content": _reply(SUBMIT), "extra": {}})
    messages.append({"role": "user", "content": submission})
    return {
        "info": {
            "exit_status": "Submitted",
            "submission": submission,
            "model_stats": {"instance_cost": 0.1, "api_calls": len(steps) + 2},
            "mini_version": "1.15.0",
            "config": {
                "agent": {
                    "timeout_template": TIMEOUT_TEMPLATE,
                    "action_observation_template": OBSERVATION_TEMPLATE,
                    "step_limit": 250,
                    "cost_limit": 3.0,
                },
                "model": {"model_name": "test/model"},
                "environment": {
                    "image": "docker.io/swebench/sweb.eval.x86_64.x:latest",
                    "cwd": "/testbed",
                    "env": env if env is not None else {"PAGER": "cat", "TQDM_DISABLE": "1"},
                    "forward_env": [],
                    "timeout": timeout,
                    "executable": "docker",
                    "run_args": ["--rm"],
                    "container_timeout": "2h",
                    "pull_timeout": 120,
                },
                "agent_type": "minisweagent.run.extra.swebench.ProgressTrackingAgent",
                "model_type": "minisweagent.models.litellm_model.LitellmModel",
                "environment_type": "minisweagent.environments.docker.DockerEnvironment",
            },
        },
        "messages": messages,
        "trajectory_format": "mini-swe-agent-1",
    }


def mini_v2(
    steps: list[Step], submission: str, *, interpreter: list[str], cwd: str = "/testbed"
) -> dict[str, Any]:
    """A mini-swe-agent 2.x trajectory (tool calls): ``steps``, then the submit step."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "system"},
        {"role": "user", "content": "task"},
    ]
    for n, step in enumerate([*steps, Step(SUBMIT)]):
        call = f"call_{n}"
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": call, "function": {"name": "bash"}}],
                "extra": {"actions": [{"command": step.command, "tool_call_id": call}]},
            }
        )
        if step.command == SUBMIT:
            break
        info = f"Command '{step.command}' timed out after 1 seconds" if step.timed_out else ""
        messages.append(
            {
                "role": "tool",
                "tool_call_id": call,
                "content": f"<returncode>{step.returncode}</returncode>",
                "extra": {
                    "raw_output": step.output,
                    "returncode": -1 if step.timed_out else step.returncode,
                    "timestamp": 1763509332.5,
                    "exception_info": info,
                },
            }
        )
    messages.append(
        {
            "role": "exit",
            "content": submission,
            "extra": {"exit_status": "Submitted", "submission": submission},
        }
    )
    return {
        "info": {
            "model_stats": {"instance_cost": 0.1, "api_calls": 3},
            "config": {
                "agent": {"system_template": "s", "instance_template": "i", "step_limit": 0},
                "environment": {
                    "image": "img",
                    "cwd": cwd,
                    "env": {"PAGER": "cat"},
                    "timeout": 60,
                    "interpreter": interpreter,
                },
                "environment_type": "minisweagent.environments.docker.DockerEnvironment",
            },
            "mini_version": "2.1.0",
            "exit_status": "Submitted",
            "submission": submission,
        },
        "messages": messages,
        "trajectory_format": "mini-swe-agent-1.1",
    }


def swe_agent(actions: list[tuple[str, str]], submission: str) -> dict[str, Any]:
    """A SWE-agent 1.x trajectory: (action, observation) steps, then ``submit``."""
    config = {"agent": {"tools": {"env_variables": {"PAGER": "cat"}, "execution_timeout": 30}}}
    entries = [
        {
            "action": action,
            "observation": observation,
            "response": f"Let me run {action}",
            "thought": "thinking",
            "execution_time": 0.1,
            "state": {"working_dir": "/testbed"},
            "query": [],
            "extra_info": {},
        }
        for action, observation in [*actions, ("submit", submission)]
    ]
    return {
        "trajectory": entries,
        "history": [],
        "info": {
            "submission": submission,
            "exit_status": "submitted",
            "swe_agent_version": "1.1.0",
            "model_stats": {"instance_cost": 0.1},
        },
        "replay_config": json.dumps(config),
        "environment": "main",
    }


def write(folder: Path, instance_id: str, data: dict[str, Any], suffix: str = ".traj.json") -> Path:
    """``folder/<id>/<id><suffix>``, as the scaffolds lay their runs out."""
    path = folder / instance_id / f"{instance_id}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path
