"""The ``replay`` agent: re-runs a recorded run's tool calls, in order, in a fresh container
and says whether they reach the same patch. A different patch means the environment
drifted (an image, a dependency, a tool changed) since the run was recorded. Each call's
output is compared with the recorded one (:mod:`swe_runner.agents.drift`); the report gets
the figures (:class:`~swe_runner.replay_records.ReplayResult`), the recorded verdict beside.

Published trajectories of other scaffolds are replayed by
:mod:`swe_runner.agents.replay_published`, behind the same name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.drift import check_step, compare_submissions
from swe_runner.errors import InputError
from swe_runner.inputs.published import RecordedStep, StepKind
from swe_runner.records import EvalReport, StopReason, TrajectoryStep
from swe_runner.replay_records import ReplayResult, StepCheck, StepStatus, SubmissionMatch
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

__all__ = ["REPLAYABLE", "ReplayAgent", "ReplayVerdict", "few"]


class ReplayVerdict(StrEnum):
    """Whether a replay reached the recorded patch: the report's ``stop_detail``."""

    SAME = "replay: the same patch as recorded"
    DRIFT = "replay: drift, the patch differs from the recorded one"


# The tools of every agent session (pipeline): what a replay can call again. A command
# agent's run records its whole command as one `command` step, which no tool re-runs.
REPLAYABLE = (BashTool.name, EditorTool.name)


def few(ids: list[str]) -> str:
    """At most five of ``ids``, and how many more."""
    return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _read_steps(trajectory: Path) -> list[TrajectoryStep]:
    """The recorded steps. Raises InputError: the file is not a trajectory."""
    try:
        lines = trajectory.read_text(encoding="utf-8").splitlines()
        return [TrajectoryStep.model_validate_json(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise InputError(f"--from: unreadable trajectory {trajectory}: {exc}") from None


class ReplayAgent:
    """Replays the tool calls recorded in ``source/<instance_id>/trajectory.jsonl``.

    Raises (constructor):
        InputError: ``source`` has no trajectory for some of ``instance_ids`` (the instances
            the run will replay), or one calls a tool a replay cannot run (a command agent's
            run), so the run stops before it starts rather than record agent errors or drift.
    """

    name = "replay"

    def __init__(self, source: Path, instance_ids: Iterable[str] = ()) -> None:
        self.source = source
        ids = list(instance_ids)
        missing = [i for i in ids if not (source / i / "trajectory.jsonl").is_file()]
        if missing:
            raise InputError(
                f"--from {source} has no recorded trajectory for {few(missing)}: "
                "replay only the instances it recorded (-i ID)"
            )
        self.steps = {i: _read_steps(source / i / "trajectory.jsonl") for i in ids}
        foreign: dict[str, list[str]] = {}
        for iid, steps in self.steps.items():
            for tool in {s.name for s in steps if s.kind == "tool" and s.name} - set(REPLAYABLE):
                foreign.setdefault(tool, []).append(iid)
        if foreign:
            calls = "; ".join(f"{t!r} in {few(sorted(i))}" for t, i in sorted(foreign.items()))
            raise InputError(
                f"--from {source} cannot be replayed: it calls tools a replay cannot run "
                f"({calls}); replay re-runs only {' and '.join(REPLAYABLE)} calls, as the "
                "model agents (claude, model, scripted) and gold record them, not a command agent"
            )

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        folder = self.source / problem.instance_id
        trajectory = folder / "trajectory.jsonl"
        if not trajectory.is_file():
            return AgentRun(StopReason.AGENT_ERROR, f"no recorded trajectory in {folder}")
        steps = self.steps.get(problem.instance_id) or _read_steps(trajectory)
        calls = [s for s in steps if s.kind == "tool" and s.name]
        checks = []
        for number, step in enumerate(calls, start=1):
            session.turn = step.turn
            result = session.call(step.name or "", step.input or {})
            check = _check(number, step, result.output, result.is_error)
            session.steps[-1] = session.steps[-1].model_copy(update={"replay": check})
            checks.append(check)
        recorded = folder / "patch.diff"
        before = recorded.read_text(encoding="utf-8") if recorded.is_file() else ""
        match, differ = compare_submissions(session.sandbox.diff(), before)
        verdict = ReplayVerdict.SAME if match is SubmissionMatch.SAME else ReplayVerdict.DRIFT
        drifted = [c.step for c in checks if c.status is StepStatus.DRIFT]
        figures = ReplayResult(
            source=f"swe-runner run {self.source.name}",
            steps=len(calls),
            steps_replayed=len(calls),
            steps_drifted=len(drifted),
            first_drift=drifted[0] if drifted else None,
            submission=match,
            files_differ=differ,
            published_resolved=_recorded_verdict(folder),
        )
        return AgentRun(detail=verdict.value, turns=session.turn, replay=figures)


def _check(number: int, step: TrajectoryStep, output: str, is_error: bool) -> StepCheck:
    """A replayed call against the recorded one: its error flag, then its output."""
    recorded = RecordedStep(
        number, StepKind.SHELL, "", output=step.output, exit_code=int(bool(step.is_error))
    )
    return check_step(recorded, int(is_error), False, output)


def _recorded_verdict(folder: Path) -> bool | None:
    path = folder / "report.json"
    try:
        return EvalReport.from_swebench(json.loads(path.read_text(encoding="utf-8"))).resolved
    except (OSError, ValueError):
        return None
