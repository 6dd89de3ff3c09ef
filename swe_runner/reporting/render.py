"""Rich renderings of a run report and of run comparisons (to stdout)."""

from __future__ import annotations

from rich.console import Group as Stack
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from swe_runner.reporting.compare import Comparison
from swe_runner.reporting.replay_view import replay_table
from swe_runner.reporting.report import Group, InstanceLine, RunReport
from swe_runner.reporting.stats import Distribution
from swe_runner.reporting.table import whole_table

__all__ = ["comparison_view", "report_view"]


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _money(x: float | None) -> str:
    return "unknown" if x is None else f"${x:.4f}"


def _groups_table(title: str, groups: list[Group]) -> Table:
    table = whole_table(title, "tasks", "resolved", "pass rate", "95% CI", title_justify="left")
    for g in groups:
        low, high = g.ci95
        table.add_row(
            g.key, str(g.total), str(g.resolved), _pct(g.pass_rate), f"{_pct(low)}-{_pct(high)}"
        )
    return table


def _spread_table(rows: dict[str, Distribution | None]) -> Table | None:
    present = {k: d for k, d in rows.items() if d is not None}
    if not present:
        return None
    table = whole_table("per instance", "n", "mean", "median", "p90", title_justify="left")
    for name, d in present.items():
        table.add_row(name, str(d.n), f"{d.mean:.1f}", f"{d.median:.1f}", f"{d.p90:.1f}")
    return table


def _instances_table(lines: list[InstanceLine]) -> Table:
    """Every instance with its outcome and why, grouped by outcome (worst first)."""
    table = whole_table("outcome", "instance", "why", title="instances", title_justify="left")
    for line in lines:
        table.add_row(line.outcome, line.instance_id, line.reason)
    return table


def _attempts_lines(r: RunReport) -> Text | None:
    """A multi-attempt run's pass@k and spread, and which attempt the rest shows: said once,
    under the headline."""
    if r.attempts is None:
        return None
    a = r.attempts
    ks = "  ".join(f"pass@{k} {_pct(v)}" for k, v in a.pass_at.items())
    rates = ", ".join(_pct(x) for x in a.per_attempt)
    text = (
        f"{a.attempts} attempts: {ks}; per attempt {rates} (spread {_pct(a.spread[0])}-"
        f"{_pct(a.spread[1])}, sd {a.std * 100:.1f} points)"
    )
    if r.shown_attempt is not None:
        text += (
            f"\noutcomes and instances below are attempt {r.shown_attempt} of {a.attempts} "
            f"(report {r.run_id}/attempt-N shows another)"
        )
    return Text(text, style="yellow")


def report_view(r: RunReport) -> RenderableType:
    """The whole report: headline, outcomes, breakdowns, stops, tokens and cost, spreads."""
    low, high = r.ci95
    head = Text.assemble(
        (f"run {r.run_id}", "bold"),
        f"   agent {r.agent}   model {r.model}   dataset {r.dataset.get('name', '?')} "
        f"({r.dataset.get('fingerprint', '?')})\n",
        (f"resolved {r.resolved}/{r.total} = {_pct(r.pass_rate)}", "bold green"),
        f" (95% CI {_pct(low)}-{_pct(high)}; errors and missing count as not resolved)",
        f"\n{r.excluding.headline()}" if r.excluding else "",
    )
    outcomes = whole_table("outcome", "tasks", title_justify="left")
    for name, count in r.counts.items():
        outcomes.add_row(name, str(count))
    parts: list[RenderableType] = [head]
    attempts = _attempts_lines(r)
    if attempts is not None:
        parts.append(attempts)
    parts.append(outcomes)
    if r.by_repo:
        parts.append(_groups_table("repository", r.by_repo))
    if r.by_difficulty:
        parts.append(_groups_table("difficulty", r.by_difficulty))
    if r.stop_reasons:
        stops = ", ".join(f"{k} {v}" for k, v in r.stop_reasons.items())
        parts.append(Text(f"stop reasons: {stops}"))
    if r.reinstall_failed:
        parts.append(
            Text(
                f"reinstall after the prediction failed on {r.reinstall_failed} instances: "
                "their tests ran on what the image had installed (swe-runner show RUN ID)",
                style="yellow",
            )
        )
    u = r.usage
    parts.append(
        Text(
            f"tokens: input {u['input_tokens']:,}  output {u['output_tokens']:,}  cache write "
            f"{u['cache_creation_input_tokens']:,}  cache read {u['cache_read_input_tokens']:,}\n"
            f"cost {_money(r.cost_usd)}   per resolved task {_money(r.cost_per_resolved)}"
            + (f"   (no price for {len(r.unpriced)} instances)" if r.unpriced else "")
        )
    )
    spread = _spread_table(
        {"turns": r.turns, "agent time (s)": r.agent_time_s, "instance time (s)": r.instance_time_s}
    )
    if spread is not None:
        parts.append(spread)
    if r.instances:
        parts.append(_instances_table(r.instances))
    if r.replay is not None:
        parts.append(replay_table(r.replay))
    return Stack(*parts)


def _pair_table(c: Comparison) -> Table:
    table = whole_table(
        "", f"{c.b} resolved", f"{c.b} not resolved", title=f"{c.a} vs {c.b}", title_justify="left"
    )
    table.add_row(f"{c.a} resolved", str(c.both), str(c.only_a))
    table.add_row(f"{c.a} not resolved", str(c.only_b), str(c.neither))
    return table


def _matrix(comparisons: list[Comparison]) -> Table:
    names = list(dict.fromkeys([x for c in comparisons for x in (c.a, c.b)]))
    cell = {(c.a, c.b): c for c in comparisons}
    table = whole_table(
        "row minus column",
        *names,
        title="difference in points (* significant)",
        title_justify="left",
    )
    for row in names:
        values = []
        for col in names:
            c = cell.get((row, col)) or cell.get((col, row))
            if c is None:
                values.append("")
                continue
            points = (1 if c.a == row else -1) * c.difference * 100
            text = f"{points:+.0f}" if round(points) else "0"
            values.append(text + ("*" if c.significant else ""))
        table.add_row(row, *values)
    return table


def comparison_view(comparisons: list[Comparison]) -> RenderableType:
    """Two runs: their paired table and the verdict; more: a matrix, then every verdict."""
    parts: list[RenderableType] = []
    if len(comparisons) == 1:
        c = comparisons[0]
        parts.append(_pair_table(c))
        parts.append(
            Text(f"{c.a} {_pct(c.rate_a)}, {c.b} {_pct(c.rate_b)} on {c.tasks} paired tasks")
        )
    else:
        parts.append(_matrix(comparisons))
    for c in comparisons:
        if c.unpaired:
            parts.append(
                Text(
                    f"note: {c.unpaired} tasks are in only one of {c.a}, {c.b}: left out",
                    style="yellow",
                )
            )
        parts.append(Text(c.verdict, style="bold"))
    return Stack(*parts)
