"""The two tables of the leaderboard page: the ranked runs, and every instance (one row)
with its outcome in each run (one column per run)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from swe_runner.reporting.export.rows import InstanceRow, LeaderRow, instance_rows, usd
from swe_runner.runs import LoadedRun

__all__ = ["instances_table", "leaderboard_table"]

BAR_PX = 200


def _table(name: str, head: list[str], body: list[str]) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    return (
        f'<table id="{name}" class="sortable"><thead><tr>{cells}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _bar(low: float, rate: float, high: float) -> str:
    """The pass rate as a bar, its 95% interval as whiskers, labelled with the bounds."""
    return (
        f'<span class="bar" title="95% CI {low:.1%}-{high:.1%}">'
        f'<span style="width:{rate * BAR_PX:.0f}px"></span>'
        f'<i style="left:{low * BAR_PX:.0f}px;width:{(high - low) * BAR_PX:.0f}px"></i></span>'
        f' <span class="ci">{low:.0%}-{high:.0%}</span>'
    )


def _pass_at(row: LeaderRow) -> str:
    if not row.pass_at:
        return "<td data-v='-1'>-</td>"
    ks = " · ".join(f"pass@{k} {v:.0%}" for k, v in sorted(row.pass_at.items()))
    return f"<td class='pass-at' data-v='{row.pass_at[max(row.pass_at)]}'>{ks}</td>"


def leaderboard_table(rows: list[LeaderRow]) -> str:
    """The ranked runs; a pass@k column when some run made several attempts."""
    attempts = any(r.pass_at for r in rows)
    head = ["rank", "run", "agent", "model", "% resolved", "95% CI"]
    head += (["pass@k (all attempts)"] if attempts else []) + ["errors", "tokens", "cost"]
    body = []
    for r in rows:
        tokens = (
            r.input_tokens
            + r.output_tokens
            + r.cache_creation_input_tokens
            + r.cache_read_input_tokens
        )
        cost = "unknown" if r.cost_usd is None else usd(r.cost_usd)
        body.append(
            f"<tr><td>{r.rank}</td><td>{escape(r.run_id)}</td><td>{escape(r.agent)}</td>"
            f"<td>{escape(r.model)}</td><td data-v='{r.pass_rate}'>{r.pass_rate:.1%} "
            f"({r.resolved}/{r.total})</td><td class='cibar' data-v='{r.ci_low}'>"
            f"{_bar(r.ci_low, r.pass_rate, r.ci_high)}</td>{_pass_at(r) if attempts else ''}"
            f"<td>{r.errors}</td><td data-v='{tokens}'>{tokens:,}</td>"
            f"<td data-v='{r.cost_usd if r.cost_usd is not None else -1}'>{cost}</td></tr>"
        )
    return _table("leaderboard", head, body)


def _cell(row: InstanceRow | None, link: str) -> str:
    if row is None:
        return "<td class='absent' data-v='' title='not in this run'>-</td>"
    why = f" title='{escape(row.reason, quote=True)}'" if row.reason else ""
    return (
        f"<td class='{row.outcome}' data-v='{row.outcome}'{why}>"
        f"<a href='{link}'>{row.outcome}</a></td>"
    )


def instances_table(runs: list[LoadedRun], link: Callable[[str, str], str]) -> str:
    """One row per instance (of any run), one outcome column per run, linked to its
    trajectory page; the reason is the cell's tooltip (and a column of its own for one run)."""
    per_run = [{row.instance_id: row for row in instance_rows(run)} for run in runs]
    ids = list(dict.fromkeys(iid for rows in per_run for iid in rows))
    repos = {iid: row.repo for rows in per_run for iid, row in rows.items()}
    single = len(runs) == 1
    head = ["instance", "repo", *(escape(r.run_id) for r in runs)] + (["why"] if single else [])
    body = []
    for iid in ids:
        cells = "".join(
            _cell(rows.get(iid), link(run.run_id, iid))
            for run, rows in zip(runs, per_run, strict=True)
        )
        why = per_run[0][iid].reason if single else ""
        extra = f"<td class='why'>{escape(why)}</td>" if single else ""
        body.append(f"<tr><td>{escape(iid)}</td><td>{escape(repos[iid])}</td>{cells}{extra}</tr>")
    return _table("instances", head, body)
