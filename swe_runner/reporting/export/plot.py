"""Cost against pass rate: an inline SVG for the page (no library, no network) and a PNG
(matplotlib, imported only here). A run without priced usage has no place on the cost
axis: it is named under the plot ("no cost data"), never drawn at $0. When no run cost
anything (unpriced or free models), there is no plot, only "no cost data"."""

from __future__ import annotations

from html import escape
from pathlib import Path

from swe_runner.reporting.export.rows import LeaderRow, usd

__all__ = ["NO_COST", "no_cost_note", "plot_png", "plot_svg"]

W, H, PAD = 640, 360, 56
INSET = 24  # pixels between the y-axis and $0
X_TICKS = 4  # intervals on the cost axis
NO_COST = "no cost data"
CI_LEGEND = "bars: 95% CI of the pass rate"


def _priced(rows: list[LeaderRow]) -> list[tuple[LeaderRow, float]]:
    """The runs on the plot: every priced one, unless none cost anything."""
    priced = [(r, r.cost_usd) for r in rows if r.cost_usd is not None]
    return priced if any(cost > 0 for _, cost in priced) else []


def no_cost_note(rows: list[LeaderRow]) -> str | None:
    """Which runs the plot leaves out and why, or None."""
    plotted = {r.run_id for r, _ in _priced(rows)}
    left = [r for r in rows if r.run_id not in plotted]
    if not left:
        return None
    why = ", ".join(f"{r.run_id} ({'unpriced' if r.cost_usd is None else '$0'})" for r in left)
    return f"{NO_COST} for {why}"


def _label(r: LeaderRow) -> str:
    return f"{r.run_id}: {r.pass_rate:.0%} [{r.ci_low:.0%}-{r.ci_high:.0%}]"


def plot_svg(rows: list[LeaderRow]) -> str:
    """An SVG scatter: x = total cost (USD), y = % resolved with its 95% interval."""
    priced = _priced(rows)
    note = no_cost_note(rows)
    caption = f"<p class='plot-note'>{escape(note)}</p>" if note else ""
    if not priced:
        return (
            f'<svg id="plot" xmlns="http://www.w3.org/2000/svg" width="{W}" height="80" '
            f'role="img" aria-label="{NO_COST}"><text x="{W / 2}" y="45" text-anchor="middle" '
            f'font-size="18">{NO_COST}</text></svg>{caption}'
        )
    top = max(cost for _, cost in priced) or 1.0

    def sx(cost: float) -> float:  # $0 sits INSET right of the y-axis, its bar visible
        return PAD + INSET + (W - 2 * PAD - INSET) * cost / top

    def sy(rate: float) -> float:
        return H - PAD - (H - 2 * PAD) * rate

    parts = [
        f'<svg id="plot" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'role="img" aria-label="cost against pass rate">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<text x="{W / 2}" y="{H - 12}" text-anchor="middle">total cost (USD)</text>',
        f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" text-anchor="middle">'
        "% resolved (95% CI)</text>",
        f'<text class="legend" x="{W - PAD}" y="{PAD - 16}" text-anchor="end">{CI_LEGEND}</text>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{PAD - 6}" y="{sy(tick) + 4}" text-anchor="end">{tick:.0%}</text>')
    for step in range(X_TICKS + 1):
        cost = top * step / X_TICKS
        parts.append(
            f'<line x1="{sx(cost)}" x2="{sx(cost)}" y1="{H - PAD}" y2="{H - PAD + 4}" '
            f'stroke="#333"/><text x="{sx(cost)}" y="{H - PAD + 16}" text-anchor="middle">'
            f"{usd(cost)}</text>"
        )
    for r, cost in priced:
        x, y = sx(cost), sy(r.pass_rate)
        side, anchor = (-1, "end") if x > W / 2 else (1, "start")  # the label stays inside
        parts.append(
            f'<g class="point"><line class="ci" x1="{x}" x2="{x}" y1="{sy(r.ci_low)}" '
            f'y2="{sy(r.ci_high)}" stroke="#888"/><circle cx="{x}" cy="{y}" r="5" fill="#2a6"/>'
            f'<text x="{x + side * 8}" y="{y - 6}" text-anchor="{anchor}">'
            f"{escape(_label(r))}</text></g>"
        )
    return "".join(parts) + "</svg>" + caption


def plot_png(rows: list[LeaderRow], path: Path) -> Path:
    """The same plot as a PNG file ("no cost data" when no run is priced)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    priced = _priced(rows)
    if not priced:
        ax.set_axis_off()
        ax.text(0.5, 0.5, NO_COST, ha="center", va="center", fontsize=18, transform=ax.transAxes)
    for r, cost in priced:
        below, above = max(0.0, r.pass_rate - r.ci_low), max(0.0, r.ci_high - r.pass_rate)
        err = [[below * 100], [above * 100]]  # rounding may put the rate a hair outside
        ax.errorbar(cost, r.pass_rate * 100, yerr=err, fmt="o", capsize=3)
        ax.annotate(_label(r), (cost, r.pass_rate * 100), xytext=(5, 5), textcoords="offset points")
    if priced:
        ax.set_xlabel("total cost (USD)")
        ax.set_ylabel("% resolved (95% CI)")
        ax.set_xlim(left=-0.05 * max(cost for _, cost in priced))  # $0 off the y-axis
        ax.xaxis.set_major_formatter(lambda value, _: usd(value) if value >= 0 else "")
        ax.set_ylim(0, 100)
        ax.set_title(CI_LEGEND, fontsize=9, loc="right")
    note = no_cost_note(rows)
    if note:
        fig.text(0.01, 0.01, note, fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
