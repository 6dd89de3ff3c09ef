"""The harness's own record of a pytest run, read from the log and checked against it.

The record plugin (``containers/eval/swe_runner_record.py``) is loaded from outside the
repository and sees each test function called through a wrapper of its own, apart from
pytest's reports. The evaluation script prints its record after the end marker, where the
tests (killed by then) cannot write. A log is untrustworthy when the record was asked for
and is missing (the runner that ran was not the real one, or never loaded the plugin), when
pytest came from elsewhere than the guard found it before the prediction was applied, or
when the log says a test passed (or xfailed, or was skipped) and the record says otherwise.
Pure functions of the log text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from swe_runner.grading import markers
from swe_runner.grading.guard import GUARD, RECORD_LINE, RECORD_REQUESTED
from swe_runner.grading.parsers.pytest_variants import official_name
from swe_runner.records import TestStatus

__all__ = ["MISSING", "SKIPS", "Record", "contradiction", "read", "requested", "runner_mismatch"]

MISSING = (
    "the harness's record of the test run is missing: the test command did not run the "
    "real pytest with swe-runner's plugin (a shadowed or altered runner)"
)
SKIPS = frozenset({"Skipped", "SkipTest"})  # pytest.skip(), unittest.SkipTest
_XFAILS = frozenset({"XFailed"})  # pytest.xfail()
_CHECKED = ("pytest", "_pytest", "pluggy", "swe_runner_record")
_RUNNER = re.compile(rf"^{re.escape(GUARD)} runner (\S+) (.+)$")


@dataclass(frozen=True)
class Call:
    """One call of a test function as the plugin saw it."""

    called: bool
    raised: str | None
    observed: bool = True  # False: a coroutine function, left unwrapped


@dataclass(frozen=True)
class Record:
    """The plugin's record: where the runner came from, what was collected, each call."""

    runner: dict[str, Any]
    kinds: dict[str, str] = field(default_factory=dict)  # node id -> function | other
    xfail: dict[str, bool] = field(default_factory=dict)  # node id -> has an xfail mark
    calls: dict[str, Call] = field(default_factory=dict)  # node id -> its last call

    def node_ids(self, test: str) -> list[str]:
        """The collected node ids a dataset id names: itself, else the ids it is cut from
        (at their first space, or inside their parameters), as the grader matches them,
        else the ids a parser flavour renames to it (``[/abs/path/x.py]`` to ``[/x.py]``)."""
        if test in self.kinds:
            return [test]
        cut = [n for n in self.kinds if " " in n and n.split(" ", 1)[0] == test]
        if not cut and test.count("[") > test.count("]"):
            cut = [n for n in self.kinds if n.startswith(test)]
        return cut or [n for n in self.kinds if official_name(n) == test]


def requested(log: str) -> bool:
    """True when the evaluation script asked for the record (before the test run)."""
    head = log.split(f"\n{markers.TEST_START}\n", 1)[0]
    return RECORD_REQUESTED in head.splitlines()


def _entries(log: str) -> list[dict[str, Any]]:
    lines = log.splitlines()
    end = max((i for i, line in enumerate(lines) if line == markers.TEST_END), default=None)
    if end is None:
        return []
    out = []
    for line in lines[end + 1 :]:
        if line.startswith(RECORD_LINE + " "):
            try:
                entry = json.loads(line[len(RECORD_LINE) + 1 :])
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                out.append(entry)
    return out


def read(log: str) -> Record | None:
    """The record printed after the last end marker, or None when there is none."""
    record: Record | None = None
    for entry in _entries(log):
        if record is None:
            if isinstance(entry.get("runner"), dict):
                record = Record(runner=entry["runner"])
            continue
        if "item" in entry:
            record.kinds[str(entry["item"])] = str(entry.get("kind"))
            record.xfail[str(entry["item"])] = bool(entry.get("xfail"))
        elif "call" in entry:
            record.calls[str(entry["call"])] = Call(
                called=bool(entry.get("called")),
                raised=entry.get("raised") if isinstance(entry.get("raised"), str) else None,
                observed=entry.get("observed", True) is not False,
            )
    return record


def runner_mismatch(log: str, record: Record) -> str | None:
    """Why the runner that ran is not the one the guard found before the prediction was
    applied (a module loaded from another file), or None."""
    found: dict[str, str] = {}
    for line in log.split(f"\n{markers.TEST_START}\n", 1)[0].splitlines():
        match = _RUNNER.match(line)
        if match and match[1] not in found:  # the snapshot's lines come first
            found[match[1]] = match[2]
    for name in _CHECKED:
        loaded, origin = record.runner.get(name), found.get(name)
        if origin is None or (loaded is None and name not in ("pytest", "_pytest")):
            continue  # not installed, or not loaded (old pytest vendored pluggy)
        if loaded != origin:
            return f"{name} was loaded from {loaded}, not from {origin} (a shadowed runner)"
    return None


def contradiction(record: Record, node_id: str, status: TestStatus) -> str | None:
    """Why the log's ``status`` for ``node_id`` contradicts the record, or None."""
    if record.kinds.get(node_id) != "function":
        return None  # unittest cases and doctests run without pytest's function call
    call = record.calls.get(node_id, Call(called=False, raised=None))
    if not call.observed:
        return None
    raised = call.raised
    if status is TestStatus.PASSED:
        agrees = call.called and raised is None
    elif status is TestStatus.XFAIL:
        marked = record.xfail.get(node_id, False)
        agrees = raised in _XFAILS or (marked and (raised is not None or not call.called))
    elif status is TestStatus.SKIPPED:
        agrees = not call.called or raised in SKIPS
    else:
        return None
    if agrees:
        return None
    if not call.called:
        return f"the log says {node_id} {status.value}, but its test function was never called"
    seen = f"raise {raised}" if raised else "return"
    return f"the log says {node_id} {status.value}, but the harness saw its test function {seen}"
