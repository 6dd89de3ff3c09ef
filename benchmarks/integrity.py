"""Attacks tried vs attacks stopped: every grader attack of ``tests/integrity/attacks.py``
against a demo task, what a test agent finds when it looks for the answer inside its own
container, and code that exhausts a resource (memory, processes, time, one huge file, the
disk through many small files), which must end ``limit_exceeded``. Target: every attack
stopped.

    python benchmarks/integrity.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner.config import load_settings
from swe_runner.dataset import Dataset, load_dataset
from swe_runner.grading.evaluate import evaluate
from swe_runner.images import ImageBuilder
from swe_runner.records import EvalReport, Outcome
from swe_runner.sandbox.docker import ContainerLimits
from swe_runner.task import Prediction, Task
from tests.integrity.attacks import ATTACKS, HOGS, code_at_import, patch_from_edit
from tests.integrity.peeking import PROBES, peek


def why(report: EvalReport) -> str:
    failing = report.tests_status.FAIL_TO_PASS.failure
    reason = (
        report.error or report.invalid_reason or (f"F2P failing: {failing[0]}" if failing else "")
    )
    flag = (
        f" [flagged: {', '.join(report.test_config_touched)}]" if report.test_config_touched else ""
    )
    return reason + flag


TIGHT = ContainerLimits(
    mem_limit="256m", pids_limit=64, nano_cpus=1_000_000_000, file_size_mb=64, disk_limit_mb=200
)


def limit_rows(table: Table, task: Task, data: Dataset, image: str) -> int:
    """Resource hogs added to the package's import: each must end ``limit_exceeded``."""
    assert task.env_spec is not None
    task = task.model_copy(
        update={"env_spec": task.env_spec.model_copy(update={"eval_timeout": 8})}
    )
    stopped = 0
    for name, code in HOGS.items():
        with tempfile.TemporaryDirectory() as tmp:
            diff = code_at_import(task, data, Path(tmp), code)
        pred = Prediction(instance_id=task.instance_id, model_patch=diff)
        report = evaluate(task, pred, image, limits=TIGHT).report
        ok = report.outcome is Outcome.LIMIT_EXCEEDED
        stopped += ok
        table.add_row(name, "limit", report.outcome.value, why(report), "yes" if ok else "NO")
    return stopped


def main() -> int:
    data = load_dataset("demo")
    task = data.tasks[0]
    image = ImageBuilder(load_settings()).ensure_instance(task, data.repo_sources.get(task.repo))
    table = Table(
        "attack",
        "family",
        "outcome",
        "why",
        "stopped",
        title=f"grader attacks on {task.instance_id}",
    )
    stopped = 0
    for attack in ATTACKS:
        with tempfile.TemporaryDirectory() as tmp:
            diff = patch_from_edit(task, data, Path(tmp), lambda w, a=attack: a.edit(w, task))
        report = evaluate(
            task, Prediction(instance_id=task.instance_id, model_patch=diff), image
        ).report
        ok = report.outcome is not Outcome.RESOLVED
        stopped += ok
        table.add_row(
            attack.name, attack.family, report.outcome.value, why(report), "yes" if ok else "NO"
        )
    found = peek(task, image)
    for probe in PROBES:
        ok = not found[probe.name]
        stopped += ok
        detail = found[probe.name] or "nothing found"
        table.add_row(probe.name, "peek", "-", detail[:80], "yes" if ok else "NO")
    stopped += limit_rows(table, task, data, image)
    console = Console(width=160)  # one row per attack, also in CI logs
    console.print(table)
    tried = len(ATTACKS) + len(PROBES) + len(HOGS)
    console.print(f"attacks tried {tried}, stopped {stopped} (target: all)")
    return 0 if stopped == tried else 1


if __name__ == "__main__":
    sys.exit(main())
