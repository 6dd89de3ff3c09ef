"""Agents behind one interface, and the registry from short name to agent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from swe_runner.agents.base import Agent, AgentRun, Problem, Session
from swe_runner.agents.command import CommandAgent
from swe_runner.agents.patching import EmptyAgent, GoldAgent, PredictionsAgent
from swe_runner.dataset import Dataset, load_predictions
from swe_runner.errors import InputError, UnknownNameError

__all__ = ["AGENT_NAMES", "Agent", "AgentOptions", "AgentRun", "Problem", "Session", "make_agent"]

AGENT_NAMES = ("gold", "empty", "predictions", "command")


@dataclass(frozen=True)
class AgentOptions:
    """What the CLI knows that some agents need."""

    predictions: Path | None = None
    command: str | None = None
    files: Path | None = None
    timeout: float = 1800.0


def make_agent(name: str, dataset: Dataset, options: AgentOptions) -> Agent:
    """Build the agent registered as ``name``.

    Raises:
        UnknownNameError: no such agent (lists the valid names).
        InputError: the agent's required option is missing.
    """
    if name == "gold":
        return GoldAgent(dataset.tasks)
    if name == "empty":
        return EmptyAgent()
    if name == "predictions":
        if options.predictions is None:
            raise InputError("--agent predictions needs --predictions FILE")
        return PredictionsAgent(load_predictions(options.predictions))
    if name == "command":
        if not options.command:
            raise InputError("--agent command needs --agent-command 'CMD'")
        if options.files is not None and not options.files.exists():
            raise InputError(f"--agent-files {options.files} does not exist")
        return CommandAgent(options.command, options.files, options.timeout)
    raise UnknownNameError("agent", name, list(AGENT_NAMES))
