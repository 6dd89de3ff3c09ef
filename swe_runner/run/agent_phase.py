"""The agent phase's part of an instance's report (pure: no container, no Docker).

The pipeline and ``report --regrade`` both finish a graded report with it.
"""

from __future__ import annotations

from swe_runner.records import EvalReport, Outcome, StopReason

__all__ = ["charge_model_api"]


def charge_model_api(report: EvalReport) -> EvalReport:
    """An agent stopped by the model API failing, whose patch did not resolve the task, is
    ``error``: the service failed, not the model (the patch is still graded, and kept)."""
    if report.stop_reason is StopReason.API_ERROR and not report.resolved:
        return report.model_copy(
            update={"outcome": Outcome.ERROR, "error": f"model API: {report.stop_detail}"}
        )
    return report
