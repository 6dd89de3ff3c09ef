"""``swe-runner show``: one instance's trajectory in the terminal."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from swe_runner.models.base import Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.records import CONTEXT_SETTING, EvalReport, TrajectoryStep, is_setting
from swe_runner.replay_records import StepStatus
from swe_runner.reporting.reasons import (
    failing_tests,
    ghost_part,
    guard_parts,
    reinstall_part,
)

__all__ = ["context_setting", "trajectory_view"]

CLIP_LINES = 12


def _clip(text: str, full: bool) -> str:
    lines = text.splitlines()
    if full or len(lines) <= CLIP_LINES:
        return text
    hidden = len(lines) - CLIP_LINES
    return "\n".join(lines[:CLIP_LINES]) + f"\n… {hidden} more lines (--full shows them)"


def _model(
    step: TrajectoryStep, prices: PriceTable, model: str, full: bool
) -> list[RenderableType]:
    out: list[RenderableType] = []
    for block in step.content or []:
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            out.append(Text(str(block["text"])))
        elif kind == "thinking":
            out.append(Text(_clip(str(block.get("thinking", "")), full), style="dim italic"))
        elif kind == "redacted_thinking":
            out.append(Text("[redacted thinking]", style="dim italic"))
        elif kind == "tool_use":
            call = json.dumps(block.get("input"), ensure_ascii=False)
            out.append(Text(f"→ {block.get('name')} {_clip(call, full)}", style="cyan"))
    usage = step.usage or {}
    price = prices.price(model)
    cost = "unpriced" if price is None else f"${price.cost(Usage(**usage)):.4f}"
    tokens = "  ".join(
        f"{k.removesuffix('_tokens').replace('_', ' ')} {v:,}" for k, v in usage.items()
    )
    out.append(Text(f"{tokens}  cost {cost}", style="dim"))
    return out


def _tool(step: TrajectoryStep, full: bool) -> RenderableType:
    style = "red" if step.is_error else "green"
    title = f"{step.name}{' (error)' if step.is_error else ''}"
    return Panel(
        Text(_clip(step.output or "", full)), title=title, title_align="left", border_style=style
    )


def _call(step: TrajectoryStep) -> str:
    args = step.input or {}
    if set(args) == {"command"}:
        return f"$ {args['command']}"
    return f"→ {step.name} {json.dumps(args, ensure_ascii=False)}"


def _replayed(step: TrajectoryStep, first_drift: bool, full: bool) -> list[RenderableType]:
    """A replayed step: its call, its output, and how it compares with the recorded one;
    the first drifting step is marked, with the recorded version beside the replayed one."""
    check = step.replay
    assert check is not None
    out: list[RenderableType] = [Text(_clip(_call(step), full), style="cyan")]
    if check.status is StepStatus.NOT_REPLAYABLE:
        return [*out, Text(f"{check.detail} (step {check.step})", style="yellow")]
    if first_drift:
        out.append(Text(f"▶ first drift, step {check.step}: {check.detail}", style="bold red"))
        exit_note = "" if check.recorded_exit is None else f", exit {check.recorded_exit}"
        out.append(
            Panel(
                Text(_clip(check.recorded_output or "(nothing recorded)", full)),
                title=f"recorded{exit_note}", title_align="left", border_style="blue",
            )
        )  # fmt: skip
    code = "" if check.exit_code is None else f", exit {check.exit_code}"
    mark = f"drift: {check.detail}" if check.status is StepStatus.DRIFT else check.status.value
    style = "red" if check.status is StepStatus.DRIFT else "green"
    out.append(
        Panel(
            Text(_clip(step.output or "", full)),
            title=f"{'replayed' if first_drift else step.name}{code} ({mark})",
            title_align="left", border_style=style,
        )
    )  # fmt: skip
    return out


def _outcome(report: EvalReport, apply_errors: list[str], full: bool) -> list[RenderableType]:
    """The outcome, how the patch was applied (or why not), what was put back, the
    failing tests."""
    line = f"outcome {report.outcome.value}" + (f": {report.error}" if report.error else "")
    out: list[RenderableType] = [Text(line, style="bold green" if report.resolved else "bold red")]
    if report.apply_method:
        out.append(Text(f"  patch applied with {report.apply_method}"))
    elif report.patch_exists and not report.patch_successfully_applied:
        why = _clip("\n".join(f"    {e}" for e in apply_errors), full)
        out.append(Text("  patch did not apply" + (f", each try said:\n{why}" if why else "")))
    if report.test_config_touched:
        touched = ", ".join(report.test_config_touched)
        out.append(Text(f"  test configuration put back to the base commit: {touched}"))
    out.extend(Text(f"  integrity guard: {part}") for part in guard_parts(report))
    if report.integrity.record:
        out.append(Text(f"  runner check: {report.integrity.record}"))
    for part in (reinstall_part(report), ghost_part(report)):
        if part:
            out.append(Text(f"  {part}", style="yellow"))
    failing = failing_tests(report)
    if failing:
        out.append(Text(f"  failing tests ({len(failing)}):"))
        out.extend(Text(f"    {t}") for t in failing)
    return out


def _replay_summary(report: EvalReport) -> Text:
    r = report.replay
    assert r is not None
    first = "" if r.first_drift is None else f" (first: step {r.first_drift})"
    files = f" ({', '.join(r.files_differ)})" if r.files_differ else ""
    published = {None: "not supplied", True: "resolved", False: "unresolved"}[r.published_resolved]
    return Text(
        f"replay of {r.source}: {r.steps_replayed} of {r.steps} steps replayed, "
        f"{r.steps_drifted} drifted{first}; submission {r.submission.value}{files}; "
        f"published verdict {published}"
        + (f"; not replayable: {', '.join(r.not_replayable)}" if r.not_replayable else "")
    )


def _stop_line(report: EvalReport | None, steps: list[TrajectoryStep]) -> str | None:
    """How the agent stopped: from the report, else from the trajectory's stop step."""
    if report is not None and report.agent_phase.stop_reason is not None:
        reason, detail = report.agent_phase.stop_reason.value, report.agent_phase.stop_detail
    else:
        stops = [s for s in steps if s.kind == "stop"]
        if not stops:
            return None
        reason, detail = stops[-1].stop_reason or "?", stops[-1].detail
    return f"── stopped: {reason}" + (f" ({detail})" if detail else "") + " ──"


