"""The ``replay`` agent: re-runs a recorded run's tool calls, in order, in a fresh container
and says whether they reach the same patch. A different patch means the environment
drifted (an image, a dependency, a tool changed) since the run was recorded."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.errors import InputError
from swe_runner.records import StopReason, TrajectoryStep

__all__ = ["DRIFT", "SAME", "ReplayAgent"]

SAME = "replay: the same patch as recorded"
DRIFT = "replay: drift, the patch differs from the recorded one"


class ReplayAgent:
    """Replays the tool calls recorded in ``source/<instance_id>/trajectory.jsonl``.

    Raises (constructor):
        InputError: ``source`` has no trajectory for some of ``instance_ids`` (the instances
            the run will replay), so the run stops before it starts rather than record them
            as agent errors.
    """

    name = "replay"

    def __init__(self, source: Path, instance_ids: Iterable[str] = ()) -> None:
        self.source = source
        missing = [i for i in instance_ids if not (source / i / "trajectory.jsonl").is_file()]
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise InputError(
                f"--from {source} has no recorded trajectory for {', '.join(missing[:5])}{more}: "
                "replay only the instances it recorded (-i ID)"
            )

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        folder = self.source / problem.instance_id
        trajectory = folder / "trajectory.jsonl"
        if not trajectory.is_file():
            return AgentRun(StopReason.AGENT_ERROR, f"no recorded trajectory in {folder}")
        lines = trajectory.read_text(encoding="utf-8").splitlines()
        steps = [TrajectoryStep.model_validate_json(line) for line in lines if line.strip()]
        for step in steps:
            if step.kind == "tool" and step.name:
                session.turn = step.turn
                session.call(step.name, step.input or {})
        recorded = folder / "patch.diff"
        before = recorded.read_text(encoding="utf-8") if recorded.is_file() else ""
        same = session.sandbox.diff() == before
        return AgentRun(detail=SAME if same else DRIFT, turns=session.turn)
