"""The second denominator: the pass rate over the tasks a known-bad list (``--exclude``)
leaves in. The first (every task of the run) and everything else stay as they are."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel

from swe_runner.manifest import Exclusion
from swe_runner.reporting.stats import wilson_interval

__all__ = ["Excluding", "excluding"]


class Excluding(BaseModel):
    """The pass rate without the run's tasks that ``source`` lists as known-bad."""

    source: str
    excluded: list[str]  # the run's tasks the list names (ids it names outside the run: none)
    total: int  # the run's tasks left in
    resolved: int
    pass_rate: float
    ci95: tuple[float, float]

    def headline(self) -> str:
        """One line for the terminal, beside the pass rate over every task."""
        low, high = self.ci95
        return (
            f"without {len(self.excluded)} known-bad tasks ({self.source}): resolved "
            f"{self.resolved}/{self.total} = {self.pass_rate:.1%} (95% CI {low:.1%}-{high:.1%})"
        )


def excluding(
    task_ids: Iterable[str], resolved: Callable[[str], bool], exclusion: Exclusion | None
) -> Excluding | None:
    """The second denominator of a run with tasks ``task_ids``; None without a list."""
    if exclusion is None:
        return None
    listed = set(exclusion.instances)
    ids = list(task_ids)
    kept = [i for i in ids if i not in listed]
    solved = sum(resolved(i) for i in kept)
    return Excluding(
        source=exclusion.source,
        excluded=sorted(i for i in ids if i in listed),
        total=len(kept),
        resolved=solved,
        pass_rate=solved / len(kept) if kept else 0.0,
        ci95=wilson_interval(solved, len(kept)),
    )
