"""Grading trusts what building trusts (issue 25, item 3), through ``swe-runner evaluate``
on the fake runtime: the reinstall after the prediction sees the CA bundle the images are
built with (behind a TLS-intercepting proxy every real reinstall failed without it), and a
reinstall that fails anyway is said in report.json, ``show`` and ``report``, the outcome
unchanged (the official harness goes on too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main

TASK = "textkit-2"
MARK = "swe-runner test CA"
# The reinstall succeeds only when it sees the bundle (as pip does behind the proxy).
SPECS = {
    "swe-runner-demo/textkit": {
        "0.3": {
            "install": [
                f'grep -q "{MARK}" "${{PIP_CERT:-/none}}" && grep -q "{MARK}" "$SSL_CERT_FILE"'
                ' && echo "the reinstall saw the CA bundle"'
            ],
            "reinstall_for_tests": True,
            "test_cmd": "python -m pytest -rA -p no:cacheprovider",
            "log_parser": "pytest",
        }
    }
}


@pytest.fixture
def world(tmp_path: Path, fake_runtime_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))
    (tmp_path / "specs.json").write_text(json.dumps(SPECS))
    (tmp_path / "ca.pem").write_text(f"# {MARK}\n")
    return tmp_path


def _evaluate(world: Path, run_id: str, *args: str) -> dict[str, object]:
    results = world / "results"
    common = ["--suite", "demo", "-i", TASK, "--results-dir", str(results)]
    specs = ["--specs", str(world / "specs.json")]
    assert (
        main(["evaluate", *common, *specs, "--predictions", "gold", "--run-id", run_id, *args]) == 0
    )
    body = json.loads((results / run_id / TASK / "report.json").read_text())
    return body[TASK]  # type: ignore[no-any-return]


def test_the_reinstall_trusts_the_build_s_ca_bundle(world: Path) -> None:
    report = _evaluate(world, "trusted", "--ca-bundle", str(world / "ca.pem"))
    assert report["outcome"] == "resolved"
    assert "reinstall_failed" not in report
    log = (world / "results" / "trusted" / TASK / "test_output.txt").read_text()
    assert "the reinstall saw the CA bundle\n" in log


def test_a_failed_reinstall_is_said_and_the_outcome_stays(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _evaluate(world, "untrusted")
    assert report["outcome"] == "resolved" and report["reinstall_failed"] == 2  # grep: no such file
    results = str(world / "results")
    capsys.readouterr()
    assert main(["show", "untrusted", TASK, "--results-dir", results]) == 0
    assert "reinstall after the patch failed (exit 2)" in capsys.readouterr().out
    assert main(["report", "untrusted", "--results-dir", results]) == 0
    assert "reinstall after the prediction failed on 1 instances" in capsys.readouterr().out
    assert main(["report", "untrusted", "--results-dir", results, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reinstall_failed"] == 1  # instances
