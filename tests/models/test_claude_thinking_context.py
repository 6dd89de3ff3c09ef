"""Claude's extended thinking and long conversations, through the real anthropic SDK against
the fake Messages API on 127.0.0.1; the trajectory then shown by ``show`` and the HTML page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.context import ContextPolicy
from swe_runner.agents.loop import LoopLimits, ModelAgent
from swe_runner.cli.main import main
from swe_runner.models.anthropic import AnthropicClient
from swe_runner.models.retry import RetryPolicy
from swe_runner.records import Outcome, StopReason
from swe_runner.rundir import RunDir
from swe_runner.sandbox.fake import FakeSandbox
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool
from tests.conftest import SETUP
from tests.fakes.anthropic_server import Error, FakeAnthropic, Reply, Response
from tests.fakes.http import turn_of
from tests.reporting.runs_factory import manifest, report

MODEL = "claude-sonnet-4-20250514"
KEY = "sk-ant-test-thinking-0000"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[FakeSandbox]:
    (tmp_path / "repo").mkdir()
    sb = FakeSandbox(tmp_path / "repo", "HEAD")
    sb.start = sb.exec(SETUP).text.strip()
    yield sb
    sb.close()


def solve(
    sandbox: FakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    api: FakeAnthropic,
    limits: LoopLimits,
    thinking: int | None = None,
    context: ContextPolicy | None = None,
) -> tuple[AgentRun, Session]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    with api.running():
        client = AnthropicClient(
            MODEL, RetryPolicy(attempts=1, base=0.01), base_url=api.url, thinking=thinking
        )
        agent = ModelAgent("claude", MODEL, lambda _: client, limits, context=context)
        session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)])
        problem = Problem("demo-1", "a/b", sandbox.start, "say TWO", "", sandbox.workdir)
        result = agent.solve(problem, session)
        session.close()
    return result, session


def test_thinking_blocks_go_back_unchanged_and_are_recorded_and_shown(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    first_thought = {"type": "thinking", "thinking": "keep.txt says two.", "signature": "sig-1"}
    hidden = {"type": "redacted_thinking", "data": "opaque-bytes"}
    second_thought = {"type": "thinking", "thinking": "Replace it.", "signature": "sig-2"}
    edit = {
        "command": "str_replace",
        "path": f"{sandbox.workdir}/keep.txt",
        "old_str": "two",
        "new_str": "TWO",
    }
    replies = [
        [first_thought, {"type": "tool_use", "id": "t1", "name": "bash",
                         "input": {"command": "cat keep.txt"}}],
        [hidden, second_thought, {"type": "tool_use", "id": "t2",
                                  "name": "str_replace_based_edit_tool", "input": edit}],
        [{"type": "text", "text": "Done."}],
    ]  # fmt: skip
    api = FakeAnthropic(lambda body: Reply(replies[turn_of(body)]))
    result, session = solve(sandbox, monkeypatch, api, LoopLimits(max_tokens=1000), 2048)
    assert result.stop_reason is StopReason.SUBMITTED and "+TWO" in sandbox.diff()
    for request in api.requests:  # thinking on, its budget on top of the reply's tokens
        assert request.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert request.body["max_tokens"] == 1000 + 2048
    # The API requires the thinking blocks of the turn in progress back, unchanged.
    third = api.requests[2].body["messages"]
    assert third[1] == {"role": "assistant", "content": replies[0]}
    assert third[3] == {"role": "assistant", "content": replies[1]}
    # The trajectory keeps them, and `show` and the HTML page show them.
    models = [s for s in session.steps if s.kind == "model"]
    assert models[0].content == replies[0] and models[1].content == replies[1]
    run = RunDir(tmp_path / "results", "r")
    task = {"instance_id": "demo-1", "repo": "a/b", "difficulty": "easy"}
    run.write_json("run.json", manifest("r", [task]).model_dump(mode="json"))
    run.write_instance(
        report("demo-1", Outcome.RESOLVED), sandbox.diff(), None, None, session.steps
    )
    results = str(tmp_path / "results")
    assert main(["show", "r", "demo-1", "--results-dir", results]) == 0
    shown = capsys.readouterr().out
    assert "keep.txt says two." in shown and "Replace it." in shown
    assert "redacted thinking" in shown
    assert main(["export", "r", "-o", str(tmp_path / "site"), "--results-dir", results]) == 0
    page = (tmp_path / "site" / "trajectories" / "r" / "demo-1.html").read_text()
    assert "<details><summary>thinking</summary>" in page and "keep.txt says two." in page
    assert "redacted thinking" in page


def window(tokens: int, turns: int) -> Any:
    """A Claude with a context window of ``tokens`` (4 characters a token): a longer request
    is refused as the API refuses it; each reply asks for a long output, ``turns`` times."""

    def respond(body: dict[str, Any]) -> Response:
        size = len(json.dumps(body["messages"])) // 4
        if size > tokens:
            return Error(400, kind="invalid_request_error", message=f"prompt is too long: {size}")
        turn = turn_of(body)
        usage = {"input_tokens": size, "output_tokens": 20}
        if turn >= turns:
            return Reply([{"type": "text", "text": "Done."}], usage)
        command = {"command": f"seq {turn} {turn + 1500}"}
        return Reply(
            [{"type": "tool_use", "id": f"t{turn}", "name": "bash", "input": command}], usage
        )

    return respond


def test_a_long_conversation_clears_old_results_instead_of_exceeding_the_context(
    sandbox: FakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = LoopLimits(max_turns=40)
    # Without clearing, the conversation outgrows the window and the instance stops.
    plain, _ = solve(sandbox, monkeypatch, FakeAnthropic(window(12_000, 30)), limits)
    assert plain.stop_reason is StopReason.CONTEXT_EXCEEDED and plain.turns < 10
    # With a threshold below the window, it completes: old results are cleared as it goes.
    api = FakeAnthropic(window(12_000, 30))
    policy = ContextPolicy(clear_at=8_000, keep_last=3)
    result, session = solve(sandbox, monkeypatch, api, limits, context=policy)
    assert result.stop_reason is StopReason.SUBMITTED and result.turns == 31
    assert all(len(json.dumps(r.body["messages"])) // 4 <= 12_000 for r in api.requests)
    last = api.requests[-1].body["messages"]
    results = [b["content"] for m in last[1:] if m["role"] == "user" for b in m["content"]]
    assert all(r.startswith("[cleared to save context: ") for r in results[:-3])
    assert results[-1].startswith("29\n30\n")  # the newest kept whole
    # The trajectory records the setting and each clearing, and keeps every output whole.
    notes = [s for s in session.steps if s.kind == "note"]
    assert notes[0].turn == 1 and notes[0].detail == (
        "context: past 8,000 tokens, tool results older than the newest 3 are cleared"
    )
    cleared = [n.detail or "" for n in notes[1:]]
    assert cleared and all(n.startswith("context: ") and "> 8,000" in n for n in cleared)
    assert "cleared " in cleared[0] and "characters) of turn" in cleared[0]
    outputs = [s.output or "" for s in session.steps if s.kind == "tool"]
    assert len(outputs) == 30 and all(o.count("\n") == 1501 for o in outputs)
