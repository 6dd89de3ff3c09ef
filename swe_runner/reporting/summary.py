"""Summarise a run: counts by outcome, pass rate with a Wilson 95% interval, wall time.

The pass rate's denominator is every task of the run: errors, empty and failed patches
count as not resolved and are shown in their own columns, and so do tasks with no result
(``missing``: no prediction for them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from swe_runner.manifest import Exclusion
from swe_runner.records import SCHEMA_VERSION, EvalReport, Outcome
from swe_runner.reporting.excluded import Excluding, excluding
from swe_runner.reporting.stats import wilson_interval

__all__ = ["InstanceRow", "Summary", "summarize", "total_cost"]


class InstanceRow(BaseModel):
    instance_id: str
    outcome: Outcome
    error: str | None = None
    failing_tests: list[str] = Field(default_factory=list)
    stop_reason: str | None = None
    tokens: int = 0
    cost_usd: float | None = None


class Summary(BaseModel):
    """What ``summary.json`` holds."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    total: int
    counts: dict[Outcome, int]
    pass_rate: float
    ci95: tuple[float, float]
    excluding: Excluding | None = None  # --exclude: the pass rate without known-bad tasks
    wall_time_s: float
    usage: dict[str, int] = Field(default_factory=dict)
    cost_usd: float | None = None
    unpriced: list[str] = Field(default_factory=list)  # instances whose model has no price
    stop_reasons: dict[str, int] = Field(default_factory=dict)
    instances: list[InstanceRow]
    missing: list[str] = Field(default_factory=list)  # tasks without a result (no prediction)

    @property
    def resolved(self) -> int:
        return self.counts.get(Outcome.RESOLVED, 0)


def _row(report: EvalReport) -> InstanceRow:
    status = report.tests_status
    failing = [*status.FAIL_TO_PASS.failure, *status.PASS_TO_PASS.failure]
    return InstanceRow(
        instance_id=report.instance_id,
        outcome=report.outcome,
        error=report.error or report.invalid_reason,
        failing_tests=failing,
        stop_reason=report.agent_phase.stop_reason,
        tokens=sum(report.agent_phase.usage.values()),
        cost_usd=report.agent_phase.cost_usd,
    )


def total_cost(reports: Iterable[EvalReport]) -> tuple[float | None, list[str]]:
    """Total cost and the instances without a price; the cost is None when no agent ran
    or some instance's model has no price (unknown, never counted as zero)."""
    agent_ran = [r for r in reports if r.agent_phase.usage]
    unpriced = [r.instance_id for r in agent_ran if r.agent_phase.cost_usd is None]
    if unpriced or not agent_ran:
        return None, unpriced
    return sum(r.agent_phase.cost_usd or 0.0 for r in agent_ran), unpriced


def summarize(
    run_id: str,
    reports: Iterable[EvalReport],
    wall_time_s: float,
    exclusion: Exclusion | None = None,
    missing: Iterable[str] = (),
) -> Summary:
    """Aggregate the reports of the run's tasks (one per task); ``missing``: the tasks
    without a result, counted in the total as not resolved. With ``exclusion`` (a
    known-bad list), also the pass rate over the tasks it leaves in."""
    ordered = sorted(reports, key=lambda r: r.instance_id)
    rows = [_row(r) for r in ordered]
    counter = Counter(r.outcome for r in rows)
    counts = {o: counter.get(o, 0) for o in Outcome}
    absent = sorted(missing)
    total = len(rows) + len(absent)
    resolved = counts[Outcome.RESOLVED]
    solved = {r.instance_id for r in rows if r.outcome is Outcome.RESOLVED}
    phases = [r.agent_phase for r in ordered]
    usage: Counter[str] = Counter()
    for phase in phases:
        usage.update(phase.usage)
    cost, unpriced = total_cost(ordered)
    return Summary(
        run_id=run_id,
        total=total,
        counts=counts,
        pass_rate=resolved / total if total else 0.0,
        ci95=wilson_interval(resolved, total),
        excluding=excluding(
            [r.instance_id for r in rows] + absent, lambda i: i in solved, exclusion
        ),
        wall_time_s=round(wall_time_s, 3),
        usage=dict(usage),
        cost_usd=cost,
        unpriced=unpriced,
        stop_reasons=dict(Counter(p.stop_reason.value for p in phases if p.stop_reason)),
        instances=rows,
        missing=absent,
    )
