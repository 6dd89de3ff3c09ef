"""Regrading runs made by earlier code gives byte-identical files (issue 17, acceptance 3).

The run folders under ``tests/data/runs/`` were made with Docker by the code of the day
before the records were retyped (``tests/data/runs/make_runs.py``): gold, scripted, replay
and Claude agents (an API outage among them), attempts, and evaluations of gold and of
mixed predictions (empty, null, not applying, unresolved, touching test configuration).
Today's code must read them, regrade them to the same reports and write them back byte
for byte: a change to the disk format (a key renamed, moved or added) fails here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.manifest import RunManifest
from swe_runner.records import StopReason, TrajectoryStep, atomic_write_json
from swe_runner.regrade import regrade_run
from swe_runner.rundir import RunDir

STORED = Path(__file__).parent / "data" / "runs"
RUNS = sorted(p.name for p in STORED.iterdir() if (p / "run.json").is_file())


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def _rewrite_reports(folder: Path) -> None:
    """Read every report.json and run.json of ``folder`` (attempts too) with today's
    records and write them back with today's writer."""
    for path in folder.rglob("report.json"):
        run = RunDir(path.parent.parent.parent, path.parent.parent.name)
        report = run.read_report(path.parent.name)
        assert report is not None, path
        run.write_report(report)
    for path in folder.rglob("run.json"):
        manifest = RunManifest.model_validate_json(path.read_text(encoding="utf-8"))
        atomic_write_json(path, manifest.model_dump(mode="json"))


def test_the_stored_runs_cover_every_kind_of_report() -> None:
    outcomes: set[str] = set()
    stops: set[str] = set()
    for path in STORED.rglob("report.json"):
        ((_, body),) = json.loads(path.read_text()).items()
        outcomes.add(body["outcome"])
        stops.add(str(body["stop_reason"]))
    assert outcomes == {"resolved", "unresolved", "empty_patch", "patch_failed", "error"}
    assert {"submitted", "api_error", "None"} <= stops
    assert {"gold", "scripted", "replay", "claude", "attempts", "evaluate-mixed"} <= set(RUNS)


@pytest.mark.parametrize("run_id", RUNS)
def test_regrading_a_stored_run_gives_the_same_bytes(run_id: str, tmp_path: Path) -> None:
    folder = tmp_path / run_id
    shutil.copytree(STORED / run_id, folder)
    result = regrade_run(folder)
    assert result.changed == []
    assert result.regraded > 0
    _rewrite_reports(folder)
    before, after = _files(STORED / run_id), _files(folder)
    assert after.keys() == before.keys()
    for name, data in before.items():
        assert after[name] == data, f"{run_id}/{name} differs after regrading"


TRAJECTORIES = sorted(str(p.relative_to(STORED)) for p in STORED.rglob("trajectory.jsonl"))


@pytest.mark.parametrize("name", TRAJECTORIES)
def test_stored_trajectories_still_load(name: str) -> None:
    lines = (STORED / name).read_text(encoding="utf-8").splitlines()
    steps = [TrajectoryStep.model_validate_json(line) for line in lines]
    (stop,) = [s for s in steps if s.kind == "stop"]
    assert stop.stop_reason in {StopReason.SUBMITTED, StopReason.API_ERROR}
    # What the model steps recorded as stop_reason was the API's (end_turn, tool_use...).
    models = [s for s in steps if s.kind == "model"]
    assert all(s.api_stop_reason in {"end_turn", "tool_use"} for s in models)
    assert all(s.stop_reason is None for s in models)
