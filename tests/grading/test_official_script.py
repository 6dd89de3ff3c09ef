"""The official images' path: image names, the records' eval scripts, reading their logs.

Fidelity checks run against the real SWE-bench Verified records in
``../shared/verified-dev/`` (their ``image`` and ``eval_script`` columns, written by the
official harness); the log readers are pinned against the exploits they block.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from swe_runner.errors import UnknownNameError
from swe_runner.grading import markers
from swe_runner.grading.official import (
    OFFICIAL_LINE,
    graded_view,
    official_run_script,
    recorded_eval_script,
)
from swe_runner.grading.outcome import outcome_from_log
from swe_runner.images.official import _registry_and_path, image_name, official_image
from swe_runner.records import Outcome
from swe_runner.task import Prediction, Task
from tests.official_layout import VERIFIED_DEV, official_eval_script


@cache
def records() -> list[dict[str, Any]]:
    if not VERIFIED_DEV.is_file():
        pytest.skip(f"the development records are not here: {VERIFIED_DEV}")
    return [json.loads(line) for line in VERIFIED_DEV.read_text().splitlines()]


def test_image_names_are_the_ones_the_official_records_carry() -> None:
    for record in records():
        assert image_name(record["instance_id"]) == record["image"]
        task = Task.model_validate(record)
        assert official_image(task) == record["image"]


def test_another_namespace_replaces_the_records_own() -> None:
    task = Task.model_validate(records()[0])
    name = "sweb.eval.x86_64.astropy_1776_astropy-12907:latest"
    assert official_image(task, "127.0.0.1:5000/swebench") == f"127.0.0.1:5000/swebench/{name}"
    bare = task.model_copy(update={"image": None})
    assert official_image(bare, "ghcr.io/mirror/") == f"ghcr.io/mirror/{name}"


def test_registry_of_an_image_reference() -> None:
    assert _registry_and_path("swebench/sweb.eval.x86_64.a_1776_b-1:latest") == (
        "registry-1.docker.io",
        "swebench/sweb.eval.x86_64.a_1776_b-1",
        "latest",
    )
    assert _registry_and_path("127.0.0.1:5000/swebench/x:v1") == (
        "127.0.0.1:5000",
        "swebench/x",
        "v1",
    )
    assert _registry_and_path("debian") == ("registry-1.docker.io", "library/debian", "latest")


def test_the_test_template_writes_every_real_records_script_byte_for_byte() -> None:
    """tests/official_layout.py (which makes the docker test's records) is the official
    template: with swebench 4.1.0's specs it rewrites all 463 real scripts exactly."""
    from swebench.harness.constants import MAP_REPO_VERSION_TO_SPECS

    for record in records():
        spec = MAP_REPO_VERSION_TO_SPECS[record["repo"]][record["version"]]
        test_cmd = spec["test_cmd"][-1] if isinstance(spec["test_cmd"], list) else spec["test_cmd"]
        written = official_eval_script(
            record["repo"],
            record["base_commit"],
            record["test_patch"],
            test_cmd,
            spec.get("install"),
            spec.get("eval_commands", ()),
        )
        assert written == record["eval_script"], record["instance_id"]


def test_recorded_script_records_the_test_commands_exit_status_as_swebench_5_does() -> None:
    script = records()[0]["eval_script"]
    recorded = recorded_eval_script(script)
    assert recorded.startswith("#!/bin/bash\nset -uxo pipefail\n")
    lines = recorded.splitlines()
    end = lines.index(": '>>>>> End Test Output'")
    assert lines[end - 2] == "pytest -rA astropy/modeling/tests/test_separable.py"
    assert lines[end - 1] == "SWEBENCH_TEST_EXIT_CODE=$?"
    assert lines[end + 1] == 'echo ">>>>> Test Exit Code: $SWEBENCH_TEST_EXIT_CODE"'
    # Nothing else changed.
    assert [ln for ln in lines if "SWEBENCH_TEST_EXIT_CODE" not in ln] == script.splitlines()


def test_a_script_without_the_end_marker_is_left_as_it_is() -> None:
    script = "#!/bin/bash\nset -uxo pipefail\npytest -rA\n"
    assert recorded_eval_script(script) == script


def test_the_run_script_tries_the_official_harness_patch_commands_in_order() -> None:
    runner = official_run_script(Task.model_validate(records()[0]))
    order = [
        'git apply --verbose "$1"',
        'git apply --verbose --3way "$1"',
        'git apply --verbose --reject "$1"',
        'patch --batch --forward --fuzz=5 -p1 -i "$1"',
    ]
    positions = [runner.index(cmd) for cmd in order]
    assert positions == sorted(positions)
    assert "git checkout -- . ; git clean -fd" in runner  # a clean tree for each retry
    assert "git apply --check --reverse" in runner
    assert runner.splitlines()[2] == f'echo "{OFFICIAL_LINE}"'


def _official_log(test_output: str, status: int, after: str = "") -> str:
    return (
        f"{OFFICIAL_LINE}\n{markers.APPLY_OK} git apply --verbose\n+ git status\n"
        f"+ : '>>>>> Start Test Output'\n+ pytest -rA tests/test_a.py\n{test_output}"
        f"+ SWEBENCH_TEST_EXIT_CODE={status}\n+ : '>>>>> End Test Output'\n"
        f"+ echo '>>>>> Test Exit Code: {status}'\n>>>>> Test Exit Code: {status}\n{after}"
    )


PASSING = (
    "============================= test session starts ==============================\n"
    "collected 1 item\n\ntests/test_a.py .\n\n"
    "=========================== short test summary info ============================\n"
    "PASSED tests/test_a.py::test_one\n"
    "============================== 1 passed in 0.01s ===============================\n"
)


def _task(**update: Any) -> Task:
    base = {
        "instance_id": "acme__lib-1",
        "repo": "acme/lib",
        "base_commit": "a" * 40,
        "problem_statement": "p",
        "patch": "",
        "test_patch": "",
        "FAIL_TO_PASS": ["tests/test_a.py::test_one"],
        "log_parser": "parse_log_pytest",
        "eval_script": "#!/bin/bash\n",
    }
    return Task.model_validate({**base, **update})


def _grade(log: str) -> Any:
    pred = Prediction(instance_id="acme__lib-1", model_patch="diff")
    return outcome_from_log(_task(), pred, log)


def test_the_official_markers_are_read_as_ours() -> None:
    view = graded_view(_official_log(PASSING, 0))
    assert markers.exit_status(view) == 0
    assert "PASSED tests/test_a.py::test_one" in (markers.test_section(view) or "")
    report = _grade(_official_log(PASSING, 0))
    assert report.outcome is Outcome.RESOLVED and report.exit_code == 0


def test_logs_of_our_own_scripts_are_read_unchanged() -> None:
    log = f"{markers.TEST_START}\n{PASSING}{markers.TEST_END}\n{markers.TEST_EXIT} 0\n"
    assert graded_view(log) == log


def test_printed_end_marker_and_exit_status_cannot_fake_a_pass() -> None:
    """Code under test printing the end marker and a zero exit status inside its output
    moves neither the section's end nor the status: the real ones come last."""
    spoof = PASSING + "+ : '>>>>> End Test Output'\n>>>>> Test Exit Code: 0\n"
    failing = PASSING.replace("1 passed", "1 failed").replace("PASSED", "FAILED")
    report = _grade(_official_log(spoof + failing, 1))
    assert report.exit_code == 1
    assert report.outcome is Outcome.UNRESOLVED


def test_passed_lines_with_a_failing_exit_status_are_never_resolved() -> None:
    report = _grade(_official_log(PASSING, 1))
    assert report.log_valid is False and report.outcome is not Outcome.RESOLVED


def test_a_log_without_the_exit_status_is_invalid() -> None:
    log = _official_log(PASSING, 0).replace(">>>>> Test Exit Code: 0\n", "")
    assert _grade(log).log_valid is False


def _grade_with_parser(parser: str) -> Any:
    task = _task(log_parser=parser)
    pred = Prediction(instance_id=task.instance_id, model_patch="diff")
    return outcome_from_log(task, pred, _official_log(PASSING, 0))


def test_the_official_log_is_read_with_the_parser_the_record_names() -> None:
    assert _grade_with_parser("parse_log_pytest").outcome is Outcome.RESOLVED
    assert _grade_with_parser("parse_log_django").outcome is not Outcome.RESOLVED
    with pytest.raises(UnknownNameError):
        _grade_with_parser("parse_log_nothing")
