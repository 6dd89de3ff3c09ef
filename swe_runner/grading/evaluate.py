"""Evaluate one prediction in a fresh container: apply, restore, add hidden tests, run, grade.

This is the only grading module that touches a container. The script it runs is kept
(``eval.sh``) beside the raw log (``test_output.txt``), so grading can be redone from disk.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from swe_runner import patch as patches
from swe_runner.errors import InputError
from swe_runner.grading import guard, markers, official
from swe_runner.grading.grade import grade
from swe_runner.grading.parsers import get_parser
from swe_runner.records import EvalReport, Outcome, StopReason
from swe_runner.sandbox.base import ExecResult, Sandbox
from swe_runner.sandbox.docker import DEFAULT_CONTAINER_LIMITS, ContainerLimits
from swe_runner.sandbox.profiles import BUILD, ImageProfile
from swe_runner.sandbox.scripts import ContainerPool, run_script
from swe_runner.task import EnvSpec, Prediction, Task

__all__ = [
    "EvalResult",
    "charge_model_api",
    "eval_script",
    "evaluate",
    "hidden_tests_command",
    "outcome_from_log",
    "prepare",
    "prepare_script",
    "report_without_run",
    "test_duration",
]

WORKDIR = guard.WORKDIR
PREPARE_SCRIPT = f"{WORKDIR}/prepare.sh"  # reproduce --shell: the evaluation's first part
TEST_PATCH_FAILED = ">>>>> swe-runner: test patch failed to apply"
TEST_DURATION = ">>>>> swe-runner: test duration ms:"
# Appended to the saved log by the harness (not the script), so a regrade sees it too.
EVAL_TIMED_OUT = ">>>>> swe-runner: evaluation container timed out"
LIMIT_STOPPED = ">>>>> swe-runner: container stopped:"  # + the reason (the disk watchdog)
TIMEOUT_STATUS = 124  # what coreutils `timeout` returns when it had to stop the command
KILLED_STATUS = 137  # SIGKILL, most often the kernel's OOM killer
FILE_TOO_LARGE = "[Errno 27] File too large"  # a write past the file size limit (EFBIG)


@dataclass(frozen=True)
class EvalResult:
    """One evaluation: the report plus the exact script and the raw log that produced it."""

    report: EvalReport
    script: str | None
    log: str | None


def prepare_script(
    task: Task, spec: EnvSpec, prediction_patch: str, with_tests: bool = True
) -> str:
    """The evaluation's preparation, the first part of :func:`eval_script`: apply the
    prediction (``model.patch``) and, ``with_tests``, add the hidden tests (``test.patch``)
    and run the spec's ``eval_setup``. Exits 3 when the prediction does not apply, 4 when
    the test patch does not. ``reproduce --shell`` prepares its container with it too.

    Test-patch paths (renamed-from ones too) and test configuration the prediction touched
    are put back to the base commit (new ones deleted) before the test patch is applied:
    the evaluator, not the agent, decides which tests run and how. The integrity guard
    (:mod:`grading.guard`) takes its snapshot before the prediction is applied and sweeps
    after it (and after the reinstall it triggers): test directories, runner scripts and
    new shadowing modules put back, processes the reinstall left killed.
    """
    apply = patches.apply_function("apply_model_patch", markers.APPLY_OK)
    head = f"""#!/bin/bash
# swe-runner evaluation of {task.instance_id} (generated: the exact script that graded it)
set -uo pipefail
exec 2>&1  # one stream: stderr lines cannot land in the middle of a marker line
cd /testbed
BASE=$(git rev-parse HEAD)  # the image's own start: base commit {task.base_commit} + setup
{guard.reap_function()}{guard.snapshot_step()}{apply}
if [ -s {WORKDIR}/model.patch ]; then
  apply_model_patch {WORKDIR}/model.patch || {{ echo "{markers.APPLY_FAILED}"; exit 3; }}
