"""The agent seam: what an agent may know (:class:`Problem`), what it works through
(:class:`Session`: the sandbox's tools, recorded), and what it hands back (:class:`AgentRun`).

An agent never sees the gold patch, the hidden tests or the evaluation container.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from swe_runner.records import StopReason, TrajectoryStep
from swe_runner.replay_records import ReplayResult
from swe_runner.sandbox.base import Sandbox
from swe_runner.task import Task
from swe_runner.tools.base import Tool, ToolError, ToolResult

__all__ = ["Agent", "AgentRun", "Problem", "Session"]


@dataclass(frozen=True)
class Problem:
    """The task as the agent sees it."""

    instance_id: str
    repo: str
    base_commit: str
    problem_statement: str
    hints_text: str
    workdir: str

    @classmethod
    def of(cls, task: Task, workdir: str) -> Problem:
        return cls(
            task.instance_id,
            task.repo,
            task.base_commit,
            task.problem_statement,
            task.hints_text,
            workdir,
        )


@dataclass
class AgentRun:
    """How an agent ended. ``patch`` overrides the sandbox diff (the predictions agent: a
    prediction that does not apply is graded as given; a replay: the submission its final
    step made). ``replay``: a replay's figures, for the report."""

    stop_reason: StopReason = StopReason.SUBMITTED
    detail: str | None = None
    patch: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float | None = None
    turns: int = 0
    replay: ReplayResult | None = None


class Session:
    """An agent's handle on its sandbox: tool calls go through here and are recorded."""

    def __init__(self, sandbox: Sandbox, tools: list[Tool], time_limit: float | None = None):
        self.sandbox = sandbox
        self.tools = {tool.name: tool for tool in tools}
        self.steps: list[TrajectoryStep] = []
        self.started = time.monotonic()
        self.deadline = None if time_limit is None else self.started + time_limit
        self.turn = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def record(self, step: TrajectoryStep) -> None:
        self.steps.append(step.model_copy(update={"at": round(self.elapsed, 3)}))

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Run a tool; the model's mistakes come back as ``is_error`` results."""
        began = time.monotonic()
        tool = self.tools.get(name)
        try:
            if tool is None:
                raise ToolError(f"no tool named {name!r}; available: {', '.join(self.tools)}")
            result = tool(arguments)
        except ToolError as exc:
            result = ToolResult(str(exc), is_error=True)
        self.record(
            TrajectoryStep(
                kind="tool",
                turn=self.turn,
                name=name,
                input=arguments,
                output=result.output,
                is_error=result.is_error,
                latency_s=round(time.monotonic() - began, 4),
            )
        )
        return result

    def close(self) -> None:
        for tool in self.tools.values():
            tool.close()


class Agent(Protocol):
    """Anything that can work on a problem through a session."""

    name: str

    def solve(self, problem: Problem, session: Session) -> AgentRun: ...
