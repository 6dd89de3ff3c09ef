"""The ``replay`` agent: re-runs a recorded run's tool calls, in order, in a fresh container
and says whether they reach the same patch. A different patch means the environment
drifted (an image, a dependency, a tool changed) since the run was recorded."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.errors import InputError
from swe_runner.records import StopReason, TrajectoryStep
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

__all__ = ["REPLAYABLE", "ReplayAgent", "ReplayVerdict"]


class ReplayVerdict(StrEnum):
    """Whether a replay reached the recorded patch: the report's ``stop_detail``."""

    SAME = "replay: the same patch as recorded"
    DRIFT = "replay: drift, the patch differs from the recorded one"


# The tools of every agent session (pipeline): what a replay can call again. A command
# agent's run records its whole command as one `command` step, which no tool re-runs.
REPLAYABLE = (BashTool.name, EditorTool.name)


def _few(ids: list[str]) -> str:
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
                f"--from {source} has no recorded trajectory for {_few(missing)}: "
                "replay only the instances it recorded (-i ID)"
            )
        self.steps = {i: _read_steps(source / i / "trajectory.jsonl") for i in ids}
        foreign: dict[str, list[str]] = {}
        for iid, steps in self.steps.items():
            for tool in {s.name for s in steps if s.kind == "tool" and s.name} - set(REPLAYABLE):
                foreign.setdefault(tool, []).append(iid)
        if foreign:
            calls = "; ".join(f"{t!r} in {_few(sorted(i))}" for t, i in sorted(foreign.items()))
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
        for step in steps:
            if step.kind == "tool" and step.name:
                session.turn = step.turn
                session.call(step.name, step.input or {})
        recorded = folder / "patch.diff"
        before = recorded.read_text(encoding="utf-8") if recorded.is_file() else ""
        same = session.sandbox.diff() == before
        verdict = ReplayVerdict.SAME if same else ReplayVerdict.DRIFT
        return AgentRun(detail=verdict.value, turns=session.turn)
