"""The evaluation's integrity steps: the test runner kept out of the prediction's reach.

The evaluation script runs the guard (``containers/eval/guard.py``) inside the container:
a snapshot before the prediction is applied, a sweep after it (and after the reinstall it
triggers) that puts back test directories, runner scripts, test framework modules and test
configuration, and deletes new modules that would shadow an importable one. A pytest test
command also loads swe-runner's record plugin (``containers/eval/swe_runner_record.py``)
from the interpreter's site-packages, whose record the grader checks against the log
(:mod:`swe_runner.grading.record`). Processes the tests left behind are killed before the
end marker is printed, so nothing can write into the log after the test run.

This module builds those steps' lines of the script and reads what they did back from the
log (pure); the catalogue of attacks they stop is ``tests/integrity/attacks.py``.
"""

from __future__ import annotations

import json
import re
import shlex
from functools import cache

from swe_runner import patch as patches
from swe_runner.grading import markers
from swe_runner.records import Integrity
from swe_runner.shipped import CONTAINERS_DIR

__all__ = [
    "GUARD",
    "RECORD_FILE",
    "RECORD_LINE",
    "RECORD_REQUESTED",
    "WORKDIR",
    "actions",
    "files",
    "reap_function",
    "record_output",
    "records_pytest",
    "runner_scripts",
    "snapshot_step",
    "sweep_step",
    "test_command",
]

WORKDIR = "/swe-runner"
GUARD = ">>>>> swe-runner: guard"
RECORD_REQUESTED = ">>>>> swe-runner: record requested"
RECORD_LINE = ">>>>> swe-runner: record"  # + one JSON line of the plugin's record
RECORD_FILE = f"{WORKDIR}/record.jsonl"
PLUGIN = "swe_runner_record"
_GUARD_SCRIPT = f"{WORKDIR}/guard.py"
_GUARD_CONFIG = f"{WORKDIR}/guard.json"
_PLUGIN_FILE = f"{WORKDIR}/{PLUGIN}.py"
# The modules a Python test runner is made of; their installed files must not change.
RUNNER_MODULES = ("pytest", "_pytest", "pluggy", "py")

# A pytest run the plugin can join: assignments, then pytest (or python -m pytest), and no
# shell operator (``cd x && pytest`` or a pipe: the record is not asked for).
_PYTEST = re.compile(
    r"^\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)*"
    r"(?:python[0-9.]*\s+-m\s+pytest|pytest|py\.test)(?:\s|$)"
)
_OPERATORS = re.compile(r"&&|\|\||[;|`]|\$\(")


def records_pytest(test_cmd: str) -> bool:
    """True when ``test_cmd`` is a plain pytest run, which loads the record plugin."""
    return bool(_PYTEST.match(test_cmd)) and not _OPERATORS.search(test_cmd)


def runner_scripts(test_cmd: str) -> list[str]:
    """The repository paths the test command runs (``bin/test``, ``./tests/runtests.py``):
    words that are relative paths, assignments and options aside. The guard keeps the ones
    the image's commit tracks, and their folders when that is not the repository's top."""
    try:
        words = shlex.split(test_cmd)
    except ValueError:
        words = test_cmd.split()
    found = []
    for word in words:
        path = word.removeprefix("./")
        if word.startswith(("-", "/")) or "=" in word or not path:
            continue
        if "/" in path or path.endswith((".py", ".sh")):
            found.append(path)
    return found


def test_command(test_cmd: str, targets: str) -> str:
    """The shell line that runs the tests: ``test_cmd`` and the targets, and for a pytest
    run the record plugin (``-p``, last: pytest reads it wherever it is)."""
    line = f"{test_cmd} {targets}"
    return f"{line} -p {PLUGIN}" if records_pytest(test_cmd) else line


@cache
def _shipped(name: str) -> str:
    return (CONTAINERS_DIR / "eval" / name).read_text()


def files(test_cmd: str) -> dict[str, str]:
    """The guard's files in the container: its script, its settings, the plugin."""
    config = {
        "config_names": sorted(patches.TEST_CONFIG_NAMES),
        "runner_scripts": runner_scripts(test_cmd),
        "runner_modules": [*RUNNER_MODULES, *([PLUGIN] if records_pytest(test_cmd) else [])],
        "record_plugin": _PLUGIN_FILE if records_pytest(test_cmd) else None,
        "state": f"{WORKDIR}/guard-state.json",
    }
    return {
        _GUARD_SCRIPT: _shipped("guard.py"),
        _GUARD_CONFIG: json.dumps(config, indent=1) + "\n",
        _PLUGIN_FILE: _shipped(f"{PLUGIN}.py"),
    }


def _guard(step: str) -> str:
    # Isolated (-I): neither the repository nor PYTHON* variables steer the guard itself.
    return f"python -I -B {_GUARD_SCRIPT} {step} {_GUARD_CONFIG}"


def snapshot_step() -> str:
    """Before the prediction: the guard's snapshot (it prints where the runner is)."""
    return f"{_guard('snapshot')} || echo '{GUARD} failed: snapshot'\n"


def sweep_step() -> str:
    """After the prediction and its reinstall: processes the reinstall left are killed,
    then the guard's sweep."""
    return f"reap\n{_guard('sweep')} || echo '{GUARD} failed: sweep'\n"


def reap_function() -> str:
    """A bash function ``reap``: every process started since the script began, except the
    script itself, stopped then killed (again, while any is left: one could be forking).
    ``KEEP`` is set where the script starts; nothing here forks (builtins, globs)."""
    return """KEEP=" "; for p in /proc/[0-9]*; do KEEP="$KEEP${p##*/} "; done
reap() {
  local round p pid left
  for round in 1 2 3 4 5 6 7 8; do
    left=""
    for sig in STOP KILL; do
      for p in /proc/[0-9]*; do
        pid=${p##*/}
        case "$KEEP" in *" $pid "*) continue ;; esac
        [ "$pid" = "$$" ] && continue
        kill -s "$sig" "$pid" 2>/dev/null && left=1
      done
    done
    [ -z "$left" ] && return 0
  done
}
"""


def record_output() -> str:
    """After the end marker: the plugin's record, one line each, when it was asked for."""
    return f"if [ -f {RECORD_FILE} ]; then sed 's/^/{RECORD_LINE} /' {RECORD_FILE}; fi\n"


_ACTION = re.compile(rf"^{re.escape(GUARD)} (restored|removed|runner-changed|failed:) (.+)$")


def actions(log: str) -> Integrity:
    """What the guard did, read from its lines before the test run (the tests cannot add
    any there). A log without them (older runs, the record's own script) reads empty."""
    head = log.split(f"\n{markers.TEST_START}\n", 1)[0]
    verbs = ("restored", "removed", "runner-changed", "failed:")
    done: dict[str, list[str]] = {verb: [] for verb in verbs}
    for line in head.splitlines():
        found = _ACTION.match(line)
        if found:
            done[found[1]].append(found[2])
    return Integrity(
        restored=done["restored"],
        removed=done["removed"],
        runner_changed=done["runner-changed"],
        failed=done["failed:"],
    )
