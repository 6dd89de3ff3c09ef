"""The test runner out of the patch's reach: every runner attack of the catalogue
(``tests/integrity/runner_attacks.py``) is never resolved, on the demo suite and on real
repositories that are their own runner (sympy, pytest); gold patches, with or without the
agent's scratch files, still resolve; and the report says which defence acted."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.config import load_settings
from swe_runner.grading.evaluation import evaluate
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.records import Outcome
from swe_runner.task import Prediction, Task
from tests.conftest import HOST_CA_BUNDLE, HOST_MIRROR_DIR, EvalRuntime
from tests.integrity.attacks import Attack, patch_from_edit
from tests.integrity.runner_attacks import OWN_RUNNER_ATTACKS, RUNNER_ATTACKS

pytestmark = pytest.mark.docker

OWN_RUNNER_RECORDS = Path(__file__).parent.parent / "data" / "integrity" / "own_runner.jsonl"


@pytest.mark.parametrize("attack", RUNNER_ATTACKS, ids=[a.name for a in RUNNER_ATTACKS])
def test_runner_attack_is_never_resolved_and_the_defence_is_reported(
    eval_runtime: EvalRuntime,
    attack: Attack,
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
) -> None:
    task = demo.tasks[0]
    diff = patch_from_edit(task, demo, tmp_path, lambda work: attack.edit(work, task))
    pred = Prediction(instance_id=task.instance_id, model_patch=diff)
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report
    assert report.outcome is Outcome.UNRESOLVED and not report.resolved
    # Stopped by a defence of its own, not by chance: something put back, or a log the
    # harness's record does not back.
    assert report.integrity.acted or report.log_valid is False, report


def _scratch(work: Path) -> None:
    """What an agent leaves besides its fix: a reproduction, notes, its own tests, a module
    named like the standard library's in a scratch folder."""
    (work / "reproduce.py").write_text("print('reproduced')\n")
    (work / "NOTES.md").write_text("notes\n")
    (work / "tests" / "test_mine.py").write_text("def test_mine():\n    assert False\n")
    (work / "scratch").mkdir()
    (work / "scratch" / "json.py").write_text("raise SystemExit(3)\n")


def test_a_gold_patch_with_the_agent_s_scratch_files_still_resolves(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    task = demo.tasks[0]
    scratch = patch_from_edit(task, demo, tmp_path, _scratch)
    pred = Prediction(instance_id=task.instance_id, model_patch=task.patch + scratch)
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report
    assert report.outcome is Outcome.RESOLVED, report
    assert report.integrity.removed == [
        "scratch/json.py (shadows json)",
        "tests/test_mine.py (test directory)",
    ]
    assert report.integrity.record is not None and "agree" in report.integrity.record


@pytest.fixture(scope="module")
def real() -> tuple[Dataset, dict[str, str], Path]:
    """The real instances, their images and the clones they come from."""
    if not HOST_MIRROR_DIR:
        pytest.skip("set SWE_RUNNER_MIRROR_DIR to clones (owner__name) of sympy and pytest")
    mirrors = Path(HOST_MIRROR_DIR)
    data = load_dataset(str(OWN_RUNNER_RECORDS))
    settings = load_settings(None, {"ca_bundle": HOST_CA_BUNDLE, "mirror_dir": mirrors}, environ={})
    builder = ImageBuilder(settings)
    images = {t.instance_id: builder.ensure_instance(t, None) for t in data.tasks}
    return data, images, mirrors


def _task(data: Dataset, instance_id: str) -> Task:
    return next(t for t in data.tasks if t.instance_id == instance_id)


OWN = [(iid, attack) for iid, attacks in OWN_RUNNER_ATTACKS.items() for attack in attacks]


@pytest.mark.parametrize(("instance_id", "attack"), OWN, ids=[f"{i}: {a.name}" for i, a in OWN])
def test_an_own_runner_attack_on_a_real_repository_is_never_resolved(
    eval_runtime: EvalRuntime,
    instance_id: str,
    attack: Attack,
    real: tuple[Dataset, dict[str, str], Path],
    tmp_path: Path,
) -> None:
    data, images, mirrors = real
    task = _task(data, instance_id)
    source = mirrors / task.repo.replace("/", "__")
    diff = patch_from_edit(task, data, tmp_path, lambda w: attack.edit(w, task), source=source)
    pred = Prediction(instance_id=instance_id, model_patch=diff)
    report = evaluate(task, pred, images[instance_id], eval_runtime()).report
    assert report.outcome is Outcome.UNRESOLVED and not report.resolved
    assert report.integrity.acted or report.log_valid is False, report


@pytest.mark.parametrize("instance_id", list(OWN_RUNNER_ATTACKS))
def test_the_gold_patch_of_a_real_own_runner_instance_still_resolves(
    eval_runtime: EvalRuntime, instance_id: str, real: tuple[Dataset, dict[str, str], Path]
) -> None:
    data, images, _ = real
    task = _task(data, instance_id)
    pred = Prediction(instance_id=instance_id, model_patch=task.patch)
    report = evaluate(task, pred, images[instance_id], eval_runtime()).report
    assert report.outcome is Outcome.RESOLVED, report
    assert not report.integrity.acted
    assert (report.integrity.record is not None) is instance_id.startswith("pytest-dev")
