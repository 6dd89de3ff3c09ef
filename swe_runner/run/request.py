"""What a run is asked to do: :class:`RunRequest`, the fields every kind of run shares, and
one request per kind (:class:`EvalRequest`, :class:`AgentRequest`).

A request carries the run's :class:`~swe_runner.config.Settings` whole (the workers, the
executor, the results folder...), never copies of its fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_runner.agents import Agent, AgentRecipe
from swe_runner.config import Settings
from swe_runner.inputs.dataset import Dataset
from swe_runner.manifest import Exclusion
from swe_runner.rundir import RunDir
from swe_runner.runtime import Runtime
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction

__all__ = ["AgentRequest", "EvalRequest", "RunRequest"]


@dataclass(frozen=True, kw_only=True)
class RunRequest:
    """Run every task of ``dataset`` as run ``run_id`` under ``settings.results_dir``."""

    dataset: Dataset
    run_id: str
    settings: Settings
    retry_errors: bool = False  # redo instances whose report is an infrastructure error
    exclusion: Exclusion | None = None  # --exclude: recorded; the second denominator
    # Resume the run id even if it was made by another agent, model or predictions file,
    # or on other tasks (see swe_runner.run.resume).
    force: bool = False
    runtime: Runtime | None = None  # None: the one settings.runtime names

    @property
    def run(self) -> RunDir:
        """The run's folder."""
        return RunDir(self.settings.results_dir, self.run_id)

    def solver(self) -> tuple[Agent | None, AgentRecipe | None, Secrets]:
        """Who makes the patches (None: they are given, only graded), how each node of a
        Ray cluster builds it, and the secrets masked in everything recorded."""
        return None, None, Secrets.parse(())


@dataclass(frozen=True, kw_only=True)
class EvalRequest(RunRequest):
    """Grade existing predictions."""

    predictions: dict[str, Prediction]
    predictions_source: str


@dataclass(frozen=True, kw_only=True)
class AgentRequest(RunRequest):
    """Let an agent solve each task, then grade its patch."""

    agent: Agent
    # How each node of a Ray cluster builds the agent (settings.executor = "ray"); None:
    # ``agent`` itself is sent there, which only an agent without a model client can be.
    recipe: AgentRecipe | None = None
    timeout: float = 1800.0
    network: str = "none"
    model_name: str | None = None
    secrets: Secrets | None = None  # --env; None: mask only the Anthropic credentials

    def solver(self) -> tuple[Agent | None, AgentRecipe | None, Secrets]:
        return self.agent, self.recipe, self.secrets or Secrets.parse(())
