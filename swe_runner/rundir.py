"""The on-disk layout of one run, ``results/<run_id>/``, written atomically file by file.

::

    run.json  predictions.jsonl  summary.json
    <instance_id>/patch.diff  eval.sh  test_output.txt  report.json

An instance is finished when its ``report.json`` exists; ``report.json`` is written last,
so a run killed at any moment resumes by redoing exactly the unfinished instances.

From its start until its report is written, an instance folder holds a ``.running`` marker
naming the process (``host:pid``) working on it. A marker whose process is gone means the
run was stopped (Ctrl-C, SIGKILL) mid-instance: such an instance is reported as an
``interrupted`` error with the reason (:meth:`RunDir.close_interrupted`, :meth:`RunDir.stale`),
never as a model failure, and any resume redoes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from swe_runner.config import process_gone, process_id
from swe_runner.errors import InputError, ResultsWriteError
from swe_runner.records import (
    EvalReport,
    Outcome,
    TrajectoryStep,
    atomic_write_json,
    atomic_write_text,
)
from swe_runner.task import Prediction

__all__ = ["KILLED", "RUNNING", "RunDir", "valid_run_id"]

RUNNING = ".running"
KILLED = "interrupted: the swe-runner process stopped (killed) before this instance finished"
RUN_ID_MAX = 128  # characters: a folder name, with room for attempt-<n>/ and instance ids
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


def valid_run_id(run_id: str) -> str:
    """``run_id`` if it is a safe folder name.

    Raises:
        InputError: it could escape the results folder or is otherwise unusable.
    """
    if not run_id:
        raise InputError("bad run id '': it is empty (leave --run-id out for <agent>-<time>)")
    if len(run_id) > RUN_ID_MAX:
        raise InputError(
            f"bad run id {run_id[:20]}...: it is {len(run_id)} characters long, the most is "
            f"{RUN_ID_MAX}"
        )
    if not _RUN_ID.fullmatch(run_id):
        raise InputError(
            f"bad run id {run_id!r}: use letters, digits, '.', '_' and '-', starting with a "
            "letter or digit"
        )
    return run_id


class RunDir:
    """Paths and atomic writers of one run's folder."""

    def __init__(self, results_dir: Path, run_id: str) -> None:
        self.run_id = valid_run_id(run_id)
        self.path = results_dir / run_id

    def instance(self, instance_id: str) -> Path:
        return self.path / instance_id

    def exists(self) -> bool:
        return (self.path / "run.json").is_file()

    def read_report(self, instance_id: str) -> EvalReport | None:
        """The finished report of an instance, or None if it is unfinished or unreadable."""
        path = self.instance(instance_id) / "report.json"
        try:
            return EvalReport.from_swebench(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def saved_patch(self, instance_id: str) -> str | None:
        try:
            return (self.instance(instance_id) / "patch.diff").read_text(encoding="utf-8")
        except OSError:
            return None

    def write_instance(
        self,
        report: EvalReport,
        patch: str | None,
        script: str | None,
        log: str | None,
        trajectory: list[TrajectoryStep] | None = None,
    ) -> None:
        """Write one instance's files; ``report.json`` last, marking it finished.

        Raises:
            ResultsWriteError: the folder cannot be written (read-only, full...).
        """
        folder = self.instance(report.instance_id)
        atomic_write_text(folder / "patch.diff", patch or "")
        if trajectory is not None:
            lines = "".join(step.model_dump_json(exclude_none=True) + "\n" for step in trajectory)
            atomic_write_text(folder / "trajectory.jsonl", lines)
        for name, text in (("eval.sh", script), ("test_output.txt", log)):
            if text is not None:
                atomic_write_text(folder / name, text)
            else:
                _remove(folder / name)
        self.write_report(report)
        _remove(folder / RUNNING)

    def mark_running(self, instance_id: str) -> None:
        """Record that this process has started on ``instance_id`` (until its report)."""
        marker = self.instance(instance_id) / RUNNING
        atomic_write_text(marker, process_id() + "\n")

    def stale(self) -> list[str]:
        """Instances started by a process that is gone and never finished (sorted)."""
        return sorted(m.parent.name for m in self.path.glob(f"*/{RUNNING}") if _dead(m))

    def interrupted(self, instance_id: str, reason: str) -> EvalReport:
        """The ``error`` report of an instance the run stopped in the middle of."""
        return EvalReport(
            instance_id=instance_id, outcome=Outcome.ERROR, interrupted=True, error=reason
        )

    def close_interrupted(self, reason: str, only: list[str] | None = None) -> list[str]:
        """Write an ``interrupted`` error report for every started, unfinished instance
        (of ``only``, if given); returns their ids."""
        closed = []
        for marker in sorted(self.path.glob(f"*/{RUNNING}")):
            iid = marker.parent.name
            if only is None or iid in only:
                self.write_report(self.interrupted(iid, reason))
                marker.unlink(missing_ok=True)
                closed.append(iid)
        return closed

    def write_report(self, report: EvalReport) -> None:
        """Write (or replace) an instance's ``report.json`` alone."""
        atomic_write_json(self.instance(report.instance_id) / "report.json", report.to_swebench())

    def write_predictions(self, predictions: list[Prediction]) -> None:
        lines = [p.model_dump_json() for p in predictions]
        atomic_write_text(self.path / "predictions.jsonl", "".join(f"{ln}\n" for ln in lines))

    def write_json(self, name: str, data: Any) -> None:
        atomic_write_json(self.path / name, data)

    def read_json(self, name: str) -> Any:
        return json.loads((self.path / name).read_text(encoding="utf-8"))


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise ResultsWriteError(path.parent, exc) from None


def _dead(marker: Path) -> bool:
    """Whether the process named in a ``.running`` marker is gone."""
    try:
        return process_gone(marker.read_text(encoding="utf-8"))
    except OSError:
        return False  # unreadable: leave it
