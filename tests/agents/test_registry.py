"""The agent registry: a short name to its factory; an unknown name lists the valid ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.agents import AGENT_NAMES, AgentOptions, make_agent
from swe_runner.agents.patching import EmptyAgent, GoldAgent, PredictionsAgent
from swe_runner.config import Settings
from swe_runner.errors import InputError, UnknownNameError
from swe_runner.inputs.dataset import load_dataset

DEMO = load_dataset("demo")
SETTINGS = Settings()


def test_an_unknown_agent_lists_every_registered_name() -> None:
    with pytest.raises(UnknownNameError) as caught:
        make_agent("gpt", DEMO, AgentOptions(), SETTINGS)
    assert caught.value.valid == list(AGENT_NAMES)
    assert set(AGENT_NAMES) == {"gold", "empty", "predictions", "command", "scripted"} | {
        "claude",
        "model",
        "replay",
    }
    assert "choose one of: claude, command, empty, gold" in str(caught.value)


def test_each_name_builds_its_own_agent(tmp_path: Path) -> None:
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text('{"instance_id": "demo__calc-1", "model_patch": ""}\n')
    assert isinstance(make_agent("gold", DEMO, AgentOptions(), SETTINGS), GoldAgent)
    assert isinstance(make_agent("empty", DEMO, AgentOptions(), SETTINGS), EmptyAgent)
    built = make_agent("predictions", DEMO, AgentOptions(predictions=predictions), SETTINGS)
    assert isinstance(built, PredictionsAgent)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("predictions", "--agent predictions needs --predictions FILE"),
        ("command", "--agent command needs --agent-command"),
        ("replay", "--agent replay needs --from RUN"),
    ],
)
def test_an_agent_without_its_required_option_says_which(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_agent(name, DEMO, AgentOptions(), SETTINGS)


def test_env_is_refused_for_an_agent_in_our_own_process() -> None:
    with pytest.raises(InputError, match="--env is for --agent command"):
        make_agent("gold", DEMO, AgentOptions(env={"KEY": "x"}), SETTINGS)
