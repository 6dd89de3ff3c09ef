"""The verdicts a published run was given, to set beside a replay's: an experiments-style
``results.json`` (lists of instance ids: ``resolved`` and the others; sb-cli's
``resolved_ids``...) or per-instance ``report.json`` files (``<folder>/<id>/report.json``,
keyed by the instance id as the official harness writes them, or not)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from swe_runner.errors import InputError

__all__ = ["find_verdicts", "read_verdicts"]

_RESOLVED_KEYS = ("resolved", "resolved_ids")


def find_verdicts(trajectories: Path) -> Path | None:
    """Published verdicts beside ``trajectories`` (a trajectory file or folder), if any:
    a ``logs/`` folder of report.json files or a ``results.json``, in the folder or the
    one above it (an experiments folder: ``trajs/`` beside ``logs/`` and ``results/``)."""
    here = trajectories.parent if trajectories.is_file() else trajectories
    for folder in (here, here.parent, here.parent.parent):
        for candidate in (folder / "logs", folder / "results" / "results.json"):
            if candidate.is_dir() and any(candidate.glob("*/report.json")):
                return candidate
            if candidate.is_file():
                return candidate
    return None


def _resolved_of_report(data: Any, instance_id: str) -> bool | None:
    if not isinstance(data, dict):
        return None
    body = data.get(instance_id, data)
    value = body.get("resolved") if isinstance(body, dict) else None
    return value if isinstance(value, bool) else None


def _from_results(path: Path, data: dict[str, Any], ids: Iterable[str]) -> dict[str, bool]:
    lists = {k: v for k, v in data.items() if isinstance(v, list)}
    key = next((k for k in _RESOLVED_KEYS if k in lists), None)
    if key is None:
        names = " or ".join(_RESOLVED_KEYS)
        raise InputError(f"--verdicts {path}: no list of resolved instances ({names})")
    resolved = {str(i) for i in lists[key]}
    known = {str(i) for v in lists.values() for i in v if isinstance(i, str)}
    return {i: i in resolved for i in ids if i in known}


def read_verdicts(path: Path, ids: Iterable[str]) -> dict[str, bool]:
    """Resolved or not, per instance of ``ids`` the verdicts at ``path`` name.

    Raises:
        InputError: ``path`` is neither a results.json nor a folder of report.json files.
    """
    wanted = list(ids)
    if path.is_dir():
        found: dict[str, bool] = {}
        for iid in wanted:
            report = path / iid / "report.json"
            if report.is_file():
                value = _resolved_of_report(json.loads(report.read_text(encoding="utf-8")), iid)
                if value is not None:
                    found[iid] = value
        return found
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"--verdicts: unreadable {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"--verdicts {path}: not a results.json (a JSON object of id lists)")
    single = {i: v for i in wanted if (v := _resolved_of_report(data, i)) is not None}
    if single and not any(isinstance(v, list) for v in data.values()):
        return single  # one report.json
    return _from_results(path, data, wanted)
