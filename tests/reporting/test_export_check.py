"""The experiments export against the submission rules, and the rules catching each way a
folder can break them; multi-attempt runs export their first attempt; pages escape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from swe_runner.cli.main import main
from swe_runner.records import Outcome
from swe_runner.reporting.export import check_experiments
from swe_runner.reporting.export.experiments import CHECKLIST
from swe_runner.rundir import RunDir
from tests.reporting.export_factory import write_full_run
from tests.reporting.runs_factory import TASKS, manifest

OUTCOMES = {
    "alpha-1": Outcome.RESOLVED,
    "alpha-2": Outcome.UNRESOLVED,
    "beta-1": Outcome.RESOLVED,
    "beta-2": Outcome.EMPTY_PATCH,
    "beta-3": Outcome.ERROR,
}


@pytest.fixture(scope="module")
def submission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid experiments export of a full run (every file recorded)."""
    results = tmp_path_factory.mktemp("results")
    write_full_run(results, "full", OUTCOMES)
    out = results / "20260101_full"
    args = ["export", "full", "-f", "experiments", "-o", str(out), "--results-dir", str(results)]
    assert main(args) == 0
    fill_in(out)
    return out


def fill_in(folder: Path) -> None:
    """What the submitter adds to an export: the info links and authors, the ticks."""
    meta = yaml.safe_load((folder / "metadata.yaml").read_text())
    meta["info"].update(site="https://example.org", report="https://example.org/r", authors="A")
    (folder / "metadata.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    readme = folder / "README.md"
    readme.write_text(readme.read_text().replace("- [ ] ", "- [x] "))


def test_a_fresh_export_names_what_the_submitter_must_still_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check passed an export with empty info.site/report/authors and four unticked
    checklist boxes (issue 27 item 9)."""
    write_full_run(tmp_path, "full", OUTCOMES)
    out = tmp_path / "sub"
    args = ["export", "full", "-f", "experiments", "-o", str(out), "--results-dir", str(tmp_path)]
    assert main(args) == 0
    assert f"then: swe-runner export --check {out}" in capsys.readouterr().err
    problems = check_experiments(out)
    assert problems == [
        "metadata.yaml: info.site is empty (a link to the system)",
        "metadata.yaml: info.report is empty (a link to its technical report)",
        "metadata.yaml: info.authors is empty (who made it)",
        *(f"README.md: checklist item not ticked: {item}" for item in CHECKLIST),
    ]
    assert main(["export", "--check", str(out)]) == 1
    fill_in(out)
    assert check_experiments(out) == []


@pytest.fixture
def broken(submission: Path, tmp_path: Path) -> Path:
    """A fresh copy of the valid export, to break."""
    return Path(shutil.copytree(submission, tmp_path / "copy"))


def test_a_full_run_exports_a_valid_submission(submission: Path) -> None:
    assert check_experiments(submission) == []
    results = json.loads((submission / "results" / "results.json").read_text())
    assert results == {
        "resolved": ["alpha-1", "beta-1"],
        "no_generation": ["beta-2"],
        "no_logs": ["beta-2"],
    }
    preds = [json.loads(line) for line in (submission / "all_preds.jsonl").open()]
    assert [p["instance_id"] for p in preds] == [t["instance_id"] for t in TASKS]
    assert sorted(p.name for p in (submission / "trajs").iterdir())[0] == "alpha-1.jsonl"
    for name in ("patch.diff", "report.json", "test_output.txt"):
        assert (submission / "logs" / "alpha-2" / name).is_file()


@pytest.mark.parametrize(
    "remove",
    ["all_preds.jsonl", "metadata.yaml", "README.md", "results/results.json", "logs", "trajs"],
)
def test_check_names_each_missing_required_file(broken: Path, remove: str) -> None:
    target = broken / remove
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    suffix = "/" if remove in ("logs", "trajs") else ""
    assert check_experiments(broken) == [f"{remove}{suffix} is missing"]


def _rewrite_preds(folder: Path, edit: object) -> None:
    path = folder / "all_preds.jsonl"
    preds = [json.loads(line) for line in path.open()]
    preds = edit(preds)  # type: ignore[operator]
    path.write_text("".join(json.dumps(p) + "\n" for p in preds))


def test_check_catches_a_prediction_without_its_patch_key(broken: Path) -> None:
    _rewrite_preds(broken, lambda ps: [{k: v for k, v in ps[0].items() if k != "model_patch"}])
    assert "all_preds.jsonl line 1: missing model_patch" in check_experiments(broken)


def test_check_catches_an_instance_predicted_twice(broken: Path) -> None:
    _rewrite_preds(broken, lambda ps: [*ps, ps[0]])
    assert check_experiments(broken) == [
        "all_preds.jsonl: predicted more than once (not pass@1): alpha-1"
    ]


def test_check_catches_missing_metadata_keys(broken: Path) -> None:
    meta = yaml.safe_load((broken / "metadata.yaml").read_text())
    del meta["info"]["site"], meta["tags"]["system"]["attempts"]
    meta["tags"]["os_model"] = "no"
    (broken / "metadata.yaml").write_text(yaml.safe_dump(meta))
    assert check_experiments(broken) == [
        "metadata.yaml: info.site is missing (a link to the system)",
        "metadata.yaml: tags.os_model must be a bool",
        "metadata.yaml: tags.system.attempts is missing",
    ]


def test_check_catches_a_results_list_missing_or_naming_strangers(broken: Path) -> None:
    path = broken / "results" / "results.json"
    path.write_text(json.dumps({"resolved": ["nobody"], "no_generation": [], "no_logs": []}))
    problems = check_experiments(broken)
    assert "results/results.json: resolved names unknown instances nobody" in problems
    assert "logs/: no logs for beta-2 (and not in no_logs)" in problems
    path.write_text(json.dumps({"resolved": [], "no_logs": ["beta-2"]}))
    assert check_experiments(broken) == ["results/results.json: no_generation must be a list"]


def test_check_catches_a_missing_trace_log_file_or_checklist_item(broken: Path) -> None:
    (broken / "trajs" / "beta-3.jsonl").unlink()
    (broken / "logs" / "alpha-2" / "test_output.txt").unlink()
    readme = broken / "README.md"
    readme.write_text(readme.read_text().replace("`hints`", "hints"))
    assert check_experiments(broken) == [
        "trajs/: no reasoning trace for beta-3",
        "logs/alpha-2/test_output.txt is missing",
        "README.md: checklist item missing: Does not use the `hints` field in SWE-bench",
    ]


def test_a_trace_may_carry_any_extension_and_ids_may_hold_dots(broken: Path) -> None:
    (broken / "trajs" / "beta-3.jsonl").rename(broken / "trajs" / "beta-3.traj.json")
    assert check_experiments(broken) == []


def test_a_multi_attempt_run_exports_its_first_attempt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: the instance files of a multi-attempt run live in attempt-1/, not at
    its top; the export took empty patches and no logs or traces from the top folder."""
    top = RunDir(tmp_path, "k2")
    top.write_json("run.json", manifest("k2", attempts=2).model_dump(mode="json"))
    write_full_run(top.path, "attempt-1", OUTCOMES)
    write_full_run(top.path, "attempt-2", dict.fromkeys(OUTCOMES, Outcome.UNRESOLVED))
    out = tmp_path / "exp"
    args = ["export", "k2", "-f", "experiments", "-o", str(out), "--results-dir", str(tmp_path)]
    assert main(args) == 0
    assert "k2 has 2 attempts: exported its first attempt" in capsys.readouterr().err
    fill_in(out)
    assert check_experiments(out) == []
    preds = {p["instance_id"]: p for p in map(json.loads, (out / "all_preds.jsonl").open())}
    assert preds["alpha-1"]["model_patch"].startswith("--- a/x.py")
    assert "first of its 2 attempts" in (out / "README.md").read_text()
    site = tmp_path / "site"
    assert main(["export", "k2", "-o", str(site), "--results-dir", str(tmp_path)]) == 0
    page = (site / "trajectories" / "k2" / "alpha-1.html").read_text()
    index = (site / "index.html").read_text()
    assert "Looking at alpha-1" in page and "attempt 1 of 2" in page
    assert "show their first attempt" in index and "k2 (attempt 1 of 2)" in index
    for fmt, name in (("markdown", "leaderboard.md"), ("json", "export.json")):
        folder = tmp_path / fmt
        assert (
            main(["export", "k2", "-f", fmt, "-o", str(folder), "--results-dir", str(tmp_path)])
            == 0
        )
        assert "attempt 1 of 2" in (folder / name).read_text()


def test_trajectory_pages_escape_patches_and_outputs_and_fold_long_outputs(
    submission: Path, tmp_path: Path
) -> None:
    results = submission.parent
    site = tmp_path / "site"
    assert main(["export", "full", "-o", str(site), "--results-dir", str(results)]) == 0
    page = (site / "trajectories" / "full" / "alpha-2.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;i&gt;now&lt;/i&gt;" in page  # the model's text, as text
    assert page.count('<section class="turn"') == 2
    assert "<details><summary>thinking</summary>" in page
    assert "<details><summary>4,005 characters</summary>" in page  # the long tool output
    assert '<span class="add">+new &lt;script&gt;' in page
