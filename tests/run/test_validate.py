"""`swe-runner tasks validate`: the demo suite is sound, and a broken task is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS, Dataset
from tests.conftest import ca_args

pytestmark = pytest.mark.docker


def test_demo_suite_validates(
    demo_images: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known_bad = tmp_path / "known-bad.json"
    args = ["tasks", "validate", "demo", "--workers", "2", "--known-bad", str(known_bad)]
    assert main([*args, *ca_args()]) == 0
    out = capsys.readouterr().out
    assert f"{len(demo_images)}/{len(demo_images)} tasks valid" in out
    listed = json.loads(known_bad.read_text())
    assert listed["instances"] == [] and listed["validated"] == len(demo_images)


def test_breaking_a_gold_patch_fails_validation_with_a_clear_message(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "demo"
    shutil.copytree(PROJECT_TASKS / "demo", suite)
    victim, donor = (
        demo.tasks[0],
        next(
            t
            for t in demo.tasks[1:]
            if t.repo == demo.tasks[0].repo and t.base_commit == demo.tasks[0].base_commit
        ),
    )
    # The victim's "fix" is now another task's fix: it applies, but fixes the wrong bug.
    (suite / "instances" / victim.instance_id / "gold.diff").write_text(donor.patch)
    code = main(["tasks", "validate", str(suite), "-i", victim.instance_id,
                 "--results-dir", str(tmp_path / "results"), *ca_args()])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert f"BROKEN {victim.instance_id}" in captured.err
    for test in victim.FAIL_TO_PASS:
        assert f"test fails with the gold patch: {test}" in captured.err
    assert f"broken: {victim.instance_id}" in captured.out
