"""The evaluation script's text (no container): what it restores, and in which order."""

from __future__ import annotations

from swe_runner.dataset import load_dataset
from swe_runner.grading import markers
from swe_runner.grading.evaluate import eval_script, hidden_tests_command, prepare_script
from tests.docker.test_evaluate import FORCE_PASS_CONFTEST


def demo_task():  # type: ignore[no-untyped-def]
    return load_dataset("demo").tasks[0]


def test_stderr_is_merged_before_anything_prints() -> None:
    # Regression: git apply's stderr arrived in another frame than our stdout markers, and
    # once glued "cleanly.>>>>> swe-runner: test start" onto one line: a valid run, ungraded.
    task = demo_task()
    assert task.env_spec is not None
    script = eval_script(task, task.env_spec, task.patch)
    assert script.index("exec 2>&1") < script.index("apply_model_patch ")
    assert script.index("exec 2>&1") < script.index(markers.TEST_START)


def test_test_patch_paths_and_touched_test_config_are_restored() -> None:
    task = demo_task()
    assert task.env_spec is not None
    script = eval_script(task, task.env_spec, task.patch + FORCE_PASS_CONFTEST)
    loop = next(line for line in script.splitlines() if line.startswith("for path in "))
    assert "conftest.py" in loop.split()
    for path in ("tests/test_duration.py",):
        assert path in loop
    assert script.index(loop) < script.index("git apply --verbose /swe-runner/test.patch")


def test_the_preparation_reproduce_shell_runs_is_the_evaluation_up_to_the_test_run() -> None:
    task = demo_task()
    spec = task.env_spec.model_copy(update={"eval_setup": ["touch ready"]})  # type: ignore[union-attr]
    script = eval_script(task, spec, task.patch + FORCE_PASS_CONFTEST)
    prepared = prepare_script(task, spec, task.patch + FORCE_PASS_CONFTEST)
    assert script.startswith(prepared)
    assert "touch ready" in prepared and markers.TEST_START not in prepared
    assert f"{hidden_tests_command(task, spec)} 2>&1" in script[len(prepared) :]
    bare = prepare_script(task, spec, task.patch, with_tests=False)  # --shell alone
    assert prepared.startswith(bare) and "test.patch" not in bare and "touch ready" not in bare
