"""``tasks validate``'s lines and table name each class as the README and --help do."""

from __future__ import annotations

import io

from rich.console import Console

from swe_runner.grading.gate import GateVerdict
from swe_runner.inputs.known_bad import GateClass
from swe_runner.records import Outcome
from swe_runner.reporting.gate_view import gate_lines, gate_table


def test_a_valid_task_is_called_valid_not_ok() -> None:
    """It said `ok` while the README and --help call the class `valid` (issue 27 item 12)."""
    verdicts = [
        GateVerdict(instance_id="a-1", cls=GateClass.VALID, gold=[Outcome.RESOLVED]),
        GateVerdict(instance_id="a-2", cls=GateClass.BROKEN, reason="gold fails"),
    ]
    assert [line.plain for line in gate_lines(verdicts[0])] == ["valid a-1"]
    assert gate_lines(verdicts[1])[0].plain == "BROKEN a-2"
    screen = io.StringIO()
    Console(file=screen, width=120, color_system=None).print(gate_table(verdicts, 1))
    rows = [line for line in screen.getvalue().splitlines() if "a-1" in line]
    assert "│ valid " in rows[0] and " ok " not in rows[0]