def context_setting(steps: list[TrajectoryStep]) -> str | None:
    """The context-clearing setting a model trajectory records at its start (a setting, not
    an event), and whether it ever cleared anything; None when none is recorded."""
    settings = [s.detail for s in steps if is_setting(s) and s.detail]
    if not settings:
        return None
    cleared = sum(1 for s in steps if s.kind == "note" and not is_setting(s))
    said = settings[0].removeprefix(CONTEXT_SETTING)
    return f"{said} ({'never needed' if not cleared else f'cleared {cleared} times'})"


def trajectory_view(
    run_id: str, report: EvalReport | None, steps: list[TrajectoryStep], patch: str,
    model: str, full: bool = False, apply_errors: list[str] | None = None,
) -> RenderableType:  # fmt: skip
    """The context setting; turns with their text, thinking, tool calls and results, usage
    and cost; how the agent stopped; the patch as a coloured diff; the outcome (why a patch
    did not apply: ``apply_errors``, from the test log) and the failing tests."""
    prices = PriceTable()
    parts: list[RenderableType] = []
    setting = context_setting(steps)
    if setting:
        parts.append(Text(f"context: {setting}", style="dim"))
    current = None
    drifts = [n for n, s in enumerate(steps) if s.replay and s.replay.status is StepStatus.DRIFT]
    for n, step in enumerate(steps):
        if step.kind == "stop" or is_setting(step):  # the stop: after the last turn
            continue
        if step.turn != current:
            current = step.turn
            title = f"turn {step.turn}" if step.turn else "tool calls"  # 0: no model turn
            parts.append(Text(f"── {title} ──", style="bold"))
        if step.replay is not None:
            parts.extend(_replayed(step, bool(drifts) and n == drifts[0], full))
        elif step.kind == "model":
            parts.extend(_model(step, prices, model, full))
        elif step.kind == "tool":
            parts.append(_tool(step, full))
        else:
            parts.append(Text(f"{step.kind}: {step.detail or ''}", style="italic"))
    stop = _stop_line(report, steps)
    if stop:
        parts.append(Text(stop, style="bold"))
    parts.append(Text("── patch ──", style="bold"))
    parts.append(Syntax(patch, "diff", theme="ansi_dark") if patch.strip() else Text("(empty)"))
    if report is not None:
        parts.extend(_outcome(report, apply_errors or [], full))
        if report.replay is not None:
            parts.append(_replay_summary(report))
    return Group(Text(f"run {run_id}", style="bold"), *parts)
