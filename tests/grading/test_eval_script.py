"""The evaluation script's text (no container): what it restores, and in which order."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from swe_runner.grading import guard, markers
from swe_runner.grading.script import eval_script, hidden_tests_command, prepare_script
from swe_runner.inputs.dataset import load_dataset
from tests.run.test_evaluate import FORCE_PASS_CONFTEST


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
    assert (
        f"bash -c {shlex.quote(hidden_tests_command(task, spec))} 2>&1" in script[len(prepared) :]
    )
    bare = prepare_script(task, spec, task.patch, with_tests=False)  # --shell alone
    assert prepared.startswith(bare) and "test.patch" not in bare and "touch ready" not in bare


def test_a_test_command_with_assignments_and_and_runs_as_a_shell_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Regression: sympy's official command starts with PYTHONWARNINGS='...': run after
    # `timeout` as a program name, it exited 127 and every sympy instance was unresolved.
    task = demo_task()
    command = (
        "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' true && "
        "X='a b' python3 -c 'import os, sys; print(os.environ[\"X\"], sys.argv[1:])'"
    )
    spec = task.env_spec.model_copy(update={"test_cmd": command})  # type: ignore[union-attr]
    script = eval_script(task, spec, task.patch)
    line = next(ln for ln in script.splitlines() if ln.startswith("timeout "))
    done = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True)
    files = [f for f in hidden_tests_command(task, spec).split()[-1:]]
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip() == f"a b {files}"


def test_the_official_reinstall_runs_after_the_prediction_before_the_tests() -> None:
    task = demo_task()
    spec = task.env_spec.model_copy(  # type: ignore[union-attr]
        update={"install": ("python -m pip install -e .",), "reinstall_for_tests": True}
    )
    script = eval_script(task, spec, task.patch)
    at = script.index("python -m pip install -e .\n")
    assert script.index("apply_model_patch /swe-runner/model.patch") < at
    assert at < script.index("git apply --verbose /swe-runner/test.patch")
    plain = eval_script(task, spec.model_copy(update={"reinstall_for_tests": False}), task.patch)
    assert "pip install -e ." not in plain


def test_the_guard_snapshots_before_the_prediction_and_sweeps_before_the_hidden_tests() -> None:
    task = demo_task()
    spec = task.env_spec.model_copy(  # type: ignore[union-attr]
        update={"install": ("python -m pip install -e .",), "reinstall_for_tests": True}
    )
    script = eval_script(task, spec, task.patch)
    snapshot, sweep = script.index("guard.py snapshot"), script.index("guard.py sweep")
    assert snapshot < script.index("apply_model_patch /swe-runner/model.patch")
    assert script.index("python -m pip install -e .\n") < script.index("\nreap\n") < sweep
    assert script.index("for path in ") < sweep < script.index("/swe-runner/test.patch ||")
    # Nothing the tests left can print after the end marker; the record comes after it.
    end = script.index(markers.TEST_END)
    assert script.index("rc=$?") < script.rindex("\nreap\n") < end
    assert end < script.index(f"sed 's/^/{guard.RECORD_LINE} /'")


@pytest.mark.parametrize(
    ("test_cmd", "records"),
    [
        ("python -m pytest -rA -p no:cacheprovider", True),
        ("pytest -rA -vv -o console_output_style=classic --tb=no", True),
        ("PYTHONWARNINGS='ignore::UserWarning' pytest --no-header -rA", True),
        ("PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose", False),
        ("./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1", False),
        ("tox --current-env -epy39 -v --", False),
        ("cd sub && pytest -rA", False),
    ],
)
def test_only_a_plain_pytest_command_loads_the_record_plugin(test_cmd: str, records: bool) -> None:
    task = demo_task()
    spec = task.env_spec.model_copy(update={"test_cmd": test_cmd})  # type: ignore[union-attr]
    script = eval_script(task, spec, task.patch)
    assert ("-p swe_runner_record" in hidden_tests_command(task, spec)) is records
    assert (guard.RECORD_REQUESTED in script) is records


def test_runner_scripts_are_the_repository_paths_the_test_command_runs() -> None:
    sympy = "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose"
    assert guard.runner_scripts(sympy) == ["bin/test"]
    django = "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1"
    assert guard.runner_scripts(django) == ["tests/runtests.py"]
    assert guard.runner_scripts("pytest -rA -p no:cacheprovider") == []
