"""Exports from run folders written through the real writers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from swe_runner.cli.main import main
from swe_runner.reporting.export import check_experiments
from tests.reporting.runs_factory import outcomes, write_run


@pytest.fixture
def results(tmp_path: Path) -> Path:
    write_run(tmp_path, "strong", outcomes({"alpha-1", "alpha-2", "beta-1"}))
    write_run(tmp_path, "weak", outcomes({"alpha-1"}))
    return tmp_path


def export(results: Path, *args: str) -> int:
    return main(["export", *args, "--results-dir", str(results)])


def test_csv_json_and_markdown_rank_runs_over_their_whole_task_set(results: Path) -> None:
    for fmt in ("csv", "json", "markdown"):
        assert export(results, "weak", "strong", "-f", fmt, "-o", str(results / fmt)) == 0
    board = list(csv.DictReader((results / "csv" / "leaderboard.csv").open()))
    assert [(r["rank"], r["run_id"], r["resolved"], r["total"]) for r in board] == [
        ("1", "strong", "3", "5"),
        ("2", "weak", "1", "5"),
    ]
    instances = list(csv.DictReader((results / "csv" / "instances.csv").open()))
    assert len(instances) == 10
    data = json.loads((results / "json" / "export.json").read_text())
    assert data["leaderboard"][0]["pass_rate"] == 0.6
    assert data["metadata"]["runs"][0]["dataset_fingerprint"] == "f00d"
    assert data["metadata"]["swe_runner"]
    md = (results / "markdown" / "leaderboard.md").read_text()
    assert "| 1 | strong | claude | claude-sonnet-4-5 | 3/5 | 60.0% |" in md


def test_experiments_layout_and_its_check(results: Path) -> None:
    out = results / "exp"
    assert export(results, "strong", "-f", "experiments", "-o", str(out)) == 0
    # these runs recorded no trajectories: not submittable, and the check says so
    assert "trajs/: no reasoning trace for alpha-1, alpha-2, beta-1 and 2 more" in (
        check_experiments(out)
    )
    meta = yaml.safe_load((out / "metadata.yaml").read_text())
    assert meta["tags"]["model"] == ["claude-sonnet-4-5"]
    (out / "metadata.yaml").write_text(yaml.safe_dump({"info": {"name": "x"}, "tags": {}}))
    problems = check_experiments(out)
    assert "metadata.yaml: info.site is missing (a link to the system)" in problems
    assert "metadata.yaml: tags.checked must be a bool" in problems
    (out / "all_preds.jsonl").unlink()
    assert check_experiments(out) == ["all_preds.jsonl is missing"]


def test_check_command_exits_1_on_a_broken_folder(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = results / "broken"
    broken.mkdir()
    assert export(results, "--check", str(broken)) == 1
    assert "README.md is missing" in capsys.readouterr().out


def test_bad_export_requests_are_clear_errors(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(results, "strong", "weak", "-f", "experiments") == 2
    assert "exactly one run" in capsys.readouterr().err
    taken = results / "taken"
    taken.mkdir()
    (taken / "mine.txt").write_text("keep me")
    assert export(results, "strong", "-o", str(taken)) == 2
    assert "not empty and not an earlier export" in capsys.readouterr().err
    assert (taken / "mine.txt").read_text() == "keep me"
    assert export(results, "nope") == 2
    assert export(results, "strong", "-o", str(results / "again")) == 0
    assert export(results, "strong", "-o", str(results / "again")) == 0  # its own: replaced


def test_export_warns_when_the_runs_were_on_different_task_sets(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from swe_runner.rundir import RunDir
    from tests.reporting.runs_factory import TASKS, manifest, report

    small = RunDir(results, "small")
    small.write_json("run.json", manifest("small", TASKS[:2]).model_dump(mode="json"))
    small.write_instance(report("alpha-1", outcomes(set())["alpha-1"]), "", None, None)
    out = results / "md"
    assert export(results, "strong", "small", "-f", "markdown", "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "warning: the runs were on different task sets (strong 5, small 2 tasks" in err
    assert (
        "**Warning**: the runs were on different task sets" in (out / "leaderboard.md").read_text()
    )
    assert export(results, "strong", "weak", "-f", "markdown", "-o", str(results / "same")) == 0
    assert "warning" not in capsys.readouterr().err  # same tasks: nothing to say


def test_a_trajectory_page_heads_its_failing_tests_apart_from_the_runner_check(
    tmp_path: Path,
) -> None:
    """The failing tests stood straight under "29 passing tests agree with the harness's
    record", with no heading: they read as passing (issue 27 item 6)."""
    from swe_runner.records import EvalReport, TrajectoryStep
    from swe_runner.reporting.export.trajectory import PageInfo, trajectory_page

    report = EvalReport.model_validate(
        {
            "instance_id": "a-1", "outcome": "unresolved",
            "tests_status": {"FAIL_TO_PASS": {"failure": ["t::fails"]},
                             "PASS_TO_PASS": {"success": ["t::ok"], "failure": ["t::broke"]}},
            "integrity": {"record": "29 passing tests agree with the harness's record"},
        }
    )  # fmt: skip
    setting = TrajectoryStep(kind="note", turn=1, detail="context: past 9 tokens, cleared")
    page = trajectory_page(PageInfo("r", "a-1", "m", "../index.html"), report, [setting], "")
    check = page.index("29 passing tests agree")
    heading = page.index("<h3>Failing tests (2)</h3>")
    assert check < heading < page.index("t::fails") < page.index("t::broke")
    assert "<i>note: context" not in page and "Context: past 9 tokens, cleared" in page
    resolved = report.model_copy(update={"tests_status": type(report.tests_status)()})
    assert "Failing tests" not in trajectory_page(
        PageInfo("r", "a-1", "m", "../index.html"), resolved, [], ""
    )


def _leader(run_id: str, cost: float | None, rate: float) -> object:
    from swe_runner.reporting.export.rows import LeaderRow

    return LeaderRow(
        rank=1, run_id=run_id, agent="claude", model="m", resolved=1, total=2, pass_rate=rate,
        ci_low=max(0.0, rate - 0.4), ci_high=min(1.0, rate + 0.4), errors=0, missing=0,
        input_tokens=0, output_tokens=0, cache_creation_input_tokens=0, cache_read_input_tokens=0,
        cost_usd=cost, dataset_fingerprint="f00d", attempts=1,
    )  # fmt: skip


def test_the_plot_shows_a_free_run_off_the_axis_ticks_its_costs_and_keeps_cents() -> None:
    """A $0 run's interval was drawn on the y-axis, the x-axis had one tick, and the
    leaderboards rounded $0.0216 to $0.02 where `report` says $0.0216 (issue 27 item 17)."""
    import re

    from swe_runner.reporting.export.plot import PAD, plot_svg
    from swe_runner.reporting.export.tables_html import leaderboard_table

    rows = [_leader("priced", 0.0216, 0.5), _leader("free", 0.0, 0.0)]
    svg = plot_svg(rows)  # type: ignore[arg-type]
    xs = sorted(float(x) for x in re.findall(r'<line class="ci" x1="([0-9.]+)"', svg))
    assert xs[0] >= PAD + 10  # the $0 interval stands clear of the y-axis at x = PAD
    ticks = re.findall(r'text-anchor="middle">(\$[0-9.]+)</text>', svg)
    assert ticks == ["$0.0000", "$0.0054", "$0.0108", "$0.0162", "$0.0216"]
    board = leaderboard_table(rows)  # type: ignore[arg-type]
    assert ">$0.0216</td>" in board and ">$0.0000</td>" in board
