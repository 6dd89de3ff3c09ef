"""The Claude agent loop through the real anthropic SDK against a fake API on 127.0.0.1,
with tools on the host sandbox. Nothing of ours is mocked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.loop import DEFAULT_LOOP_LIMITS, LoopLimits, ModelAgent
from swe_runner.errors import ConfigError
from swe_runner.models.anthropic import AnthropicClient
from swe_runner.models.pricing import PriceTable
from swe_runner.models.retry import RetryPolicy
from swe_runner.records import StopReason
from swe_runner.sandbox.fake import FakeSandbox
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool
from tests.conftest import SETUP
from tests.fakes.anthropic_server import Error, FakeAnthropic, Hang, Reply, Responder
from tests.fakes.http import sequence

MODEL = "claude-3-5-sonnet-20241022"
KEY = "sk-ant-test-DO-NOT-LEAK-4242"


def bash(command: str) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": f"toolu_{abs(hash(command)) % 10**8}",
        "name": "bash",
        "input": {"command": command},
    }


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[FakeSandbox]:
    sb = FakeSandbox(tmp_path, "HEAD")
    sb.start = sb.exec(SETUP).text.strip()
    yield sb
    sb.close()


class Run:
    """One agent run against a fake API; keeps what the tests look at."""

    def __init__(
        self,
        sandbox: FakeSandbox,
        monkeypatch: pytest.MonkeyPatch,
        responder: Responder,
        limits: LoopLimits = DEFAULT_LOOP_LIMITS,
        timeout: float = 30.0,
    ) -> None:
        self.sleeps: list[float] = []
        self.api = FakeAnthropic(responder)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", self.api.url)
        with self.api.running():
            client = AnthropicClient(
                MODEL, RetryPolicy(attempts=3, base=0.01, sleep=self.sleeps.append), timeout
            )
            agent = ModelAgent("claude", MODEL, lambda _: client, limits)
            self.session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)])
            problem = Problem(
                "demo-1",
                "acme/widgets",
                sandbox.start,
                "keep.txt should say TWO",
                "",
                sandbox.workdir,
            )
            self.result: AgentRun = agent.solve(problem, self.session)
            self.session.close()


def test_tool_calls_fix_the_file_and_usage_and_cost_are_exact(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = {
        "type": "tool_use",
        "id": "toolu_edit",
        "name": "str_replace_based_edit_tool",
        "input": {
            "command": "str_replace",
            "path": f"{sandbox.workdir}/keep.txt",
            "old_str": "two",
            "new_str": "TWO",
        },
    }
    usage = [
        {"input_tokens": 1000, "output_tokens": 50, "cache_creation_input_tokens": 900},
        {"input_tokens": 120, "output_tokens": 40, "cache_read_input_tokens": 900},
        {"input_tokens": 130, "output_tokens": 20, "cache_read_input_tokens": 1000},
    ]
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Reply([{"type": "text", "text": "Looking."}, bash("cat keep.txt")], usage[0]),
            Reply([edit], usage[1]),
            Reply([{"type": "text", "text": "Done."}], usage[2]),
        ),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED and run.result.turns == 3
    assert "+TWO" in sandbox.diff()
    assert run.result.usage == {
        "input_tokens": 1250,
        "output_tokens": 110,
        "cache_creation_input_tokens": 900,
        "cache_read_input_tokens": 1900,
    }
    # claude-3-5-sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per MTok
    expected = (1250 * 3 + 110 * 15 + 900 * 3.75 + 1900 * 0.30) / 1e6
    assert run.result.cost_usd == pytest.approx(expected)
    # The conversation the API saw: tool results fed back, cache breakpoints, the key header.
    second = run.api.requests[1]
    results = second.body["messages"][-1]["content"]
    assert results[0]["type"] == "tool_result" and results[0]["content"] == "one\ntwo\n"
    assert second.body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert results[-1]["cache_control"] == {"type": "ephemeral"}
    sent = second.headers.get("x-api-key") or second.headers.get("authorization", "")
    assert sent.removeprefix("Bearer ") == KEY  # the SDK sent the key from the environment
    # Claude 3.5 predates the built-in tool types: it gets the same tools as custom ones.
    sent_tools = {t["name"]: t for t in second.body["tools"]}
    assert set(sent_tools) == {"bash", "str_replace_based_edit_tool"}
    assert "type" not in sent_tools["bash"] and "input_schema" in sent_tools["bash"]
    kinds = [s.kind for s in run.session.steps]
    assert kinds == ["model", "tool", "model", "tool", "model"]


def test_parallel_tool_calls_run_in_order(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Reply(
                [
                    bash("echo first > order.txt"),
                    bash("echo second >> order.txt"),
                    bash("cat order.txt"),
                ]
            ),
            Reply([{"type": "text", "text": "ok"}]),
        ),
    )
    results = run.api.requests[1].body["messages"][-1]["content"]
    assert [r["type"] for r in results] == ["tool_result"] * 3
    assert results[2]["content"] == "first\nsecond\n"


def test_malformed_tool_input_goes_back_as_an_error(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = [
        {"type": "tool_use", "id": "t1", "name": "bash", "input": {"cmd": "ls"}},
        {"type": "tool_use", "id": "t2", "name": "no_such_tool", "input": {}},
        {
            "type": "tool_use",
            "id": "t3",
            "name": "str_replace_based_edit_tool",
            "input": {"command": "view", "path": "relative.txt"},
        },
    ]
    run = Run(sandbox, monkeypatch, sequence(Reply(bad), Reply([{"type": "text", "text": "ok"}])))
    results = run.api.requests[1].body["messages"][-1]["content"]
    assert all(r.get("is_error") for r in results)
    assert "no command" in results[0]["content"] and "no tool named" in results[1]["content"]
    assert run.result.stop_reason is StopReason.SUBMITTED


def test_429_with_retry_after_is_honoured(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Error(429, {"retry-after": "2"}, "rate_limit_error"),
            Reply([{"type": "text", "text": "ok"}]),
        ),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED
    assert run.sleeps == [2.0]
    assert run.session.steps[0].detail == "1 retries"


def test_529_and_500_sequences_recover(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Error(529),
            Error(500, kind="api_error"),
            Error(529),
            Reply([{"type": "text", "text": "ok"}]),
        ),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED
    assert len(run.sleeps) == 3 and all(0 < s <= 0.08 for s in run.sleeps)  # backoff, jittered


def test_persistent_529_stops_with_api_error(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(sandbox, monkeypatch, sequence(Error(529)))
    assert run.result.stop_reason is StopReason.API_ERROR
    assert "gave up after 4 attempts: HTTP 529" in (run.result.detail or "")
    assert len(run.api.requests) == 4


def test_a_hang_times_out_and_is_retried(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    began = time.monotonic()
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Hang(3.0, Reply([{"type": "text", "text": "too late"}])),
            Reply([{"type": "text", "text": "ok"}]),
        ),
        timeout=0.5,
    )
    assert run.result.stop_reason is StopReason.SUBMITTED
    assert run.session.steps[0].content == [{"type": "text", "text": "ok"}]
    assert time.monotonic() - began < 10


def test_prompt_too_long_is_context_exceeded(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(
        sandbox,
        monkeypatch,
        sequence(
            Error(400, kind="invalid_request_error", message="prompt is too long: 250000 tokens")
        ),
    )
    assert run.result.stop_reason is StopReason.CONTEXT_EXCEEDED


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (LoopLimits(max_turns=2), StopReason.MAX_TURNS),
        (LoopLimits(max_cost=0.001), StopReason.MAX_COST),
        (LoopLimits(max_time=0.3), StopReason.MAX_TIME),
        (LoopLimits(max_context=5000), StopReason.CONTEXT_EXCEEDED),
    ],
)
def test_each_limit_stops_the_loop_with_its_reason(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch, limits: LoopLimits, reason: StopReason
) -> None:
    heavy = {"input_tokens": 6000, "output_tokens": 100}  # $0.0195 a turn at Sonnet prices
    run = Run(sandbox, monkeypatch, sequence(Reply([bash("sleep 0.2; echo busy")], heavy)), limits)
    assert run.result.stop_reason is reason
    assert run.result.turns <= 2


def test_missing_api_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY is not set"):
        AnthropicClient(MODEL)


def test_unknown_model_is_unpriced_not_free() -> None:
    from swe_runner.models.base import Usage

    assert PriceTable().cost("claude-imaginary-9", Usage(1000, 1000)) is None
    assert PriceTable().cost("claude-3-opus-20240229", Usage(1_000_000, 0)) == 15.0


def test_price_table_file_overrides_and_adds_models(tmp_path: Path) -> None:
    from swe_runner.models.base import Usage

    table = tmp_path / "prices.json"
    table.write_text(
        '{"claude-imaginary": {"input": 1, "output": 2, "cache_write": 0, '
        '"cache_read": 0}, "claude-3-opus": {"input": 1, "output": 1, '
        '"cache_write": 1, "cache_read": 1}}'
    )
    prices = PriceTable.from_file(table)
    assert prices.cost("claude-imaginary-9", Usage(1_000_000, 1_000_000)) == 3.0
    assert prices.cost("claude-3-opus-20240229", Usage(1_000_000, 0)) == 1.0
    assert prices.cost("claude-3-haiku-20240307", Usage(1_000_000, 0)) == 0.25
    table.write_text('{"x": {"input": 1}}')
    with pytest.raises(ConfigError, match="bad price table"):
        PriceTable.from_file(table)


def test_prompt_template_from_a_file(tmp_path: Path) -> None:
    from swe_runner.agents.loop import PromptTemplate

    path = tmp_path / "prompt.txt"
    path.write_text("Fix $instance_id in $workdir: $problem_statement ($unknown stays)")
    problem = Problem("i-1", "a/b", "abc1234", "it breaks", "", "/testbed")
    assert PromptTemplate.from_file(path).render(problem) == (
        "Fix i-1 in /testbed: it breaks ($unknown stays)"
    )


def test_claude_4_models_get_the_builtin_tool_types() -> None:
    from swe_runner.tools.schemas import tools_for_model

    builtin = [
        {"type": "bash_20250124", "name": "bash"},
        {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"},
    ]
    assert tools_for_model("claude-sonnet-4-5", builtin) == builtin
    legacy = tools_for_model("claude-3-7-sonnet-20250219", builtin)
    assert [t["name"] for t in legacy] == ["bash", "str_replace_based_edit_tool"]
    assert all("input_schema" in t for t in legacy)
