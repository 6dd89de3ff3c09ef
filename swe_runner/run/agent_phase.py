"""The agent phase's part of an instance's report (pure: no container, no Docker).

The pipeline and ``report --regrade`` both finish a graded report with it.
"""

from __future__ import annotations

from swe_runner.records import AgentPhase, EvalReport, Outcome, StopReason
from swe_runner.replay_records import ReplayResult

__all__ = ["charge_model_api", "with_agent_phase"]


def with_agent_phase(
    report: EvalReport, phase: AgentPhase, replay: ReplayResult | None = None
) -> EvalReport:
    """The graded ``report`` with what the agent phase recorded (a replay: its figures),
    the model API's failure charged to the infrastructure (:func:`charge_model_api`)."""
    update = {"agent_phase": phase, "replay": replay}
    return charge_model_api(report.model_copy(update=update))


def charge_model_api(report: EvalReport) -> EvalReport:
    """An agent stopped by the model API failing, whose patch did not resolve the task, is
    ``error``: the service failed, not the model (the patch is still graded, and kept)."""
    phase = report.agent_phase
    if phase.stop_reason is StopReason.API_ERROR and not report.resolved:
        return report.model_copy(
            update={"outcome": Outcome.ERROR, "error": f"model API: {phase.stop_detail}"}
        )
    return report
