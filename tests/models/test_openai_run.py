"""`swe-runner run --agent model --provider openai` on the demo suite against a fake
OpenAI-compatible server (the real ``openai`` SDK through ``--base-url``): the shipped scripts
are the model's conversations, with a 429 storm, a 500, malformed tool arguments and replies
without a tool call on the way; then the same with ``--tool-format text``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import Dataset
from swe_runner.models.base import Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.models.scripted import load_scripts
from tests.conftest import ca_args
from tests.fakes.http import turn_of
from tests.fakes.openai_server import (
    Error,
    FakeOpenAI,
    Reply,
    Response,
    call,
    from_blocks,
)
from tests.fakes.shell_edits import as_text

pytestmark = pytest.mark.docker

MODEL = "gpt-4.1-mini"
KEY = "sk-openai-fake-key-that-must-never-leak-51c2"
STORM_AFTER, STORM_SECONDS, RETRY_AFTER = 16, 3.0, "1"
# The scripts fix all but textkit-4 (half a fix) and confparse-3 (gives up).
UNRESOLVED, EMPTY = "textkit-4", "confparse-3"


def expected(demo: Dataset) -> dict[str, str]:
    out = {t.instance_id: "resolved" for t in demo.tasks}
    return {**out, UNRESOLVED: "unresolved", EMPTY: "empty_patch"}


class Server:
    """Answers each demo conversation from its script; tracks usage served per instance."""

    def __init__(self, demo: Dataset) -> None:
        self.scripts = load_scripts(demo.path / "scripts")
        self.by_statement = {t.problem_statement.strip(): t.instance_id for t in demo.tasks}
        self.served: dict[str, Usage] = {}
        self.replies = 0
        self.storm_began: float | None = None
        self.errors_sent: set[str] = set()

    def instance(self, body: dict[str, Any]) -> str:
        prompt = body["messages"][1]["content"]
        return next(i for s, i in self.by_statement.items() if s in prompt)

    def storm(self) -> bool:
        now = time.monotonic()
        if self.storm_began is None and self.replies >= STORM_AFTER:
            self.storm_began = now
        return self.storm_began is not None and now < self.storm_began + STORM_SECONDS

    def usage(self, iid: str, turn: int) -> dict[str, Any]:
        cached = 0 if turn == 0 else 512
        usage = {
            "prompt_tokens": 1000 + 100 * turn,
            "completion_tokens": 40 + turn,
            "prompt_tokens_details": {"cached_tokens": cached},
        }
        self.served.setdefault(iid, Usage())
        self.served[iid] += Usage(1000 + 100 * turn - cached, 40 + turn, 0, cached)
        self.replies += 1
        return usage

    def once(self, key: str) -> bool:
        first = key not in self.errors_sent
        self.errors_sent.add(key)
        return first


def tools_responder(server: Server) -> Any:
    def respond(body: dict[str, Any]) -> Response:
        if server.storm():
            return Error(429, {"retry-after": RETRY_AFTER}, "rate_limit_exceeded")
        iid, turn = server.instance(body), turn_of(body)
        if iid == "confparse-1" and turn == 2 and server.once("500"):
            return Error(500, message="internal error")
        reply = from_blocks(server.scripts[iid][turn], f"{iid}_{turn}")
        if turn == 0:  # malformed arguments, and the agent prints its environment
            reply.tool_calls += [
                call("bash", '{"command": "ls"', f"{iid}_broken"),
                call("bash", {"command": "env"}, f"{iid}_env"),
            ]
        reply.usage = server.usage(iid, turn)
        return reply

    return respond


def run(results: Path, run_id: str, url: str, *args: str) -> int:
    return main(
        ["run", "--suite", "demo", "--agent", "model", "--provider", "openai",
         "--base-url", url, "--workers", "4", "--run-id", run_id,
         "--results-dir", str(results), *ca_args(), *args]
    )  # fmt: skip


def test_openai_compatible_server_in_a_429_storm_resolves_what_its_scripts_fix(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server = Server(demo)
    api = FakeOpenAI(tools_responder(server))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("SWE_RUNNER_API_RETRIES", "8")
    monkeypatch.setenv("SWE_RUNNER_API_BACKOFF", "0.05")
    results = tmp_path / "results"
    with api.running():
        assert run(results, "oai", api.url, "--model", MODEL) == 0
    printed = capsys.readouterr()
    summary = json.loads((results / "oai" / "summary.json").read_text())
    rows = {r["instance_id"]: r for r in summary["instances"]}
    # No instance ended in error: the storm passed within the retry budget.
    assert {i: r["outcome"] for i, r in rows.items()} == expected(demo)
    # Tokens and cost are the server's figures exactly.
    total = Usage()
    for usage in server.served.values():
        total += usage
    assert summary["usage"] == total.as_dict()
    price = PriceTable().price(MODEL)
    assert price is not None and summary["cost_usd"] == pytest.approx(price.cost(total), 1e-12)
    # The request rate at the server dropped during the storm: once the first refusals were
    # back, the four workers together sent one request per retry-after.
    assert server.storm_began is not None
    began, end = server.storm_began, server.storm_began + STORM_SECONDS
    before = [r for r in api.requests if r.at < began]
    during = [r for r in api.requests if began <= r.at < end]
    settled = [r for r in during if r.at > began + 0.5]
    assert during and all(r.status == 429 for r in during)
    # (a count, not a rate: the rate before the storm depends on the machine's load)
    assert before and len(settled) <= STORM_SECONDS / float(RETRY_AFTER) + 1, len(settled)
    # The malformed arguments went back as an error result; the run went on.
    steps = [json.loads(x) for x in (results / "oai" / "textkit-1" / "trajectory.jsonl").open()]
    env = [s["output"] for s in steps if s.get("input") == {"command": "env"}]
    assert env and "PATH=" in env[0]
    # The key is in no file of the run (the env output above included) nor printed.
    for path in (results / "oai").rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path
    assert KEY not in printed.out + printed.err
    sent = {r.headers["authorization"] for r in api.requests}
    assert sent == {f"Bearer {KEY}"}


def text_responder(server: Server) -> Any:
    """Each script turn as one bash block; textkit-1 and confparse-2 first answer their
    second turn without a block, then with two: format errors the model is told about."""

    def respond(body: dict[str, Any]) -> Response:
        iid = server.instance(body)
        told = [m["content"] for m in body["messages"] if m["role"] == "user"]
        errors = sum(1 for t in told if t.startswith("Format error"))
        step = turn_of(body) - errors  # the script's turn: replies that ran a command
        usage = server.usage(iid, turn_of(body))
        if iid in ("textkit-1", "confparse-2") and step == 1 and errors < 2:
            bad = "Let me think." if errors == 0 else "```bash\nls\n```\n```bash\npwd\n```"
            return Reply(bad, usage=usage)
        return Reply(as_text(server.scripts[iid][step]), usage=usage)

    return respond


def test_text_format_on_a_local_model_feeds_back_format_errors_and_resolves(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server = Server(demo)
    api = FakeOpenAI(text_responder(server))
    results = tmp_path / "results"
    with api.running():  # a local server: no key needed, an unpriced model
        code = run(results, "txt", api.url, "--model", "local-coder", "--tool-format", "text")
    assert code == 0
    printed = capsys.readouterr()
    summary = json.loads((results / "txt" / "summary.json").read_text())
    rows = {r["instance_id"]: r for r in summary["instances"]}
    assert {i: r["outcome"] for i, r in rows.items()} == expected(demo)
    # Format errors were fed back and counted.
    for iid in ("textkit-1", "confparse-2"):
        report = json.loads((results / "txt" / iid / "report.json").read_text())[iid]
        assert report["stop_reason"] == "submitted"
        assert report["stop_detail"] == "after 2 format errors"
        steps = [json.loads(x) for x in (results / "txt" / iid / "trajectory.jsonl").open()]
        notes = [s["detail"] for s in steps if s["kind"] == "note" and "format" in s["detail"]]
        assert notes == [
            "format error 1: the reply had no bash block",
            "format error 2: the reply had 2 bash blocks",
        ]
    assert any(
        "Format error" in m["content"]
        for r in api.requests
        for m in r.body["messages"]
        if m["role"] == "user"
    )
    assert "tools" not in api.requests[0].body
    # An unknown model: one warning, its cost unknown (never 0), the usage still counted.
    warning = "warning: no price for model local-coder"
    assert printed.err.count(warning) == 1
    assert summary["cost_usd"] is None and len(summary["unpriced"]) == len(demo.tasks)
    total = Usage()
    for usage in server.served.values():
        total += usage
    assert summary["usage"] == total.as_dict()
    assert main(["report", "txt", "--results-dir", str(results)]) == 0
    assert "cost unknown" in capsys.readouterr().out
