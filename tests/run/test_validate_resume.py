"""``tasks validate`` on the fake runtime: its takes are runs on the executor, so a
validation killed mid-way resumes with what it finished, and an unbuildable task is judged
from its first take."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS, load_dataset
from swe_runner.run.validate import validation_dir

TASKS = ["textkit-1", "confparse-2"]


@pytest.fixture
def fake(fake_runtime_cache: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"SWE_RUNNER_RUNTIME": "fake", "SWE_RUNNER_CACHE_DIR": str(fake_runtime_cache)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def validate_args(results: Path, *more: str) -> list[str]:
    picked = [word for iid in TASKS for word in ("-i", iid)]
    return ["tasks", "validate", "demo", *picked, "--results-dir", str(results), *more]


def reports(take: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in take.glob("*/report.json")}


def interrupted(results: Path, fake: dict[str, str], how: signal.Signals) -> Path:
    """Start ``validate --repeat 2`` in a process and send it ``how`` once a gold
    evaluation has finished; the validation's folder."""
    home = validation_dir(results, load_dataset("demo").select(TASKS))
    cli = [sys.executable, "-m", "swe_runner", *validate_args(results, "--repeat", "2")]
    proc = subprocess.Popen(cli, env={**os.environ, **fake}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not reports(home / "gold-1"):
        assert proc.poll() is None, "the validation ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=120)
    if how is signal.SIGINT:
        assert proc.returncode == 130 and "to resume" in err.decode(), err.decode()
    return home


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_a_validation_stopped_mid_way_resumes_keeping_what_it_finished(
    how: signal.Signals,
    fake: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = tmp_path / "r"
    home = interrupted(results, fake, how)
    finished = {take: reports(home / take) for take in ("empty", "gold-1")}
    assert len(finished["empty"]) == len(TASKS) and not (home / "gold-2").exists()
    finished["gold-1"] = {  # an instance stopped mid-way has its interrupted report
        iid: body
        for iid, body in finished["gold-1"].items()
        if not json.loads(body)[iid]["interrupted"]
    }
    assert finished["gold-1"]

    assert main([*validate_args(results, "--repeat", "2", "--json")]) == 0
    out, err = capsys.readouterr()
    assert f"resuming: {len(TASKS)} of {len(TASKS)} already finished" in err  # the empty take
    for take, kept in finished.items():
        now = reports(home / take)
        assert {iid: now[iid] for iid in kept} == kept  # not run again
    verdicts = json.loads(out)["instances"]
    assert {v["instance_id"]: (v["class"], v["gold"], v["empty"]) for v in verdicts} == {
        iid: ("valid", ["resolved", "resolved"], "unresolved") for iid in TASKS
    }


def test_a_finished_validation_run_again_with_a_larger_repeat_runs_only_the_new_take(
    fake: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    args = ["tasks", "validate", "demo", "-i", "textkit-1", "--results-dir", str(results)]
    assert main(args) == 0
    home = validation_dir(results, load_dataset("demo").select(["textkit-1"]))
    before = {take: reports(home / take) for take in ("empty", "gold-1")}
    capsys.readouterr()
    assert main([*args, "--repeat", "2"]) == 0
    err = capsys.readouterr().err
    assert err.count("resuming: 1 of 1 already finished") == 2
    assert {take: reports(home / take) for take in before} == before
    assert set(reports(home / "gold-2")) == {"textkit-1"}


def test_an_unbuildable_task_is_judged_from_its_first_take_and_not_tried_again(
    fake: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "demo"
    shutil.copytree(PROJECT_TASKS / "demo", suite)
    meta = suite / "instances" / "textkit-1" / "task.toml"
    good = load_dataset("demo").task("textkit-1").base_commit
    meta.write_text(meta.read_text().replace(good, "0" * 40))
    results = tmp_path / "r"
    args = ["tasks", "validate", str(suite), "-i", "textkit-1", "--repeat", "3", "--json"]
    assert main([*args, "--results-dir", str(results)]) == 1
    verdict = json.loads(capsys.readouterr().out)["instances"][0]
    assert verdict["class"] == "unbuildable" and verdict["reason"].startswith("RepoError: ")
    assert (verdict["gold"], verdict["empty"]) == ([], None)  # as the gate always said it
    home = validation_dir(results, load_dataset(str(suite)).select(["textkit-1"]))
    assert set(reports(home / "empty")) == {"textkit-1"}
    assert not (home / "gold-1").exists()
