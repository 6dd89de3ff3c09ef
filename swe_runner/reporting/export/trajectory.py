"""A static, self-contained page per instance: the problem statement, every turn of the
agent's trajectory (each tool call shown once, with its result; long outputs folded),
usage and cost per turn, how the agent stopped, the patch as a coloured diff, and the
outcome: how the patch was applied, the test configuration put back, the failing tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from swe_runner.models.base import Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.records import EvalReport, TrajectoryStep, is_setting
from swe_runner.reporting.reasons import failing_tests, guard_parts
from swe_runner.reporting.trajectory_view import context_setting

__all__ = ["PAGE_STYLE", "PageInfo", "read_trajectory", "trajectory_page"]

PAGE_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}th{cursor:pointer;background:#f4f4f4}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;white-space:pre-wrap}
.turn{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:0 1em}
.add{color:#116329;background:#e6ffec}.del{color:#82071e;background:#ffebe9}
.hunk{color:#0550ae}.resolved,.resolved a{color:#116329}
.unresolved,.unresolved a,.error,.error a,.patch_failed a,.limit_exceeded a{color:#b00}
.empty_patch a,.missing a{color:#8a6d00}.ci{font-size:12px;color:#555}.cibar{white-space:nowrap}
.note{background:#fff8e1;padding:4px 8px}.plot-note{color:#555}
.bar{background:#ddd;height:10px;position:relative;width:200px;display:inline-block}
.bar span{position:absolute;height:10px;background:#4a7}.bar i{position:absolute;height:14px;
top:-2px;border-left:1px solid #000;border-right:1px solid #000}
"""
FOLD_AT = 2000


def read_trajectory(path: Path) -> list[TrajectoryStep]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [TrajectoryStep.model_validate_json(line) for line in lines if line.strip()]


def _block(text: str) -> str:
    body = f"<pre>{escape(text)}</pre>"
    if len(text) <= FOLD_AT:
        return body
    return f"<details><summary>{len(text):,} characters</summary>{body}</details>"


def diff_html(diff: str) -> str:
    """A unified diff with added, removed and hunk lines coloured."""
    out = []
    for line in diff.splitlines():
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        if line.startswith(("+++", "---")):
            kind = ""
        out.append(f'<span class="{kind}">{escape(line)}</span>' if kind else escape(line))
    return "<pre>" + "\n".join(out) + "</pre>"


def _model_step(step: TrajectoryStep, prices: PriceTable, model: str) -> str:
    parts = []
    for block in step.content or []:
        kind = block.get("type")
        if kind == "text":
            parts.append(f"<p>{escape(str(block.get('text', '')))}</p>")
        elif kind == "thinking":
            thought = _block(str(block.get("thinking", "")))
            parts.append(f"<details><summary>thinking</summary>{thought}</details>")
        elif kind == "redacted_thinking":
            parts.append("<p><i>[redacted thinking]</i></p>")
        elif kind == "tool_use":
            call = json.dumps(block.get("input"), indent=1, ensure_ascii=False)
            parts.append(f"<p><b>calls {escape(str(block.get('name')))}</b></p>{_block(call)}")
    usage = step.usage or {}
    price = prices.price(model)
    cost = "unpriced" if price is None else f"${price.cost(Usage(**usage)):.4f}"
    tokens = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in usage.items())
    return "".join(parts) + f"<p><small>{escape(tokens)} · {cost}</small></p>"


def _call_key(name: object, arguments: object) -> str:
    return json.dumps([name, arguments], sort_keys=True, ensure_ascii=False)


def _tool_step(step: TrajectoryStep, announced: bool) -> str:
    """A tool's result; its call too unless the model's turn already showed it."""
    flag = " (error)" if step.is_error else ""
    name = escape(step.name or "tool")
    if announced:
        head = f"<p class='result'><b>{name} result{flag}</b></p>"
    else:
        call = json.dumps(step.input or {}, indent=1, ensure_ascii=False)
        head = f"<p class='call'><b>calls {name}{flag}</b></p>{_block(call)}"
    return head + _block(step.output or "")


