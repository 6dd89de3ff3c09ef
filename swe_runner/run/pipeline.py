"""Evaluate predictions, or let an agent solve each task and then evaluate its patch.

Each kind of run has a planner (:func:`plan_evaluation`, :func:`plan_agent_run`): from the
request and what the run folder already holds, the :class:`~swe_runner.run.batch.Plan`
(the jobs, the reports a resume keeps, what run.json records). Each instance is a
:class:`~swe_runner.run.instance.Job`: its named steps (``prepare`` the image, ``solve``
in an agent container, ``extract`` the patch, ``evaluate`` in a fresh container) are
:func:`~swe_runner.run.instance.perform`, run where the run's executor puts them (a local
worker, a node of a Ray cluster); :func:`~swe_runner.run.batch.run_batch` carries the plan
out and records each result, failures, interruptions and resumes. Input problems are found
before the run folder is made.
"""

from __future__ import annotations

from swe_runner.agents.patching import PredictionsAgent
from swe_runner.errors import UnknownInstanceError
from swe_runner.manifest import AgentInfo
from swe_runner.records import EvalReport
from swe_runner.reporting.summary import Summary
from swe_runner.run.batch import Events, Plan, new_manifest, run_batch
from swe_runner.run.instance import Job, Solve
from swe_runner.run.request import AgentRequest, EvalRequest
from swe_runner.run.resume import kept_reports
from swe_runner.task import Prediction, Task

__all__ = [
    "evaluate_predictions",
    "match_predictions",
    "plan_agent_run",
    "plan_evaluation",
    "run_agent",
]


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
    return run_batch(req, plan_evaluation(req), events)


def run_agent(req: AgentRequest, events: Events | None = None) -> Summary:
    """Let ``req.agent`` solve every task, then grade each patch in a fresh container.
    Instances with a report are kept; the rest (new, failed mid-way, interrupted) are run.

    Raises:
        InputError: an existing run made by another agent or on another dataset (unless
            ``req.force``).
        DockerUnavailableError: the daemon is down.
    """
    return run_batch(req, plan_agent_run(req), events)


def plan_evaluation(req: EvalRequest) -> Plan:
    """A job for every task with a prediction, but those whose report a resume keeps (made
    from the same patch).

    Raises:
        UnknownInstanceError: a prediction names an instance the dataset does not hold.
    """
    preds = match_predictions(req.dataset.tasks, req.predictions, req.predictions_source)
    run, source = req.run, req.predictions_source
    manifest = new_manifest(req.run_id, req.dataset, req.settings, source, exclusion=req.exclusion)
    kept = kept_reports(run, preds, req.retry_errors)
    reused: list[EvalReport] = []
    jobs: list[Job] = []
    for task in (t for t in req.dataset.tasks if t.instance_id in preds):
        pred = preds[task.instance_id]
        old = kept.get(task.instance_id)
        if old is not None and run.saved_patch(task.instance_id) == (pred.model_patch or ""):
            reused.append(old)
        else:
            where = req.dataset.repo_sources.get(task.repo)
            jobs.append(Job(task=task, prediction=pred, source=where))
    return Plan(
        manifest=manifest,
        jobs=jobs,
        reused=reused,
        predictions=lambda _: list(preds.values()),
        needs_runtime=any(not p.is_empty for p in preds.values()),
    )


def plan_agent_run(req: AgentRequest) -> Plan:
    """A job (the agent's, then grading) for every task but those whose report a resume
    keeps; a predictions agent's tasks without a prediction are left out (missing)."""
    provider, base_url = (req.recipe and req.recipe.endpoint()) or (None, None)
    agent = AgentInfo(
        name=req.agent.name, model=req.model_name, provider=provider, base_url=base_url
    )
    source = req.agent.source if isinstance(req.agent, PredictionsAgent) else None
    manifest = new_manifest(
        req.run_id, req.dataset, req.settings, source, agent=agent, exclusion=req.exclusion
    )
    model = req.model_name or req.agent.name
    run = req.run
    kept = kept_reports(run, (t.instance_id for t in req.dataset.tasks), req.retry_errors)
    reused: list[EvalReport] = []
    jobs: list[Job] = []
    solve = Solve(timeout=req.timeout, network=req.network)
    for task in req.dataset.tasks:
        if isinstance(req.agent, PredictionsAgent) and not req.agent.predicts(task.instance_id):
            continue  # no prediction: missing, as with `evaluate`
        old = kept.get(task.instance_id)
        if old is not None:
            reused.append(old)
        else:
            empty = Prediction(instance_id=task.instance_id, model_name_or_path=model)
            where = req.dataset.repo_sources.get(task.repo)
            jobs.append(Job(task=task, prediction=empty, source=where, solve=solve))

    def predictions(reports: dict[str, EvalReport]) -> list[Prediction]:
        """The patches the agent made (saved beside each report), in task order."""
        return [
            Prediction(
                instance_id=t.instance_id,
                model_name_or_path=model,
                model_patch=run.saved_patch(t.instance_id),
            )
            for t in req.dataset.tasks
            if t.instance_id in reports
        ]

    return Plan(manifest=manifest, jobs=jobs, reused=reused, predictions=predictions)
