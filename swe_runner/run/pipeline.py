"""Evaluate predictions, or let an agent solve each task and then evaluate its patch.

Each instance is a list of named steps (``prepare`` the image, ``solve`` in an agent
container, ``extract`` the patch, ``evaluate`` in a fresh container, ``write``), run as
one guarded piece of work of a :class:`~swe_runner.run.batch.Batch` (which records failures,
interruptions and resumes). Input problems are found before the run folder is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from swe_runner.agents import Agent, AgentRun, Problem, Session
from swe_runner.agents.patching import PredictionsAgent
from swe_runner.config import Settings
from swe_runner.errors import LimitExceededError, UnknownInstanceError
from swe_runner.grading.evaluation import evaluate
from swe_runner.inputs.dataset import Dataset
from swe_runner.manifest import AgentInfo, Exclusion
from swe_runner.records import AgentPhase, EvalReport, TrajectoryStep
from swe_runner.reporting.summary import Summary
from swe_runner.run.agent_phase import with_agent_phase
from swe_runner.run.batch import Batch, Events, InstanceResult, Work, new_manifest
from swe_runner.rundir import RunDir
from swe_runner.runtime import Runtime
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction, Task
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

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
        force=req.force,
        runtime=req.runtime,
        needs_runtime=any(not p.is_empty for p in preds.values()),
    ) as batch:

        def work(task: Task, pred: Prediction, after: Task | None) -> InstanceResult:
            image = "" if pred.is_empty else batch.image(task)
            batch.warm(after)  # its sandbox starts while this one's tests run
            result = evaluate(task, pred, image, batch.runtime)
            return InstanceResult(result.report, pred.model_patch, result.script, result.log)

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
        todo: list[tuple[Task, Prediction, Work]] = []
        for task, pred in pending:
            later = ahead[ahead.index(task) + req.workers :] if task in ahead else []
            todo.append((task, pred, partial(work, task, pred, later[0] if later else None)))
        reports = batch.execute(todo, reused, req.workers)
        return batch.finish(reports, list(preds.values()))


def _solve(
    batch: Batch, req: AgentRequest, task: Task, image: str
) -> tuple[AgentRun, str, list[TrajectoryStep]]:
    """Steps ``solve`` and ``extract``: the agent works in its own sandbox."""
    sandbox = batch.runtime.agent_sandbox(image, task, req.network)
    try:
        session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)], req.timeout)
        try:
            outcome = req.agent.solve(Problem.of(task, sandbox.workdir), session)
            patch = outcome.patch if outcome.patch is not None else sandbox.diff()
        finally:
            session.close()
            filled = sandbox.limit_reached()  # the agent's commands filled the disk: whatever
            if filled is not None:  # else happened, that is the instance's outcome
                raise LimitExceededError(f"agent container: {filled}")
    finally:
        sandbox.close()
    session.record(
        TrajectoryStep(  # after the last turn, not a turn of its own
            kind="stop",
            turn=session.turn,
            stop_reason=outcome.stop_reason,
            detail=outcome.detail,
        )
    )
    return outcome, patch, session.steps


def run_agent(req: AgentRequest, events: Events | None = None) -> Summary:
    """Let ``req.agent`` solve every task, then grade each patch in a fresh container.
    Instances with a report are kept; the rest (new, failed mid-way, interrupted) are run.

    Raises:
        InputError: an existing run made by another agent or on another dataset (unless
            ``req.force``).
        DockerUnavailableError: the daemon is down.
    """
    agent = AgentInfo(name=req.agent.name, model=req.model_name)
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
        secrets=req.secrets,
        force=req.force,
        runtime=req.runtime,
    ) as batch:

        def work(task: Task) -> InstanceResult:
            image = batch.image(task)
            batch.runtime.warm(image)  # the evaluation sandbox starts while the agent works
            began = time.monotonic()
            outcome, patch, steps = _solve(batch, req, task, image)
            patch = batch.secrets.redact(patch)  # graded as recorded: no secret reaches a sandbox
            agent_time = round(time.monotonic() - began, 3)
            pred = Prediction(
                instance_id=task.instance_id, model_name_or_path=model, model_patch=patch
            )
            result = evaluate(task, pred, image, batch.runtime)
            phase = AgentPhase(
                agent=req.agent.name,
                stop_reason=outcome.stop_reason,
                stop_detail=outcome.detail,
                turns=outcome.turns,
                usage=outcome.usage,
                cost_usd=outcome.cost_usd,
                agent_time_s=agent_time,
            )
            report = with_agent_phase(result.report, phase)
            return InstanceResult(report, patch, result.script, result.log, steps)

        reused: list[EvalReport] = []
        todo: list[tuple[Task, Prediction, Work]] = []
        for task in req.dataset.tasks:
            if isinstance(req.agent, PredictionsAgent) and not req.agent.predicts(task.instance_id):
                continue  # no prediction: missing, as with `evaluate`
            old = batch.finished(task.instance_id, req.retry_errors)
            if old is not None:
                reused.append(old)
            else:
                empty = Prediction(instance_id=task.instance_id, model_name_or_path=model)
                todo.append((task, empty, partial(work, task)))
        reports = batch.execute(todo, reused, req.workers)
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
