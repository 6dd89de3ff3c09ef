"""Records that cross a process or disk boundary, and the atomic writer for them
(run.json's own: :mod:`swe_runner.manifest`).

Statuses are enums; every top-level file carries ``schema_version``. ``report.json`` keeps
SWE-bench's keys (``patch_is_None``, ``patch_exists``, ``patch_successfully_applied``,
``resolved``, ``tests_status``) under the instance id, with ours beside them, flat: the
agent phase (:class:`AgentPhase`), a model of its own in memory, is written as top-level
keys, in the place and order they have always had, so reports written by any version
read, and write back, byte for byte.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from swe_runner.errors import ResultsWriteError
from swe_runner.replay_records import ReplayResult, StepCheck

__all__ = [
    "CONTEXT_SETTING",
    "SCHEMA_VERSION",
    "AgentPhase",
    "EvalReport",
    "GradeResult",
    "Integrity",
    "Outcome",
    "StopReason",
    "SuccessFailure",
    "TestStatus",
    "TestsStatus",
    "TrajectoryStep",
    "atomic_write_json",
    "atomic_write_text",
    "current_umask",
    "is_setting",
]

SCHEMA_VERSION = 1


class Outcome(StrEnum):
    """How one instance ended. ``error`` is infrastructure, never the model's fault;
    ``limit_exceeded`` is the task's own code hitting a resource limit (memory, pids, disk,
    time), not resolved but kept apart from an ordinary failure."""

    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    EMPTY_PATCH = "empty_patch"
    PATCH_FAILED = "patch_failed"
    LIMIT_EXCEEDED = "limit_exceeded"
    ERROR = "error"


class TestStatus(StrEnum):
    """One test's status as a log parser reads it."""

    __test__ = False  # not a pytest test class

    PASSED = "PASSED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"
    XFAIL = "XFAIL"
    XPASS = "XPASS"

    @property
    def ok(self) -> bool:
        """Counts as passing for grading (xfail passes, as in SWE-bench)."""
        return self in (TestStatus.PASSED, TestStatus.XFAIL)


class StopReason(StrEnum):
    """Why an agent stopped. The patch is taken and graded whatever the reason."""

    SUBMITTED = "submitted"  # the agent finished on its own
    MAX_TURNS = "max_turns"
    MAX_COST = "max_cost"
    MAX_TIME = "max_time"
    CONTEXT_EXCEEDED = "context_exceeded"
    API_ERROR = "api_error"
    AGENT_ERROR = "agent_error"  # the agent itself failed (e.g. its command crashed)


# A model trajectory's first note states its context-clearing setting (a setting, not an
# event: views show it apart); later notes say what was cleared.
CONTEXT_SETTING = "context: "


def is_setting(step: TrajectoryStep) -> bool:
    """Whether ``step`` is the note stating the context-clearing setting."""
    return step.kind == "note" and (step.detail or "").startswith(CONTEXT_SETTING)


