"""Agents that apply a known patch inside the sandbox through the bash tool: ``gold`` (the
reference fix, a check of the harness itself) and ``predictions`` (a replayed SWE-bench
predictions file)."""

from __future__ import annotations

import secrets

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.patch import apply_function
from swe_runner.records import StopReason
from swe_runner.task import Prediction, Task

__all__ = ["GoldAgent", "PredictionsAgent", "apply_through_bash"]


def apply_through_bash(session: Session, patch: str) -> bool:
    """Write ``patch`` with a heredoc and apply it (git apply, then patch); True if applied."""
    marker = f"SWE_RUNNER_PATCH_{secrets.token_hex(8)}"
    body = patch if patch.endswith("\n") else patch + "\n"
    path = f"/tmp/{marker}.diff"
    session.call("bash", {"command": f"cat > {path} <<'{marker}'\n{body}{marker}"})
    ok = f"{marker}_APPLIED"
    script = f"{apply_function('swe_runner_apply', ok)}\nswe_runner_apply {path}; rm -f {path}"
    result = session.call("bash", {"command": script})
    return f"{ok} " in result.output


class GoldAgent:
    """Applies each task's gold patch: resolves everything on a sound suite and harness."""

    name = "gold"

    def __init__(self, tasks: tuple[Task, ...]) -> None:
        self.patches = {t.instance_id: t.patch for t in tasks}

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        if not apply_through_bash(session, self.patches[problem.instance_id]):
            return AgentRun(StopReason.AGENT_ERROR, "the gold patch did not apply")
        return AgentRun()


class EmptyAgent:
    """Does nothing: the floor every agent should beat (0% on a sound suite)."""

    name = "empty"

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        return AgentRun()


class PredictionsAgent:
    """Replays a predictions file: applies each instance's ``model_patch`` in the sandbox."""

    name = "predictions"

    def __init__(self, predictions: dict[str, Prediction], source: str | None = None) -> None:
        self.predictions = predictions
        self.source = source  # the file, recorded in run.json

    def predicts(self, instance_id: str) -> bool:
        """Whether the file has a row for ``instance_id`` (else: missing, never run)."""
        return instance_id in self.predictions

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        prediction = self.predictions.get(problem.instance_id)
        if prediction is None or prediction.is_empty:
            return AgentRun(detail="no prediction for this instance")
        patch = prediction.model_patch or ""
        if not apply_through_bash(session, patch):
            # Graded as given, so the report says patch_failed rather than empty_patch.
            return AgentRun(detail="the prediction did not apply in the sandbox", patch=patch)
        return AgentRun()
