"""Exports of finished runs: the SWE-bench experiments layout, CSV, JSON, Markdown and a
static HTML leaderboard with trajectory pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from swe_runner.errors import InputError
from swe_runner.reporting.export.check import check_experiments
from swe_runner.reporting.export.experiments import write_experiments
from swe_runner.reporting.export.html import write_html
from swe_runner.reporting.export.tables import write_csv, write_json, write_markdown
from swe_runner.runs import LoadedRun

__all__ = ["FORMATS", "check_experiments", "export_runs"]

MARKER = ".swe-runner-export"  # an export folder may be overwritten; nothing else may
Writer = Callable[[list[LoadedRun], Path], list[Path]]


def _experiments(runs: list[LoadedRun], out: Path) -> list[Path]:
    if len(runs) != 1:
        raise InputError("--format experiments exports exactly one run")
    return write_experiments(runs[0], out)


FORMATS: dict[str, Writer] = {
    "experiments": _experiments,
    "csv": write_csv,
    "json": write_json,
    "markdown": write_markdown,
    "html": write_html,
}


def export_runs(runs: list[LoadedRun], fmt: str, out: Path) -> list[Path]:
    """Write ``runs`` as ``fmt`` into folder ``out``; returns the main files written.

    Raises:
        InputError: an unknown format, no runs, or ``out`` is a non-empty folder that is
            not an earlier export.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not runs:
        raise InputError("nothing to export: give at least one run")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise InputError(f"{out} is not empty and not an earlier export: choose another --output")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(fmt + "\n")
    return FORMATS[fmt](runs, out)
