"""The gold gate, pure part: from one task's evaluations (the gold patch N times, the empty
patch once) to its class, and from the classes to a known-bad list.

- ``unbuildable``: its image or environment fails (the reason), or no test log is valid
  with the gold patch nor without it.
- ``flaky``: the outcome or any test's status changes between the gold runs (the tests
  that flip are named).
- ``broken``: every gold run fails (the failing FAIL_TO_PASS / PASS_TO_PASS tests named),
  the gold or test patch does not apply, or the empty patch resolves the task too.
- ``valid``: gold resolves every run and the empty patch does not.

SWE-bench's own validation defines FAIL_TO_PASS as the tests that fail without the gold
patch and pass with it, and drops an instance that has none. So a task the empty patch
resolves (no listed test fails first) is ``broken``; a listed FAIL_TO_PASS test that
passes without the gold patch while others fail, or a PASS_TO_PASS test failing without
it, is mislabelled but still graded soundly: the task stays ``valid``, with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from swe_runner import __version__
from swe_runner.grading.outcome import TEST_PATCH_NOT_APPLIED
from swe_runner.inputs.known_bad import GateClass, KnownBad, KnownBadList
from swe_runner.records import SCHEMA_VERSION, EvalReport, Outcome
from swe_runner.task import Task

__all__ = ["GateReport", "GateVerdict", "classify", "known_bad_list", "unbuildable"]


class GateVerdict(BaseModel):
    """The gate's verdict on one task (``--json`` prints a list of these)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    instance_id: str
    cls: GateClass = Field(
        validation_alias=AliasChoices("class", "cls"), serialization_alias="class"
    )
    reason: str = ""
    tests: list[str] = Field(default_factory=list)  # failing (broken) or flipping (flaky)
    notes: list[str] = Field(default_factory=list)  # sound, but worth knowing
    gold: list[Outcome] = Field(default_factory=list)  # outcome of each gold run
    empty: Outcome | None = None  # outcome without the gold patch

    @property
    def ok(self) -> bool:
        return self.cls is GateClass.VALID


class GateReport(BaseModel):
    """What ``tasks validate --json`` prints."""

    schema_version: int = SCHEMA_VERSION
    dataset: dict[str, object]
    repeat: int
    known_bad: str  # where the known-bad list was written
    counts: dict[GateClass, int]
    instances: list[GateVerdict]

    @classmethod
    def of(
        cls, verdicts: Sequence[GateVerdict], dataset: Mapping[str, object], repeat: int, path: str
    ) -> GateReport:
        counts = {c: sum(v.cls is c for v in verdicts) for c in GateClass}
        return cls(
            dataset=dict(dataset),
            repeat=repeat,
            known_bad=path,
            counts=counts,
            instances=list(verdicts),
        )


def unbuildable(task: Task, reason: str) -> GateVerdict:
    """The verdict on a task whose image could not be built."""
    return GateVerdict(instance_id=task.instance_id, cls=GateClass.UNBUILDABLE, reason=reason)


def classify(task: Task, gold: Sequence[EvalReport], empty: EvalReport | None) -> GateVerdict:
    """Classify ``task`` from its gold runs (at least one) and its empty-patch run."""
    if not gold:
        raise ValueError("classify needs at least one gold run")
    base = GateVerdict(
        instance_id=task.instance_id,
        cls=GateClass.VALID,
        gold=[r.outcome for r in gold],
        empty=empty.outcome if empty else None,
    )
    flipped = set(_flipping_tests(gold))
    flips = [t for t in (*task.FAIL_TO_PASS, *task.PASS_TO_PASS) if t in flipped]
    if len({r.outcome for r in gold}) > 1:
        runs = ", ".join(_describe(r) for r in gold)
        more = f"; {_tests(len(flips))} flip" if flips else ""
        return _with(base, GateClass.FLAKY, f"gold runs differ: {runs}{more}", flips)
    if flips:
        reason = f"{_tests(len(flips))} flip between gold runs ({gold[0].outcome.value} every run)"
        return _with(base, GateClass.FLAKY, reason, flips)
    return _consistent(base, gold[0], empty)


