"""``--exclude``: a known-bad list changes the report's second denominator and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.manifest import Exclusion, RunManifest
from swe_runner.records import Outcome
from swe_runner.reporting.summary import summarize
from tests.reporting.runs_factory import outcomes, report, write_run

# alpha-1, alpha-2 and beta-1 resolved; beta-2 unresolved; beta-3 an error.
DONE = {**outcomes({"alpha-1", "alpha-2", "beta-1"}), "beta-3": Outcome.ERROR}
# Two of the run's tasks, and one the run does not hold (counted nowhere).
LISTED = ["beta-2", "beta-3", "gamma-9"]


def known_bad(tmp_path: Path) -> Path:
    path = tmp_path / "known-bad.json"
    rows = [{"instance_id": i, "class": "broken", "reason": "r", "tests": []} for i in LISTED]
    path.write_text(json.dumps({"created_at": "2026-01-01", "instances": rows}))
    return path


def report_json(
    capsys: pytest.CaptureFixture[str], results: Path, *extra: str
) -> dict[str, object]:
    assert main(["report", "r", "--results-dir", str(results), "--json", *extra]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_the_known_bad_list_changes_the_second_denominator_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "r", DONE)
    plain = report_json(capsys, tmp_path)
    listed = report_json(capsys, tmp_path, "--exclude", str(known_bad(tmp_path)))
    assert plain.pop("excluding") is None
    second = listed.pop("excluding")
    assert listed == plain  # first denominator, counts, breakdowns...: all the same
    assert (plain["resolved"], plain["total"]) == (3, 5)
    assert second == {
        "source": str(tmp_path / "known-bad.json"),
        "excluded": ["beta-2", "beta-3"],
        "total": 3,
        "resolved": 3,
        "pass_rate": 1.0,
        "ci95": pytest.approx(second["ci95"]),  # type: ignore[index]
    }
    low, high = second["ci95"]  # type: ignore[index]
    assert 0.4 < low < 1.0 == high


def test_the_text_report_gains_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "r", DONE)
    assert main(["report", "r", "--results-dir", str(tmp_path)]) == 0
    plain = capsys.readouterr().out.splitlines()
    assert (
        main(["report", "r", "--results-dir", str(tmp_path), "--exclude", str(known_bad(tmp_path))])
        == 0
    )
    listed = capsys.readouterr().out.splitlines()
    added = [line for line in listed if line not in plain]
    assert len(listed) == len(plain) + 1 and len(added) == 1
    assert added[0].startswith("without 2 known-bad tasks (")
    assert "resolved 3/3 = 100.0%" in added[0]
    assert any(line.startswith("resolved 3/5 = 60.0%") for line in listed)


def test_a_run_made_with_a_list_reports_it_and_a_flag_overrides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path, "r", DONE)
    recorded = RunManifest.model_validate(run.read_json("run.json"))
    made_with = Exclusion(source="gate.json", instances=["alpha-1"])
    run.write_json("run.json", recorded.model_copy(update={"exclude": made_with}).model_dump())
    shown = report_json(capsys, tmp_path)["excluding"]
    assert shown["source"] == "gate.json" and shown["excluded"] == ["alpha-1"]  # type: ignore[index]
    assert (shown["resolved"], shown["total"]) == (2, 4)  # type: ignore[index]
    other = tmp_path / "ids.txt"
    other.write_text("beta-2\n")
    shown = report_json(capsys, tmp_path, "--exclude", str(other))["excluding"]
    assert shown["excluded"] == ["beta-2"] and shown["resolved"] == 3  # type: ignore[index]


def test_pass_at_k_is_untouched_by_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "r", {}, attempts=2)
    write_run(tmp_path / "r", "attempt-1", DONE)
    write_run(tmp_path / "r", "attempt-2", outcomes({"alpha-1"}))
    plain = report_json(capsys, tmp_path)
    listed = report_json(capsys, tmp_path, "--exclude", str(known_bad(tmp_path)))
    assert listed["attempts"] == plain["attempts"] is not None
    assert listed["excluding"]["total"] == 3  # type: ignore[index]


def test_summary_json_carries_both_denominators() -> None:
    reports = [report(iid, outcome) for iid, outcome in DONE.items()]
    plain = summarize("r", reports, 1.0)
    listed = summarize("r", reports, 1.0, Exclusion(source="kb", instances=LISTED))
    assert plain.excluding is None and listed.excluding is not None
    assert listed.model_dump(exclude={"excluding"}) == plain.model_dump(exclude={"excluding"})
    assert (listed.resolved, listed.total, listed.pass_rate) == (3, 5, 0.6)
    second = listed.excluding
    assert (second.resolved, second.total, second.pass_rate) == (3, 3, 1.0)
    assert second.excluded == ["beta-2", "beta-3"]


def test_skip_excluded_needs_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", "-d", "demo", "-p", "empty", "--skip-excluded",
                 "--results-dir", str(tmp_path / "r")])  # fmt: skip
    assert code == 2
    assert "--skip-excluded needs --exclude FILE" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_bad_list_is_one_error_line_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["evaluate", "-d", "demo", "-p", "empty", "--exclude", str(tmp_path / "nope"),
                 "--results-dir", str(tmp_path / "r")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Error: no exclusion list") and err.count("\n") == 1
    assert not (tmp_path / "r").exists()