fi
"""
    if not with_tests:
        return head
    restore = sorted(
        {
            *(c.path for c in patches.changes(task.test_patch)),
            *(c.source or "" for c in patches.changes(task.test_patch)),
            *patches.test_config_paths(prediction_patch),
        }
        - {""}
    )
    setup = "\n".join(spec.eval_setup)
    quoted = " ".join(shlex.quote(p) for p in restore)
    # The official eval script installs the repository again once the prediction is in
    # (a patch to a C extension or to setup.py takes effect); its failure is not fatal there.
    reinstall = "".join(f"{step}\n" for step in spec.install) if spec.reinstall_for_tests else ""
    return f"""{head}{reinstall}for path in {quoted}; do
  if git cat-file -e "$BASE:$path" 2>/dev/null; then git checkout -q "$BASE" -- "$path"
  else rm -rf -- "$path"; fi
done
{guard.sweep_step()}\
git apply --verbose {WORKDIR}/test.patch || {{ echo "{TEST_PATCH_FAILED}"; exit 4; }}
{setup}
"""


def hidden_tests_command(task: Task, spec: EnvSpec) -> str:
    """The shell line that runs ``task``'s hidden tests, from ``/testbed``: the spec's
    ``test_cmd`` (a shell line, as in the official eval script: assignments, ``&&``,
    quoting) followed by the test files or modules."""
    targets = patches.test_files(task.test_patch, spec.test_selection)
    return guard.test_command(spec.test_cmd, " ".join(shlex.quote(f) for f in targets))


def eval_script(task: Task, spec: EnvSpec, prediction_patch: str) -> str:
    """The bash script that grades ``prediction_patch`` against ``task``'s hidden tests:
    :func:`prepare_script`, then :func:`hidden_tests_command` between markers, with its exit
    status and duration. Every process the tests left is killed before the end marker (none
    can print after it); the harness's record of a pytest run is printed after it."""
    requested = f'echo "{guard.RECORD_REQUESTED}"\n' if guard.records_pytest(spec.test_cmd) else ""
    return f"""{prepare_script(task, spec, prediction_patch)}rm -f {guard.RECORD_FILE}
{requested}echo "{markers.TEST_START}"
started=$(date +%s%N)
timeout -k 10 {int(spec.eval_timeout)} bash -c {shlex.quote(hidden_tests_command(task, spec))} 2>&1
rc=$?
finished=$(date +%s%N)
reap
echo "{markers.TEST_END}"
echo "{markers.TEST_EXIT} $rc"
echo "{TEST_DURATION} $(( (finished - started) / 1000000 ))"
{guard.record_output()}"""


def _script_inputs(task: Task, prediction_patch: str) -> dict[str, str]:
    """The files the scripts read, by path in the container: the prediction (empty when
    there is none, so it is not applied), the test patch and the integrity guard's."""
    model = _with_newline(prediction_patch) if prediction_patch.strip() else ""
    spec = task.env_spec or EnvSpec()
    return {
        f"{WORKDIR}/model.patch": model,
        f"{WORKDIR}/test.patch": task.test_patch,
        **guard.files(spec.test_cmd),
    }


def prepare(
    sandbox: Sandbox, task: Task, prediction_patch: str, with_tests: bool = True
) -> ExecResult:
    """Prepare ``sandbox`` (a container of ``task``'s instance image) the way the evaluation
    prepares its own, with :func:`prepare_script`, and stop before the tests run.

    Returns the script's result: exit status 0 when everything applied (3: the prediction
    did not, 4: the test patch did not); its output shows how it went.
    """
    spec = task.env_spec or EnvSpec()
    files = {
        **_script_inputs(task, prediction_patch),
        PREPARE_SCRIPT: prepare_script(task, spec, prediction_patch, with_tests),
    }
    for path, text in files.items():
        sandbox.write_file(path, text.encode())
    return sandbox.exec(f"bash {PREPARE_SCRIPT}", timeout=spec.eval_timeout)


