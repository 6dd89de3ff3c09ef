"""``swe-runner show`` prices turns with the run's model; an unknown model is "unpriced"."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.manifest import AgentInfo
from swe_runner.records import Outcome
from swe_runner.rundir import RunDir
from tests.cli.test_show import PATCH, STEPS
from tests.reporting.runs_factory import manifest, report


def test_a_model_without_a_price_shows_unpriced_never_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = RunDir(tmp_path, "r")
    data = manifest("r").model_copy(update={"agent": AgentInfo(name="claude", model="mystery-7")})
    run.write_json("run.json", data.model_dump(mode="json"))
    run.write_instance(report("alpha-1", Outcome.RESOLVED), PATCH, None, None, STEPS)
    assert main(["show", "r", "alpha-1", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "cost unpriced" in out and "$0.0000" not in out
