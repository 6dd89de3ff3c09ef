"""Tables never cut ids, tags or run names: piped, at their natural width (one line per
row); in a narrow terminal, folded (the regression: `…` at 80 columns)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from swe_runner.cli import options
from swe_runner.cli.main import main
from swe_runner.images.disk import ImageRecord, disk_usage, unique_sizes
from tests.inputs.test_dataset import RECORD, write_jsonl
from tests.reporting.runs_factory import manifest, outcomes, report

LONG_ID = "averyveryverylongorganisation__averyveryverylongrepository-123456"
LONG_REPO = "averyveryverylongorganisation/averyveryverylongrepository"


def _long_tasks(tmp_path: Path) -> Path:
    record = {**RECORD, "instance_id": LONG_ID, "repo": LONG_REPO}
    return write_jsonl(tmp_path / "t.jsonl", [record])


def test_tasks_list_into_a_pipe_keeps_ids_whole_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "list", str(_long_tasks(tmp_path))]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if LONG_ID in line]
    assert LONG_REPO in row and "…" not in out


def test_tasks_list_in_a_narrow_terminal_folds_instead_of_cutting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80, color_system=None)
    monkeypatch.setattr(options, "stdout", terminal)
    assert main(["tasks", "list", str(_long_tasks(tmp_path))]) == 0
    text = screen.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    first_column = "".join(
        line.split("│")[1].strip() for line in text.splitlines() if line.count("│") > 2
    )
    assert LONG_ID in first_column  # folded over lines, every character there


def test_compare_keeps_long_run_names_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from swe_runner.rundir import RunDir

    names = [f"claude-sonnet-4-5-with-a-long-configuration-name-{n}" for n in range(3)]
    for n, name in enumerate(names):
        run = RunDir(tmp_path, name)
        run.write_json("run.json", manifest(name).model_dump(mode="json"))
        for iid, outcome in outcomes({"alpha-1", "beta-1"} if n else {"alpha-1"}).items():
            run.write_instance(report(iid, outcome), "", None, None)
    assert main(["compare", *names, "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    header = next(line for line in out.splitlines() if "row minus column" in line)
    assert all(name in header for name in names)


def test_disk_usage_counts_each_shared_layer_once() -> None:
    """base (100) <- env (+50) <- two instances (+5, +7); a third tag of an instance adds
    nothing; SharedSize as the daemon reports it."""
    base = ImageRecord("b", ("l1",), 100, 100)
    env = ImageRecord("e", ("l1", "l2"), 150, 150)
    one = ImageRecord("i1", ("l1", "l2", "l3"), 155, 150)
    two = ImageRecord("i2", ("l1", "l2", "l4"), 157, 150)
    usage = disk_usage([base, env, one, two])
    assert (usage.images, usage.total_mb * 1e6) == (4, 162)
    assert (usage.unique_mb * 1e6, usage.shared_mb * 1e6) == (12, 150)
    # without the daemon's figure, an image's own layers are its unique part
    unknown = [ImageRecord(r.image_id, r.layers, r.size, -1) for r in (base, env, one)]
    assert unique_sizes(unknown) == {"b": 100, "e": 50, "i1": 5}


def test_a_long_failing_test_list_is_cut_with_a_count_in_a_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Piped tables grew as wide as the longest failing-test list (~280 columns): now the
    tests that fit 100 characters, then "(+N more)"; ids whole (issue 27 item 16)."""
    from swe_runner.records import Outcome, SuccessFailure, TestsStatus
    from swe_runner.reporting.summary import summarize
    from swe_runner.reporting.table import summary_table
    from swe_runner.rundir import RunDir

    tests = [
        f"tests/test_parsing.py::TestParser::test_nested_sections_with_value_{n:02}"
        for n in range(7)
    ]
    status = TestsStatus(FAIL_TO_PASS=SuccessFailure(failure=tests))
    failed = report("alpha-1", Outcome.UNRESOLVED, tests_status=status)
    run = RunDir(tmp_path, "long")
    run.write_json("run.json", manifest("long").model_dump(mode="json"))
    run.write_instance(failed, "", None, None)
    assert main(["report", "long", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if "alpha-1" in line]
    assert f"failing {tests[0]} (+6 more)" in row and len(row) < 160, row
    table = summary_table(summarize("long", [failed], 1.0))
    options.print_whole(table)
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "alpha-1" in line]
    assert f"{tests[0]} (+6 more)" in row and len(row) < 160, row
