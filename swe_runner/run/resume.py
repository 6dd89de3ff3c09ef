"""Resuming a run: an existing run id is continued only by the run it was.

A run folder holds one agent's (or one predictions file's) results on one dataset. Reusing
its id with another agent, model (or model API), dataset or predictions file would keep the
old results under the new run.json, and the report would mix them; so that is refused,
naming what differs, unless the user forces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from swe_runner.errors import InputError
from swe_runner.manifest import RunManifest
from swe_runner.records import EvalReport, Outcome
from swe_runner.rundir import RunDir

__all__ = ["check_resume", "kept_reports"]


def _identity(manifest: RunManifest) -> dict[str, str | None]:
    """What makes two runs the same run (settings and versions may change between them)."""
    agent = manifest.agent
    return {
        "agent": agent.name if agent else None,
        "model": (agent.model or None) if agent else None,
        "api": f"{agent.provider} at {agent.base_url or 'its own API'}"
        if agent and agent.provider
        else None,
        "dataset": str(manifest.dataset.fingerprint),
        "predictions": manifest.predictions,
    }


def _same(key: str, old: str | None, new: str | None) -> bool:
    if old == new:
        return True
    if key == "predictions" and old and new:  # the same file, named another way
        return Path(old).resolve() == Path(new).resolve()
    return key == "api" and (old is None or new is None)  # an older run recorded none


def _side(key: str, value: str | None, manifest: RunManifest) -> str:
    """One run's side of a difference, e.g. ``by agent 'gold'``."""
    if key == "dataset":
        return f"on dataset {manifest.dataset.name} (fingerprint {value})"
    if key == "agent":
        return f"by agent {value!r}" if value else "by evaluate (no agent)"
    if key == "model":
        return f"with model {value!r}" if value else "with no model"
    if key == "api":
        return f"through {value}"
    return f"from predictions {value!r}" if value else "from no predictions file"


def check_resume(run: RunDir, manifest: RunManifest, force: bool = False) -> bool:
    """Whether ``run`` exists (and is to be resumed as ``manifest``).

    Raises:
        InputError: it exists for another agent, model, dataset or predictions file (and
            ``force`` is off); the message names each difference.
    """
    if not run.exists():
        return False
    old = RunManifest.model_validate(run.read_json("run.json"))
    before, now = _identity(old), _identity(manifest)
    differ = [k for k in now if not _same(k, before[k], now[k])]
    if differ and not force:
        what = "; ".join(
            f"{_side(k, before[k], old)}, not {_side(k, now[k], manifest)}" for k in differ
        )
        raise InputError(
            f"run {run.run_id} was made {what}: resume it as it was made, choose a new "
            "--run-id, or add --force to resume it anyway"
        )
    return True


def kept_reports(
    run: RunDir, instance_ids: Iterable[str], retry_errors: bool
) -> dict[str, EvalReport]:
    """The reports of ``instance_ids`` a resume of ``run`` keeps, by id: finished ones.
    Not kept: an interrupted one (it never finished), one a killed process was redoing
    (opening the run records it ``interrupted``: see :meth:`RunDir.stale`) and, with
    ``retry_errors``, infrastructure errors (a daemon restart, an API outage...)."""
    redoing = set(run.stale())
    kept: dict[str, EvalReport] = {}
    for instance_id in instance_ids:
        report = None if instance_id in redoing else run.read_report(instance_id)
        if report is None or report.interrupted:
            continue
        if retry_errors and report.outcome is Outcome.ERROR:
            continue
        kept[instance_id] = report
    return kept
