"""`report`, `compare` and `run --attempts` on real runs of the demo suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import Dataset
from tests.browser import browse
from tests.conftest import ca_args
from tests.reporting.test_export_check import fill_in

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, demo_images: dict[str, str]) -> Path:
    """Gold predictions (all resolved) and the scripted agent (textkit-4 unresolved,
    confparse-3 empty) on the demo suite."""
    results = tmp_path_factory.mktemp("results")
    common = ["--results-dir", str(results), *ca_args()]
    gold = ["evaluate", "--dataset", "demo", "--predictions", "gold", "--run-id", "gold"]
    assert main([*gold, "--workers", "2", *common]) == 0
    scripted = ["run", "--suite", "demo", "--agent", "scripted", "--run-id", "scripted"]
    assert main([*scripted, "--workers", "2", *common]) == 0
    return results


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_gold_with_a_partial_agent(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (c,) = _json(capsys, "compare", "gold", "scripted", "--json", "--results-dir", str(runs))  # type: ignore[misc]
    assert (c["both"], c["only_a"], c["only_b"], c["neither"]) == (8, 2, 0, 0)
    assert c["p_value"] == 0.5  # two disagreeing tasks, both one way: 2 * 0.5**2
    assert c["verdict"].startswith("too few tasks to tell: gold is ahead of scripted by 20 points")
    assert main(["compare", "gold", "scripted", "--results-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "gold resolved" in out and "scripted not resolved" in out


def test_report_of_the_scripted_run(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, "report", "scripted", "--json", "--results-dir", str(runs))
    assert isinstance(report, dict)
    assert (report["resolved"], report["total"]) == (8, 10)
    assert report["counts"]["unresolved"] == 1 and report["counts"]["empty_patch"] == 1
    assert {g["key"]: g["resolved"] for g in report["by_difficulty"]} == {
        "easy": 3,
        "hard": 0,
        "medium": 5,
    }
    assert report["stop_reasons"] == {"submitted": 10}
    assert report["usage"]["input_tokens"] > 0 and report["turns"]["n"] == 10


def test_regrade_reproduces_identical_reports(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for run_id in ("gold", "scripted"):
        files = sorted((runs / run_id).glob("*/report.json"))
        before = {p: p.read_bytes() for p in files}
        assert main(["report", run_id, "--regrade", "--results-dir", str(runs)]) == 0
        assert "changed: none" in capsys.readouterr().err
        assert {p: p.read_bytes() for p in files} == before


def test_regrade_follows_the_log(
    runs: Path, demo: Dataset, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A regrade really grades: a log edited to fail a FAIL_TO_PASS test unresolves."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(runs / "gold", copy / "gold")
    task = demo.tasks[0]
    log = copy / "gold" / task.instance_id / "test_output.txt"
    test = task.FAIL_TO_PASS[0]
    log.write_text(log.read_text().replace(f"PASSED {test}", f"FAILED {test}"))
    assert main(["report", "gold", "--regrade", "--results-dir", str(copy)]) == 0
    assert f"changed: {task.instance_id}" in capsys.readouterr().err
    report = json.loads((log.parent / "report.json").read_text())[task.instance_id]
    assert report["resolved"] is False and test in report["tests_status"]["FAIL_TO_PASS"]["failure"]
    summary = json.loads((copy / "gold" / "summary.json").read_text())
    assert summary["counts"]["resolved"] == 9


def test_attempts_are_kept_apart_and_reported_with_pass_at_k(
    demo_images: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    args = ["run", "--suite", "demo", "--agent", "scripted", "--run-id", "k2", "--attempts", "2"]
    chosen = ["-i", "textkit-1", "-i", "textkit-4"]
    assert main([*args, *chosen, "--results-dir", str(results), *ca_args(), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["attempts"]["attempts"] == 2
    assert report["attempts"]["pass_at"] == {"1": 0.5, "2": 0.5}
    for n in (1, 2):
        assert (results / "k2" / f"attempt-{n}" / "textkit-4" / "report.json").is_file()
    # each attempt is an ordinary run; the multi-attempt run resumes only with the same K
    assert main(["report", "k2/attempt-2", "--results-dir", str(results)]) == 0
    assert main([*args[:-1], "3", *chosen, "--results-dir", str(results)]) == 2
    assert "made with 2 attempt(s)" in capsys.readouterr().err


def test_html_export_renders_offline_in_headless_chromium(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    args = ["export", "gold", "scripted", "-f", "html", "-o", str(out), "--results-dir", str(runs)]
    assert main(args) == 0
    with browse(out / "index.html", tmp_path / "index.png") as visit:
        page = visit.page
        assert visit.errors == []
        assert all(u.startswith(out.as_uri()) for u in visit.requests), visit.requests  # offline
        rows = page.locator("#leaderboard tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).inner_text().split("\t")[:2] == ["1", "gold"]
        assert "80.0% (8/10)" in rows.nth(1).inner_text()
        assert rows.nth(1).locator(".ci").inner_text() == "49%-94%"  # the CI bar, labelled
        # gold has no price and the scripted model costs $0: no points at x=0
        assert page.locator("svg#plot circle").count() == 0
        assert (page.locator("svg#plot").text_content() or "").strip() == "no cost data"
        assert "no cost data for gold (unpriced), scripted ($0)" in page.inner_text("body")
        meta = page.evaluate("JSON.parse(document.getElementById('metadata').textContent)")
        assert [r["run_id"] for r in meta["runs"]] == ["gold", "scripted"]
        # one row per instance, a column per run
        heads = page.locator("#instances th").all_inner_texts()
        assert heads == ["instance", "repo", "gold", "scripted"]
        assert page.locator("#instances tbody tr").count() == 10
        page.locator("#instances th", has_text="scripted").click()  # sortable
        first = page.locator("#instances tbody tr").first.inner_text()
        assert first.startswith("confparse-3") and "empty_patch" in first
        height = page.evaluate("document.querySelector('#instances').offsetHeight")
        assert height < 500, height  # ten short rows, none wrapped
    assert (tmp_path / "index.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_trajectory_page_shows_every_turn_each_call_once_and_the_problem(
    runs: Path, demo: Dataset, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert main(["export", "scripted", "-o", str(out), "--results-dir", str(runs)]) == 0
    recorded = (runs / "scripted" / "textkit-4" / "trajectory.jsonl").read_text().splitlines()
    steps = [json.loads(line) for line in recorded]
    turns = sorted({s.get("turn", 0) for s in steps if s["kind"] != "stop"})
    calls = [s for s in steps if s["kind"] == "tool"]
    page_path = out / "trajectories" / "scripted" / "textkit-4.html"
    with browse(page_path, tmp_path / "traj.png") as visit:
        page = visit.page
        assert visit.errors == [] and all(u.startswith(out.as_uri()) for u in visit.requests)
        shown = page.locator("section.turn").evaluate_all("s => s.map(e => e.dataset.turn)")
        assert shown == [str(t) for t in turns] and "0" not in shown  # the stop is no turn
        headings = page.locator("section.turn h3").all_inner_texts()
        assert headings == [f"Turn {t}" for t in turns]
        assert page.locator(".turns").inner_text() == f"{len(turns)} turns"
        assert "Stopped: submitted" in page.locator("p.stop").inner_text()
        # every tool call once: announced by the model's turn, then only its result
        assert len(calls) > 0
        assert page.locator("p.call").count() == 0
        assert page.locator("p.result").count() == len(calls)
        body = page.inner_text("body")
        for call in calls:
            if call["name"] == "bash":  # its command line, as often as it was called
                same = sum(1 for c in calls if c["input"] == call["input"])
                assert body.count(call["input"]["command"]) == same, call["input"]
        task = next(t for t in demo.tasks if t.instance_id == "textkit-4")
        statement = page.locator(".problem").inner_text()
        assert task.problem_statement.splitlines()[0] in statement
        assert "unresolved" in body
        assert page.locator("ul.failing li").count() > 0  # the failing tests
        assert page.locator("span.add").count() > 0  # the patch, coloured
    assert (tmp_path / "traj.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_experiments_export_passes_the_submission_check(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "20261125_scripted"
    args = ["export", "scripted", "-f", "experiments", "-o", str(out), "--results-dir", str(runs)]
    assert main(args) == 0
    assert main(["export", "--check", str(out)]) == 1  # its info and checklist are the submitter's
    fill_in(out)
    assert main(["export", "--check", str(out)]) == 0
    results = json.loads((out / "results" / "results.json").read_text())
    assert len(results["resolved"]) == 8 and results["no_generation"] == ["confparse-3"]
    assert len(list((out / "trajs").iterdir())) == 10


def test_replay_of_a_scripted_run_reproduces_identical_patches(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    args = ["run", "--suite", "demo", "--agent", "replay", "--from", str(runs / "scripted")]
    assert main([*args, "--run-id", "again", "--results-dir", str(results), "-w", "2"]) == 0
    assert "no drift" in capsys.readouterr().err
    for folder in sorted((runs / "scripted").glob("*/patch.diff")):
        iid = folder.parent.name
        assert (results / "again" / iid / "patch.diff").read_text() == folder.read_text(), iid
    report = json.loads((results / "again" / "textkit-4" / "report.json").read_text())
    assert report["textkit-4"]["stop_detail"] == "replay: the same patch as recorded"


def test_replay_detects_drift(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    recorded = tmp_path / "recorded"
    shutil.copytree(runs / "scripted", recorded)
    patch = recorded / "textkit-1" / "patch.diff"  # as if the environment had changed since
    patch.write_text(patch.read_text().replace("+", "+ ", 1))
    args = ["run", "--suite", "demo", "--agent", "replay", "--from", str(recorded)]
    code = main(
        [
            *args,
            "-i",
            "textkit-1",
            "-i",
            "textkit-2",
            "--run-id",
            "d",
            "--results-dir",
            str(tmp_path / "r"),
        ]
    )
    assert code == 0
    assert "drift[/]" not in (err := capsys.readouterr().err) and "textkit-1" in err
    detail = json.loads((tmp_path / "r" / "d" / "textkit-1" / "report.json").read_text())
    assert detail["textkit-1"]["stop_detail"].startswith("replay: drift")


def test_reproduce_gives_the_recorded_outcome_for_every_instance(
    runs: Path, demo: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    for task in demo.tasks:
        capsys.readouterr()
        assert main(["reproduce", "scripted", task.instance_id, "--results-dir", str(runs)]) == 0
        out = capsys.readouterr().out
        assert "(the same as recorded)" in out, out
    assert main(["reproduce", "scripted", "textkit-4", "--results-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    report = json.loads((runs / "scripted" / "textkit-4" / "report.json").read_text())
    for test in report["textkit-4"]["tests_status"]["FAIL_TO_PASS"]["failure"]:
        assert f"failing {test}" in out
    assert "AssertionError" in out  # with the failing test's own output


def _pane(session: str) -> str:
    done = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    )
    return done.stdout


def _wait_pane(session: str, text: str, seconds: float = 120) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pane = _pane(session)
        if text in pane:
            return pane
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared:\n{_pane(session)}")


def test_reproduce_shell_in_a_real_terminal(runs: Path) -> None:
    session = f"swe-runner-test-{os.getpid()}"
    command = (
        f"{sys.executable} -m swe_runner reproduce scripted textkit-4 --shell --with-tests "
        f"--results-dir {runs}; echo SHELL-CLOSED; sleep 60"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True
    )
    try:
        _wait_pane(session, "/testbed#")
        keys = "git status --short; grep -c doubled_quote tests/test_csvish.py"
        subprocess.run(["tmux", "send-keys", "-t", session, keys, "Enter"], check=True)
        pane = _wait_pane(session, "M textkit/csvish.py")
        assert "M tests/test_csvish.py" in pane  # the hidden tests were added
        subprocess.run(["tmux", "send-keys", "-t", session, "exit", "Enter"], check=True)
        _wait_pane(session, "SHELL-CLOSED")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
