"""A run stopped mid-instance (Ctrl-C, SIGKILL): the instances it was working on are
``error`` with a reason (never unresolved, never silently missing), finished results are
untouched, and any resume redoes the interrupted ones.

Empty predictions are graded without Docker, so these run the real pipeline offline; the
signal tests on real containers are in tests/run/test_run.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from swe_runner.config import load_settings
from swe_runner.inputs.dataset import Dataset, load_dataset, predictions_from_tasks
from swe_runner.records import Outcome
from swe_runner.run.pipeline import evaluate_predictions
from swe_runner.run.request import EvalRequest
from swe_runner.rundir import KILLED, RUNNING, RunDir
from swe_runner.runs import load_run


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def evaluate_empty(demo: Dataset, results: Path, retry_errors: bool = False) -> None:
    settings = load_settings(None, {"results_dir": results}, environ={})
    empty = predictions_from_tasks(demo.tasks, "empty")
    req = EvalRequest(
        dataset=demo,
        predictions=empty,
        predictions_source="empty",
        run_id="r",
        settings=settings,
        retry_errors=retry_errors,
    )
    evaluate_predictions(req)


def plant_marker(results: Path, instance_id: str, pid: int) -> Path:
    marker = results / "r" / instance_id / RUNNING
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{socket.gethostname()}:{pid}\n")
    return marker


def interrupt_first(tmp_path: Path, pid: int) -> tuple[Path, str]:
    """A finished run of the demo whose first instance looks still running under ``pid``:
    the results folder and that instance's id."""
    demo = load_dataset("demo")
    results = tmp_path / "results"
    evaluate_empty(demo, results)
    first = demo.tasks[0].instance_id
    (results / "r" / first / "report.json").unlink()
    plant_marker(results, first, pid)
    return results, first


def test_a_killed_process_s_unfinished_instance_is_reported_error_with_a_reason(
    tmp_path: Path,
) -> None:
    results, first = interrupt_first(tmp_path, dead_pid())
    loaded = load_run("r", results)
    report = loaded.reports[first]
    assert report.outcome is Outcome.ERROR and report.interrupted
    assert report.error == KILLED
    others = {r.outcome for iid, r in loaded.reports.items() if iid != first}
    assert others == {Outcome.EMPTY_PATCH}


def test_a_live_process_s_instance_is_not_taken_for_interrupted(tmp_path: Path) -> None:
    results, first = interrupt_first(tmp_path, os.getpid())
    assert RunDir(results, "r").stale() == []
    assert first not in load_run("r", results).reports


def test_a_resume_records_then_redoes_the_interrupted_instance_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    demo = load_dataset("demo")
    results = tmp_path / "results"
    evaluate_empty(demo, results)
    first, second = demo.tasks[0].instance_id, demo.tasks[1].instance_id
    kept = (results / "r" / second / "report.json").read_bytes()
    marker = plant_marker(results, first, dead_pid())
    evaluate_empty(demo, results)  # a plain resume, no --retry-errors
    report = RunDir(results, "r").read_report(first)
    assert report is not None and report.outcome is Outcome.EMPTY_PATCH
    assert not report.interrupted and not marker.exists()
    assert (results / "r" / second / "report.json").read_bytes() == kept


def test_close_interrupted_touches_only_the_named_instances(tmp_path: Path) -> None:
    run = RunDir(tmp_path, "r")
    run.mark_running("a")
    run.mark_running("b")
    assert run.close_interrupted("stopped", only=["a"]) == ["a"]
    report = run.read_report("a")
    assert report is not None and report.interrupted and report.error == "stopped"
    assert run.read_report("b") is None and (tmp_path / "r" / "b" / RUNNING).exists()
