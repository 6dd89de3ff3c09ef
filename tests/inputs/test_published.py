"""Published trajectories read as their scaffolds wrote them: mini-swe-agent 1.x and 2.x,
SWE-agent; where they are found; the published verdicts beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.errors import InputError
from swe_runner.inputs.published import StepKind, find_trajectories, is_published, read_published
from swe_runner.inputs.published_verdicts import find_verdicts, read_verdicts
from tests.fakes.published import SUBMIT, Step, mini_v1, mini_v2, swe_agent, write

PATCH = "diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -1 +1 @@\n-a\n+b\n"


def test_mini_v1_actions_observations_and_submission_as_its_templates_render_them(
    tmp_path: Path,
) -> None:
    long = "x" * 6000 + "MIDDLE" + "y" * 6000
    steps = [
        Step("ls", "a\nb\n"),
        Step("grep nope f", "", 1),
        Step("cat big", long),
        Step("sleep 99", "partial", timed_out=True),
    ]
    path = write(tmp_path, "t-1", mini_v1(steps, PATCH, env={"PAGER": "cat"}, timeout=7))
    got = read_published(path)
    assert (got.scaffold, got.version, got.instance_id) == ("mini-swe-agent", "1.15.0", "t-1")
    assert got.shell.interpreter == ("bash", "-lc")  # 1.x's Docker environment, built in
    assert (got.shell.env, got.shell.timeout, got.shell.cwd) == ({"PAGER": "cat"}, 7.0, "/testbed")
    # The reply with two bash blocks was a format error: it ran nothing.
    assert [s.action for s in got.steps] == ["ls", "grep nope f", "cat big", "sleep 99", SUBMIT]
    first, failed, big, slow, submit = got.steps
    assert (first.output, first.exit_code) == ("a\nb\n", 0)
    assert (failed.output, failed.exit_code) == ("", 1)
    assert big.output is None and big.clipped == (long[:5000], long[-5000:])
    assert slow.timed_out and slow.exit_code is None
    assert submit.kind is StepKind.SUBMIT and got.submission == PATCH
    assert not got.submit_needs_zero_exit  # 1.15 submits whatever the exit code


def test_mini_v2_reads_actions_raw_outputs_and_the_interpreter_its_config_names(
    tmp_path: Path,
) -> None:
    steps = [Step("echo hi", "hi\n"), Step("false", "", 1), Step("sleep 9", timed_out=True)]
    path = write(tmp_path, "t-2", mini_v2(steps, PATCH, interpreter=["sh", "-c"], cwd="/repo"))
    got = read_published(path)
    assert got.shell.interpreter == ("sh", "-c") and got.shell.cwd == "/repo"
    assert [(s.action, s.output, s.exit_code) for s in got.steps[:2]] == [
        ("echo hi", "hi\n", 0),
        ("false", "", 1),
    ]
    assert got.steps[2].timed_out
    assert got.steps[3].kind is StepKind.SUBMIT and got.steps[3].action == SUBMIT
    assert got.submit_needs_zero_exit and got.submission == PATCH


def test_swe_agent_bash_editor_commands_and_other_tools_by_name(tmp_path: Path) -> None:
    actions = [
        ("cd /testbed && ls", "f.py\n"),
        ("str_replace_editor str_replace /testbed/f.py --old_str a --new_str 'b c'", "edited"),
        ("str_replace_editor view /testbed/f.py --view_range 1 5", "1 b"),
        ("str_replace_editor undo_edit /testbed/f.py", "undone"),
        ("open f.py", "[File: f.py]"),
    ]
    path = write(tmp_path, "t-3", swe_agent(actions, PATCH), suffix=".traj")
    got = read_published(path)
    assert (
        got.scaffold == "SWE-agent" and got.shell.persistent and got.shell.env == {"PAGER": "cat"}
    )
    kinds = [(s.kind, s.tool) for s in got.steps]
    assert kinds == [
        (StepKind.SHELL, None),
        (StepKind.EDITOR, "str_replace_editor"),
        (StepKind.EDITOR, "str_replace_editor"),
        (StepKind.OTHER, "str_replace_editor undo_edit"),
        (StepKind.OTHER, "open"),
        (StepKind.SUBMIT, "submit"),
    ]
    assert got.steps[1].arguments == {
        "command": "str_replace", "path": "/testbed/f.py", "old_str": "a", "new_str": "b c",
    }  # fmt: skip
    assert got.steps[2].arguments == {
        "command": "view",
        "path": "/testbed/f.py",
        "view_range": [1, 5],
    }


def test_every_layout_is_found_by_instance_id(tmp_path: Path) -> None:
    data = json.dumps(mini_v1([], PATCH))
    (tmp_path / "a.traj.json").write_text(data)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "b.traj.json").write_text(data)
    (tmp_path / "c.traj").write_text(json.dumps(swe_agent([], PATCH)))
    (tmp_path / "preds.json").write_text("{}")  # not a trajectory
    assert sorted(find_trajectories(tmp_path)) == ["a", "b", "c"]
    assert find_trajectories(tmp_path / "a.traj.json") == {"a": tmp_path / "a.traj.json"}
    assert is_published(tmp_path) and is_published(tmp_path / "c.traj")
    (tmp_path / "run.json").write_text("{}")
    assert not is_published(tmp_path)  # a swe-runner run folder


def test_an_experiments_folder_is_read_through_its_trajs(tmp_path: Path) -> None:
    write(tmp_path / "trajs", "t-1", mini_v1([], PATCH))
    assert list(find_trajectories(tmp_path)) == ["t-1"]


def test_a_file_in_no_known_format_is_one_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.traj.json"
    path.write_text(json.dumps({"messages": []}))
    with pytest.raises(InputError, match="no format a replay knows"):
        read_published(path)


def test_published_verdicts_from_report_files_keyed_or_flat(tmp_path: Path) -> None:
    write(tmp_path / "trajs", "t-1", mini_v1([], PATCH))
    logs = tmp_path / "logs"
    (logs / "t-1").mkdir(parents=True)
    (logs / "t-1" / "report.json").write_text(json.dumps({"resolved": True}))  # as published
    (logs / "t-2").mkdir()
    (logs / "t-2" / "report.json").write_text(json.dumps({"t-2": {"resolved": False}}))  # official
    assert find_verdicts(tmp_path / "trajs") == logs
    assert read_verdicts(logs, ["t-1", "t-2", "t-3"]) == {"t-1": True, "t-2": False}


def test_published_verdicts_from_an_experiments_results_json(tmp_path: Path) -> None:
    results = tmp_path / "results" / "results.json"
    results.parent.mkdir()
    results.write_text(
        json.dumps({"no_generation": ["t-3"], "resolved": ["t-1"], "applied": ["t-2"]})
    )
    assert find_verdicts(tmp_path / "trajs") == results
    assert read_verdicts(results, ["t-1", "t-2", "t-3", "t-4"]) == {
        "t-1": True, "t-2": False, "t-3": False,
    }  # fmt: skip
    sb_cli = tmp_path / "sb.json"
    sb_cli.write_text(json.dumps({"resolved_ids": ["t-2"], "completed_ids": ["t-1", "t-2"]}))
    assert read_verdicts(sb_cli, ["t-1", "t-2"]) == {"t-1": False, "t-2": True}
