"""The model loop through the real ``openai`` SDK against a fake OpenAI-compatible server on
127.0.0.1 (``base_url``), with tools on the host sandbox. Nothing of ours is mocked."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swe_runner.agents import Agent, AgentOptions, ModelOptions, make_agent
from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.context import ContextPolicy
from swe_runner.agents.formats import TextCommands
from swe_runner.agents.loop import DEFAULT_LOOP_LIMITS, LoopLimits, ModelAgent
from swe_runner.config import Settings
from swe_runner.errors import ConfigError, InputError
from swe_runner.inputs.dataset import load_dataset
from swe_runner.models.base import Usage
from swe_runner.models.openai import NO_KEY, OpenAIClient
from swe_runner.models.pricing import PriceTable
from swe_runner.models.ratelimit import AdaptiveLimit
from swe_runner.models.retry import RetryPolicy
from swe_runner.records import StopReason
from swe_runner.sandbox.fake import FakeSandbox
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool
from tests.conftest import SETUP
from tests.fakes.http import sequence
from tests.fakes.openai_server import Error, FakeOpenAI, Hang, Reply, Responder, call

MODEL = "gpt-4o-2024-08-06"
KEY = "sk-openai-test-DO-NOT-LEAK-9131"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[FakeSandbox]:
    sb = FakeSandbox(tmp_path, "HEAD")
    sb.start = sb.exec(SETUP).text.strip()
    yield sb
    sb.close()


def problem_in(sandbox: FakeSandbox) -> Problem:
    return Problem(
        "demo-1", "acme/widgets", sandbox.start, "keep.txt should say TWO", "",
        sandbox.workdir,
    )  # fmt: skip


class Run:
    """One agent run against the fake server; keeps what the tests look at."""

    def __init__(
        self,
        sandbox: FakeSandbox,
        responder: Responder,
        limits: LoopLimits = DEFAULT_LOOP_LIMITS,
        timeout: float = 30.0,
        text: bool = False,
        context: ContextPolicy | None = None,
    ) -> None:
        self.sleeps: list[float] = []
        self.api = FakeOpenAI(responder)
        with self.api.running():
            client = OpenAIClient(
                MODEL,
                RetryPolicy(attempts=3, base=0.01, sleep=self.sleeps.append),
                timeout,
                base_url=self.api.url,
                api_key=KEY,
            )
            agent = ModelAgent(
                "model", MODEL, lambda _: client, limits,
                tool_format=TextCommands() if text else None, context=context,
            )  # fmt: skip
            self.session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)])
            self.result: AgentRun = agent.solve(problem_in(sandbox), self.session)
            self.session.close()

    def messages(self, request: int) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.api.requests[request].body["messages"]
        return messages


def test_tool_calls_fix_the_file_and_usage_and_cost_are_exact(sandbox: FakeSandbox) -> None:
    edit = {
        "command": "str_replace",
        "path": f"{sandbox.workdir}/keep.txt",
        "old_str": "two",
        "new_str": "TWO",
    }
    usage = [
        {"prompt_tokens": 1000, "completion_tokens": 50},
        {
            "prompt_tokens": 1200,
            "completion_tokens": 40,
            "prompt_tokens_details": {"cached_tokens": 1024},
        },
        {
            "prompt_tokens": 1300,
            "completion_tokens": 20,
            "prompt_tokens_details": {"cached_tokens": 1152},
        },
    ]
    run = Run(
        sandbox,
        sequence(
            Reply("Looking.", [call("bash", {"command": "cat keep.txt"}, "c1")], usage[0]),
            Reply(None, [call("str_replace_based_edit_tool", edit, "c2")], usage[1]),
            Reply("Done.", usage=usage[2]),
        ),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED and run.result.turns == 3
    assert "+TWO" in sandbox.diff()
    # prompt tokens split into uncached input and cache reads; completion is output
    assert run.result.usage == {
        "input_tokens": 3500 - 2176,
        "output_tokens": 110,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 2176,
    }
    # gpt-4o: $2.50 input, $10 output, $1.25 cached input per MTok
    expected = ((3500 - 2176) * 2.5 + 110 * 10 + 2176 * 1.25) / 1e6
    assert run.result.cost_usd == pytest.approx(expected, rel=1e-12)
    # What the server saw: the system prompt, the tool call and its result, the key.
    second = run.api.requests[1]
    assert second.path == "/v1/chat/completions"
    assert second.headers["authorization"] == f"Bearer {KEY}"
    messages = second.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool"]
    assert messages[2]["tool_calls"][0]["function"] == {
        "name": "bash",
        "arguments": json.dumps({"command": "cat keep.txt"}),
    }
    assert messages[3] == {"role": "tool", "tool_call_id": "c1", "content": "one\ntwo\n"}
    assert second.body["max_tokens"] == DEFAULT_LOOP_LIMITS.max_tokens  # a base_url server
    functions = {t["function"]["name"]: t["function"] for t in second.body["tools"]}
    assert set(functions) == {"bash", "str_replace_based_edit_tool"}
    assert functions["str_replace_based_edit_tool"]["parameters"]["required"] == [
        "command",
        "path",
    ]
    kinds = [s.kind for s in run.session.steps]
    assert kinds == ["model", "tool", "model", "tool", "model"]


def test_parallel_tool_calls_run_in_order(sandbox: FakeSandbox) -> None:
    calls = [
        call("bash", {"command": "echo first > order.txt"}, "a"),
        call("bash", {"command": "echo second >> order.txt"}, "b"),
        call("bash", {"command": "cat order.txt"}, "c"),
    ]
    run = Run(sandbox, sequence(Reply(None, calls), Reply("ok")))
    tools = [m for m in run.messages(1) if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tools] == ["a", "b", "c"]
    assert tools[2]["content"] == "first\nsecond\n"


def test_malformed_tool_arguments_go_back_as_errors(sandbox: FakeSandbox) -> None:
    bad = [
        call("bash", '{"command": "ls"', "broken"),  # not JSON
        call("bash", '["ls"]', "list"),  # JSON, not an object
        call("bash", {"cmd": "ls"}, "wrong-key"),
        call("no_such_tool", {}, "unknown"),
    ]
    as_object = {  # some servers send the arguments as an object, not JSON text
        "id": "object",
        "type": "function",
        "function": {"name": "bash", "arguments": {"command": "echo fine"}},
    }
    run = Run(sandbox, sequence(Reply(None, [*bad, as_object]), Reply("ok")))
    *tools, fine = [m for m in run.messages(1) if m["role"] == "tool"]
    assert fine["content"] == "fine\n"
    assert len(tools) == 4 and all(m["content"].startswith("error: ") for m in tools)
    assert "must be a JSON object" in tools[0]["content"] and "must be" in tools[1]["content"]
    assert "no command" in tools[2]["content"] and "no tool named" in tools[3]["content"]
    # The broken arguments go back to the server as they came.
    sent = run.messages(1)[2]["tool_calls"][0]["function"]["arguments"]
    assert sent == '{"command": "ls"'
    assert run.result.stop_reason is StopReason.SUBMITTED


def test_a_reply_without_a_tool_call_ends_the_loop(sandbox: FakeSandbox) -> None:
    run = Run(sandbox, sequence(Reply("I think it is fine as it is.")))
    assert run.result.stop_reason is StopReason.SUBMITTED and run.result.turns == 1
    assert len(run.api.requests) == 1 and sandbox.diff() == ""


def test_429_with_retry_after_and_a_500_storm_recover(sandbox: FakeSandbox) -> None:
    run = Run(
        sandbox,
        sequence(
            Error(429, {"retry-after": "0.2"}, "rate_limit_exceeded"),
            Error(500),
            Error(503),
            Reply("ok"),
        ),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED
    assert run.sleeps[0] == 0.2 and all(0 < s <= 0.08 for s in run.sleeps[1:])
    assert run.session.steps[0].detail == "3 retries"


def test_persistent_500_stops_with_api_error(sandbox: FakeSandbox) -> None:
    run = Run(sandbox, sequence(Error(500)))
    assert run.result.stop_reason is StopReason.API_ERROR
    assert "gave up after 4 attempts: HTTP 500" in (run.result.detail or "")
    assert len(run.api.requests) == 4


def test_a_refused_request_is_not_retried(sandbox: FakeSandbox) -> None:
    run = Run(sandbox, sequence(Error(401, code="invalid_api_key", message="bad key")))
    assert run.result.stop_reason is StopReason.API_ERROR
    assert "HTTP 401" in (run.result.detail or "") and len(run.api.requests) == 1


def test_a_hang_times_out_and_is_retried(sandbox: FakeSandbox) -> None:
    run = Run(sandbox, sequence(Hang(3.0, Reply("too late")), Reply("ok")), timeout=0.5)
    assert run.result.stop_reason is StopReason.SUBMITTED
    assert run.session.steps[0].content == [{"type": "text", "text": "ok"}]


def test_context_length_error_clears_old_results_and_retries(sandbox: FakeSandbox) -> None:
    too_long = Error(400, code="context_length_exceeded", message="maximum context length")
    replies = [Reply(None, [call("bash", {"command": f"seq {n}000"}, f"c{n}")]) for n in (1, 2, 3)]
    run = Run(
        sandbox,
        sequence(*replies, too_long, Reply("done")),
        context=ContextPolicy(clear_at=10**9, keep_last=1),
    )
    assert run.result.stop_reason is StopReason.SUBMITTED
    tools = [m["content"] for m in run.messages(-1) if m["role"] == "tool"]
    assert tools[0].startswith("[cleared to save context: ") and tools[1].startswith("[cleared")
    assert tools[2].startswith("1\n2\n")  # the newest result is kept
    notes = [s.detail or "" for s in run.session.steps if s.kind == "note"]
    assert any("the API refused the request" in n and "cleared 2 tool results" in n for n in notes)
    # Without clearing, the same refusal stops the instance.
    plain = Run(sandbox, sequence(too_long))
    assert plain.result.stop_reason is StopReason.CONTEXT_EXCEEDED


def test_reasoning_field_is_kept_as_thinking(sandbox: FakeSandbox) -> None:
    run = Run(sandbox, sequence(Reply("ok", extra={"reasoning_content": "Let me think."})))
    assert run.session.steps[0].content == [
        {"type": "thinking", "thinking": "Let me think."},
        {"type": "text", "text": "ok"},
    ]


# --- the text format: one ```bash block per reply -------------------------------------------


def test_text_format_runs_one_block_per_reply_and_counts_format_errors(
    sandbox: FakeSandbox,
) -> None:
    run = Run(
        sandbox,
        sequence(
            Reply("Let me look.\n```bash\ncat keep.txt\n```"),
            Reply("I will fix it now."),  # no block: a format error
            Reply("```bash\nls\n```\nand\n```bash\npwd\n```"),  # two: another
            Reply("Fixing.\n```bash\nsed -i 's/two/TWO/' keep.txt\n```"),
            Reply("```bash\nsubmit\n```"),
        ),
        text=True,
    )
    assert run.result.stop_reason is StopReason.SUBMITTED and run.result.turns == 5
    assert run.result.detail == "after 2 format errors"
    assert "+TWO" in sandbox.diff()
    first = run.api.requests[0].body
    assert (
        "tools" not in first and "exactly one fenced code block" in first["messages"][0]["content"]
    )
    second = run.messages(1)
    assert second[-1] == {"role": "user", "content": "one\ntwo\n"}
    assert "no bash block" in run.messages(2)[-1]["content"]
    assert "it had 2 bash blocks" in run.messages(3)[-1]["content"]
    notes = [s.detail for s in run.session.steps if s.kind == "note"]
    assert notes == [
        "format error 1: the reply had no bash block",
        "format error 2: the reply had 2 bash blocks",
    ]
    tools = [s.input for s in run.session.steps if s.kind == "tool"]
    assert tools == [{"command": "cat keep.txt"}, {"command": "sed -i 's/two/TWO/' keep.txt"}]


def test_text_format_stops_after_too_many_format_errors(sandbox: FakeSandbox) -> None:
    run = Run(
        sandbox, sequence(Reply("no block, ever")), LoopLimits(max_format_errors=2), text=True
    )
    assert run.result.stop_reason is StopReason.AGENT_ERROR
    assert run.result.detail == "more than 2 format errors" and run.result.turns == 3


# --- built through the registry, as the CLI builds it ---------------------------------------


def options(**model: Any) -> AgentOptions:
    return AgentOptions(model=ModelOptions(provider="openai", **model))


def built(name: str, options: AgentOptions, settings: Settings | None = None) -> Agent:
    """The agent ``name`` as ``swe-runner run`` builds it (default: the default settings)."""
    return make_agent(name, load_dataset("demo"), options, settings or Settings())


def test_the_key_comes_from_openai_api_key_or_the_named_variable(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY is not set"):
        built("model", options(model=MODEL))
    with pytest.raises(ConfigError, match="MY_KEY is not set"):
        built("model", options(model=MODEL, api_key_env="MY_KEY", base_url="x"))
    api = FakeOpenAI(sequence(Reply("ok")))
    with api.running():
        monkeypatch.setenv("MY_KEY", KEY)
        agent = built("model", options(model=MODEL, api_key_env="MY_KEY", base_url=api.url))
        agent.solve(problem_in(sandbox), Session(sandbox, [BashTool(sandbox)]))
        monkeypatch.delenv("MY_KEY")
        local = built("model", options(model="qwen2.5-coder", base_url=api.url))
        local.solve(problem_in(sandbox), Session(sandbox, [BashTool(sandbox)]))
    assert api.requests[0].headers["authorization"] == f"Bearer {KEY}"
    # A local server (--base-url) needs no key: a placeholder is sent.
    assert api.requests[1].headers["authorization"] == f"Bearer {NO_KEY}"


def test_the_settings_say_how_often_and_how_long_the_agent_retries_and_how_many_in_flight(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    # with the default backoff (1 s, doubling) 4 retries would wait at least 7.5 s
    short = Settings(api_retries=4, api_backoff=0.001, workers=3)
    capped = Settings(api_retries=4, api_backoff=10.0, api_backoff_ceiling=0.01)
    for settings in (short, capped):
        api = FakeOpenAI(sequence(Error(500)))
        with api.running():
            agent = built("model", options(model=MODEL, base_url=api.url), settings)
            began = time.monotonic()
            run = agent.solve(problem_in(sandbox), Session(sandbox, [BashTool(sandbox)]))
        assert "gave up after 5 attempts: HTTP 500" in (run.detail or "")
        assert len(api.requests) == 5 and time.monotonic() - began < 3
    limit = agent.client_for(problem_in(sandbox)).limit  # type: ignore[attr-defined]
    assert isinstance(limit, AdaptiveLimit) and limit.ceiling == 1  # capped's workers
    agent = built("model", options(model=MODEL), short)
    limit = agent.client_for(problem_in(sandbox)).limit  # type: ignore[attr-defined]
    assert isinstance(limit, AdaptiveLimit) and limit.ceiling == 3  # the run's workers


def test_bad_option_combinations_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(InputError, match="--agent model needs --model"):
        built("model", options())
    with pytest.raises(InputError, match="--thinking is for --provider anthropic"):
        built("model", options(model=MODEL, thinking=2048))
    with pytest.raises(InputError, match="--max-cost needs a price for my-local-model"):
        built("model", options(model="my-local-model", limits=LoopLimits(max_cost=1)))
    with pytest.raises(InputError, match="unknown tool format 'xml'"):
        built("model", options(model=MODEL, tool_format="xml"))
    with pytest.raises(InputError, match="use --agent model"):
        built("claude", options(model=MODEL))


def test_common_openai_and_gemini_models_are_priced_and_unknown_ones_are_not() -> None:
    prices = PriceTable()
    million = Usage(1_000_000, 1_000_000, 0, 1_000_000)
    assert prices.cost("gpt-4o-mini-2024-07-18", million) == pytest.approx(0.15 + 0.6 + 0.075)
    assert prices.cost("gpt-4.1", million) == pytest.approx(2 + 8 + 0.5)
    assert prices.cost("o4-mini", million) == pytest.approx(1.1 + 4.4 + 0.275)
    assert prices.cost("gemini-2.5-flash", million) == pytest.approx(0.3 + 2.5 + 0.075)
    assert prices.cost("models/gemini-2.5-pro", million) == pytest.approx(1.25 + 10 + 0.31)
    assert prices.cost("openai/gpt-4o", million) == pytest.approx(2.5 + 10 + 1.25)
    assert prices.cost("qwen2.5-coder:32b", million) is None
    assert prices.cost("my-org/finetune-7b", million) is None


def test_the_cli_says_what_is_wrong_before_any_container_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from swe_runner.cli.main import main

    base = ["run", "--suite", "demo", "--agent", "model", "--provider", "openai"]
    assert main([*base, "--model", MODEL]) == 2
    assert "Error: OPENAI_API_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert main([*base, "--model", MODEL, "--thinking", "2048"]) == 2
    assert "Error: --thinking is for --provider anthropic" in capsys.readouterr().err
    assert main([*base, "--model", "local-coder", "--max-cost", "1"]) == 2
    err = capsys.readouterr().err
    assert "Error: --max-cost needs a price for local-coder" in err and KEY not in err
