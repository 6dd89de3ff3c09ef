"""The SWE-bench experiments layout (``evaluation/<split>/<date>_<name>/``) of one run
(:mod:`.check` holds the submission rules it must follow).

::

    all_preds.jsonl  metadata.yaml  README.md  results/results.json
    logs/<instance_id>/{patch.diff, report.json, test_output.txt}
    trajs/<instance_id>.jsonl
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from swe_runner.records import Outcome, atomic_write_json, atomic_write_text
from swe_runner.reporting.export.rows import export_metadata
from swe_runner.runs import LoadedRun

__all__ = ["CHECKLIST", "LOG_FILES", "PRED_KEYS", "write_experiments"]

LOG_FILES = ("patch.diff", "report.json", "test_output.txt")
PRED_KEYS = ("instance_id", "model_name_or_path", "model_patch")
CHECKLIST = (
    "Is a pass@1 submission (does not attempt the same task instance more than once)",
    "Does not use SWE-bench test knowledge (`PASS_TO_PASS`, `FAIL_TO_PASS`)",
    "Does not use the `hints` field in SWE-bench",
    "Does not have web-browsing OR has taken steps to prevent lookup of SWE-bench solutions",
)


def _predictions(run: LoadedRun) -> list[dict[str, Any]]:
    """One prediction per task of the run: its saved patch ("" when it produced none)."""
    preds = []
    for task in run.tasks:
        report = run.reports.get(task.instance_id)
        patch = run.files / task.instance_id / "patch.diff"
        preds.append(
            {
                "instance_id": task.instance_id,
                "model_name_or_path": report.model_name_or_path if report else run.model,
                "model_patch": patch.read_text(encoding="utf-8") if patch.is_file() else "",
            }
        )
    return preds


def _metadata(run: LoadedRun) -> dict[str, Any]:
    return {
        "info": {"name": run.run_id, "site": "", "report": "", "authors": ""},
        "tags": {
            "checked": False,
            "model": [run.model],
            "org": [],
            "os_model": False,
            "os_system": True,
            "system": {"attempts": "1"},
        },
        "swe_runner": export_metadata([run]),
    }


def _readme(run: LoadedRun, resolved: int, total: int) -> str:
    checks = "\n".join(f"- [ ] {item}" for item in CHECKLIST)
    first = (
        f" These are the predictions of the first of its {len(run.attempts)} attempts."
        if run.attempts
        else ""
    )
    return (
        f"# {run.run_id}\n\nAgent `{run.agent}`, model `{run.model}`: resolved {resolved} of "
        f"{total} tasks.{first} Exported by swe-runner.\n\n## Submission checklist\n\n{checks}\n"
    )


def write_experiments(run: LoadedRun, out: Path) -> list[Path]:
    """Write ``run`` (its first attempt, for a multi-attempt run) in the experiments layout."""
    preds = _predictions(run)
    for folder in ("logs", "trajs"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "all_preds.jsonl", "".join(json.dumps(p) + "\n" for p in preds))
    resolved, no_generation, no_logs = [], [], []
    for task in run.tasks:
        iid = task.instance_id
        report = run.reports.get(iid)
        source = run.files / iid
        if report is None or report.outcome is Outcome.EMPTY_PATCH:
            no_generation.append(iid)
        if report is not None and report.outcome is Outcome.RESOLVED:
            resolved.append(iid)
        if not (source / "test_output.txt").is_file():
            no_logs.append(iid)
        else:
            for name in LOG_FILES:
                if (source / name).is_file():
                    (out / "logs" / iid).mkdir(exist_ok=True)
                    shutil.copyfile(source / name, out / "logs" / iid / name)
        if (source / "trajectory.jsonl").is_file():
            shutil.copyfile(source / "trajectory.jsonl", out / "trajs" / f"{iid}.jsonl")
    results = {"resolved": resolved, "no_generation": no_generation, "no_logs": no_logs}
    atomic_write_json(out / "results" / "results.json", results)
    atomic_write_text(out / "metadata.yaml", yaml.safe_dump(_metadata(run), sort_keys=False))
    atomic_write_text(out / "README.md", _readme(run, len(resolved), len(run.tasks)))
    return [out / "all_preds.jsonl", out / "metadata.yaml", out / "README.md", out / "results"]
