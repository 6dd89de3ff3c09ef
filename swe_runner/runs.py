"""Read a finished (or partly finished) run folder back, beside :mod:`swe_runner.rundir`
that writes it: the one loader every report, comparison, export, regrade and reproduction
goes through.

A run is named by its id under the results folder or by a path to its folder. A run made
with ``--attempts K`` (K > 1) holds one ordinary run folder per attempt, ``attempt-<n>/``;
each of those can itself be loaded (and reproduced, exported...) as a run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from swe_runner.errors import InputError
from swe_runner.manifest import RunManifest, TaskRef
from swe_runner.records import EvalReport, Outcome
from swe_runner.rundir import KILLED, RunDir

UNKNOWN_MODEL = EvalReport.model_fields["model_name_or_path"].default  # no model named

__all__ = ["LoadedRun", "attempt_dirs", "load_run", "run_path"]


@dataclass
class LoadedRun:
    """A run's manifest, task set and finished reports (``attempts`` when K > 1)."""

    path: Path
    manifest: RunManifest | None
    tasks: list[TaskRef]  # the run's task set: what the denominator counts
    reports: dict[str, EvalReport]
    attempts: list[LoadedRun] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        """The run's id; ``<run_id>/attempt-<n>`` for one attempt of a multi-attempt run."""
        own = self.manifest.run_id if self.manifest else self.path.name
        if own.startswith("attempt-") and (self.path.parent / "run.json").is_file():
            return f"{self.path.parent.name}/{own}"
        return own

    @property
    def agent(self) -> str:
        """The agent's name: from run.json (``predictions`` for graded predictions), else
        from the reports, else "unknown"."""
        if self.manifest and self.manifest.agent:
            return self.manifest.agent.name
        if self.manifest and self.manifest.predictions:  # `evaluate`: no agent ran
            return "predictions"
        names = {r.agent_phase.agent for r in self._all_reports() if r.agent_phase.agent}
        return ", ".join(sorted(names)) or "unknown"

    @property
    def model(self) -> str:
        """The model (``model_name_or_path`` of the predictions when no model was set;
        instances a stopped run left interrupted name none)."""
        if self.manifest and self.manifest.agent and self.manifest.agent.model:
            return self.manifest.agent.model
        names = {r.model_name_or_path for r in self._all_reports() if not r.interrupted}
        return ", ".join(sorted(names - {UNKNOWN_MODEL})) or UNKNOWN_MODEL

    @property
    def files(self) -> Path:
        """The folder holding the instance folders (patch, logs, trajectory): a
        multi-attempt run keeps them in its first attempt, which is what its reports are."""
        return self.attempts[0].path if self.attempts else self.path

    def outcome(self, instance_id: str) -> Outcome | None:
        """The outcome of a task in this run (None: no result, e.g. interrupted)."""
        report = self.reports.get(instance_id)
        return report.outcome if report else None

    def resolved(self, instance_id: str) -> bool:
        """Resolved in this run (first attempt for a multi-attempt run)."""
        return self.outcome(instance_id) is Outcome.RESOLVED

    def _all_reports(self) -> list[EvalReport]:
        found = list(self.reports.values())
        for attempt in self.attempts:
            found.extend(attempt.reports.values())
        return found


def run_path(ref: str | Path, results_dir: Path) -> Path:
    """The folder of run ``ref``: a path to a run folder, or a run id under ``results_dir``.

    Raises:
        InputError: no such run.
    """
    candidates = [Path(ref), results_dir / str(ref)]
    for path in candidates:
        if (path / "run.json").is_file():
            return path
    raise InputError(f"no run {str(ref)!r}: not a run folder and not a run id in {results_dir}")


def attempt_dirs(path: Path) -> list[Path]:
    """The attempt folders of a multi-attempt run, in attempt order ([] for a plain run)."""
    found = [p for p in path.glob("attempt-*") if (p / "run.json").is_file()]
    return sorted(found, key=lambda p: int(p.name.split("-", 1)[1]))


def load_run(ref: str | Path, results_dir: Path) -> LoadedRun:
    """Load run ``ref`` (see :func:`run_path`); attempts of a multi-attempt run included.

    The reports of a multi-attempt run are those of its first attempt.

    Raises:
        InputError: no such run, or an unreadable run.json.
    """
    return _load(run_path(ref, results_dir))


def _load(path: Path) -> LoadedRun:
    manifest = _manifest(path)
    attempts = [_load(p) for p in attempt_dirs(path)]
    if attempts:
        first = attempts[0]
        return LoadedRun(path, manifest, first.tasks, first.reports, attempts)
    run = RunDir(path.parent, path.name)
    reports: dict[str, EvalReport] = {}
    for folder in sorted(p.parent for p in path.glob("*/report.json")):
        report = run.read_report(folder.name)
        if report is not None:
            reports[report.instance_id] = report
    for iid in run.stale():  # a killed run's unfinished instances: errors, with the reason
        reports[iid] = run.interrupted(iid, KILLED)
    tasks = _tasks(manifest, reports)
    return LoadedRun(path, manifest, tasks, reports)


def _manifest(path: Path) -> RunManifest | None:
    try:
        data = json.loads((path / "run.json").read_text(encoding="utf-8"))
        return RunManifest.model_validate(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, ValidationError) as exc:
        raise InputError(f"{path / 'run.json'}: unreadable run manifest ({exc})") from None


def _tasks(manifest: RunManifest | None, reports: dict[str, EvalReport]) -> list[TaskRef]:
    """The run's task set: from run.json (older runs: the tasks that have a report)."""
    listed = manifest.dataset.tasks if manifest else None
    if listed is not None:
        return list(listed)
    return [TaskRef(instance_id=iid) for iid in sorted(reports)]
