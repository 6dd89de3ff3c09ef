"""Rich renderings of summaries for the terminal (tables to stdout, progress to stderr)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from swe_runner.records import EvalReport, Outcome
from swe_runner.reporting.reasons import few
from swe_runner.reporting.summary import Summary

__all__ = ["OUTCOME_STYLE", "RunProgress", "summary_line", "summary_table", "whole_table"]

OUTCOME_STYLE = {
    Outcome.RESOLVED: "green",
    Outcome.UNRESOLVED: "red",
    Outcome.EMPTY_PATCH: "yellow",
    Outcome.PATCH_FAILED: "magenta",
    Outcome.LIMIT_EXCEEDED: "dark_orange",
    Outcome.ERROR: "bold red",
}


def whole_table(*headers: str, **options: Any) -> Table:
    """A table that never cuts a cell (ids, tags, test names): too wide, it folds them."""
    table = Table(**options)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def summary_table(summary: Summary, title: str | None = None) -> Table:
    """One row per instance: its outcome and why (error, or the first failing tests)."""
    table = whole_table("instance", "outcome", "detail")
    table.title, table.title_justify = title or f"run {summary.run_id}", "left"
    for row in summary.instances:
        detail = _first_line(row.error) if row.error else few(row.failing_tests)
        style = OUTCOME_STYLE[row.outcome]
        table.add_row(Text(row.instance_id), Text(row.outcome.value, style=style), Text(detail))
    return table


def _first_line(text: str) -> str:
    lines = text.strip().splitlines() or [""]
    return lines[0] + (f" (+{len(lines) - 1} lines)" if len(lines) > 1 else "")


def summary_line(summary: Summary) -> str:
    """One line: the pass rate with its 95% interval, the count of every outcome, wall time."""
    low, high = summary.ci95
    counts = "  ".join(f"{o.value} {n}" for o, n in summary.counts.items())
    if summary.missing:
        counts += f"  missing {len(summary.missing)}"
    line = (
        f"resolved {summary.resolved}/{summary.total} = {summary.pass_rate:.1%} "
        f"(95% CI {low:.1%}-{high:.1%})   {counts}   wall {summary.wall_time_s:.1f}s"
    )
    if summary.excluding is not None:
        line += f"\n{summary.excluding.headline()}"
    if summary.usage:
        u = summary.usage
        line += (
            f"\ntokens: input {u.get('input_tokens', 0):,}  output "
            f"{u.get('output_tokens', 0):,}  cache write "
            f"{u.get('cache_creation_input_tokens', 0):,}  cache read "
            f"{u.get('cache_read_input_tokens', 0):,}   cost "
        )
        line += (
            f"${summary.cost_usd:.4f}"
            if summary.cost_usd is not None
            else f"unknown (no price for the model of {len(summary.unpriced)} instances)"
        )
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary.stop_reasons.items()))
        line += f"   stops: {reasons}"
    return line


class RunProgress:
    """A progress bar on stderr with the live pass rate."""

    def __init__(self, console: Console, label: str) -> None:
        self.progress = Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task(label, total=None, rate="")
        self.done = self.resolved = self.planned = 0
        self.started = False

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()

    def plan(self, total: int, _done: int) -> None:
        """The run is under way: show the bar (not before, so input errors print alone).
        Plans add up: a run of K attempts plans each attempt in turn."""
        self.planned += total
        self.progress.update(self.task, total=self.planned)
        if not self.started:
            self.progress.start()
            self.started = True

    def result(self, report: EvalReport, _reused: bool) -> None:
        self.done += 1
        self.resolved += report.outcome is Outcome.RESOLVED
        rate = f"resolved {self.resolved}/{self.done} ({self.resolved / self.done:.0%})"
        self.progress.update(self.task, completed=self.done, rate=rate)

    def message(self, text: str) -> None:
        self.progress.console.print(text, style="dim", markup=False)
