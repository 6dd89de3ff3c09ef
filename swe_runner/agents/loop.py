"""The agent loop: ask the model, run what it asks for (tool calls, or one bash block in the
text format), feed the results back, until it is done or a limit is hit. Each stop has a
named reason; whatever the reason, the pipeline takes the patch and grades it. Notes in the
trajectory record the context setting, what was cleared to stay within it, and format errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.context import Cleared, ContextPolicy, Conversation
from swe_runner.agents.formats import ToolCalls, ToolFormat
from swe_runner.models.base import ContextExceeded, ModelAPIError, ModelClient, ModelReply, Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.records import StopReason, TrajectoryStep

__all__ = [
    "DEFAULT_PROMPT",
    "ContextPolicy",
    "LoopLimits",
    "ModelAgent",
    "PromptTemplate",
]

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
    $instance_id, $hints_text) and the system prompt (None: the tool format's)."""

    task: str = DEFAULT_PROMPT
    system: str | None = None

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


@dataclass(frozen=True, kw_only=True)
class LoopLimits:
    max_turns: int = 50
    max_cost: float | None = None  # USD
    max_time: float | None = None  # seconds
    max_context: int | None = None  # tokens in one request (input + cache reads + writes)
    max_tokens: int = 4096  # per reply
    max_format_errors: int = 5  # text format: replies without exactly one bash block


DEFAULT_LOOP_LIMITS = LoopLimits()
DEFAULT_TEMPLATE = PromptTemplate()


def _context_of(usage: Usage) -> int:
    return usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens


class ModelAgent:
    """A model driving the bash and editor tools. ``client_for`` gives each problem its
    client (shared for a stateless API client; a fresh one for a scripted model);
    ``tool_format`` how the model acts (tool calls by default); ``context`` when old tool
    results are cleared."""

    def __init__(
        self,
        name: str,
        model: str,
        client_for: Callable[[Problem], ModelClient],
        limits: LoopLimits = DEFAULT_LOOP_LIMITS,
        prompt: PromptTemplate = DEFAULT_TEMPLATE,
        prices: PriceTable | None = None,
        *,
        tool_format: ToolFormat | None = None,
        context: ContextPolicy | None = None,
    ) -> None:
        self.name, self.model, self.client_for = name, model, client_for
        self.limits, self.prompt = limits, prompt
        self.prices = prices or PriceTable()
        self.format: ToolFormat = tool_format or ToolCalls()
        self.system = prompt.system or self.format.system_prompt
        self.context = context or ContextPolicy()

    @property
    def unpriced(self) -> bool:
        """The model has no price: its cost is unknown (never counted as zero)."""
        return self.prices.price(self.model) is None

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        return _Episode(self, problem, session).run()

    def limit_hit(self, started: float, usage: Usage) -> StopReason | None:
        if self.limits.max_time is not None and time.monotonic() - started >= self.limits.max_time:
            return StopReason.MAX_TIME
        cost = self.prices.cost(self.model, usage)
        if self.limits.max_cost is not None and cost is not None and cost >= self.limits.max_cost:
            return StopReason.MAX_COST
        return None


class _Episode:
    """One problem's conversation: its state and the steps of each turn."""

    def __init__(self, agent: ModelAgent, problem: Problem, session: Session) -> None:
        self.agent, self.session = agent, session
        self.started = time.monotonic()
        self.client = agent.client_for(problem)
        self.tools = agent.format.tools(session)
        self.talk = Conversation(agent.prompt.render(problem))
        self.usage = Usage()
        self.format_errors = 0

    def note(self, turn: int, detail: str) -> None:
        self.session.record(TrajectoryStep(kind="note", turn=turn, detail=detail))

    def run(self) -> AgentRun:
        limits = self.agent.limits
        if self.agent.context.clear_at is not None:
            self.note(1, self.agent.context.describe())
        for turn in range(1, limits.max_turns + 1):
            self.session.turn = turn
            stop = self.agent.limit_hit(self.started, self.usage)
            if stop is not None:
                return self.stop(turn - 1, stop)
            try:
                reply = self.ask(turn)
            except ContextExceeded as exc:
                return self.stop(turn - 1, StopReason.CONTEXT_EXCEEDED, str(exc))
            except ModelAPIError as exc:
                return self.stop(turn - 1, StopReason.API_ERROR, str(exc))
            self.record(turn, reply)
            action = self.agent.format.act(self.session, reply.content)
            if action.observations is None:
                return self.stop(turn, StopReason.SUBMITTED)
            if action.format_error is not None:
                self.format_errors += 1
                self.note(turn, f"format error {self.format_errors}: {action.format_error}")
                if self.format_errors > limits.max_format_errors:
                    detail = f"more than {limits.max_format_errors} format errors"
                    return self.stop(turn, StopReason.AGENT_ERROR, detail)
            self.talk.add_observations(action.observations, turn)
            too_long = self.keep_context(turn, _context_of(reply.usage))
            if too_long is not None:
                return self.stop(turn, StopReason.CONTEXT_EXCEEDED, too_long)
        return self.stop(limits.max_turns, StopReason.MAX_TURNS)

    def ask(self, turn: int) -> ModelReply:
        """The model's reply; a request refused as too long is retried after clearing old
        tool results (the newest kept, then only the last), when the policy clears any.

        Raises:
            ContextExceeded: still too long, or the policy never clears.
            ModelAPIError: the API failed.
        """
        agent = self.agent
        keeps = [agent.context.keep_last, 1] if agent.context.clear_at is not None else []
        while True:
            try:
                return self.client.complete(
                    agent.system, self.talk.messages, self.tools, agent.limits.max_tokens
                )
            except ContextExceeded as exc:
                cleared = None
                while keeps and cleared is None:
                    cleared = self.talk.clear_old(keeps.pop(0))
                if cleared is None:
                    raise
                refused = f"context: the API refused the request ({exc})"
                self.note(turn, f"{refused}; {cleared.describe()}")

    def record(self, turn: int, reply: ModelReply) -> None:
        self.usage += reply.usage
        self.session.record(
            TrajectoryStep(
                kind="model",
                turn=turn,
                content=reply.content,
                api_stop_reason=reply.stop_reason,
                usage=reply.usage.as_dict(),
                latency_s=round(reply.latency_s, 4),
                detail=f"{reply.retries} retries" if reply.retries else None,
            )
        )
        self.talk.add_reply(reply.content)

    def keep_context(self, turn: int, context: int) -> str | None:
        """Clear old tool results past the policy's threshold; the reason to stop when the
        context is over ``max_context`` and nothing could be cleared."""
        policy, cleared = self.agent.context, None
        if policy.clear_at is not None and context > policy.clear_at:
            cleared = self.talk.clear_old(policy.keep_last)
            if cleared is not None:
                self.note(turn, self._cleared_note(context, cleared))
        ceiling = self.agent.limits.max_context
        if ceiling is not None and context > ceiling and cleared is None:
            return f"the last request used {context} tokens of context"
        return None

    def _cleared_note(self, context: int, cleared: Cleared) -> str:
        threshold = self.agent.context.clear_at or 0
        return f"context: {context:,} tokens > {threshold:,}; {cleared.describe()}"

    def stop(self, turns: int, reason: StopReason, detail: str | None = None) -> AgentRun:
        if detail is None and self.format_errors:
            detail = f"after {self.format_errors} format errors"
        return AgentRun(
            stop_reason=reason,
            detail=detail,
            usage=self.usage.as_dict(),
            cost_usd=self.agent.prices.cost(self.agent.model, self.usage),
            turns=turns,
        )
