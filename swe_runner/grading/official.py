"""Grading in an official image with the task record's own evaluation script.

SWE-bench 5.x records carry ``eval_script``: conda activation, the repository's install
step, the test files put back and the test patch applied, then the test command between
``: '>>>>> Start Test Output'`` and ``: '>>>>> End Test Output'`` (``set -x`` prints both).
The official harness (5.0) applies the prediction first (``git apply``, with ``--3way``,
with ``--reject``, then ``patch --fuzz=5``, the tree reset between tries, and a reverse
check), then runs the script with one change of its own: the test command's exit status is
recorded after the end marker. :func:`official_run_script` does exactly that in one
container; the record's script runs otherwise as it is.

Grading stays ours and pure: :func:`graded_view` reads the official markers as our
markers (first start line, last end line, the exit status printed after it), so the same
grader, with its integrity checks, reads the log with the parser the record names.
"""

from __future__ import annotations

from swe_runner import patch as patches
from swe_runner.grading import markers
from swe_runner.task import EnvSpec, Task

__all__ = [
    "EVAL_SCRIPT",
    "MODEL_PATCH",
    "OFFICIAL_LINE",
    "OFFICIAL_TIMEOUT",
    "graded_view",
    "log_parser",
    "official_run_script",
    "recorded_eval_script",
]

EVAL_SCRIPT = "/eval.sh"  # where the official harness puts it
MODEL_PATCH = "/tmp/patch.diff"
OFFICIAL_TIMEOUT = 1800.0  # the official harness's default --timeout, seconds
OFFICIAL_LINE = ">>>>> swe-runner: the task record's eval_script, run as the official harness"
START = "+ : '>>>>> Start Test Output'"  # as `set -x` prints the script's own markers
END = "+ : '>>>>> End Test Output'"
EXIT = ">>>>> Test Exit Code:"
_EXIT_VAR = "SWEBENCH_TEST_EXIT_CODE"


def recorded_eval_script(eval_script: str) -> str:
    """The record's script as the official harness runs it: its lines (less the shebang
    and ``set`` line, put back on top) with the test command's exit status recorded just
    before the end marker and printed just after it (swebench 5.0's
    ``record_test_exit_code``). A script without the end marker is left as it is."""
    lines = [
        line
        for line in eval_script.strip().split("\n")
        if line not in ("#!/bin/bash", "set -uxo pipefail")
    ]
    for index, line in enumerate(lines):
        if ">>>>> End Test Output" in line:
            lines[index : index + 1] = [f"{_EXIT_VAR}=$?", line, f'echo "{EXIT} ${_EXIT_VAR}"']
            break
    return "\n".join(["#!/bin/bash", "set -uxo pipefail", *lines]) + "\n"


def official_run_script(task: Task) -> str:
    """What runs in the evaluation container: the prediction (``MODEL_PATCH``, skipped when
    empty) applied as the official harness applies it, then the record's script
    (``EVAL_SCRIPT``). Exits 3 when the prediction does not apply."""
    return f"""#!/bin/bash
# swe-runner evaluation of {task.instance_id} in its official image (generated)
echo "{OFFICIAL_LINE}"
cd /testbed
{patches.apply_function("apply_model_patch", markers.APPLY_OK)}
if [ -s {MODEL_PATCH} ]; then
  apply_model_patch {MODEL_PATCH} 2>&1 || {{ echo "{markers.APPLY_FAILED}"; exit 3; }}
fi
/bin/bash {EVAL_SCRIPT} 2>&1
"""


def is_official_log(log: str) -> bool:
    """Whether ``log`` comes from :func:`official_run_script` (it says so first)."""
    return log.startswith(OFFICIAL_LINE + "\n")


def graded_view(log: str) -> str:
    """``log`` with the official markers read as ours, for the grader: the first start
    line and the last end line bound the test section, and the exit status printed after
    that end is the test command's. Text the code under test prints cannot move either
    boundary outward or fake the status (it comes before the last end line). Logs of our
    own scripts come back unchanged."""
    if not is_official_log(log):
        return log
    lines = log.splitlines()
    starts = [i for i, line in enumerate(lines) if line == START]
    ends = [i for i, line in enumerate(lines) if line == END]
    if starts:
        lines[starts[0]] = markers.TEST_START
    if ends and (not starts or ends[-1] > starts[0]):
        lines[ends[-1]] = markers.TEST_END
        for i in range(ends[-1] + 1, len(lines)):
            if lines[i].startswith(EXIT + " "):
                lines[i] = f"{markers.TEST_EXIT} {lines[i][len(EXIT) + 1 :].strip()}"
    return "\n".join(lines) + "\n"


def log_parser(task: Task, spec: EnvSpec, log: str) -> str:
    """The parser that reads ``log``: the one the record names when its own script ran,
    else the spec's."""
    if is_official_log(log) and task.log_parser:
        return task.log_parser
    return spec.log_parser
