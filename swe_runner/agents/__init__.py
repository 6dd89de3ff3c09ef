"""Agents behind one interface, and the registry from short name to agent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from swe_runner.agents.base import Agent, AgentRun, Problem, Session
from swe_runner.agents.command import CommandAgent
from swe_runner.agents.context import ContextPolicy
from swe_runner.agents.loop import LoopLimits, ModelAgent
from swe_runner.agents.model_factory import ModelOptions, model_agent
from swe_runner.agents.patching import EmptyAgent, GoldAgent, PredictionsAgent
from swe_runner.agents.replay import ReplayAgent
from swe_runner.agents.replay_published import PublishedReplayAgent
from swe_runner.config import Settings
from swe_runner.errors import InputError, UnknownNameError
from swe_runner.inputs.dataset import Dataset, load_predictions
from swe_runner.inputs.published import is_published
from swe_runner.models.ratelimit import RateLimit

__all__ = [
    "AGENTS",
    "AGENT_NAMES",
    "Agent",
    "AgentOptions",
    "AgentRecipe",
    "AgentRun",
    "ContextPolicy",
    "LoopLimits",
    "ModelAgent",
    "ModelOptions",
    "Problem",
    "Session",
    "make_agent",
]


@dataclass(frozen=True, kw_only=True)
class AgentOptions:
    """What the CLI knows that some agents need (the model agents' part: ``model``)."""

    predictions: Path | None = None
    command: str | None = None
    files: Path | None = None
    timeout: float = 1800.0
    model: ModelOptions = field(default_factory=ModelOptions)
    replay_from: Path | None = None  # a recorded run's folder or published trajectories
    replay_verdicts: Path | None = None  # the published verdicts (--verdicts)
    env: Mapping[str, str] = field(default_factory=dict)  # secrets for the agent (--env)


# How each agent is built from a run's dataset, the CLI's options, the run's settings and the
# model rate limit.
AgentFactory = Callable[[str, Dataset, AgentOptions, Settings, RateLimit | None], Agent]


def _gold(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    return GoldAgent(dataset.tasks)


def _empty(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    return EmptyAgent()


def _predictions(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    if options.predictions is None:
        raise InputError("--agent predictions needs --predictions FILE")
    return PredictionsAgent(load_predictions(options.predictions), str(options.predictions))


def _command(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    if not options.command:
        raise InputError("--agent command needs --agent-command 'CMD'")
    if options.files is not None and not options.files.exists():
        raise InputError(f"--agent-files {options.files} does not exist")
    return CommandAgent(options.command, options.files, options.timeout, options.env)


def _model(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    return model_agent(name, dataset, options.model, settings, limit)


def _replay(
    name: str, dataset: Dataset, options: AgentOptions, settings: Settings, limit: RateLimit | None
) -> Agent:
    source = options.replay_from
    if source is None:
        raise InputError("--agent replay needs --from RUN (a recorded run or trajectories)")
    ids = (t.instance_id for t in dataset.tasks)
    if is_published(source):
        return PublishedReplayAgent(source, ids, options.replay_verdicts)
    if options.replay_verdicts is not None:
        raise InputError("--verdicts is for replaying published trajectories")
    return ReplayAgent(source, ids)


# The registry: short name -> factory (the model agents share one, told apart by name).
AGENTS: Mapping[str, AgentFactory] = {
    "gold": _gold,
    "empty": _empty,
    "predictions": _predictions,
    "command": _command,
    "scripted": _model,
    "claude": _model,
    "model": _model,
    "replay": _replay,
}
AGENT_NAMES = tuple(AGENTS)


def make_agent(
    name: str,
    dataset: Dataset,
    options: AgentOptions,
    settings: Settings,
    *,
    limit: RateLimit | None = None,
) -> Agent:
    """Build the agent registered as ``name`` for a run with ``settings`` (``limit``: see
    :func:`model_agent`).

    Raises:
        UnknownNameError: no such agent (lists the valid names).
        InputError: the agent's required option is missing.
    """
    if options.env and name != "command":
        raise InputError(
            f"--env is for --agent command (its command gets the variables); --agent {name} "
            "runs in swe-runner's own process and reads its credentials from its environment"
        )
    factory = AGENTS.get(name)
    if factory is None:
        raise UnknownNameError("agent", name, list(AGENT_NAMES))
    return factory(name, dataset, options, settings, limit)


@dataclass(frozen=True)
class AgentRecipe:
    """How to build an agent somewhere else (on each node of a cluster): the arguments of
    :func:`make_agent` but the dataset and the settings, picklable. Files its options name
    (predictions, agent files, a replayed run, scripts, prompt template, price table) are
    read where it is built."""

    name: str
    options: AgentOptions

    def build(self, dataset: Dataset, settings: Settings, limit: RateLimit | None = None) -> Agent:
        """The agent for a run with ``settings``, its model requests under ``limit`` (None:
        a limit of its own).

        Raises:
            InputError, ConfigError: as :func:`make_agent`.
        """
        return make_agent(self.name, dataset, self.options, settings, limit=limit)

    def endpoint(self) -> tuple[str, str | None] | None:
        """The model API the agent calls: (provider, base URL; None for the provider's
        own), or None for an agent that calls none. run.json records it beside the model,
        so a run id is not resumed against another API."""
        if self.name not in ("claude", "model"):
            return None
        return self.options.model.provider, self.options.model.base_url