class TrajectoryStep(BaseModel):
    """One line of ``trajectory.jsonl``: a model turn, a tool call, or the stop.

    Two stop reasons, never in the same step: a model step's ``api_stop_reason`` is why the
    model's reply ended, in the API's words (``end_turn``, ``tool_use``, ``max_tokens``...);
    the stop step's ``stop_reason`` is why the agent stopped (ours). Files written before
    the split kept both under ``stop_reason``: a model step's is read as the API's.
    """

    kind: Literal["model", "tool", "stop", "note"]
    turn: int = 0
    name: str | None = None  # tool name
    input: dict[str, Any] | None = None  # tool input
    output: str | None = None  # tool output
    is_error: bool | None = None
    content: list[dict[str, Any]] | None = None  # model response blocks
    stop_reason: StopReason | None = None  # the stop step: why the agent stopped
    api_stop_reason: str | None = None  # a model step: why the model's reply ended
    usage: dict[str, int] | None = None
    latency_s: float | None = None
    detail: str | None = None
    at: float = 0.0  # seconds since the instance started
    replay: StepCheck | None = None  # a replayed step against the recorded one

    @model_validator(mode="before")
    @classmethod
    def _api_reason_of_old_files(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "model" and "stop_reason" in data:
            data = dict(data)
            data.setdefault("api_stop_reason", data.pop("stop_reason"))
        return data


class SuccessFailure(BaseModel):
    model_config = ConfigDict(frozen=True)

    success: list[str] = Field(default_factory=list)
    failure: list[str] = Field(default_factory=list)


class TestsStatus(BaseModel):
    """SWE-bench's ``tests_status`` block."""

    __test__ = False
    model_config = ConfigDict(frozen=True)

    FAIL_TO_PASS: SuccessFailure = Field(default_factory=SuccessFailure)
    PASS_TO_PASS: SuccessFailure = Field(default_factory=SuccessFailure)
    FAIL_TO_FAIL: SuccessFailure = Field(default_factory=SuccessFailure)
    PASS_TO_FAIL: SuccessFailure = Field(default_factory=SuccessFailure)


class GradeResult(BaseModel):
    """What grading a test log yields (a pure function of log text and test lists)."""

    model_config = ConfigDict(frozen=True)

    resolved: bool
    log_valid: bool
    invalid_reason: str | None = None
    exit_code: int | None = None
    status_map: dict[str, TestStatus] = Field(default_factory=dict)
    tests_status: TestsStatus = Field(default_factory=TestsStatus)
    record_check: str | None = None  # the log against the harness's record (pytest runs)
    # Expected ids that are no test of the graded session, judged as the official parser
    # reads them (lines of inner sessions a test printed: pytester's): see grading/grade.py.
    ghost_ids: list[str] = Field(default_factory=list)


class Integrity(BaseModel):
    """What the evaluation's integrity steps did to keep the runner out of the patch's
    reach (``grading/guard.py``), each entry ``path (why)``; empty when they did nothing."""

    model_config = ConfigDict(frozen=True)

    restored: list[str] = Field(default_factory=list)  # put back to the image's commit
    removed: list[str] = Field(default_factory=list)  # new files deleted before the tests
    runner_changed: list[str] = Field(default_factory=list)  # installed runner files changed
    failed: list[str] = Field(default_factory=list)  # guard steps that did not run to the end
    # How the run was checked against the harness's own record of it (pytest runs), or None.
    record: str | None = None

    @property
    def acted(self) -> bool:
        return bool(self.restored or self.removed or self.runner_changed or self.failed)


class AgentPhase(BaseModel):
    """What the agent phase recorded of one instance (nothing for graded predictions).
    A regrade keeps it as it was."""

    model_config = ConfigDict(frozen=True)

    agent: str | None = None
    stop_reason: StopReason | None = None
    stop_detail: str | None = None
    turns: int | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    cost_usd: float | None = None
    agent_time_s: float | None = None


_AGENT_KEYS = tuple(AgentPhase.model_fields)
# Keys added after reports were first written: left out while they say nothing, so older
# reports read and write back byte for byte.
_WRITTEN_WHEN_SET = frozenset({"ghost_ids", "reinstall_failed", "replay"})


class EvalReport(BaseModel):
    """Everything known about one instance's evaluation; written as ``report.json``, with
    :attr:`agent_phase`'s keys flat in its place (see the module's docstring)."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    instance_id: str
    model_name_or_path: str = "unknown"
    outcome: Outcome
    patch_is_None: bool = False
    patch_exists: bool = True
    patch_successfully_applied: bool = False
    apply_method: str | None = None
    resolved: bool = False
    tests_status: TestsStatus = Field(default_factory=TestsStatus)
    exit_code: int | None = None
    log_valid: bool | None = None
    invalid_reason: str | None = None
    test_config_touched: list[str] = Field(default_factory=list)
    integrity: Integrity = Field(default_factory=Integrity)
    # FAIL_TO_PASS / PASS_TO_PASS ids that are no test of the graded session (a pytester
    # session's lines the tests printed), judged as the official parser reads them.
    ghost_ids: list[str] = Field(default_factory=list)
    # The exit status of the reinstall after the prediction, when it failed: the tests ran
    # on what the image had installed (the official harness goes on too).
    reinstall_failed: int | None = None
    agent_phase: AgentPhase = Field(default_factory=AgentPhase)
    replay: ReplayResult | None = None  # a replay's figures (written only for replays)
    error: str | None = None
    traceback: str | None = None
    # The run stopped (Ctrl-C, a killed process) before this instance finished: an ``error``
    # that any resume redoes, not only ``--retry-errors``.
    interrupted: bool = False
    timings: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _nest_agent_keys(cls, data: Any) -> Any:
        """The flat keys of the disk form (or of keyword arguments) into ``agent_phase``."""
        if isinstance(data, dict) and any(key in data for key in _AGENT_KEYS):
            data = dict(data)
            flat = {key: data.pop(key) for key in _AGENT_KEYS if key in data}
            if "agent_phase" in data:
                raise ValueError("agent_phase given both nested and as flat keys")
            data["agent_phase"] = flat
        return data

    @model_serializer(mode="wrap")
    def _flat_agent_keys(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The disk form: ``agent_phase``'s keys in its place, in their order."""
        nested: dict[str, Any] = handler(self)
        flat: dict[str, Any] = {}
        for key, value in nested.items():
            if key == "agent_phase":
                flat.update(value)
            elif key not in _WRITTEN_WHEN_SET or value not in (None, []):
                flat[key] = value
        return flat

    def to_swebench(self) -> dict[str, Any]:
        """The on-disk form: SWE-bench's shape (keyed by instance id) with our keys inside."""
        return {self.instance_id: self.model_dump(mode="json")}

    @classmethod
    def from_swebench(cls, data: dict[str, Any]) -> EvalReport:
        """Read back what :meth:`to_swebench` wrote."""
        ((_, body),) = data.items()
        return cls.model_validate(body)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees a partial file (temp + rename),
    with the mode a plain ``open`` gives (``0666 & ~umask``), not the temp file's 0600.

    Raises:
        ResultsWriteError: the folder cannot be made or written (under a regular file,
            read-only, full); nothing is left half-written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ResultsWriteError(path.parent, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ResultsWriteError(path.parent, exc) from None
        raise


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """This process's umask, read without changing it (from /proc where it can be: setting
    it to read it back would race with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write_json(path: Path, data: Any) -> None:
    """Atomically write ``data`` as indented JSON."""
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
