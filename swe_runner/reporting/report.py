"""``swe-runner report``: everything a reader needs to judge one run's numbers.

The denominator is the run's whole task set (run.json lists it): a task with no result
(interrupted, never predicted) counts as not resolved and shows up as ``missing``; errors
count as not resolved and are shown beside so a reader can judge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from swe_runner.manifest import Exclusion, TaskRef
from swe_runner.records import SCHEMA_VERSION, Outcome
from swe_runner.reporting.excluded import Excluding, excluding
from swe_runner.reporting.reasons import reason
from swe_runner.reporting.replay_view import ReplaySection, replay_section
from swe_runner.reporting.stats import Distribution, describe, pass_at_k, wilson_interval
from swe_runner.reporting.summary import total_cost
from swe_runner.runs import LoadedRun

__all__ = ["USAGE_KINDS", "AttemptStats", "Group", "InstanceLine", "RunReport", "build_report"]

USAGE_KINDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)
MISSING = "missing"  # a task of the run with no result


class Group(BaseModel):
    """Pass rate of the tasks sharing one repository or one difficulty."""

    key: str
    total: int
    resolved: int
    pass_rate: float
    ci95: tuple[float, float]


class AttemptStats(BaseModel):
    """Over K independent attempts at every task."""

    attempts: int
    pass_at: dict[int, float]  # k -> mean over tasks of the unbiased pass@k
    per_attempt: list[float]  # each attempt's pass rate, in attempt order
    spread: tuple[float, float]  # lowest and highest attempt pass rate
    std: float  # standard deviation of the attempt pass rates


class InstanceLine(BaseModel):
    """One task of the run: its outcome ("missing": no result) and why, in one line."""

    instance_id: str
    outcome: str
    reason: str


class RunReport(BaseModel):
    """What ``report --json`` prints."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    agent: str
    model: str
    dataset: dict[str, object] = Field(default_factory=dict)
    total: int
    resolved: int
    pass_rate: float
    ci95: tuple[float, float]
    excluding: Excluding | None = None  # --exclude: the pass rate without known-bad tasks
    counts: dict[str, int]  # every outcome, plus "missing"
    by_repo: list[Group]
    by_difficulty: list[Group]
    stop_reasons: dict[str, int]
    # Instances whose reinstall after the prediction failed: their tests ran on what the
    # image had installed (a patch to packaging or compiled code was not in effect).
    reinstall_failed: int = 0
    usage: dict[str, int]
    cost_usd: float | None
    unpriced: list[str]
    cost_per_resolved: float | None
    turns: Distribution | None
    agent_time_s: Distribution | None
    instance_time_s: Distribution | None
    attempts: AttemptStats | None = None
    # A multi-attempt run: the attempt whose outcomes the counts and instances are.
    shown_attempt: int | None = None
    instances: list[InstanceLine] = Field(default_factory=list)
    replay: ReplaySection | None = None  # a replay run: its figures per instance


def build_report(run: LoadedRun, exclusion: Exclusion | None = None) -> RunReport:
    """Aggregate a loaded run (its first attempt, plus attempt statistics when K > 1).

    ``exclusion`` (a known-bad list; default: the one the run was made with) adds the
    pass rate over the tasks it leaves in; nothing else depends on it."""
    reports = [run.reports[t.instance_id] for t in run.tasks if t.instance_id in run.reports]
    total = len(run.tasks)
    resolved = sum(run.resolved(t.instance_id) for t in run.tasks)
    counter = Counter(r.outcome.value for r in reports)
    counts = {o.value: counter.get(o.value, 0) for o in Outcome}
    counts[MISSING] = total - len(reports)
    cost, unpriced = total_cost(reports)
    manifest = run.manifest
    exclusion = exclusion or (manifest.exclude if manifest else None)
    phases = [r.agent_phase for r in reports]
    return RunReport(
        run_id=run.run_id,
        agent=run.agent,
        model=run.model,
        dataset=manifest.dataset.model_dump(mode="json", exclude={"tasks"}) if manifest else {},
        total=total,
        resolved=resolved,
        pass_rate=resolved / total if total else 0.0,
        ci95=wilson_interval(resolved, total),
        excluding=excluding([t.instance_id for t in run.tasks], run.resolved, exclusion),
        counts=counts,
        by_repo=_groups(run, run.tasks, lambda t: t.repo),
        by_difficulty=_groups(run, run.tasks, lambda t: t.difficulty or ""),
        reinstall_failed=sum(r.reinstall_failed is not None for r in reports),
        stop_reasons=dict(
            sorted(Counter(p.stop_reason.value for p in phases if p.stop_reason).items())
        ),
        usage={kind: sum(p.usage.get(kind, 0) for p in phases) for kind in USAGE_KINDS},
        cost_usd=cost,
        unpriced=unpriced,
        cost_per_resolved=cost / resolved if cost is not None and resolved else None,
        turns=describe([float(p.turns) for p in phases if p.turns is not None]),
        agent_time_s=describe([p.agent_time_s for p in phases if p.agent_time_s is not None]),
        instance_time_s=describe(
            [r.timings["instance"] for r in reports if "instance" in r.timings]
        ),
        attempts=_attempt_stats(run),
        shown_attempt=1 if run.attempts else None,
        instances=_instance_lines(run),
        replay=replay_section(reports),
    )


def _outcome_name(run: LoadedRun, instance_id: str) -> str:
    outcome = run.outcome(instance_id)
    return outcome.value if outcome else MISSING


def _instance_lines(run: LoadedRun) -> list[InstanceLine]:
    """Every task, worst outcomes first (the order of :class:`Outcome`, reversed), by id."""
    order = {name: n for n, name in enumerate([MISSING, *reversed([o.value for o in Outcome])])}
    lines = [
        InstanceLine(
            instance_id=t.instance_id,
            outcome=_outcome_name(run, t.instance_id),
            reason=reason(run.reports.get(t.instance_id)),
        )
        for t in run.tasks
    ]
    return sorted(lines, key=lambda line: (order[line.outcome], line.instance_id))


def _groups(run: LoadedRun, tasks: Iterable[TaskRef], key: Callable[[TaskRef], str]) -> list[Group]:
    """Per-key pass rates; empty when the key is unknown for every task."""
    members: dict[str, list[TaskRef]] = {}
    for task in tasks:
        members.setdefault(key(task), []).append(task)
    if set(members) <= {""}:
        return []
    groups = []
    for name, group in sorted(members.items()):
        solved = sum(run.resolved(t.instance_id) for t in group)
        groups.append(
            Group(
                key=name or "(unknown)",
                total=len(group),
                resolved=solved,
                pass_rate=solved / len(group),
                ci95=wilson_interval(solved, len(group)),
            )
        )
    return groups


def _attempt_stats(run: LoadedRun) -> AttemptStats | None:
    if len(run.attempts) < 2 or not run.tasks:
        return None
    n = len(run.attempts)
    ids = [t.instance_id for t in run.tasks]
    successes = [sum(a.resolved(i) for a in run.attempts) for i in ids]
    pass_at = {k: sum(pass_at_k(n, c, k) for c in successes) / len(ids) for k in range(1, n + 1)}
    rates = [sum(a.resolved(i) for i in ids) / len(ids) for a in run.attempts]
    mean = sum(rates) / n
    std = (sum((r - mean) ** 2 for r in rates) / (n - 1)) ** 0.5
    return AttemptStats(
        attempts=n, pass_at=pass_at, per_attempt=rates, spread=(min(rates), max(rates)), std=std
    )