def report_without_run(
    task: Task,
    prediction: Prediction,
    outcome: Outcome,
    error: str | None = None,
    traceback: str | None = None,
) -> EvalReport:
    """A report for an instance that never reached the test run (empty patch, error...)."""
    return EvalReport(
        instance_id=task.instance_id,
        model_name_or_path=prediction.model_name_or_path,
        outcome=outcome,
        patch_is_None=prediction.model_patch is None,
        patch_exists=not prediction.is_empty,
        error=error,
        traceback=traceback,
    )


def outcome_from_log(
    task: Task, prediction: Prediction, log: str, timings: dict[str, float] | None = None
) -> EvalReport:
    """Grade a saved evaluation log: a pure function, used by evaluation and by regrading."""
    spec = task.env_spec or EnvSpec()
    parser = official.log_parser(task, spec, log)
    log = official.graded_view(log)  # the official script's markers, read as ours
    touched = patches.test_config_paths(prediction.model_patch or "")
    base = report_without_run(task, prediction, Outcome.ERROR).model_copy(
        update={
            "test_config_touched": touched,
            "integrity": guard.actions(log),
            "timings": dict(timings or {}),
        }
    )
    lines = set(log.splitlines())
    if markers.APPLY_FAILED in lines:
        return base.model_copy(
            update={
                "outcome": Outcome.PATCH_FAILED,
                "error": "the patch did not apply (git apply, patch)",
            }
        )
    method = markers.apply_method(log)
    base = base.model_copy(
        update={"patch_successfully_applied": method is not None, "apply_method": method}
    )
    if TEST_PATCH_FAILED in lines:
        return base.model_copy(update={"error": "the hidden test patch did not apply"})
    last = log.rstrip("\n").rpartition("\n")[2]  # only the harness writes after the script
    if last.startswith(LIMIT_STOPPED):  # the code passed a limit the harness keeps from outside
        reason = last[len(LIMIT_STOPPED) :].strip()
        return base.model_copy(update={"outcome": Outcome.LIMIT_EXCEEDED, "error": reason})
    result = grade(log, task.FAIL_TO_PASS, task.PASS_TO_PASS, parser)
    base = base.model_copy(
        update={
            "integrity": base.integrity.model_copy(update={"record": result.record_check}),
            "exit_code": result.exit_code,
            "log_valid": result.log_valid,
            "invalid_reason": result.invalid_reason,
            "tests_status": result.tests_status,
        }
    )
    # The code under test hitting a limit is the patch's doing, not the infrastructure's.
    limit = Outcome.LIMIT_EXCEEDED
    if result.exit_code == TIMEOUT_STATUS:
        reason = f"tests ran past the {spec.eval_timeout:g}s limit"
        return base.model_copy(update={"outcome": limit, "error": reason})
    if FILE_TOO_LARGE in (markers.test_section(log) or "") and not result.resolved:
        return base.model_copy(update={"outcome": limit, "error": "file size limit reached"})
    if result.exit_code == KILLED_STATUS and not result.resolved:
        reason = "test process was killed (memory or process limit)"
        return base.model_copy(update={"outcome": limit, "error": reason})
    if EVAL_TIMED_OUT in lines:
        return base.model_copy(update={"error": "evaluation container timed out"})
    if result.exit_code is None and markers.TEST_START in lines:
        return base.model_copy(update={"error": "the test run did not finish"})
    outcome = Outcome.RESOLVED if result.resolved else Outcome.UNRESOLVED
    return base.model_copy(update={"outcome": outcome, "resolved": result.resolved, "error": None})


def test_duration(log: str) -> float | None:
    """Seconds the test command took, as the eval script measured it."""
    found = re.findall(rf"^{re.escape(TEST_DURATION)} (\d+)$", log, re.MULTILINE)
    return int(found[-1]) / 1000 if found else None


