"""A static leaderboard site: ``index.html`` (self-contained: inline CSS, JS and SVG, no
network at view time), ``plot.png``, and one trajectory page per instance of every run
under ``trajectories/<run>/<instance>.html``."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from swe_runner.records import atomic_write_text
from swe_runner.reporting.export.plot import plot_png, plot_svg
from swe_runner.reporting.export.rows import LeaderRow, export_metadata, leaderboard
from swe_runner.reporting.export.statements import problem_statements
from swe_runner.reporting.export.tables_html import instances_table, leaderboard_table
from swe_runner.reporting.export.trajectory import (
    PAGE_STYLE,
    PageInfo,
    read_trajectory,
    trajectory_page,
)
from swe_runner.runs import LoadedRun

__all__ = ["script_json", "write_html"]

# Click a header to sort by it (numbers numerically), click again to reverse.
SORT_JS = """
document.querySelectorAll("table.sortable th").forEach(th => {
  th.addEventListener("click", () => {
    const col = th.cellIndex;
    const body = th.closest("table").tBodies[0];
    const rows = Array.from(body.rows);
    const dir = th.dataset.dir === "asc" ? -1 : 1;
    th.dataset.dir = dir === 1 ? "asc" : "desc";
    const key = r => { const t = r.cells[col].dataset.v ?? r.cells[col].textContent;
                       const n = parseFloat(t); return isNaN(n) ? t : n; };
    rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * dir);
    rows.forEach(r => body.appendChild(r));
  });
});
"""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def page_link(run_id: str, instance_id: str) -> str:
    """Where the trajectory page of one instance of one run is, from the index."""
    return f"trajectories/{_slug(run_id)}/{_slug(instance_id)}.html"


def script_json(data: object) -> str:
    """JSON to embed in ``<script type="application/json">``: the element's text parses
    with ``JSON.parse`` as is. HTML entities are not decoded inside a script, so nothing is
    HTML-escaped; ``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so no
    ``</script>`` or ``<!--`` can appear in it."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attempt_note(run: LoadedRun) -> str:
    return f"attempt 1 of {len(run.attempts)}" if run.attempts else ""


def _trajectory_pages(run: LoadedRun, out: Path) -> list[Path]:
    statements, missing = problem_statements(run)
    pages = []
    for task in run.tasks:
        folder = run.files / task.instance_id
        patch_file = folder / "patch.diff"
        patch = patch_file.read_text(encoding="utf-8") if patch_file.is_file() else ""
        info = PageInfo(
            run.run_id,
            task.instance_id,
            run.model,
            "../../index.html",
            statements.get(task.instance_id),
            missing or "the dataset has no such task",
            _attempt_note(run),
        )
        steps = read_trajectory(folder / "trajectory.jsonl")
        html = trajectory_page(info, run.reports.get(task.instance_id), steps, patch)
        page = out / page_link(run.run_id, task.instance_id)
        atomic_write_text(page, html)
        pages.append(page)
    return pages


def _notes(runs: list[LoadedRun], meta: dict[str, object]) -> str:
    notes = []
    firsts = [f"{r.run_id} ({_attempt_note(r)})" for r in runs if r.attempts]
    if firsts:
        notes.append(
            "Multi-attempt runs show their first attempt in the outcomes and the instance "
            f"table; pass@k covers every attempt: {', '.join(firsts)}."
        )
    if meta.get("task_sets_differ"):
        notes.append(f"Warning: {meta['task_sets_differ']}.")
    return "".join(f"<p class='note'>{escape(n)}</p>" for n in notes)


def _index(runs: list[LoadedRun], rows: list[LeaderRow], meta: dict[str, object]) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>swe-runner leaderboard</title>"
        f"<style>{PAGE_STYLE}</style></head><body><h1>Leaderboard</h1>"
        f"<p>Exported {escape(str(meta['exported_at']))} by swe-runner "
        f"{escape(str(meta['swe_runner']))}. "
        "Percentages are over each run's whole task set; errors and missing results count as "
        f"not resolved and are shown beside.</p>{_notes(runs, meta)}{leaderboard_table(rows)}"
        f"<h2>Cost against pass rate</h2>{plot_svg(rows)}<p><a href='plot.png'>plot.png</a></p>"
        f"<h2>Instances</h2>{instances_table(runs, page_link)}"
        f"<script type='application/json' id='metadata'>{script_json(meta)}</script>"
        f"<script>{SORT_JS}</script></body></html>\n"
    )


def write_html(runs: list[LoadedRun], out: Path) -> list[Path]:
    """Write the site; returns the index page first."""
    rows = leaderboard(runs)
    atomic_write_text(out / "index.html", _index(runs, rows, export_metadata(runs)))
    pages = [out / "index.html", plot_png(rows, out / "plot.png")]
    for run in runs:
        pages += _trajectory_pages(run, out)
    return pages