def _turns(steps: list[TrajectoryStep], prices: PriceTable, model: str) -> dict[int, list[str]]:
    """The HTML of each turn's steps; every tool call shown once (the stop is no turn)."""
    turns: dict[int, list[str]] = {}
    announced: dict[int, list[str]] = {}  # calls a model step showed, per turn
    for step in steps:
        if step.kind == "stop" or is_setting(step):  # the setting: shown above the turns
            continue
        if step.kind == "model":
            html = _model_step(step, prices, model)
            calls = [b for b in step.content or [] if b.get("type") == "tool_use"]
            announced.setdefault(step.turn, []).extend(
                _call_key(b.get("name"), b.get("input")) for b in calls
            )
        elif step.kind == "tool":
            key = _call_key(step.name, step.input or {})
            pending = announced.get(step.turn, [])
            html = _tool_step(step, key in pending)
            if key in pending:
                pending.remove(key)
        else:
            html = f"<p><i>{escape(step.kind)}: {escape(step.detail or '')}</i></p>"
        turns.setdefault(step.turn, []).append(html)
    return turns


def _context(steps: list[TrajectoryStep]) -> str:
    setting = context_setting(steps)
    return f"<p class='context'>Context: {escape(setting)}</p>" if setting else ""


def _stop(report: EvalReport | None, steps: list[TrajectoryStep]) -> str:
    if report is not None and report.agent_phase.stop_reason is not None:
        reason, detail = report.agent_phase.stop_reason.value, report.agent_phase.stop_detail
    else:
        stops = [s for s in steps if s.kind == "stop"]
        if not stops:
            return ""
        reason, detail = stops[-1].stop_reason or "?", stops[-1].detail
    more = f" ({escape(detail)})" if detail else ""
    return f"<p class='stop'><b>Stopped:</b> {escape(reason)}{more}</p>"


def _outcome(report: EvalReport | None) -> str:
    """The error, how the patch was applied, what was put back, the failing tests."""
    if report is None:
        return ""
    lines = [f"<p>{escape(report.error)}</p>"] if report.error else []
    if report.apply_method:
        lines.append(f"<p>Patch applied with <code>{escape(report.apply_method)}</code></p>")
    if report.test_config_touched:
        touched = ", ".join(f"<code>{escape(p)}</code>" for p in report.test_config_touched)
        lines.append(f"<p>Test configuration put back to the base commit: {touched}</p>")
    lines.extend(f"<p>Integrity guard: {escape(part)}</p>" for part in guard_parts(report))
    if report.integrity.record:
        lines.append(f"<p>Runner check: {escape(report.integrity.record)}</p>")
    failing = failing_tests(report)
    if failing:
        fails = "".join(f"<li><code>{escape(t)}</code></li>" for t in failing)
        lines.append(f"<h3>Failing tests ({len(failing)})</h3><ul class='failing'>{fails}</ul>")
    return "".join(lines)


@dataclass(frozen=True)
class PageInfo:
    """What a trajectory page shows besides the steps."""

    run_id: str
    instance_id: str
    model: str
    back: str  # the link to the leaderboard
    problem_statement: str | None = None
    statement_missing: str = "the run's dataset could not be read"  # why it is None
    attempt_note: str = ""  # e.g. "attempt 1 of 3"


def trajectory_page(
    info: PageInfo, report: EvalReport | None, steps: list[TrajectoryStep], patch: str
) -> str:
    """The whole page of one instance."""
    turns = _turns(steps, PriceTable(), info.model)
    body = "".join(
        f'<section class="turn" data-turn="{n}"><h3>'
        f"{'Turn ' + str(n) if n else 'Tool calls'}</h3>{''.join(html)}</section>"
        for n, html in sorted(turns.items())
    )
    recorded = report.agent_phase.turns if report else None
    count = recorded if recorded is not None else sum(1 for n in turns if n)
    iid, run_id = escape(info.instance_id), escape(info.run_id)
    outcome = report.outcome.value if report else "missing"
    attempt = f" · {escape(info.attempt_note)}" if info.attempt_note else ""
    statement = (
        _block(info.problem_statement)
        if info.problem_statement is not None
        else f"<p>(not available: {escape(info.statement_missing)})</p>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{iid} · {run_id}</title>"
        f"<style>{PAGE_STYLE}</style></head><body><p><a href='{info.back}'>← leaderboard</a></p>"
        f"<h1>{iid}</h1><p>run <b>{run_id}</b>{attempt} · outcome "
        f"<b class='{outcome}'>{outcome}</b> · <span class='turns'>{count} turns</span></p>"
        f"{_outcome(report)}<h2>Problem statement</h2><div class='problem'>{statement}</div>"
        f"<h2>Trajectory</h2>{_context(steps)}{body or '<p>no trajectory</p>'}"
        f"{_stop(report, steps)}"
        f"<h2>Patch</h2>{diff_html(patch) if patch.strip() else '<p>empty</p>'}</body></html>\n"
    )
