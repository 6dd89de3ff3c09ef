"""CSV, JSON and Markdown exports of runs: the leaderboard and the per-instance results."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from swe_runner.records import atomic_write_text
from swe_runner.reporting.export.rows import (
    InstanceRow,
    LeaderRow,
    export_metadata,
    instance_rows,
    leaderboard,
    usd,
)
from swe_runner.runs import LoadedRun

__all__ = ["write_csv", "write_json", "write_markdown"]


def _rows(runs: list[LoadedRun]) -> tuple[list[LeaderRow], list[InstanceRow]]:
    return leaderboard(runs), [row for run in runs for row in instance_rows(run)]


def _csv(rows: list[LeaderRow] | list[InstanceRow]) -> str:
    buffer = io.StringIO()
    if rows:
        fields = list(type(rows[0]).model_fields)
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            data = row.model_dump()
            if "failing_tests" in data:
                data["failing_tests"] = " ".join(data["failing_tests"])
            if data.get("pass_at"):
                data["pass_at"] = " ".join(f"pass@{k}={v:.4f}" for k, v in data["pass_at"].items())
            writer.writerow(data)
    return buffer.getvalue()


def write_csv(runs: list[LoadedRun], out: Path) -> list[Path]:
    """``leaderboard.csv``, ``instances.csv`` and ``metadata.json`` in ``out``."""
    board, instances = _rows(runs)
    files = {
        out / "leaderboard.csv": _csv(board),
        out / "instances.csv": _csv(instances),
        out / "metadata.json": json.dumps(export_metadata(runs), indent=2) + "\n",
    }
    for path, text in files.items():
        atomic_write_text(path, text)
    return list(files)


def write_json(runs: list[LoadedRun], out: Path) -> list[Path]:
    """``export.json``: metadata, leaderboard and instances."""
    board, instances = _rows(runs)
    data = {
        "metadata": export_metadata(runs),
        "leaderboard": [r.model_dump() for r in board],
        "instances": [r.model_dump() for r in instances],
    }
    path = out / "export.json"
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")
    return [path]


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _notes(runs: list[LoadedRun], meta: dict[str, object]) -> list[str]:
    notes = [
        f"Run {r.run_id} made {len(r.attempts)} attempts: its outcomes here are attempt 1 of "
        f"{len(r.attempts)}."
        for r in runs
        if r.attempts
    ]
    if meta.get("task_sets_differ"):
        notes.append(f"**Warning**: {meta['task_sets_differ']}.")
    return [line for note in notes for line in (note, "")]


def write_markdown(runs: list[LoadedRun], out: Path) -> list[Path]:
    """``leaderboard.md``: the ranked runs, then every run's per-instance outcomes."""
    board, instances = _rows(runs)
    meta = export_metadata(runs)
    lines = [
        "# Leaderboard",
        "",
        f"Exported {meta['exported_at']} by swe-runner {meta['swe_runner']}. Percentages are "
        "over each run's whole task set; errors and missing results count as not resolved.",
        "",
        *_notes(runs, meta),
        "| rank | run | agent | model | resolved | % resolved | 95% CI | errors | "
        "input tok | output tok | cache write | cache read | cost | dataset |",
        "|---:|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in board:
        cost = "unknown" if r.cost_usd is None else usd(r.cost_usd)
        lines.append(
            f"| {r.rank} | {_cell(r.run_id)} | {_cell(r.agent)} | {_cell(r.model)} | "
            f"{r.resolved}/{r.total} | {_pct(r.pass_rate)} | {_pct(r.ci_low)}-{_pct(r.ci_high)}"
            f" | {r.errors} | {r.input_tokens:,} | {r.output_tokens:,} | "
            f"{r.cache_creation_input_tokens:,} | {r.cache_read_input_tokens:,} | {cost} | "
            f"`{r.dataset_fingerprint}` |"
        )
    lines += ["", "## Instances", "", "| run | instance | outcome | why |", "|---|---|---|---|"]
    for i in instances:
        lines.append(
            f"| {_cell(i.run_id)} | {_cell(i.instance_id)} | {i.outcome} | {_cell(i.reason)} |"
        )
    path = out / "leaderboard.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return [path]
