"""Run folders written through the real writers (RunDir, RunManifest, EvalReport)."""

from __future__ import annotations

from pathlib import Path

from swe_runner.manifest import RunManifest
from swe_runner.records import EvalReport, Outcome, StopReason
from swe_runner.rundir import RunDir

TASKS = [
    {"instance_id": f"{repo}-{n}", "repo": f"org/{repo}", "difficulty": diff}
    for repo, n, diff in [
        ("alpha", 1, "easy"),
        ("alpha", 2, "hard"),
        ("beta", 1, "easy"),
        ("beta", 2, "hard"),
        ("beta", 3, "hard"),
    ]
]


def manifest(
    run_id: str, tasks: list[dict[str, str]] | None = None, attempts: int = 1
) -> RunManifest:
    listed = TASKS if tasks is None else tasks
    return RunManifest(
        run_id=run_id,
        command="test",
        dataset={"name": "toy", "path": "toy.jsonl", "fingerprint": "f00d", "tasks": listed},
        agent={"name": "claude", "model": "claude-sonnet-4-5"},
        attempts=attempts,
        settings={},
        versions={},
        host="h",
        started_at="2026-01-01T00:00:00+00:00",
    )


def report(iid: str, outcome: Outcome, **extra: object) -> EvalReport:
    """A report by the claude agent; ``extra`` fields in their disk form (agent ones flat)."""
    return EvalReport.model_validate(
        {
            "instance_id": iid,
            "model_name_or_path": "claude-sonnet-4-5",
            "outcome": outcome,
            "resolved": outcome is Outcome.RESOLVED,
            "agent": "claude",
            "stop_reason": StopReason.SUBMITTED,
            **extra,
        }
    )


def write_run(
    results: Path, run_id: str, outcomes: dict[str, Outcome], attempts: int = 1, **extra: object
) -> RunDir:
    """A finished plain run with one report per entry of ``outcomes``."""
    run = RunDir(results, run_id)
    run.write_json("run.json", manifest(run_id, attempts=attempts).model_dump(mode="json"))
    for iid, outcome in outcomes.items():
        run.write_instance(report(iid, outcome, **extra), "", None, None)
    return run


def outcomes(resolved: set[str], other: Outcome = Outcome.UNRESOLVED) -> dict[str, Outcome]:
    return {
        t["instance_id"]: Outcome.RESOLVED if t["instance_id"] in resolved else other for t in TASKS
    }
