"""Inject faults into demo runs; per fault: instances affected, marked error, lost results
and leftover containers. Targets: every affected instance `error` (never unresolved), 0
lost, 0 leftover, and a rerun with --retry-errors (or a resume) completing the run.

Faults: an agent container killed from outside; the Docker daemon restarted mid-run (a
private second daemon started for the purpose in its own network namespace, holding copies
of the demo images, so the machine's own daemon and its docker0 bridge are untouched); the
model API down (a local fake of the Messages API answering 529); the swe-runner process
killed with SIGKILL, then resumed; interrupted with SIGINT (the instances in flight are
`error`, marked interrupted, and the resume redoes them).

    python benchmarks/faults.py
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integrity.faults import api_down, daemon_restart, interrupted, killed_container


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        results, agent = Path(tmp) / "results", Path(tmp) / "agent"
        agent.mkdir()
        rows = [
            killed_container(results, agent),
            daemon_restart(results, agent),
            api_down(results),
            interrupted(results, agent, signal.SIGKILL),
            interrupted(results, agent, signal.SIGINT),
        ]
    table = Table("fault", "affected", "marked error", "lost", "leftover containers", "afterwards")
    for r in rows:
        table.add_row(
            r.fault, str(r.affected), str(r.errors), str(r.lost), str(r.leftover), r.after
        )
    Console(width=200).print(table)
    bad = [r for r in rows if r.lost or r.leftover or r.errors != r.affected]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
