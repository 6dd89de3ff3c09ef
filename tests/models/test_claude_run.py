"""`swe-runner run --agent claude` on the demo suite against the fake Messages API: the
shipped scripts are the model's conversations; one instance meets a persistent outage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import Dataset
from swe_runner.models.base import Usage
from swe_runner.models.pricing import PriceTable
from swe_runner.models.scripted import load_scripts
from tests.conftest import ca_args
from tests.fakes.anthropic_server import Error, FakeAnthropic, Reply, Response
from tests.fakes.http import turn_of

pytestmark = pytest.mark.docker

MODEL = "claude-3-5-sonnet-20241022"
KEY = "sk-ant-fake-key-that-must-never-leak-7f3a"
DOWN = "textkit-2"  # this instance's every request gets 529 Overloaded


def usage_of(turn: int) -> dict[str, int]:
    return {
        "input_tokens": 1000 + 100 * turn,
        "output_tokens": 40 + turn,
        "cache_creation_input_tokens": 500 if turn == 0 else 0,
        "cache_read_input_tokens": 0 if turn == 0 else 500,
    }


def responder_for(demo: Dataset) -> tuple[Any, dict[str, Usage]]:
    scripts = load_scripts(demo.path / "scripts")
    by_statement = {t.problem_statement.strip(): t.instance_id for t in demo.tasks}
    served: dict[str, Usage] = {}

    def respond(body: dict[str, Any]) -> Response:
        prompt = body["messages"][0]["content"][0]["text"]
        iid = next(i for s, i in by_statement.items() if s in prompt)
        if iid == DOWN:
            return Error(529)
        turn = turn_of(body)
        content = [
            {**b, "id": f"toolu_{iid}_{turn}_{n}"} if b["type"] == "tool_use" else b
            for n, b in enumerate(scripts[iid][turn])
        ]
        if turn == 0:  # the agent also prints its environment, so a leak would be recorded
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_{iid}_env",
                    "name": "bash",
                    "input": {"command": "env"},
                }
            )
        served.setdefault(iid, Usage())
        served[iid] += Usage(**usage_of(turn))
        return Reply(content, usage_of(turn))

    return respond, served


def test_claude_against_the_fake_api_resolves_what_its_scripts_fix(
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    respond, served = responder_for(demo)
    api = FakeAnthropic(respond)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
    monkeypatch.setenv("SWE_RUNNER_API_RETRIES", "3")  # the outage is declared in ~0.1 s
    monkeypatch.setenv("SWE_RUNNER_API_BACKOFF", "0.02")
    results = tmp_path / "results"
    with api.running():
        code = main(
            [
                "run",
                "--suite",
                "demo",
                "--agent",
                "claude",
                "--model",
                MODEL,
                "--workers",
                "2",
                "--run-id",
                "claude",
                "--results-dir",
                str(results),
                *ca_args(),
            ]
        )
    assert code == 0
    first = capsys.readouterr()
    out = first.out + first.err
    summary = json.loads((results / "claude" / "summary.json").read_text())
    rows = {r["instance_id"]: r for r in summary["instances"]}
    # The scripts fix all but textkit-4 (half a fix) and confparse-3 (gives up).
    assert {i for i, r in rows.items() if r["outcome"] == "resolved"} == {
        t.instance_id for t in demo.tasks
    } - {"textkit-4", "confparse-3", DOWN}
    assert rows["textkit-4"]["outcome"] == "unresolved"
    assert rows["confparse-3"]["outcome"] == "empty_patch"
    # A persistent outage is an infrastructure error with reason api_error, not unresolved.
    assert rows[DOWN]["outcome"] == "error" and rows[DOWN]["stop_reason"] == "api_error"
    # Tokens and cost match the fake server's figures exactly.
    total = Usage()
    for usage in served.values():
        total += usage
    assert summary["usage"] == total.as_dict()
    price = PriceTable().price(MODEL)
    assert price is not None
    assert summary["cost_usd"] == pytest.approx(price.cost(total), rel=1e-9)
    assert f"input {total.input_tokens:,}" in out and f"${price.cost(total):.4f}" in out
    # The key is nowhere under results/: not in trajectories (which hold `env` run inside
    # every agent container), reports, logs or run.json.
    for path in (results / "claude").rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path
    env_outputs = [
        json.loads(line)["output"]
        for line in (results / "claude" / "textkit-1" / "trajectory.jsonl").open()
        if '"kind":"tool"' in line and '"input":{"command":"env"}' in line
    ]
    assert env_outputs and "PATH=" in env_outputs[0]
    # Nor in any export of the run, nor in what the commands printed.
    for fmt in ("experiments", "json", "csv", "markdown", "html"):
        out_dir = tmp_path / "exports" / fmt
        assert (
            main(["export", "claude", "-f", fmt, "-o", str(out_dir), "--results-dir", str(results)])
            == 0
        )
        assert any(p.is_file() for p in out_dir.rglob("*"))
        for path in out_dir.rglob("*"):
            if path.is_file():
                assert KEY.encode() not in path.read_bytes(), path
    printed = capsys.readouterr()
    assert KEY not in out + printed.out + printed.err
