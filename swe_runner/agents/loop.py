"""The tool-use loop: ask the model, run its tool calls in order, feed the results back,
until it stops calling tools or a limit is hit. Each stop has a named reason; whatever the
reason, the pipeline takes the patch and grades it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.models.base import ContextExceeded, ModelAPIError, ModelClient, Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.records import StopReason, TrajectoryStep

__all__ = ["DEFAULT_PROMPT", "SYSTEM_PROMPT", "LoopLimits", "ModelAgent", "PromptTemplate"]

SYSTEM_PROMPT = (
    "You are an expert software engineer fixing a bug in a repository checked out in a "
    "sandbox. Use the bash tool to explore, run code and tests, and the "
    "str_replace_based_edit_tool to view and edit files (absolute paths). Make the smallest "
    "change that fixes the issue in the library's source; do not edit existing tests. When "
    "you are done, reply without calling a tool."
)

DEFAULT_PROMPT = """\
<uploaded_files>
$workdir
</uploaded_files>
I've uploaded a Python code repository in the directory $workdir (repository $repo).
Consider the following issue:

<issue_description>
$problem_statement
</issue_description>

Make changes to the non-test files in $workdir so that the issue is resolved.
1. Explore the repository to understand the relevant code.
2. Write a script that reproduces the error and run it with the bash tool to confirm it.
3. Edit the source code to fix the issue.
4. Rerun your script, and the repository's tests, to confirm the fix; think about edge cases.
"""


@dataclass(frozen=True)
class PromptTemplate:
    """The task prompt (``string.Template``: $workdir, $repo, $problem_statement,
    $instance_id, $hints_text) and the system prompt."""

    task: str = DEFAULT_PROMPT
    system: str = SYSTEM_PROMPT

    @classmethod
    def from_file(cls, path: Path) -> PromptTemplate:
        return cls(task=path.read_text(encoding="utf-8"))

    def render(self, problem: Problem) -> str:
        return Template(self.task).safe_substitute(
            workdir=problem.workdir,
            repo=problem.repo,
            instance_id=problem.instance_id,
            problem_statement=problem.problem_statement,
            hints_text=problem.hints_text,
        )


@dataclass(frozen=True)
class LoopLimits:
    max_turns: int = 50
    max_cost: float | None = None  # USD
    max_time: float | None = None  # seconds
    max_context: int | None = None  # tokens in one request (input + cache reads + writes)
    max_tokens: int = 4096  # per reply


DEFAULT_LOOP_LIMITS = LoopLimits()
DEFAULT_TEMPLATE = PromptTemplate()


class ModelAgent:
    """A model driving the bash and editor tools. ``client_for`` gives each problem its
    client (shared for a stateless API client; a fresh one for a scripted model)."""

    def __init__(
        self,
        name: str,
        model: str,
        client_for: Callable[[Problem], ModelClient],
        limits: LoopLimits = DEFAULT_LOOP_LIMITS,
        prompt: PromptTemplate = DEFAULT_TEMPLATE,
        prices: PriceTable | None = None,
    ) -> None:
        self.name, self.model, self.client_for = name, model, client_for
        self.limits, self.prompt = limits, prompt
        self.prices = prices or PriceTable()

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        started = time.monotonic()
        client = self.client_for(problem)
        tools = [tool.definition() for tool in session.tools.values()]
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "text", "text": self.prompt.render(problem)}]}
        ]
        usage = Usage()
        run = AgentRun(usage=usage.as_dict())
        for turn in range(1, self.limits.max_turns + 1):
            session.turn = turn
            stop = self._limit_hit(started, usage)
            if stop is not None:
                return self._stop(run, usage, turn - 1, stop)
            try:
                reply = client.complete(self.prompt.system, messages, tools, self.limits.max_tokens)
            except ContextExceeded as exc:
                return self._stop(run, usage, turn - 1, StopReason.CONTEXT_EXCEEDED, str(exc))
            except ModelAPIError as exc:
                return self._stop(run, usage, turn - 1, StopReason.API_ERROR, str(exc))
            usage += reply.usage
            session.record(
                TrajectoryStep(
                    kind="model",
                    turn=turn,
                    content=reply.content,
                    stop_reason=reply.stop_reason,
                    usage=reply.usage.as_dict(),
                    latency_s=round(reply.latency_s, 4),
                    detail=f"{reply.retries} retries" if reply.retries else None,
                )
            )
            messages.append({"role": "assistant", "content": reply.content})
            calls = [b for b in reply.content if b.get("type") == "tool_use"]
            if not calls:
                return self._stop(run, usage, turn, StopReason.SUBMITTED)
            messages.append({"role": "user", "content": [self._call(session, c) for c in calls]})
            context = (
                reply.usage.input_tokens
                + reply.usage.cache_read_input_tokens
                + reply.usage.cache_creation_input_tokens
            )
            if self.limits.max_context is not None and context > self.limits.max_context:
                return self._stop(
                    run,
                    usage,
                    turn,
                    StopReason.CONTEXT_EXCEEDED,
                    f"the last request used {context} tokens of context",
                )
        return self._stop(run, usage, self.limits.max_turns, StopReason.MAX_TURNS)

    @staticmethod
    def _call(session: Session, block: dict[str, Any]) -> dict[str, Any]:
        arguments = block.get("input")
        if not isinstance(arguments, dict):
            result_text, is_error = "tool input must be a JSON object", True
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

    def _limit_hit(self, started: float, usage: Usage) -> StopReason | None:
        if self.limits.max_time is not None and time.monotonic() - started >= self.limits.max_time:
            return StopReason.MAX_TIME
        cost = self.prices.cost(self.model, usage)
        if self.limits.max_cost is not None and cost is not None and cost >= self.limits.max_cost:
            return StopReason.MAX_COST
        return None

    def _stop(
        self, run: AgentRun, usage: Usage, turns: int, reason: StopReason, detail: str | None = None
    ) -> AgentRun:
        run.stop_reason, run.detail, run.turns = reason, detail, turns
        run.usage = usage.as_dict()
        run.cost_usd = self.prices.cost(self.model, usage)
        return run
