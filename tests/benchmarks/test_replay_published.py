"""benchmarks/replay_published.py: the figures and the named exceptions of replay runs,
read from run folders written by the real writers."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from swe_runner.records import Outcome, TrajectoryStep
from swe_runner.replay_records import ReplayResult, StepCheck, StepStatus, SubmissionMatch
from swe_runner.rundir import RunDir
from tests.reporting.runs_factory import manifest, report

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "replay_published.py"
TASKS = [
    {"instance_id": "org__a-1", "repo": "org/a"},
    {"instance_id": "org__a-2", "repo": "org/a"},
    {"instance_id": "org__b-1", "repo": "org/b"},
]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("replay_published", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


figures = _script()


def _step(n: int, exit_code: int, recorded: int, output: str) -> TrajectoryStep:
    status = StepStatus.SAME if exit_code == recorded else StepStatus.DRIFT
    detail = None if exit_code == recorded else f"exit code {exit_code}, recorded {recorded}"
    check = StepCheck(
        step=n, status=status, exit_code=exit_code, recorded_exit=recorded, detail=detail
    )
    return TrajectoryStep(kind="tool", turn=n, name="bash", output=output, replay=check)


def _output_drift(n: int, recorded: str, output: str) -> TrajectoryStep:
    check = StepCheck(
        step=n, status=StepStatus.DRIFT, exit_code=0, recorded_exit=0,
        recorded_output=recorded, detail="output differs",
    )  # fmt: skip
    return TrajectoryStep(kind="tool", turn=n, name="bash", output=output, replay=check)


def _run(results: Path) -> Path:
    run = RunDir(results, "gemini")
    run.write_json("run.json", manifest("gemini", tasks=TASKS).model_dump(mode="json"))
    same = ReplayResult(
        source="mini", steps=5, steps_replayed=5, steps_drifted=4,
        submission=SubmissionMatch.SAME, published_resolved=True,
    )  # fmt: skip
    steps = [
        _step(1, 1, 0, "curl: (6) Could not resolve host: example.org"),
        _step(2, 1, 0, "ModuleNotFoundError: No module named 'numpy'"),
        _step(3, 0, 0, "ok"),
        # judged drifting by an older normalisation (a seed), by this one not; then a real one
        _output_drift(4, "random seed: 12\n", "random seed: 345\n"),
        _output_drift(5, "3 passed", "2 passed"),
    ]
    run.write_instance(report("org__a-1", Outcome.RESOLVED, replay=same), "", None, None, steps)
    other = same.model_copy(
        update={
            "submission": SubmissionMatch.DIFFERENT,
            "files_differ": ["x.py"],
            "steps_drifted": 0,
        }
    )
    log = "ConnectionError: Temporary failure in name resolution"
    run.write_instance(report("org__a-2", Outcome.UNRESOLVED, replay=other), "", None, log, [])
    return run.path


def test_figures_per_repository_and_overall(tmp_path: Path) -> None:
    rows = figures.read_run(_run(tmp_path))
    lines = figures.table(rows)
    assert lines[2] == "| org/a | 2 | 2 | 1 | 1 | 10 | 3 | 2 | 1 | 1 | 1 |"
    assert lines[3] == "| org/b | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
    assert lines[4].startswith("| **all** | **3** | **2** | **1** | **1** | **10** | **3** |")


def test_each_exception_is_named_with_its_cause(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    official = tmp_path / "logs" / "org__a-2"
    official.mkdir(parents=True)
    status = {"FAIL_TO_PASS": {"success": ["t1"], "failure": []}}
    (official / "report.json").write_text(json.dumps({"org__a-2": {"tests_status": status}}))
    found = figures.exceptions(figures.read_run(folder), tmp_path / "logs", [])
    assert found == [
        "- org__a-1: exit code drifted: needed the network: step 1; "
        "after a step that needed the network: step 2",
        "- org__a-2: submission different (x.py)",
        "- org__a-2: verdict unresolved, published resolved; no test result differs; "
        "the tests' log has network errors",
        "- org__b-1: not replayed (not finished)",
    ]
