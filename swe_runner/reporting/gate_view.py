"""Rich renderings of the gold gate (``tasks validate``): a line per task as it finishes
(stderr), a table and a one-line tally at the end (stdout)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from swe_runner.grading.gate import GateVerdict
from swe_runner.inputs.known_bad import GateClass
from swe_runner.records import Outcome
from swe_runner.reporting.table import whole_table

__all__ = ["gate_lines", "gate_table", "gate_tally"]

STYLE = {
    GateClass.VALID: "green",
    GateClass.FLAKY: "yellow",
    GateClass.BROKEN: "bold red",
    GateClass.UNBUILDABLE: "magenta",
}
# How each class introduces its tests, one line per test.
TEST_LINE = {
    GateClass.FLAKY: "test flips between gold runs",
    GateClass.BROKEN: "test fails with the gold patch",
}


def _mark(verdict: GateVerdict) -> Text:
    label = verdict.cls.value if verdict.ok else verdict.cls.value.upper()  # as the docs name it
    return Text(label, style=STYLE[verdict.cls])


def gate_lines(verdict: GateVerdict) -> list[Text]:
    """The task's mark and id, then its reason, tests and notes, one per line."""
    lines = [Text.assemble(_mark(verdict), f" {verdict.instance_id}")]
    details = [verdict.reason] if verdict.reason else []
    prefix = TEST_LINE.get(verdict.cls, "test")
    if verdict.cls is GateClass.BROKEN and verdict.empty is Outcome.RESOLVED:
        prefix = "test passes without the gold patch"
    details += [f"{prefix}: {t}" for t in verdict.tests]
    details += [f"note: {n}" for n in verdict.notes]
    lines += [Text(f"    {d}") for d in details]
    return lines


def _runs(outcomes: Sequence[Outcome]) -> str:
    if not outcomes:
        return "-"
    if len(set(outcomes)) == 1:
        return f"{outcomes[0].value} x{len(outcomes)}"
    return ", ".join(o.value for o in outcomes)


def gate_table(verdicts: Sequence[GateVerdict], repeat: int) -> Table:
    """One row per task: its class, the gold runs, the empty run and why."""
    table = whole_table("instance", "class", "gold", "empty", "detail")
    table.title, table.title_justify = f"gold gate: gold x{repeat}, empty x1", "left"
    for v in verdicts:
        detail = v.reason
        if v.tests:
            more = f" (+{len(v.tests) - 1} more)" if len(v.tests) > 1 else ""
            detail = f"{detail}: {v.tests[0]}{more}" if detail else f"{v.tests[0]}{more}"
        if v.notes and not detail:
            detail = f"note: {v.notes[0]}"
        table.add_row(
            Text(v.instance_id),
            _mark(v),
            Text(_runs(v.gold)),
            Text(v.empty.value if v.empty else "-"),
            Text(detail),
        )
    return table


def gate_tally(verdicts: Sequence[GateVerdict]) -> str:
    """``10/12 tasks valid; flaky: a; broken: b`` (the classes that occur)."""
    valid = sum(v.ok for v in verdicts)
    line = f"{valid}/{len(verdicts)} tasks valid"
    found = Counter(v.cls for v in verdicts)
    for cls in (GateClass.FLAKY, GateClass.BROKEN, GateClass.UNBUILDABLE):
        if found[cls]:
            ids = ", ".join(v.instance_id for v in verdicts if v.cls is cls)
            line += f"; {cls.value}: {ids}"
    return line