def _consistent(base: GateVerdict, gold: EvalReport, empty: EvalReport | None) -> GateVerdict:
    """The class of a task whose gold runs all agree (``gold`` is the first of them)."""
    if gold.outcome is Outcome.ERROR:
        if gold.error == TEST_PATCH_NOT_APPLIED:
            return _with(base, GateClass.BROKEN, "the hidden test patch does not apply")
        return _with(base, GateClass.UNBUILDABLE, gold.error or "evaluation error")
    if gold.outcome is Outcome.PATCH_FAILED:
        return _with(base, GateClass.BROKEN, "the gold patch does not apply at the base commit")
    if gold.log_valid is False:
        reason = f"the test log is invalid: {gold.invalid_reason}"
        if empty is not None and empty.log_valid is False:
            return _with(base, GateClass.UNBUILDABLE, reason + " (without the gold patch too)")
        return _with(base, GateClass.BROKEN, f"with the gold patch, {reason}")
    if gold.outcome is not Outcome.RESOLVED:
        status = gold.tests_status
        failing = [*status.FAIL_TO_PASS.failure, *status.PASS_TO_PASS.failure]
        reason = (
            f"gold fails every run: {len(status.FAIL_TO_PASS.failure)} FAIL_TO_PASS and "
            f"{len(status.PASS_TO_PASS.failure)} PASS_TO_PASS tests fail"
        )
        if gold.outcome is Outcome.LIMIT_EXCEEDED:
            reason = f"gold hits a limit every run: {gold.error}"
        return _with(base, GateClass.BROKEN, reason, failing)
    if empty is not None and empty.outcome is Outcome.RESOLVED:
        reason = (
            "the empty patch resolves it: no FAIL_TO_PASS test fails without the gold "
            "patch (SWE-bench's validation drops such an instance)"
        )
        return _with(base, GateClass.BROKEN, reason, list(empty.tests_status.FAIL_TO_PASS.success))
    return base.model_copy(update={"notes": _empty_notes(empty)})


def _with(base: GateVerdict, cls: GateClass, reason: str, tests: Sequence[str] = ()) -> GateVerdict:
    return base.model_copy(update={"cls": cls, "reason": reason, "tests": list(tests)})


def _tests(n: int) -> str:
    return f"{n} test" if n == 1 else f"{n} tests"


def _describe(report: EvalReport) -> str:
    detail = report.error if report.outcome is Outcome.ERROR else None
    return f"{report.outcome.value} ({detail})" if detail else report.outcome.value


def _flipping_tests(gold: Sequence[EvalReport]) -> list[str]:
    """Tests passing in some gold runs and failing in others (runs with a valid log)."""
    graded = [r for r in gold if r.log_valid]
    passed: dict[str, set[bool]] = {}
    for report in graded:
        status = report.tests_status
        for group in (status.FAIL_TO_PASS, status.PASS_TO_PASS):
            for test in group.success:
                passed.setdefault(test, set()).add(True)
            for test in group.failure:
                passed.setdefault(test, set()).add(False)
    return [test for test, seen in passed.items() if len(seen) > 1]


def _empty_notes(empty: EvalReport | None) -> list[str]:
    """What the empty-patch run says about a task gold resolves (mislabelled tests...)."""
    if empty is None:
        return []
    if empty.outcome is Outcome.ERROR or not empty.log_valid:
        why = empty.error or empty.invalid_reason or empty.outcome.value
        return [f"without the gold patch: {why} (FAIL_TO_PASS tests not seen failing first)"]
    notes = []
    status = empty.tests_status
    if status.FAIL_TO_PASS.success:
        notes.append(
            "FAIL_TO_PASS tests that already pass without the gold patch (by SWE-bench's "
            f"definition PASS_TO_PASS): {', '.join(status.FAIL_TO_PASS.success)}"
        )
    if status.PASS_TO_PASS.failure:
        notes.append(
            "PASS_TO_PASS tests that fail without the gold patch (by SWE-bench's "
            f"definition FAIL_TO_PASS): {', '.join(status.PASS_TO_PASS.failure)}"
        )
    return notes


def known_bad_list(
    verdicts: Sequence[GateVerdict], dataset: Mapping[str, object], repeat: int
) -> KnownBadList:
    """The known-bad list of a gate run: every task that is not ``valid``."""
    return KnownBadList(
        dataset=dict(dataset),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        swe_runner=__version__,
        repeat=repeat,
        validated=len(verdicts),
        instances=[
            KnownBad(instance_id=v.instance_id, cls=v.cls, reason=v.reason, tests=v.tests)
            for v in sorted(verdicts, key=lambda v: v.instance_id)
            if not v.ok
        ],
    )
