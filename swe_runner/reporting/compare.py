"""``swe-runner compare``: is one run really ahead of another?

Runs are paired by task: the same tasks, two agents. The exact McNemar test uses only the
tasks where they disagree; a paired bootstrap gives an interval for the difference in pass
rate. A difference is called significant when McNemar's p < ``alpha``.
"""

from __future__ import annotations

from itertools import combinations

from pydantic import BaseModel

from swe_runner.errors import InputError
from swe_runner.reporting.stats import mcnemar_exact, paired_bootstrap
from swe_runner.runs import LoadedRun

__all__ = ["ALPHA", "Comparison", "compare_pair", "compare_runs", "run_labels"]

ALPHA = 0.05


class Comparison(BaseModel):
    """Run ``a`` against run ``b`` on the tasks both ran."""

    a: str
    b: str
    tasks: int  # paired tasks (in both task sets)
    unpaired: int  # tasks only one run had: left out
    both: int
    only_a: int
    only_b: int
    neither: int
    rate_a: float
    rate_b: float
    difference: float  # rate_a - rate_b
    ci95: tuple[float, float]  # paired bootstrap, of rate_a - rate_b (the verdict: leader's)
    p_value: float  # exact McNemar
    significant: bool
    verdict: str


def run_labels(runs: list[LoadedRun]) -> list[str]:
    """A short, distinct name per run: its id, or its folder when ids repeat."""
    ids = [r.run_id for r in runs]
    return [r.run_id if ids.count(r.run_id) == 1 else str(r.path) for r in runs]


def compare_pair(a: LoadedRun, b: LoadedRun, label_a: str, label_b: str) -> Comparison:
    """Pair ``a`` and ``b`` by instance and test the difference."""
    ids_a = {t.instance_id for t in a.tasks}
    ids_b = {t.instance_id for t in b.tasks}
    paired = sorted(ids_a & ids_b)
    wins_a = [a.resolved(i) for i in paired]
    wins_b = [b.resolved(i) for i in paired]
    both = sum(x and y for x, y in zip(wins_a, wins_b, strict=True))
    only_a = sum(x and not y for x, y in zip(wins_a, wins_b, strict=True))
    only_b = sum(y and not x for x, y in zip(wins_a, wins_b, strict=True))
    n = len(paired)
    rate_a, rate_b = (sum(wins_a) / n, sum(wins_b) / n) if n else (0.0, 0.0)
    p_value = mcnemar_exact(only_a, only_b)
    ci = paired_bootstrap(wins_a, wins_b)
    comparison = Comparison(
        a=label_a,
        b=label_b,
        tasks=n,
        unpaired=len(ids_a ^ ids_b),
        both=both,
        only_a=only_a,
        only_b=only_b,
        neither=n - both - only_a - only_b,
        rate_a=rate_a,
        rate_b=rate_b,
        difference=rate_a - rate_b,
        ci95=ci,
        p_value=p_value,
        significant=n > 0 and p_value < ALPHA,
        verdict="",
    )
    return comparison.model_copy(update={"verdict": verdict(comparison)})


def _signed(points: float) -> str:
    """Whole points with their sign; 0 without one (never "-0")."""
    whole = round(points)
    return f"{whole:+d}" if whole else "0"


def verdict(c: Comparison) -> str:
    """A plain-language reading of the comparison."""
    if c.tasks == 0:
        return f"{c.a} and {c.b} share no tasks: nothing to compare"
    if c.only_a == c.only_b == 0:
        return f"{c.a} and {c.b} resolve exactly the same {c.both} of {c.tasks} tasks"
    leader, other = (c.a, c.b) if c.difference >= 0 else (c.b, c.a)
    points = abs(c.difference) * 100
    low, high = (x * 100 for x in c.ci95)  # of a - b: said as leader - other
    if c.difference < 0:
        low, high = -high, -low
    interval = f"95% CI [{_signed(low)}, {_signed(high)}] points"
    test = f"McNemar p={c.p_value:.3g} on {c.only_a + c.only_b} disagreeing tasks"
    if c.difference == 0:
        return f"{c.a} and {c.b} are level ({interval}; {test}): no difference at this size"
    if c.significant:
        return (
            f"{leader} is ahead of {other} by {points:.0f} points, {interval}, "
            f"significant at this size ({test})"
        )
    return (
        f"too few tasks to tell: {leader} is ahead of {other} by {points:.0f} points, "
        f"{interval}, not significant at this size ({test})"
    )


def compare_runs(runs: list[LoadedRun]) -> list[Comparison]:
    """Every pair of ``runs`` (in the given order: first against the later ones).

    Raises:
        InputError: fewer than two runs.
    """
    if len(runs) < 2:
        raise InputError("compare needs at least two runs")
    labels = run_labels(runs)
    return [
        compare_pair(runs[i], runs[j], labels[i], labels[j])
        for i, j in combinations(range(len(runs)), 2)
    ]