def evaluate(
    task: Task,
    prediction: Prediction,
    image: str,
    limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
    run_empty: bool = False,
    labels: Mapping[str, str] | None = None,
    pool: ContainerPool | None = None,
    profile: ImageProfile = BUILD,
) -> EvalResult:
    """Run the hidden tests on ``prediction`` in a fresh container of ``image`` and grade.

    An empty prediction is graded ``empty_patch`` without a container, unless ``run_empty``
    (task validation: the hidden tests on the unpatched repository). The image's
    ``profile`` may ask for the task record's own script (:mod:`grading.official`), and
    says how our script activates the task's environment.

    Raises:
        ContainerError, ImageError: infrastructure failures (the caller records ``error``).
    """
    if prediction.is_empty and not run_empty:
        return EvalResult(report_without_run(task, prediction, Outcome.EMPTY_PATCH), None, None)
    model_patch = prediction.model_patch or ""
    refused = patches.refusal(model_patch)
    if refused is not None:
        report = report_without_run(task, prediction, Outcome.PATCH_FAILED, error=refused)
        return EvalResult(report, None, None)
    spec = task.env_spec or EnvSpec()
    if profile.record_scripts and task.eval_script:
        script, files, command, timeout = _official_plan(task, model_patch)
    else:
        get_parser(spec.log_parser)  # an unknown parser fails now, not after the test run
        script = _activated(eval_script(task, spec, model_patch), profile.activate)
        files = {f"{WORKDIR}/eval.sh": script, **_script_inputs(task, model_patch)}
        command, timeout = ["bash", f"{WORKDIR}/eval.sh"], spec.eval_timeout + 120
    run = run_script(
        image,
        command,
        files,
        timeout=timeout,
        limits=limits,
        labels=labels,
        pool=pool,
    )
    timings = dict(run.timings)
    duration = test_duration(run.output)
    if duration is not None:
        timings["tests"] = duration
    log = f"{run.output.rstrip(chr(10))}\n{EVAL_TIMED_OUT}\n" if run.timed_out else run.output
    if run.limit is not None:
        log = f"{log.rstrip(chr(10))}\n{LIMIT_STOPPED} {run.limit}\n"
    return EvalResult(outcome_from_log(task, prediction, log, timings), script, log)


def _official_plan(task: Task, model_patch: str) -> tuple[str, dict[str, str], list[str], float]:
    """The record's own script, run as the official harness runs it: what is kept as
    ``eval.sh`` (it, after the patch step), the files, the command and its time limit."""
    get_parser(task.log_parser or "")  # an unknown parser fails now, not after the test run
    if task.eval_type not in (None, "pass_and_fail"):
        raise InputError(f"eval_type {task.eval_type!r} is not supported (only pass_and_fail)")
    recorded = official.recorded_eval_script(task.eval_script or "")
    runner = official.official_run_script(task)
    files = {
        f"{WORKDIR}/run.sh": runner,
        official.EVAL_SCRIPT: recorded,
        official.MODEL_PATCH: _with_newline(model_patch) if model_patch.strip() else "",
    }
    script = f"{runner}\n# ---- {official.EVAL_SCRIPT} ----\n{recorded}"
    return script, files, ["bash", f"{WORKDIR}/run.sh"], official.OFFICIAL_TIMEOUT + 120


def _activated(script: str, activate: str) -> str:
    """``script`` with the image's activation run first (after its ``#!`` line)."""
    if not activate:
        return script
    shebang, _, rest = script.partition("\n")
    return f"{shebang}\n{activate}\n{rest}"


def charge_model_api(report: EvalReport) -> EvalReport:
    """An agent stopped by the model API failing, whose patch did not resolve the task, is
    ``error``: the service failed, not the model (the patch is still graded, and kept)."""
    if report.stop_reason is StopReason.API_ERROR and not report.resolved:
        return report.model_copy(
            update={"outcome": Outcome.ERROR, "error": f"model API: {report.stop_detail}"}
        )
    return report


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
