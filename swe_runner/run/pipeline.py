"""Evaluate predictions, or let an agent solve each task and then evaluate its patch.

Each instance is a :class:`~swe_runner.run.instance.Job`: its named steps (``prepare`` the
image, ``solve`` in an agent container, ``extract`` the patch, ``evaluate`` in a fresh
container) are :func:`~swe_runner.run.instance.perform`, run where the run's executor puts
them (a local worker, a node of a Ray cluster); a :class:`~swe_runner.run.batch.Batch`
records each result, failures, interruptions and resumes. Input problems are found before
the run folder is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_runner.agents import Agent, AgentRecipe
from swe_runner.agents.patching import PredictionsAgent
from swe_runner.config import Settings
from swe_runner.errors import UnknownInstanceError
from swe_runner.inputs.dataset import Dataset
from swe_runner.manifest import AgentInfo, Exclusion
from swe_runner.records import EvalReport
from swe_runner.reporting.summary import Summary
from swe_runner.run.batch import Batch, Events, new_manifest
from swe_runner.run.instance import Job, Solve
from swe_runner.rundir import RunDir
from swe_runner.runtime import Runtime
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction, Task

__all__ = ["AgentRequest", "EvalRequest", "Events", "evaluate_predictions", "run_agent"]


@dataclass(frozen=True, kw_only=True)
class EvalRequest:
    """Grade existing predictions."""

    dataset: Dataset
    predictions: dict[str, Prediction]
    predictions_source: str
    run_id: str
    settings: Settings
    workers: int = 1
    retry_errors: bool = False  # redo instances whose report is an infrastructure error
    exclusion: Exclusion | None = None  # --exclude: recorded; the second denominator
    force: bool = False  # resume the run id even if made from other predictions or tasks
    runtime: Runtime | None = None  # None: the one settings.runtime names


@dataclass(frozen=True, kw_only=True)
class AgentRequest:
    """Let an agent solve each task, then grade its patch."""

    dataset: Dataset
    agent: Agent
    run_id: str
    settings: Settings
    # How each node of a Ray cluster builds the agent (settings.executor = "ray"); None:
    # ``agent`` itself is sent there, which only an agent without a model client can be.
    recipe: AgentRecipe | None = None
    workers: int = 1
    timeout: float = 1800.0
    network: str = "none"
    model_name: str | None = None
    retry_errors: bool = False  # redo instances whose report is an infrastructure error
    secrets: Secrets | None = None  # --env; None: mask only the Anthropic credentials
    exclusion: Exclusion | None = None  # --exclude: recorded; the second denominator
    force: bool = False  # resume the run id even if made by another agent or on other tasks
    runtime: Runtime | None = None  # None: the one settings.runtime names


def match_predictions(
    tasks: tuple[Task, ...], predictions: dict[str, Prediction], source: str
) -> dict[str, Prediction]:
    """The predictions by task, in task order. A task without one is not graded: its
    result is ``missing`` (not resolved), not an empty patch.

    Raises:
        UnknownInstanceError: a prediction names an instance the dataset does not hold.
    """
    stray = sorted(set(predictions) - {t.instance_id for t in tasks})
    if stray:
        more = f" (and {len(stray) - 3} more)" if len(stray) > 3 else ""
        names = ", ".join(map(repr, stray[:3]))
        raise UnknownInstanceError(f"{source}: prediction for unknown instance {names}{more}")
    return {
        t.instance_id: predictions[t.instance_id] for t in tasks if t.instance_id in predictions
    }


def evaluate_predictions(req: EvalRequest, events: Events | None = None) -> Summary:
    """Grade every task of ``req.dataset`` against its prediction; resume a finished part.

    Raises:
        InputError: bad predictions, or an existing run made from other predictions or on
            another dataset (unless ``req.force``); nothing is written.
        DockerUnavailableError: the daemon is down and something needs a container.
    """
    preds = match_predictions(req.dataset.tasks, req.predictions, req.predictions_source)
    run = RunDir(req.settings.results_dir, req.run_id)
    source = req.predictions_source
    manifest = new_manifest(req.run_id, req.dataset, req.settings, source, exclusion=req.exclusion)
    with Batch.open(
        req.dataset,
        req.settings,
        run,
        events or Events(),
        manifest,
        workers=req.workers,
        force=req.force,
        runtime=req.runtime,
        needs_runtime=any(not p.is_empty for p in preds.values()),
    ) as batch:
        reused: list[EvalReport] = []
        pending: list[tuple[Task, Prediction]] = []
        for task in (t for t in req.dataset.tasks if t.instance_id in preds):
            pred = preds[task.instance_id]
            old = batch.finished(task.instance_id, req.retry_errors)
            if old is not None and run.saved_patch(task.instance_id) == (pred.model_patch or ""):
                reused.append(old)
            else:
                pending.append((task, pred))
        ahead = [t for t, p in pending if not p.is_empty]
        jobs: list[Job] = []
        for task, pred in pending:
            later = ahead[ahead.index(task) + batch.lookahead :] if task in ahead else []
            warm = later[0] if later and batch.lookahead else None
            where = req.dataset.repo_sources.get(task.repo)
            jobs.append(Job(task=task, prediction=pred, source=where, warm=warm))
        reports = batch.execute(jobs, reused)
        return batch.finish(reports, list(preds.values()))


def run_agent(req: AgentRequest, events: Events | None = None) -> Summary:
    """Let ``req.agent`` solve every task, then grade each patch in a fresh container.
    Instances with a report are kept; the rest (new, failed mid-way, interrupted) are run.

    Raises:
        InputError: an existing run made by another agent or on another dataset (unless
            ``req.force``).
        DockerUnavailableError: the daemon is down.
    """
    provider, base_url = (req.recipe and req.recipe.endpoint()) or (None, None)
    agent = AgentInfo(
        name=req.agent.name, model=req.model_name, provider=provider, base_url=base_url
    )
    source = req.agent.source if isinstance(req.agent, PredictionsAgent) else None
    manifest = new_manifest(
        req.run_id, req.dataset, req.settings, source, agent=agent, exclusion=req.exclusion
    )
    model = req.model_name or req.agent.name
    run = RunDir(req.settings.results_dir, req.run_id)
    with Batch.open(
        req.dataset,
        req.settings,
        run,
        events or Events(),
        manifest,
        workers=req.workers,
        agent=req.agent,
        recipe=req.recipe,
        secrets=req.secrets,
        force=req.force,
        runtime=req.runtime,
    ) as batch:
        reused: list[EvalReport] = []
        jobs: list[Job] = []
        solve = Solve(timeout=req.timeout, network=req.network)
        for task in req.dataset.tasks:
            if isinstance(req.agent, PredictionsAgent) and not req.agent.predicts(task.instance_id):
                continue  # no prediction: missing, as with `evaluate`
            old = batch.finished(task.instance_id, req.retry_errors)
            if old is not None:
                reused.append(old)
            else:
                empty = Prediction(instance_id=task.instance_id, model_name_or_path=model)
                where = req.dataset.repo_sources.get(task.repo)
                jobs.append(Job(task=task, prediction=empty, source=where, solve=solve))
        reports = batch.execute(jobs, reused)
        predictions = [
            Prediction(
                instance_id=t.instance_id,
                model_name_or_path=model,
                model_patch=run.saved_patch(t.instance_id),
            )
            for t in req.dataset.tasks
            if t.instance_id in reports
        ]
        return batch.finish(reports, predictions)
