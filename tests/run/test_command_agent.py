"""A command agent stopped by ``--timeout`` says which limit stopped it (fake runtime)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main


def test_a_command_past_its_timeout_names_the_flag_and_its_value(
    tmp_path: Path, fake_runtime_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "the command ran past 4.82661s": the time left, to the microsecond, of a
    --timeout 5 (issue 27 item 15)."""
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))
    args = ["run", "--suite", "demo", "-i", "textkit-1", "--agent", "command", "--run-id", "t"]
    args += ["--agent-command", "sleep 60", "--timeout", "2", "--results-dir", str(tmp_path)]
    assert main(args) == 0
    report = json.loads((tmp_path / "t" / "textkit-1" / "report.json").read_text())["textkit-1"]
    assert report["stop_reason"] == "max_time"
    assert report["stop_detail"] == "the command ran past the agent's --timeout 2 s"
