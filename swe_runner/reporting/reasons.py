"""One line saying why an instance ended as it did: the failing tests, the error, how the
agent stopped, how the patch was applied, which test configuration was put back and what
the integrity guard put back or removed."""

from __future__ import annotations

from swe_runner.records import EvalReport, Outcome, StopReason

__all__ = [
    "SHOWN_TESTS",
    "SHOWN_WIDTH",
    "failing_tests",
    "few",
    "ghost_part",
    "guard_parts",
    "reason",
    "reinstall_part",
    "stop_part",
]

SHOWN_TESTS = 3
SHOWN_WIDTH = 100  # characters of test ids one reason shows: tables stay readable in a pipe
PLAIN_APPLY = "git apply"  # the exact method: not worth a mention


def failing_tests(report: EvalReport) -> list[str]:
    """The FAIL_TO_PASS then PASS_TO_PASS tests that did not pass."""
    status = report.tests_status
    return [*status.FAIL_TO_PASS.failure, *status.PASS_TO_PASS.failure]


def few(tests: list[str]) -> str:
    """The first tests, as many as fit :data:`SHOWN_WIDTH` characters (at least one, at
    most :data:`SHOWN_TESTS`; ids are never cut), then ``(+N more)``: the whole list is in
    report.json, ``show`` and ``--json``."""
    shown: list[str] = []
    for test in tests[:SHOWN_TESTS]:
        if shown and len(", ".join([*shown, test])) > SHOWN_WIDTH:
            break
        shown.append(test)
    more = len(tests) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more else "")


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _outcome_part(report: EvalReport) -> str | None:
    if report.outcome is Outcome.UNRESOLVED:
        if report.log_valid is False and report.invalid_reason:
            return f"invalid test log: {report.invalid_reason}"
        failing = failing_tests(report)
        if not failing:
            return "no failing test named" if report.error is None else _first_line(report.error)
        return f"failing {few(failing)}"
    if report.error:
        return _first_line(report.error)
    if report.outcome is Outcome.EMPTY_PATCH:
        return "no patch"
    return None


def stop_part(report: EvalReport) -> str | None:
    """How the agent stopped, when that is news: not a plain ``submitted``."""
    phase = report.agent_phase
    if phase.stop_reason is None:
        return None
    if phase.stop_reason is StopReason.SUBMITTED and not phase.stop_detail:
        return None
    detail = f" ({phase.stop_detail})" if phase.stop_detail else ""
    return f"stopped: {phase.stop_reason.value}{detail}"


def guard_parts(report: EvalReport) -> list[str]:
    """What the integrity guard did, one part per kind of action (``path (why)`` each)."""
    done = report.integrity
    kinds = (
        ("put back", done.restored),
        ("removed", done.removed),
        ("runner changed", done.runner_changed),
        ("guard failed", done.failed),
    )
    return [f"{label}: {', '.join(paths)}" for label, paths in kinds if paths]


def reason(report: EvalReport | None) -> str:
    """The instance's one-line reason ("" for a plain resolved instance)."""
    if report is None:
        return "no result (the run never finished it)"
    parts = [_outcome_part(report), stop_part(report)]
    if report.apply_method and report.apply_method != PLAIN_APPLY:
        parts.append(f"patch applied with {report.apply_method}")
    if report.test_config_touched:
        parts.append(f"test config put back: {', '.join(report.test_config_touched)}")
    parts.extend(guard_parts(report))
    parts.append(reinstall_part(report))
    return "; ".join(p for p in parts if p)


def reinstall_part(report: EvalReport) -> str | None:
    """That the reinstall after the prediction failed, when it did."""
    if report.reinstall_failed is None:
        return None
    return (
        f"reinstall after the patch failed (exit {report.reinstall_failed}): "
        "tests ran on the image's install"
    )


def ghost_part(report: EvalReport) -> str | None:
    """The expected ids judged as the official parser reads them, when there are any."""
    if not report.ghost_ids:
        return None
    return "no test of the session, read as the official parser reads them: " + ", ".join(
        report.ghost_ids
    )
