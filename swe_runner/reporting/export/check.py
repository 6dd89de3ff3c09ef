"""The SWE-bench experiments submission rules, as a check any folder can be put through
(``swe-runner export --check DIR``): the required files, the keys of ``all_preds.jsonl``,
``metadata.yaml`` and ``results/results.json``, one prediction and one reasoning trace per
instance (pass@1), evaluation logs for every instance not listed in ``no_logs``, the
``info`` a submission fills in (``name``, ``site``, ``report``, ``authors``: not empty) and
the checklist in ``README.md``, every item ticked."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from swe_runner.reporting.export.experiments import CHECKLIST, LOG_FILES, PRED_KEYS

__all__ = ["check_experiments"]

REQUIRED = ("all_preds.jsonl", "metadata.yaml", "README.md", "results/results.json")
RESULT_LISTS = ("resolved", "no_generation", "no_logs")
META_INFO = (
    ("name", "the leaderboard's name for the submission"),
    ("site", "a link to the system"),
    ("report", "a link to its technical report"),
    ("authors", "who made it"),
)
META_TAGS: tuple[tuple[str, type], ...] = (
    ("checked", bool),
    ("model", list),
    ("org", list),
    ("os_model", bool),
    ("os_system", bool),
    ("system", dict),
)


def _few(ids: list[str]) -> str:
    more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
    return ", ".join(ids[:3]) + more


def _check_preds(folder: Path, problems: list[str]) -> list[str]:
    """The instance ids predicted, in file order (duplicates kept, to be reported)."""
    ids: list[str] = []
    path = folder / "all_preds.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            pred = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"all_preds.jsonl line {number}: not JSON")
            continue
        missing = [k for k in PRED_KEYS if not isinstance(pred, dict) or k not in pred]
        if missing:
            problems.append(f"all_preds.jsonl line {number}: missing {', '.join(missing)}")
        else:
            ids.append(str(pred["instance_id"]))
    twice = sorted(iid for iid, n in Counter(ids).items() if n > 1)
    if twice:
        problems.append(f"all_preds.jsonl: predicted more than once (not pass@1): {_few(twice)}")
    return ids


def _check_metadata(folder: Path, problems: list[str]) -> None:
    try:
        meta: Any = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        problems.append("metadata.yaml: not YAML")
        return
    info = meta.get("info") if isinstance(meta, dict) else None
    tags = meta.get("tags") if isinstance(meta, dict) else None
    info, tags = info if isinstance(info, dict) else {}, tags if isinstance(tags, dict) else {}
    for key, what in META_INFO:
        if key not in info:
            problems.append(f"metadata.yaml: info.{key} is missing ({what})")
        elif not str(info[key] or "").strip():
            problems.append(f"metadata.yaml: info.{key} is empty ({what})")
    for key, kind in META_TAGS:
        if not isinstance(tags.get(key), kind):
            problems.append(f"metadata.yaml: tags.{key} must be a {kind.__name__}")
    if "attempts" not in (tags.get("system") or {}):
        problems.append("metadata.yaml: tags.system.attempts is missing")


def _check_results(folder: Path, ids: set[str], problems: list[str]) -> list[str]:
    """Check results.json; returns its ``no_logs`` list."""
    try:
        results = json.loads((folder / "results" / "results.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        problems.append("results/results.json: not JSON")
        return []
    results = results if isinstance(results, dict) else {}
    for key in RESULT_LISTS:
        if not isinstance(results.get(key), list):
            problems.append(f"results/results.json: {key} must be a list")
        elif stray := sorted(set(map(str, results[key])) - ids):
            problems.append(f"results/results.json: {key} names unknown instances {_few(stray)}")
    no_logs = results.get("no_logs")
    return [str(i) for i in no_logs] if isinstance(no_logs, list) else []


def _check_instances(folder: Path, ids: set[str], no_logs: set[str], problems: list[str]) -> None:
    """A reasoning trace per instance; evaluation logs for each not listed in no_logs."""
    # a trace is trajs/<instance_id>.<ext>, where both the id and the ext may hold dots
    traced = {
        p.name.rsplit(".", cut)[0]
        for p in (folder / "trajs").iterdir()
        for cut in range(1, p.name.count(".") + 1)
    }
    if untraced := sorted(ids - traced):
        problems.append(f"trajs/: no reasoning trace for {_few(untraced)}")
    if unlogged := sorted(i for i in ids - no_logs if not (folder / "logs" / i).is_dir()):
        problems.append(f"logs/: no logs for {_few(unlogged)} (and not in no_logs)")
    for log_dir in sorted(p for p in (folder / "logs").iterdir() if p.is_dir()):
        for name in LOG_FILES[1:]:
            if not (log_dir / name).is_file():
                problems.append(f"logs/{log_dir.name}/{name} is missing")


def check_experiments(folder: Path) -> list[str]:
    """Every way ``folder`` breaks the experiments submission rules (empty: it passes)."""
    problems = [f"{name} is missing" for name in REQUIRED if not (folder / name).is_file()]
    problems += [
        f"{name}/ is missing" for name in ("logs", "trajs") if not (folder / name).is_dir()
    ]
    if problems:
        return problems
    ids = _check_preds(folder, problems)
    _check_metadata(folder, problems)
    no_logs = _check_results(folder, set(ids), problems)
    _check_instances(folder, set(ids), set(no_logs), problems)
    problems += _check_checklist((folder / "README.md").read_text(encoding="utf-8"))
    return problems


def _check_checklist(readme: str) -> list[str]:
    """Each checklist item present and ticked (``- [x] item``), as the rules require."""
    problems = []
    for item in CHECKLIST:
        if item not in readme:
            problems.append(f"README.md: checklist item missing: {item}")
        elif not re.search(r"^\s*[-*] \[[xX]\] " + re.escape(item), readme, re.MULTILINE):
            problems.append(f"README.md: checklist item not ticked: {item}")
    return problems
