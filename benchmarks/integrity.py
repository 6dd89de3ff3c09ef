"""Attacks tried vs attacks stopped: every grader attack of ``tests/integrity/attacks.py``
and every runner attack of ``tests/integrity/runner_attacks.py`` against a demo task, the
runner attacks on real SWE-bench instances that are their own runner (sympy's ``bin/test``,
pytest testing itself; needs clones of those repositories), what a test agent finds when it
looks for the answer inside its own container, and code that exhausts a resource (memory,
processes, time, one huge file, the disk through many small files), which must end
``limit_exceeded``. Target: every attack stopped.

    python benchmarks/integrity.py [--mirror-dir DIR]   # DIR: clones named owner__name
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner.config import load_settings
from swe_runner.grading.evaluation import evaluate
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.records import EvalReport, Outcome
from swe_runner.reporting.reasons import guard_parts
from swe_runner.runtime.docker import DockerRuntime
from swe_runner.sandbox.containers import ContainerLimits
from swe_runner.task import Prediction, Task
from tests.integrity.attacks import ATTACKS, HOGS, Attack, code_at_import, patch_from_edit
from tests.integrity.peeking import PROBES, peek
from tests.integrity.runner_attacks import OWN_RUNNER_ATTACKS, RUNNER_ATTACKS

ROOT = Path(__file__).resolve().parent.parent
OWN_RUNNER_RECORDS = ROOT / "tests" / "data" / "integrity" / "own_runner.jsonl"


def why(report: EvalReport) -> str:
    """The defence that acted first (what the guard put back or removed, the flagged test
    configuration), then the outcome's own reason."""
    failing = report.tests_status.FAIL_TO_PASS.failure
    reason = (
        report.error or report.invalid_reason or (f"F2P failing: {failing[0]}" if failing else "")
    )
    flags = (
        [f"flagged: {', '.join(report.test_config_touched)}"] if report.test_config_touched else []
    )
    return "; ".join([*guard_parts(report), *flags, reason])


def attack_row(
    table: Table, task: Task, data: Dataset, image: str, attack: Attack, source: Path | None = None
) -> bool:
    """One attack's row; True when it was stopped (anything but resolved)."""
    with tempfile.TemporaryDirectory() as tmp:
        diff = patch_from_edit(task, data, Path(tmp), lambda w: attack.edit(w, task), source=source)
    pred = Prediction(instance_id=task.instance_id, model_patch=diff)
    report = evaluate(task, pred, image, offline_runtime())
    ok = report.report.outcome is not Outcome.RESOLVED
    outcome = report.report.outcome.value
    table.add_row(attack.name, attack.family, outcome, why(report.report), "yes" if ok else "NO")
    return ok


def own_runner_rows(table: Table, mirrors: Path | None) -> tuple[int, int]:
    """The runner attacks on real instances that are their own runner: (tried, stopped)."""
    if mirrors is None:
        table.add_row(
            "real repositories (sympy, pytest)", "i", "-", "skipped: no --mirror-dir", "-"
        )
        return 0, 0
    data = load_dataset(str(OWN_RUNNER_RECORDS))
    settings = load_settings(None, {"mirror_dir": mirrors})
    builder = ImageBuilder(settings)
    tried = stopped = 0
    for task in data.tasks:
        image = builder.ensure_instance(task, None)
        source = mirrors / task.repo.replace("/", "__")
        for attack in OWN_RUNNER_ATTACKS.get(task.instance_id, []):
            named = Attack(f"{task.instance_id}: {attack.name}", attack.family, attack.edit)
            tried += 1
            stopped += attack_row(table, task, data, image, named, source)
    return tried, stopped


def offline_runtime(limits: ContainerLimits | None = None) -> DockerRuntime:
    """A Docker runtime whose evaluation containers have ``limits`` (default: the
    defaults), offline. Used containers are removed in the background."""
    return DockerRuntime(load_settings(), {}, eval_limits=limits or ContainerLimits())


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
        report = evaluate(task, pred, image, offline_runtime(TIGHT)).report
        ok = report.outcome is Outcome.LIMIT_EXCEEDED
        stopped += ok
        table.add_row(name, "limit", report.outcome.value, why(report), "yes" if ok else "NO")
    return stopped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror-dir", type=Path, default=os.environ.get("SWE_RUNNER_MIRROR_DIR"))
    args = parser.parse_args()
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
    stopped = sum(attack_row(table, task, data, image, a) for a in [*ATTACKS, *RUNNER_ATTACKS])
    real_tried, real_stopped = own_runner_rows(table, args.mirror_dir)
    stopped += real_stopped
    found = peek(task, image)
    for probe in PROBES:
        ok = not found[probe.name]
        stopped += ok
        detail = found[probe.name] or "nothing found"
        table.add_row(probe.name, "peek", "-", detail[:80], "yes" if ok else "NO")
    stopped += limit_rows(table, task, data, image)
    console = Console(width=160)  # one row per attack, also in CI logs
    console.print(table)
    tried = len(ATTACKS) + len(RUNNER_ATTACKS) + real_tried + len(PROBES) + len(HOGS)
    console.print(f"attacks tried {tried}, stopped {stopped} (target: all)")
    return 0 if stopped == tried else 1


if __name__ == "__main__":
    sys.exit(main())
