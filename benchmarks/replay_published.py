"""The figures of replaying published trajectories (``swe-runner run --agent replay --from
PATH``), per repository and overall, read from the replay runs' folders:

    python benchmarks/replay_published.py RUN_DIR... [--official LOGS] [--gold RUN_DIR...]

Per repository: the tasks, the instances replayed (a report with replay figures), the
submissions reproduced or not, the steps replayed, the steps drifted (of them, those whose
exit code or time-out differs from the recorded one, and those whose output shows that they
needed the network: the agent's container has none), and the verdicts equal to the
published ones or not. An output drift is judged again from the stored outputs with this
version's normalisation, so runs made by older versions count alike. Then every exception
by name: a step whose exit code drifted (with its cause), a different submission (its
files), a verdict not the published one (with ``--official``, the folder of the published
``<id>/report.json`` files: the tests whose result differs; with ``--gold``, the gold
census's runs: whether the gold patch resolves here), an instance not replayed (its
outcome and error), a step that could not be replayed. Prints Markdown (for
docs/validation.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner.agents.drift import CLIP_JOIN, check_step
from swe_runner.inputs.published import RecordedStep, StepKind
from swe_runner.manifest import RunManifest
from swe_runner.records import EvalReport, TestsStatus, TrajectoryStep
from swe_runner.replay_records import ReplayResult, StepCheck, StepStatus, SubmissionMatch

_EXIT_DRIFT = ("exit code", "timed out", "recorded as timed out")
# A replayed output saying the step needed the network (the agent's container has none).
_NETWORK = re.compile(
    r"Temporary failure in name resolution|Could not resolve host|Name or service not known"
    r"|Failed to establish a new connection|Network is unreachable|No matching distribution"
)


NETWORK = "needed the network"


@dataclass(frozen=True)
class Drift:
    """A drifted step: whether its exit code (or time-out) differs, and its cause: the
    network, a step after one that needed it, or what differs."""

    step: int
    exit_code: bool
    cause: str


@dataclass(frozen=True)
class Row:
    """One task of a replay run: its report (None: not finished) and its drifted steps."""

    repo: str
    instance_id: str
    report: EvalReport | None
    drifts: list[Drift]
    folder: Path

    @property
    def replay(self) -> ReplayResult | None:
        return self.report.replay if self.report is not None else None

    @property
    def verdict_equal(self) -> bool | None:
        """Our verdict against the published one (None: either is missing)."""
        if self.report is None or self.replay is None or self.replay.published_resolved is None:
            return None
        return self.report.resolved == self.replay.published_resolved


def _output_still_drifts(step: TrajectoryStep, check: StepCheck) -> bool:
    """An output drift judged again with this version's normalisation, from the outputs
    the run stored (a clipped recording is stored as its head and tail)."""
    recorded = check.recorded_output or ""
    clipped = check.detail != "output differs"
    head, _, tail = recorded.partition(CLIP_JOIN)
    again = RecordedStep(
        check.step, StepKind.SHELL, "", exit_code=check.recorded_exit,
        output=None if clipped else recorded, clipped=(head, tail) if clipped else None,
    )  # fmt: skip
    return check_step(again, check.exit_code, False, step.output or "").status is StepStatus.DRIFT


def _drifts(path: Path) -> list[Drift]:
    """The replayed steps that drifted, each with its cause (an output drift judged again
    with this version's normalisation: runs made by older versions count alike)."""
    found: list[Drift] = []
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for step in (TrajectoryStep.model_validate_json(line) for line in lines if line.strip()):
        check = step.replay
        if check is None or check.status is not StepStatus.DRIFT:
            continue
        detail = check.detail or ""
        if detail.startswith("output") and not _output_still_drifts(step, check):
            continue
        exit_code = detail.startswith(_EXIT_DRIFT)
        if _NETWORK.search(step.output or ""):
            cause = NETWORK
        elif exit_code and any(d.cause == NETWORK for d in found):
            cause = "after a step that needed the network"
        else:
            cause = detail
        found.append(Drift(check.step, exit_code, cause))
    return found


def read_run(folder: Path) -> list[Row]:
    manifest = RunManifest.model_validate_json((folder / "run.json").read_text("utf-8"))
    rows = []
    for task in manifest.dataset.tasks or []:
        path = folder / task.instance_id / "report.json"
        report = None
        if path.is_file():
            report = EvalReport.from_swebench(json.loads(path.read_text(encoding="utf-8")))
        trajectory = folder / task.instance_id / "trajectory.jsonl"
        rows.append(Row(task.repo, task.instance_id, report, _drifts(trajectory), path.parent))
    return rows


def _figures(rows: list[Row]) -> list[int]:
    done = [r for r in rows if r.replay is not None]
    same = sum(r.replay is not None and r.replay.submission is SubmissionMatch.SAME for r in rows)
    return [
        len(rows),
        len(done),
        same,
        len(done) - same,
        sum(r.replay.steps_replayed for r in done if r.replay is not None),
        sum(len(r.drifts) for r in done),
        sum(d.exit_code for r in done for d in r.drifts),
        sum(d.cause == NETWORK for r in done for d in r.drifts),
        sum(r.verdict_equal is True for r in rows),
        sum(r.verdict_equal is False for r in rows),
    ]


HEADER = (
    "| repository | tasks | replayed | submission same | different | steps replayed "
    "| drifted | of them: exit code | network | verdict = published | ≠ published |"
)


def table(rows: list[Row]) -> list[str]:
    by_repo: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_repo[row.repo].append(row)
    lines = [HEADER, "|---" * 11 + "|"]
    for repo in sorted(by_repo):
        lines.append(f"| {repo} | " + " | ".join(map(str, _figures(by_repo[repo]))) + " |")
    total = " | ".join(f"**{n}**" for n in _figures(rows))
    lines.append(f"| **all** | {total} |")
    return lines


def _official(folder: Path | None, instance_id: str) -> TestsStatus | None:
    path = folder / instance_id / "report.json" if folder is not None else None
    if path is None or not path.is_file():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    return TestsStatus.model_validate(body.get(instance_id, body).get("tests_status", {}))


def _passed(status: TestsStatus) -> dict[str, bool]:
    return {
        test: ok
        for group in (status.FAIL_TO_PASS, status.PASS_TO_PASS)
        for ok, tests in ((True, group.success), (False, group.failure))
        for test in tests
    }


def _tests_differ(ours: TestsStatus, official: TestsStatus) -> str:
    mine, theirs = _passed(ours), _passed(official)
    differ = sorted(t for t in mine.keys() & theirs.keys() if mine[t] != theirs[t])
    said = [f"{t} {'passes' if mine[t] else 'fails'} here" for t in differ[:3]]
    more = f" (+{len(differ) - 3} more)" if len(differ) > 3 else ""
    return "; ".join(said) + more if said else "no test result differs"


def _gold(gold_runs: list[Path], instance_id: str) -> str:
    for run in gold_runs:
        path = run / instance_id / "report.json"
        if path.is_file():
            report = EvalReport.from_swebench(json.loads(path.read_text(encoding="utf-8")))
            return f"; gold here: {report.outcome}"
    return ""


def exceptions(rows: list[Row], official: Path | None, gold_runs: list[Path]) -> list[str]:
    lines = []
    for row in rows:
        report, replay = row.report, row.replay
        if report is None or replay is None:
            why = "not finished"  # a resume redoes an interrupted one
            if report is not None and not report.interrupted:
                why = f"{report.outcome}: {report.error}"
            lines.append(f"- {row.instance_id}: not replayed ({why})")
            continue
        if replay.submission is not SubmissionMatch.SAME:
            files = ", ".join(replay.files_differ) or "no file named"
            lines.append(f"- {row.instance_id}: submission {replay.submission} ({files})")
        if replay.not_replayable:
            lines.append(f"- {row.instance_id}: not replayable: {', '.join(replay.not_replayable)}")
        if any(d.exit_code for d in row.drifts):
            causes: dict[str, list[str]] = defaultdict(list)
            for drift in (d for d in row.drifts if d.exit_code):
                causes[drift.cause].append(str(drift.step))
            said = "; ".join(f"{c}: step {', '.join(s)}" for c, s in causes.items())
            lines.append(f"- {row.instance_id}: exit code drifted: {said}")
        if row.verdict_equal is False:
            theirs = _official(official, row.instance_id)
            tests = f"; {_tests_differ(report.tests_status, theirs)}" if theirs else ""
            log = row.folder / "test_output.txt"
            offline = log.is_file() and _NETWORK.search(log.read_text("utf-8", "replace"))
            tests += "; the tests' log has network errors" if offline else ""
            lines.append(
                f"- {row.instance_id}: verdict {report.outcome}, published "
                f"{'resolved' if replay.published_resolved else 'unresolved'}"
                f"{tests}{_gold(gold_runs, row.instance_id)}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="replay run folders")
    parser.add_argument("--official", type=Path, help="the published <id>/report.json folder")
    parser.add_argument("--gold", type=Path, nargs="*", default=[], help="gold census runs")
    args = parser.parse_args(argv)
    rows = [row for folder in args.runs for row in read_run(folder)]
    print("\n".join(table(rows)))
    found = exceptions(rows, args.official, args.gold)
    print("\nExceptions:\n" + ("\n".join(found) if found else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
