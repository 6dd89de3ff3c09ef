"""The evaluation's scripts: what a fresh container runs to grade a prediction.

Pure text: a plan names the files to write (by path in the container), the command to run
and its time limit, and the script kept beside the log as ``eval.sh``. Running it is the
runner's job (:mod:`grading.evaluation`); reading its log is :mod:`grading.outcome`'s.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from swe_runner import patch as patches
from swe_runner.errors import InputError
from swe_runner.grading import guard, markers, official
from swe_runner.grading.parsers import get_parser
from swe_runner.sandbox.profiles import ImageProfile
from swe_runner.task import EnvSpec, Task

__all__ = [
    "PREPARE_SCRIPT",
    "WORKDIR",
    "EvalPlan",
    "eval_plan",
    "eval_script",
    "hidden_tests_command",
    "prepare_plan",
    "prepare_script",
]

WORKDIR = guard.WORKDIR
PREPARE_SCRIPT = f"{WORKDIR}/prepare.sh"  # reproduce --shell: the evaluation's first part
EXTRA_CA = "extra-ca.pem"  # in WORKDIR: the CA bundle the images were built with (or empty)
_SLACK = 120.0  # seconds the container gets beyond the tests' own limit (setup, reinstall)
# The image's own start, what its setup changed in tracked files included (the published
# images and ours leave those edits uncommitted, as the leaderboards' agents saw them),
# committed in this throwaway container before anything else: the prediction (a diff from
# that start) applies on it, the resets between apply tries come back to it, and the test
# configuration the prediction touched is put back to it, setup edits (tox.ini's -rA) kept.
START_COMMIT = (
    "git -c user.name=swe-runner -c user.email=eval@swe-runner.invalid -c commit.gpgsign=false"
    ' commit -q --allow-empty --no-verify -am "swe-runner: evaluation start" >/dev/null 2>&1'
    f' || echo "{markers.START_NOT_COMMITTED}"'
)


@dataclass(frozen=True)
class EvalPlan:
    """What to run in a container: write ``files`` (container path -> text), run
    ``command`` for at most ``timeout`` seconds. ``script`` is kept as ``eval.sh``."""

    script: str
    files: dict[str, str]
    command: list[str]
    timeout: float


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
    apply = patches.apply_function("apply_model_patch", markers.APPLY_OK, start_committed=True)
    head = f"""#!/bin/bash
# swe-runner evaluation of {task.instance_id} (generated: the exact script that graded it)
set -uo pipefail
exec 2>&1  # one stream: stderr lines cannot land in the middle of a marker line
cd /testbed
{START_COMMIT}
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
    reinstall = _reinstall(spec) if spec.reinstall_for_tests else ""
    return f"""{head}{reinstall}for path in {quoted}; do
  if git cat-file -e "$BASE:$path" 2>/dev/null; then git checkout -q "$BASE" -- "$path"
  else rm -rf -- "$path"; fi
done
{guard.sweep_step()}\
git apply --verbose {WORKDIR}/test.patch || {{ echo "{markers.TEST_PATCH_FAILED}"; exit 4; }}
{setup}
"""


_CA_VARIABLES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO")


def _reinstall(spec: EnvSpec) -> str:
    """The spec's ``install`` run again once the prediction is in, as the official eval
    script does (a patch to a C extension or to setup.py takes effect). Its failure is not
    fatal there, nor here, but it is said (:data:`markers.REINSTALL_FAILED`): the tests then
    run on what the image had installed. It trusts the CA bundle the image was built with
    (``extra-ca.pem``, empty when none: a TLS-intercepting proxy), for itself only."""
    ca, extra = f"{WORKDIR}/ca.pem", f"{WORKDIR}/{EXTRA_CA}"
    exports = " ".join(f"{name}={ca}" for name in _CA_VARIABLES)
    steps = "".join(f"{{ {step}\n}} || reinstall_status=$?\n" for step in spec.install)
    return f"""reinstall_status=0
if [ -s {extra} ]; then
  cat /etc/ssl/certs/ca-certificates.crt {extra} > {ca} 2>/dev/null || cp {extra} {ca}
  export {exports}
fi
{steps}if [ -s {extra} ]; then unset {" ".join(_CA_VARIABLES)}; fi
if [ "$reinstall_status" != 0 ]; then echo "{markers.REINSTALL_FAILED} $reinstall_status"; fi
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
echo "{markers.TEST_DURATION} $(( (finished - started) / 1000000 ))"
{guard.record_output()}"""


def eval_plan(task: Task, model_patch: str, profile: ImageProfile, extra_ca: str = "") -> EvalPlan:
    """How to grade ``model_patch``: our script (:func:`eval_script`, run after the image
    ``profile``'s activation), or the task record's own when the profile asks for it
    (:mod:`grading.official`). ``extra_ca``: the CA bundle the images were built with (PEM
    text, empty when none), trusted by our script's reinstall.

    Raises:
        UnknownNameError: the log parser is unknown (found now, not after the test run).
        InputError: the record's ``eval_type`` is not supported.
    """
    if profile.record_scripts and task.eval_script:
        return _official_plan(task, model_patch)
    spec = task.env_spec or EnvSpec()
    get_parser(spec.log_parser)
    script = _activated(eval_script(task, spec, model_patch), profile.activate)
    files = {f"{WORKDIR}/eval.sh": script, **_script_inputs(task, model_patch, extra_ca)}
    return EvalPlan(script, files, ["bash", f"{WORKDIR}/eval.sh"], spec.eval_timeout + _SLACK)


def prepare_plan(
    task: Task, prediction_patch: str, with_tests: bool = True, extra_ca: str = ""
) -> EvalPlan:
    """How to prepare a container the way the evaluation prepares its own
    (:func:`prepare_script`), stopping before the tests run."""
    spec = task.env_spec or EnvSpec()
    script = prepare_script(task, spec, prediction_patch, with_tests)
    files = {**_script_inputs(task, prediction_patch, extra_ca), PREPARE_SCRIPT: script}
    return EvalPlan(script, files, ["bash", PREPARE_SCRIPT], spec.eval_timeout)


def _script_inputs(task: Task, prediction_patch: str, extra_ca: str) -> dict[str, str]:
    """The files the scripts read, by path in the container: the prediction (empty when
    there is none, so it is not applied), the test patch, the CA bundle the images were
    built with (empty when none) and the integrity guard's."""
    model = _with_newline(prediction_patch) if prediction_patch.strip() else ""
    spec = task.env_spec or EnvSpec()
    return {
        f"{WORKDIR}/model.patch": model,
        f"{WORKDIR}/test.patch": task.test_patch,
        f"{WORKDIR}/{EXTRA_CA}": extra_ca,
        **guard.files(spec.test_cmd),
    }


def _official_plan(task: Task, model_patch: str) -> EvalPlan:
    """The record's own script, run as the official harness runs it: what is kept as
    ``eval.sh`` (it, after the patch step), the files, the command and its time limit."""
    get_parser(task.log_parser or "")
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
    timeout = official.OFFICIAL_TIMEOUT + _SLACK
    return EvalPlan(script, files, ["bash", f"{WORKDIR}/run.sh"], timeout)


def _activated(script: str, activate: str) -> str:
    """``script`` with the image's activation run first (after its ``#!`` line)."""
    if not activate:
        return script
    shebang, _, rest = script.partition("\n")
    return f"{shebang}\n{activate}\n{rest}"


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
