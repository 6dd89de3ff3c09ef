"""One instance's steps, wherever they run: a picklable :class:`Job` and one function,
:func:`attempt`, that turns it into an :class:`InstanceResult` with a runtime and an agent.

Both executors call it: the local one in a thread of this process, the Ray one on a node
of the cluster (a :class:`Station` per node, built there by a :class:`NodeKit`). Failures
of the instance become its report here, once, so a result always comes back; recording it
(masking secrets, writing the files, progress) is the driver's part
(:mod:`swe_runner.run.batch`).
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from swe_runner.agents import Agent, AgentRecipe, AgentRun, Problem, Session
from swe_runner.config import Settings
from swe_runner.errors import LimitExceededError
from swe_runner.executors.base import NodeServices
from swe_runner.grading.evaluation import evaluate
from swe_runner.grading.outcome import report_without_run
from swe_runner.inputs.dataset import Dataset
from swe_runner.records import AgentPhase, EvalReport, Outcome, TrajectoryStep
from swe_runner.run.agent_phase import with_agent_phase
from swe_runner.runtime import Runtime, open_runtime
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction, Task
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

__all__ = ["InstanceResult", "Job", "NodeKit", "Solve", "Station", "attempt", "failed", "perform"]


@dataclass
class InstanceResult:
    """What one instance leaves: its report and the files recorded beside it."""

    report: EvalReport
    patch: str | None = None
    script: str | None = None
    log: str | None = None
    trajectory: list[TrajectoryStep] | None = None

    def redacted(self, secrets: Secrets) -> InstanceResult:
        """This result with every secret masked, as it is recorded and shown."""
        if not secrets:
            return self
        hide, mask = secrets.redact_data, secrets.redact
        steps = self.trajectory
        return InstanceResult(
            EvalReport.model_validate(hide(self.report.model_dump(mode="json"))),
            None if self.patch is None else mask(self.patch),
            None if self.script is None else mask(self.script),
            None if self.log is None else mask(self.log),
            None
            if steps is None
            else [TrajectoryStep.model_validate(hide(s.model_dump(mode="json"))) for s in steps],
        )


@dataclass(frozen=True, kw_only=True)
class Solve:
    """An agent solves the task first, for at most ``timeout`` seconds, in a sandbox on
    ``network``."""

    timeout: float
    network: str


@dataclass(frozen=True, kw_only=True)
class Job:
    """One instance's work, picklable: grade ``prediction``, or (``solve``) let the agent
    make the patch first (``prediction`` is then the empty one it fills)."""

    task: Task
    prediction: Prediction
    source: Path | None = None  # the suite's own copy of the repository, for image builds
    warm: Task | None = None  # start this task's evaluation sandbox early (evaluate)
    solve: Solve | None = None
    run_empty: bool = False  # an empty patch's tests run too (the gold gate's take without it)

    @property
    def key(self) -> str:
        return self.task.instance_id

    @property
    def group(self) -> str:
        """The environment it needs: instances of one group share most of an image."""
        return f"{self.task.repo}@{self.task.version}"


def perform(job: Job, runtime: Runtime, agent: Agent | None, secrets: Secrets) -> InstanceResult:
    """The steps ``prepare``, (``solve``, ``extract``), ``evaluate``: raises on failure.

    Raises:
        SweRunnerError, OSError...: anything that stopped the instance.
    """
    task, pred = job.task, job.prediction
    if job.solve is None:
        image = "" if pred.is_empty and not job.run_empty else runtime.image(task, job.source)
        ahead = None if job.warm is None else runtime.image_ready(job.warm)
        if ahead is not None:
            runtime.warm(ahead)  # its sandbox starts while this one's tests run
        result = evaluate(task, pred, image, runtime, run_empty=job.run_empty)
        return InstanceResult(result.report, pred.model_patch, result.script, result.log)
    if agent is None:
        raise ValueError("a job with an agent phase needs an agent")
    image = runtime.image(task, job.source)
    runtime.warm(image)  # the evaluation sandbox starts while the agent works
    began = time.monotonic()
    outcome, patch, steps = _solve(runtime, agent, job.solve, task, image)
    patch = secrets.redact(patch)  # graded as recorded: no secret reaches a sandbox
    agent_time = round(time.monotonic() - began, 3)
    pred = pred.model_copy(update={"model_patch": patch})
    result = evaluate(task, pred, image, runtime)
    phase = AgentPhase(
        agent=agent.name,
        stop_reason=outcome.stop_reason,
        stop_detail=outcome.detail,
        turns=outcome.turns,
        usage=outcome.usage,
        cost_usd=outcome.cost_usd,
        agent_time_s=agent_time,
    )
    report = with_agent_phase(result.report, phase, outcome.replay)
    return InstanceResult(report, patch, result.script, result.log, steps)


def _solve(
    runtime: Runtime, agent: Agent, solve: Solve, task: Task, image: str
) -> tuple[AgentRun, str, list[TrajectoryStep]]:
    """Steps ``solve`` and ``extract``: the agent works in its own sandbox."""
    sandbox = runtime.agent_sandbox(image, task, solve.network)
    try:
        session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)], solve.timeout)
        try:
            outcome = agent.solve(Problem.of(task, sandbox.workdir), session)
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


def failed(job: Job, error: str, trace: str | None = None) -> InstanceResult:
    """The result of an instance that failed with ``error`` outside its steps (the node
    it ran on was lost too often...): its ``error`` report."""
    report = report_without_run(job.task, job.prediction, Outcome.ERROR, error, trace)
    return InstanceResult(report, job.prediction.model_patch)


def attempt(job: Job, runtime: Runtime, agent: Agent | None, secrets: Secrets) -> InstanceResult:
    """:func:`perform`, its failure caught and made the instance's report (``error``, or
    ``limit_exceeded`` when the task's own code passed a limit), timed."""
    began = time.perf_counter()
    try:
        result = perform(job, runtime, agent, secrets)
    except Exception as exc:
        limit = isinstance(exc, LimitExceededError)  # the task's doing, not the machine's
        report = report_without_run(
            job.task,
            job.prediction,
            Outcome.LIMIT_EXCEEDED if limit else Outcome.ERROR,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        result = InstanceResult(report, job.prediction.model_patch)
    timings = {**result.report.timings, "instance": round(time.perf_counter() - began, 3)}
    result.report = result.report.model_copy(update={"timings": timings})
    return result


class Station:
    """Where jobs run in one place (this process, or one node of a cluster): a runtime,
    the run's agent (None: grading only) and the secrets a patch is masked of."""

    def __init__(self, runtime: Runtime, agent: Agent | None, secrets: Secrets) -> None:
        self.runtime, self.agent, self.secrets = runtime, agent, secrets

    def run(self, job: Job) -> InstanceResult:
        return attempt(job, self.runtime, self.agent, self.secrets)

    def versions(self) -> dict[str, str]:
        return self.runtime.versions()

    def remove_all(self) -> int:
        return self.runtime.remove_all()

    def close(self) -> None:
        self.runtime.close()


@dataclass(frozen=True)
class NodeKit:
    """How each node of a cluster builds its :class:`Station` (picklable): the settings
    and labels of its runtime, the agent (a recipe, built there, or a picklable agent),
    and the variables of the driver's environment it needs there (``environ``: the model
    API's credentials, the owner of the containers)."""

    settings: Settings
    labels: dict[str, str]
    dataset: Dataset
    agent: AgentRecipe | Agent | None = None
    secrets: Secrets = field(default_factory=Secrets)
    environ: dict[str, str] = field(default_factory=dict)

    def __call__(self, services: NodeServices) -> Station:
        """The node's station (its runtime opened, its agent built), in a process of the
        node's own (an actor's), whose environment takes ``environ``.

        Raises:
            InputError, ConfigError: the agent cannot be built there (a missing file or key).
        """
        os.environ.update(self.environ)
        runtime = open_runtime(self.settings, self.labels, services.notify)
        agent = self.agent
        if isinstance(agent, AgentRecipe):
            agent = agent.build(self.dataset, self.settings, services.rate_limit)
        return Station(runtime, agent, self.secrets)
