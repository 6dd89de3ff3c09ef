"""``compare``: the paired table, McNemar, the bootstrap interval and the verdict."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.records import Outcome
from swe_runner.reporting.compare import compare_runs
from swe_runner.runs import load_run
from tests.reporting.runs_factory import outcomes, write_run


def test_paired_table_and_too_few_tasks_to_tell(tmp_path: Path) -> None:
    write_run(tmp_path, "a", outcomes({"alpha-1", "alpha-2", "beta-1"}))
    write_run(tmp_path, "b", outcomes({"alpha-1", "beta-2"}))
    (c,) = compare_runs([load_run("a", tmp_path), load_run("b", tmp_path)])
    assert (c.both, c.only_a, c.only_b, c.neither) == (1, 2, 1, 1)
    assert c.difference == pytest.approx(0.2)
    assert c.p_value == 1.0  # 2 vs 1 discordant: nothing to tell
    assert not c.significant
    assert c.verdict.startswith("too few tasks to tell: a is ahead of b by 20 points")


def test_a_large_paired_difference_is_significant(tmp_path: Path) -> None:
    tasks = [{"instance_id": f"t{i}", "repo": "org/r", "difficulty": ""} for i in range(100)]
    from swe_runner.rundir import RunDir
    from tests.reporting.runs_factory import manifest, report

    for run_id, solved in (("model-a", 64), ("model-b", 38)):
        run = RunDir(tmp_path, run_id)
        run.write_json("run.json", manifest(run_id, tasks).model_dump(mode="json"))
        for i in range(100):
            outcome = Outcome.RESOLVED if i < solved else Outcome.UNRESOLVED
            run.write_instance(report(f"t{i}", outcome), "", None, None)
    (c,) = compare_runs([load_run("model-a", tmp_path), load_run("model-b", tmp_path)])
    assert (c.both, c.only_a, c.only_b, c.neither) == (38, 26, 0, 36)
    assert c.significant and c.p_value < 1e-6
    low, high = c.ci95
    assert 0.15 < low < 0.26 < high < 0.36
    assert c.verdict.startswith("model-a is ahead of model-b by 26 points, 95% CI [+")
    assert "significant at this size" in c.verdict


def test_unpaired_tasks_are_left_out_and_reported(tmp_path: Path) -> None:
    write_run(tmp_path, "a", outcomes({"alpha-1"}))
    run = write_run(tmp_path, "b", outcomes({"alpha-1"}))
    data = run.read_json("run.json")
    data["dataset"]["tasks"] = data["dataset"]["tasks"][:3]
    run.write_json("run.json", data)
    (c,) = compare_runs([load_run("a", tmp_path), load_run("b", tmp_path)])
    assert (c.tasks, c.unpaired) == (3, 2)


def test_three_runs_give_every_pair_and_a_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, solved in (("a", {"alpha-1", "beta-1"}), ("b", {"alpha-1"}), ("c", set())):
        write_run(tmp_path, name, outcomes(solved))
    args = ["compare", "a", "b", "c", "--results-dir", str(tmp_path)]
    assert main([*args, "--json"]) == 0
    pairs = [
        (c["a"], c["b"], c["only_a"], c["only_b"]) for c in json.loads(capsys.readouterr().out)
    ]
    assert pairs == [("a", "b", 1, 0), ("a", "c", 2, 0), ("b", "c", 1, 0)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "row minus column" in out and "+40" in out and "-20" in out


def test_compare_needs_two_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "a", outcomes(set()))
    assert main(["compare", "a", "--results-dir", str(tmp_path)]) == 2
    assert "at least two runs" in capsys.readouterr().err


VERDICT = re.compile(r"(\S+) is ahead of (\S+) by (\d+) points, 95% CI \[([+-]?\d+), ([+-]?\d+)\]")


def _verdicts(text: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    found = {(m[1], m[2]): (int(m[3]), int(m[4]), int(m[5])) for m in VERDICT.finditer(text)}
    for points, low, high in found.values():
        assert low <= points <= high, text  # the interval is of the stated lead
    return found


def test_the_interval_is_in_the_leader_s_direction_whichever_run_comes_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "scripted", outcomes({"alpha-1"}))
    write_run(tmp_path, "gold", outcomes({"alpha-1", "alpha-2", "beta-1", "beta-2"}))
    write_run(tmp_path, "none", outcomes(set()))
    results = ["--results-dir", str(tmp_path)]
    seen = []
    for pair in (["scripted", "gold"], ["gold", "scripted"]):
        assert main(["compare", *pair, *results]) == 0
        seen.append(_verdicts(capsys.readouterr().out))
    assert seen[0] == seen[1] and list(seen[0]) == [("gold", "scripted")]
    assert seen[0][("gold", "scripted")][1] >= 0  # gold wins every disagreement
    assert main(["compare", "none", "scripted", "gold", *results]) == 0  # the matrix
    out = capsys.readouterr().out
    assert "[0, +" in out and "-0" not in out  # it said "95% CI [-0, +20]" (issue 27 item 15)
    matrix = _verdicts(out)
    assert set(matrix) == {("gold", "scripted"), ("scripted", "none"), ("gold", "none")}
    assert matrix[("gold", "scripted")] == seen[0][("gold", "scripted")]
