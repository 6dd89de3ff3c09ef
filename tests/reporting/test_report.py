"""``report``: denominators, breakdowns, usage and cost, spreads, pass@k over attempts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.records import Outcome
from swe_runner.reporting.report import build_report
from swe_runner.runs import load_run
from tests.reporting.runs_factory import TASKS, outcomes, write_run


def test_missing_results_and_errors_count_as_not_resolved(tmp_path: Path) -> None:
    done = outcomes({"alpha-1", "beta-1"})
    done["beta-2"] = Outcome.ERROR
    del done["beta-3"]  # interrupted: no report
    write_run(tmp_path, "r", done)
    report = build_report(load_run("r", tmp_path))
    assert (report.total, report.resolved, report.pass_rate) == (5, 2, 0.4)
    assert report.counts["error"] == 1 and report.counts["missing"] == 1
    assert report.counts["unresolved"] == 1
    low, high = report.ci95
    assert low < 0.4 < high


def test_breakdown_by_repository_and_difficulty(tmp_path: Path) -> None:
    write_run(tmp_path, "r", outcomes({"alpha-1", "alpha-2", "beta-1"}))
    report = build_report(load_run(tmp_path / "r", tmp_path))
    repos = {g.key: (g.resolved, g.total) for g in report.by_repo}
    assert repos == {"org/alpha": (2, 2), "org/beta": (1, 3)}
    levels = {g.key: (g.resolved, g.total) for g in report.by_difficulty}
    assert levels == {"easy": (2, 2), "hard": (1, 3)}


def test_usage_cost_turns_and_cost_per_resolved(tmp_path: Path) -> None:
    usage = {
        "input_tokens": 100,
        "output_tokens": 10,
        "cache_creation_input_tokens": 5,
        "cache_read_input_tokens": 50,
    }
    write_run(
        tmp_path, "r", outcomes({"alpha-1"}), usage=usage, cost_usd=0.25, turns=4, agent_time_s=2.0
    )
    report = build_report(load_run("r", tmp_path))
    assert report.usage == {k: v * 5 for k, v in usage.items()}
    assert report.cost_usd == pytest.approx(1.25)
    assert report.cost_per_resolved == pytest.approx(1.25)
    assert report.turns is not None and report.turns.median == 4
    assert report.agent_time_s is not None and report.agent_time_s.p90 == 2.0


def test_an_unpriced_model_makes_the_cost_unknown_not_zero(tmp_path: Path) -> None:
    usage = {"input_tokens": 1}
    write_run(tmp_path, "r", outcomes({"alpha-1"}), usage=usage, cost_usd=None)
    report = build_report(load_run("r", tmp_path))
    assert report.cost_usd is None and report.cost_per_resolved is None
    assert len(report.unpriced) == 5


def test_pass_at_k_and_spread_over_attempts(tmp_path: Path) -> None:
    write_run(tmp_path, "multi", {}, attempts=3)
    top = tmp_path / "multi"
    # alpha-1 solved 3/3, alpha-2 1/3, beta-1 2/3, beta-2 and beta-3 never
    write_run(top, "attempt-1", outcomes({"alpha-1", "alpha-2"}))
    write_run(top, "attempt-2", outcomes({"alpha-1", "beta-1"}))
    write_run(top, "attempt-3", outcomes({"alpha-1", "beta-1"}))
    report = build_report(load_run("multi", tmp_path))
    stats = report.attempts
    assert stats is not None and stats.attempts == 3
    assert stats.pass_at[1] == pytest.approx((1 + 1 / 3 + 2 / 3) / 5)
    # pass@2 per task: 1, 1 - C(2,2)/C(3,2) = 2/3, 1 - C(1,2)/C(3,2) = 1
    assert stats.pass_at[2] == pytest.approx((1 + 2 / 3 + 1) / 5)
    assert stats.pass_at[3] == pytest.approx(3 / 5)
    assert stats.per_attempt == [0.4, 0.4, 0.4] and stats.spread == (0.4, 0.4)
    assert report.resolved == 2  # the headline is the first attempt


def test_report_json_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "r", outcomes({"alpha-1"}))
    assert main(["report", "r", "--json", "--results-dir", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["resolved"] == 1 and data["total"] == len(TASKS)
    assert data["agent"] == "claude" and data["model"] == "claude-sonnet-4-5"


def test_report_of_an_unknown_run_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "nope", "--results-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Error:" in err and "no run 'nope'" in err


def _write_varied_run(results: Path) -> None:
    """One instance of each kind of ending (beta-3 never finished)."""
    from swe_runner.records import StopReason, SuccessFailure, TestsStatus
    from tests.reporting.runs_factory import report

    run = write_run(results, "r", {"alpha-1": Outcome.RESOLVED})
    many = [f"tests/test_a.py::test_{n}" for n in range(5)]
    failing = TestsStatus(FAIL_TO_PASS=SuccessFailure(failure=many))
    fuzzy = report(
        "alpha-2",
        Outcome.UNRESOLVED,
        tests_status=failing,
        apply_method="patch --fuzz=5",
        test_config_touched=["conftest.py"],
    )
    crashed = report(
        "beta-1",
        Outcome.EMPTY_PATCH,
        stop_reason=StopReason.AGENT_ERROR,
        stop_detail="the command exited 3",
    )
    broken = report("beta-2", Outcome.ERROR, error="model API: overloaded\nTraceback ...")
    for r in (fuzzy, crashed, broken):
        run.write_instance(r, "", None, None)


def test_report_lists_every_instance_by_outcome_with_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_varied_run(tmp_path)
    assert main(["report", "r", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[2].strip(): line for line in out.splitlines() if line.count("│") == 4}
    assert list(rows) == ["beta-3", "beta-2", "beta-1", "alpha-2", "alpha-1"]  # worst first
    assert "missing" in rows["beta-3"] and "no result" in rows["beta-3"]
    assert "error" in rows["beta-2"] and "model API: overloaded" in rows["beta-2"]
    assert "Traceback" not in out  # one line each
    assert "stopped: agent_error (the command exited 3)" in rows["beta-1"]
    shown = ", ".join(f"tests/test_a.py::test_{n}" for n in range(3))
    assert f"failing {shown} (+2 more)" in rows["alpha-2"]
    assert "patch applied with patch --fuzz=5" in rows["alpha-2"]
    assert "test config put back: conftest.py" in rows["alpha-2"]
    assert "resolved" in rows["alpha-1"]
    assert main(["report", "r", "--json", "--results-dir", str(tmp_path)]) == 0
    lines = json.loads(capsys.readouterr().out)["instances"]
    assert [(x["instance_id"], x["outcome"]) for x in lines][:2] == [
        ("beta-3", "missing"),
        ("beta-2", "error"),
    ]


def test_report_of_a_multi_attempt_run_says_which_attempt_it_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "multi", {}, attempts=2)
    write_run(tmp_path / "multi", "attempt-1", outcomes({"alpha-1"}))
    write_run(tmp_path / "multi", "attempt-2", outcomes({"alpha-2"}))
    assert main(["report", "multi", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "outcomes and instances below are attempt 1 of 2" in out
    assert out.count("attempts") == 1  # said once, under the headline (issue 27 item 15)
    lines = out.splitlines()
    assert lines[2].startswith("2 attempts: pass@1 ") and "per attempt" in lines[2]
    assert main(["report", "multi", "--json", "--results-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["shown_attempt"] == 1


def test_the_reason_names_what_the_integrity_guard_put_back_and_removed() -> None:
    from swe_runner.records import Integrity
    from swe_runner.reporting.reasons import reason
    from tests.reporting.runs_factory import report

    guarded = report("gamma-1", Outcome.UNRESOLVED).model_copy(
        update={
            "log_valid": False,
            "invalid_reason": "the log says t PASSED, but its test function was never called",
            "integrity": Integrity(
                restored=["sympy/testing/runtests.py (test directory)"],
                removed=["pytest.py (shadows pytest)", "tests/__init__.py (test directory)"],
            ),
        }
    )
    assert reason(guarded) == (
        "invalid test log: the log says t PASSED, but its test function was never called; "
        "put back: sympy/testing/runtests.py (test directory); "
        "removed: pytest.py (shadows pytest), tests/__init__.py (test directory)"
    )


def test_an_interrupted_instance_adds_no_unknown_model(tmp_path: Path) -> None:
    """After an interrupted run, `report` said "model command, unknown": the interrupted
    instance's report names no model (issue 27 item 15)."""
    from swe_runner.manifest import AgentInfo
    from swe_runner.rundir import RunDir
    from tests.reporting.runs_factory import manifest, report

    run = RunDir(tmp_path, "cmd")
    made = manifest("cmd").model_copy(update={"agent": AgentInfo(name="command")})
    run.write_json("run.json", made.model_dump(mode="json"))
    finished = report("alpha-1", Outcome.EMPTY_PATCH).model_copy(
        update={"model_name_or_path": "command"}
    )
    run.write_instance(finished, "", None, None)
    run.write_report(run.interrupted("alpha-2", "interrupted: the run stopped"))
    assert load_run("cmd", tmp_path).model == "command"
