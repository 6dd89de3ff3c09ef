"""The rows every export shares: one per run (the leaderboard) and one per instance."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from swe_runner import __version__
from swe_runner.reporting.reasons import failing_tests, reason
from swe_runner.reporting.report import RunReport, build_report
from swe_runner.runs import LoadedRun

__all__ = [
    "InstanceRow",
    "LeaderRow",
    "export_metadata",
    "instance_rows",
    "leaderboard",
    "task_set_note",
    "usd",
]


class LeaderRow(BaseModel):
    """One run on the leaderboard; percentages over the run's whole task set."""

    rank: int
    run_id: str
    agent: str
    model: str
    resolved: int
    total: int
    pass_rate: float
    ci_low: float
    ci_high: float
    errors: int
    missing: int
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    cost_usd: float | None
    dataset_fingerprint: str
    attempts: int
    pass_at: dict[int, float] | None = None  # k -> pass@k, for a multi-attempt run


class InstanceRow(BaseModel):
    run_id: str
    instance_id: str
    repo: str
    outcome: str  # an Outcome, or "missing"
    failing_tests: list[str]
    error: str | None
    reason: str  # one line: why it ended so (see reporting.reasons)
    turns: int | None
    tokens: int
    cost_usd: float | None


def _row(rank: int, run: LoadedRun, report: RunReport) -> LeaderRow:
    low, high = report.ci95
    return LeaderRow(
        rank=rank,
        run_id=report.run_id,
        agent=report.agent,
        model=report.model,
        resolved=report.resolved,
        total=report.total,
        pass_rate=report.pass_rate,
        ci_low=low,
        ci_high=high,
        errors=report.counts.get("error", 0),
        missing=report.counts.get("missing", 0),
        cost_usd=report.cost_usd,
        dataset_fingerprint=str(report.dataset.get("fingerprint", "")),
        attempts=max(1, len(run.attempts)),
        pass_at=report.attempts.pass_at if report.attempts else None,
        **report.usage,
    )


def leaderboard(runs: list[LoadedRun]) -> list[LeaderRow]:
    """The runs ranked by pass rate (ties share a rank)."""
    reports = sorted(
        ((run, build_report(run)) for run in runs), key=lambda pair: -pair[1].pass_rate
    )
    rows: list[LeaderRow] = []
    for index, (run, report) in enumerate(reports):
        tied = rows and rows[-1].pass_rate == report.pass_rate
        rows.append(_row(rows[-1].rank if tied else index + 1, run, report))
    return rows


def instance_rows(run: LoadedRun) -> list[InstanceRow]:
    """Every task of the run, with its outcome ("missing" when it has no result)."""
    out = []
    for task in run.tasks:
        r = run.reports.get(task.instance_id)
        failing = failing_tests(r) if r else []
        out.append(
            InstanceRow(
                run_id=run.run_id,
                instance_id=task.instance_id,
                repo=task.repo,
                outcome=r.outcome.value if r else "missing",
                failing_tests=failing,
                error=r.error if r else None,
                reason=reason(r),
                turns=r.agent_phase.turns if r else None,
                tokens=sum(r.agent_phase.usage.values()) if r else 0,
                cost_usd=r.agent_phase.cost_usd if r else None,
            )
        )
    return out


def _fingerprint(run: LoadedRun) -> str | None:
    return (run.manifest.dataset.fingerprint or None) if run.manifest else None


def task_set_note(runs: list[LoadedRun]) -> str | None:
    """A warning when the runs were not on one task set (their pass rates then measure
    different things), else None."""
    sets = [frozenset(t.instance_id for t in run.tasks) for run in runs]
    if len(set(sets)) > 1:
        common = frozenset.intersection(*sets)
        sizes = ", ".join(f"{run.run_id} {len(ids)}" for run, ids in zip(runs, sets, strict=True))
        some = len(frozenset.union(*sets) - common)
        return (
            f"the runs were on different task sets ({sizes} tasks; {len(common)} in all, "
            f"{some} in only some): each pass rate is over its own run's tasks, so they are "
            "not comparable (compare pairs the common tasks)"
        )
    prints = {_fingerprint(run) for run in runs} - {None}
    if len(prints) > 1:
        listed = ", ".join(f"{run.run_id} {_fingerprint(run)}" for run in runs)
        return (
            f"the runs have the same task ids but different dataset fingerprints ({listed}): "
            "the tasks or their environment specs changed between them"
        )
    return None


def export_metadata(runs: list[LoadedRun]) -> dict[str, object]:
    """What every export carries: when, by which swe-runner, of which runs and datasets
    (and a warning when the runs were on different task sets)."""
    return {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "swe_runner": __version__,
        "task_sets_differ": task_set_note(runs),
        "runs": [
            {
                "run_id": run.run_id,
                "dataset": run.manifest.dataset.name if run.manifest else None,
                "dataset_fingerprint": _fingerprint(run),
                "first_attempt_of": len(run.attempts) if run.attempts else None,
                "shows": f"attempt 1 of {len(run.attempts)}" if run.attempts else "the run",
            }
            for run in runs
        ],
    }


def usd(amount: float) -> str:
    """Dollars as ``report`` prints them (four decimals: $0.0216, never rounded to $0.02)."""
    return f"${amount:.4f}"
