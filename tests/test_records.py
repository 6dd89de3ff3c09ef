"""Records at the disk boundaries: typed in memory, the same keys on disk."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from swe_runner.config import Settings
from swe_runner.manifest import AgentInfo, RunManifest
from swe_runner.records import AgentPhase, EvalReport, Outcome, StopReason, TrajectoryStep

FLAT = {
    "instance_id": "a-1",
    "outcome": "error",
    "agent": "claude",
    "stop_reason": "api_error",
    "stop_detail": "HTTP 529",
    "turns": 3,
    "usage": {"input_tokens": 10},
    "cost_usd": 0.5,
    "agent_time_s": 1.25,
}


def test_the_agent_phase_is_nested_in_memory_and_flat_on_disk() -> None:
    report = EvalReport.model_validate(FLAT)
    assert report.agent_phase == AgentPhase(
        agent="claude",
        stop_reason=StopReason.API_ERROR,
        stop_detail="HTTP 529",
        turns=3,
        usage={"input_tokens": 10},
        cost_usd=0.5,
        agent_time_s=1.25,
    )
    body = report.model_dump(mode="json")
    assert "agent_phase" not in body
    keys = list(body)
    # In the place the flat fields always had: after integrity, before error.
    assert keys[keys.index("integrity") + 1 : keys.index("error")] == list(AgentPhase.model_fields)
    assert EvalReport.from_swebench(json.loads(json.dumps(report.to_swebench()))) == report


def test_a_report_built_with_its_agent_phase_equals_the_one_read_flat() -> None:
    phase = AgentPhase(agent="claude", stop_reason=StopReason.API_ERROR, stop_detail="HTTP 529")
    built = EvalReport(instance_id="a-1", outcome=Outcome.ERROR, agent_phase=phase)
    flat = {k: FLAT[k] for k in ("instance_id", "outcome", "agent", "stop_reason", "stop_detail")}
    assert EvalReport.model_validate(flat) == built


def test_an_agent_phase_given_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="both nested and as flat keys"):
        EvalReport.model_validate({**FLAT, "agent_phase": {}})


def test_a_run_without_an_agent_keeps_its_empty_agent_on_disk() -> None:
    base = {
        "run_id": "r",
        "command": "swe-runner evaluate",
        "dataset": {"name": "demo"},
        "settings": {},
        "versions": {},
        "host": "h",
        "started_at": "now",
    }
    graded = RunManifest.model_validate({**base, "agent": {}})
    assert graded.agent is None and graded.model_dump(mode="json")["agent"] == {}
    made = RunManifest.model_validate({**base, "agent": {"name": "gold", "model": None}})
    assert made.agent == AgentInfo(name="gold")
    assert made.model_dump(mode="json")["agent"] == {"name": "gold", "model": None}


def test_run_json_settings_are_typed_and_an_older_file_keeps_its_keys() -> None:
    base = {"run_id": "r", "command": "c", "dataset": {"name": "demo"}, "versions": {}}
    base |= {"host": "h", "started_at": "now"}
    # Written before the runtime and executor settings existed: in this order, no more.
    older = {"workers": 2, "mem_limit": "4g", "images": "official"}
    read = RunManifest.model_validate({**base, "settings": older})
    assert isinstance(read.settings, Settings) and read.settings.workers == 2
    assert read.settings.runtime == "docker"  # a setting added since reads as its default
    assert read.model_dump(mode="json")["settings"] == older
    assert list(read.model_dump(mode="json")["settings"]) == list(older)


def test_a_new_run_json_holds_every_setting() -> None:
    settings = Settings(workers=3)
    base = {"run_id": "r", "command": "c", "dataset": {"name": "demo"}, "versions": {}}
    made = RunManifest.model_validate(
        {**base, "host": "h", "started_at": "now", "settings": RunManifest.all_settings(settings)}
    )
    assert made.model_dump(mode="json")["settings"] == settings.model_dump(mode="json")
    again = RunManifest.model_validate_json(made.model_dump_json())
    assert again.model_dump(mode="json") == made.model_dump(mode="json")


def test_an_old_model_step_s_stop_reason_is_the_api_s() -> None:
    old = TrajectoryStep.model_validate_json('{"kind":"model","turn":1,"stop_reason":"tool_use"}')
    assert old.api_stop_reason == "tool_use" and old.stop_reason is None
    stop = TrajectoryStep.model_validate_json('{"kind":"stop","turn":2,"stop_reason":"max_turns"}')
    assert stop.stop_reason is StopReason.MAX_TURNS and stop.api_stop_reason is None
    new = old.model_dump_json(exclude_none=True)
    assert '"api_stop_reason":"tool_use"' in new and '"stop_reason"' not in new
