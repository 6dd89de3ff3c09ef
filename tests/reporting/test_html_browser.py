"""The HTML export in headless Chromium, from run folders written through the real
writers: what the page says about costs, attempts, task sets and its metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.records import Outcome
from swe_runner.reporting.stats import wilson_interval
from swe_runner.rundir import RunDir
from tests.browser import browse
from tests.reporting.export_factory import write_full_run
from tests.reporting.runs_factory import TASKS, manifest, outcomes, report, write_run

NASTY = "toy </script><!-- & \"quoted\" 'single' <b>"  # a dataset name to embed


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """``paid`` (priced, 3/5), ``free`` (unpriced, 1/5, on a dataset with a nasty name),
    ``k2`` (two attempts) and ``small`` (on 2 of the 5 tasks)."""
    paid = write_run(tmp_path, "paid", outcomes({"alpha-1", "alpha-2", "beta-1"}))
    for iid, outcome in outcomes({"alpha-1", "alpha-2", "beta-1"}).items():
        usage = {"input_tokens": 1000, "output_tokens": 10}
        paid.write_instance(report(iid, outcome, usage=usage, cost_usd=0.5), "", None, None)
    free = RunDir(tmp_path, "free")
    data = manifest("free").model_dump(mode="json")
    data["dataset"]["name"] = NASTY
    free.write_json("run.json", data)
    for iid, outcome in outcomes({"alpha-1"}).items():
        free.write_instance(report(iid, outcome), "", None, None)
    write_run(tmp_path, "k2", {}, attempts=2)
    write_full_run(tmp_path / "k2", "attempt-1", outcomes({"alpha-1"}))
    write_full_run(tmp_path / "k2", "attempt-2", outcomes({"alpha-1", "beta-1"}))
    small = RunDir(tmp_path, "small")
    small.write_json("run.json", manifest("small", TASKS[:2]).model_dump(mode="json"))
    small.write_instance(report("alpha-1", Outcome.RESOLVED), "", None, None)
    small.write_instance(report("alpha-2", Outcome.UNRESOLVED), "", None, None)
    return tmp_path


def test_the_page_parses_its_metadata_and_says_what_it_cannot_plot(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    runs = ["paid", "free", "k2", "small"]
    assert main(["export", *runs, "-o", str(site), "--results-dir", str(results)]) == 0
    err = capsys.readouterr().err
    assert "warning: the runs were on different task sets" in err
    with browse(site / "index.html", tmp_path / "index.png") as visit:
        page = visit.page
        assert visit.errors == []
        meta = page.evaluate("JSON.parse(document.getElementById('metadata').textContent)")
        assert meta["runs"][1]["dataset"] == NASTY  # JSON.parse gives back every character
        assert meta["runs"][2]["shows"] == "attempt 1 of 2"
        assert "different task sets" in meta["task_sets_differ"]
        body = page.inner_text("body")
        assert "Warning: the runs were on different task sets" in body
        assert "k2 (attempt 1 of 2)" in body
        # only the priced run is plotted; its point carries its rate and interval
        assert page.locator("svg#plot circle").count() == 1
        label = page.locator("svg#plot g.point text").text_content() or ""
        assert label.startswith("paid: 60% [")
        assert "bars: 95% CI" in (page.locator("svg#plot .legend").text_content() or "")
        note = page.locator(".plot-note").inner_text()
        assert note.startswith("no cost data for ") and "paid" not in note
        assert all(f"{run} (unpriced)" in note for run in ("free", "k2", "small"))
        # pass@k of the multi-attempt run, beside its first attempt's rate
        board = {
            r.split("\t")[1]: r for r in page.locator("#leaderboard tbody tr").all_inner_texts()
        }
        assert "pass@1 30% · pass@2 40%" in board["k2"]
        assert board["paid"].split("\t")[6] == "-"
        low, high = wilson_interval(3, 5)
        assert f"{low:.0%}-{high:.0%}" in board["paid"]  # the CI bar, labelled
        # one row per instance, one column per run; "-" where a run did not have the task
        heads = page.locator("#instances th").all_inner_texts()
        assert heads == ["instance", "repo", *runs]
        rows = page.locator("#instances tbody tr")
        assert rows.count() == len(TASKS)
        beta3 = rows.filter(has_text="beta-3").first.locator("td").all_inner_texts()
        assert beta3[2:] == ["unresolved", "unresolved", "unresolved", "-"]
        link = rows.first.locator("td").nth(4).locator("a").get_attribute("href")
        assert link == "trajectories/k2/alpha-1.html"
    assert _axis_lines(site / "plot.png") >= 2  # the priced run is plotted, on axes


def test_unpriced_runs_only_give_no_cost_data_and_no_points(results: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert main(["export", "free", "small", "-o", str(site), "--results-dir", str(results)]) == 0
    with browse(site / "index.html") as visit:
        plot = visit.page.locator("svg#plot")
        assert (plot.text_content() or "").strip() == "no cost data"
        assert plot.locator("circle").count() == 0
    meta = json.loads((site / "index.html").read_text().split("id='metadata'>")[1].split("<")[0])
    assert meta["task_sets_differ"].startswith("the runs were on different task sets")
    assert _axis_lines(site / "plot.png") == 0  # plot.png too: words, no empty axes


def _axis_lines(png: Path) -> int:
    """Rows of the image that are mostly dark: the lines of a plot's axes and frame."""
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png))[:, :, :3].mean(axis=2)
    return int(((pixels < 0.5).mean(axis=1) > 0.5).sum())
