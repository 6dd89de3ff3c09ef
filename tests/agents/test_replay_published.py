"""``run --agent replay --from TRAJECTORIES``: published trajectories of mini-swe-agent (1.x,
2.x) and SWE-agent replayed step by step in the task's sandbox (the fake runtime), each
action run as its scaffold ran it, the final step's submission graded, drift reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.runs import load_run
from tests.fakes.published import SUBMIT, Step, mini_v1, mini_v2, swe_agent, write

FIX = (
    "sed -i 's/len(current) + 1 + len(word) < width/len(current) + 1 + len(word) <= width/' "
    "textkit/wrap.py"
)
SUBMISSION = """diff --git a/textkit/wrap.py b/textkit/wrap.py
index 0123456789..abcdef0123 100644
--- a/textkit/wrap.py
+++ b/textkit/wrap.py
@@ -{hunk}
"""


@pytest.fixture(autouse=True)
def fake_world(monkeypatch: pytest.MonkeyPatch, fake_runtime_cache: Path) -> None:
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))


def gold_submission(tmp_path: Path) -> str:
    """What `git add -A && git diff --cached` prints after FIX: the submission as published
    (made by replaying the fix alone, with a hash of another length on its index line)."""
    folder = tmp_path / "probe"
    write(folder, "textkit-2", mini_v1([Step(FIX)], ""))
    assert replay(tmp_path, folder, "probe") == 0
    patch = (tmp_path / "r" / "probe" / "textkit-2" / "patch.diff").read_text()
    lines = patch.splitlines(keepends=True)
    return "".join(
        "index 0a1b2c3d4e..5f6a7b8c9d 100644\n" if line.startswith("index ") else line
        for line in lines
    )


def replay(tmp_path: Path, source: Path, run_id: str, *extra: str) -> int:
    args = ["run", "--suite", "demo", "--agent", "replay", "--from", str(source), "-i", "textkit-2"]
    return main([*args, "--run-id", run_id, "--results-dir", str(tmp_path / "r"), *extra])


def report_of(tmp_path: Path, run_id: str) -> dict[str, object]:
    path = tmp_path / "r" / run_id / "textkit-2" / "report.json"
    return json.loads(path.read_text())["textkit-2"]  # type: ignore[no-any-return]


def steps_of(tmp_path: Path, run_id: str) -> list[dict[str, object]]:
    path = tmp_path / "r" / run_id / "textkit-2" / "trajectory.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_mini_v1_replay_runs_each_action_as_its_scaffold_did_and_grades_its_submission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submission = gold_submission(tmp_path)
    steps = [
        Step("echo $PAGER $0 $(pwd)", "cat bash /testbed\n"),  # env, bash -lc, cwd of the config
        Step("cd textkit && export X=1", ""),
        Step("pwd; echo X=$X", "/testbed\nX=\n"),  # a fresh shell: nothing carried over
        Step("echo recorded-elsewhere", "something else\n"),  # drifts
        Step("grep -c 'len(word) < width' textkit/wrap.py", "1\n"),
        Step("sleep 5; echo late", "", timed_out=True),  # the config's 1 s timeout
        Step(FIX, ""),
        Step("date && echo done", "Mon Nov 18 23:42:01 UTC 2025\ndone\n"),  # times normalised
    ]
    folder = tmp_path / "published" / "trajs"
    write(folder, "textkit-2", mini_v1(steps, submission, env={"PAGER": "cat"}, timeout=1))
    logs = tmp_path / "published" / "logs" / "textkit-2"
    logs.mkdir(parents=True)
    (logs / "report.json").write_text(json.dumps({"resolved": True}))
    capsys.readouterr()
    assert replay(tmp_path, folder, "mini1") == 0
    err = capsys.readouterr().err
    report = report_of(tmp_path, "mini1")
    assert report["outcome"] == "resolved"  # the replayed submission was graded
    assert report["replay"] == {
        "source": "mini-swe-agent 1.15.0 (textkit-2.traj.json)",
        "steps": 9,
        "steps_replayed": 9,
        "steps_drifted": 1,
        "first_drift": 4,
        "not_replayable": [],
        "submission": "same",
        "files_differ": [],
        "published_resolved": True,
    }
    checks = [s["replay"] for s in steps_of(tmp_path, "mini1") if "replay" in s]
    assert [c["status"] for c in checks] == ["same"] * 3 + ["drift"] + ["same"] * 4 + ["unchecked"]
    assert checks[3]["recorded_output"] == "something else\n"
    patch = (tmp_path / "r" / "mini1" / "textkit-2" / "patch.diff").read_text()
    assert patch.startswith("diff --git a/textkit/wrap.py")  # the submit step's output, less line 1
    assert "replay: 1/1 submissions reproduced, 1 of 9 steps drifted, verdicts agree 1/1" in err


def test_each_step_starts_in_a_later_second_so_python_sees_an_edit_of_the_same_size(
    tmp_path: Path,
) -> None:
    """Python's bytecode cache knows a source by its mtime in whole seconds and its size.
    The scaffold's steps were seconds apart (the model thought between them); replayed back
    to back, an edit that keeps a module's size, made in the second its bytecode was
    written, went unseen (sympy-13757's published steps 79-80 imported the code before)."""
    where = "/tmp/pyc-probe"  # in the sandbox
    show = f"cd {where} && python3 -c 'import probe; print(probe.X)'"
    steps = [
        Step(f"mkdir -p {where} && printf 'X = 1\\n' > {where}/probe.py && {show}", "1\n"),
        Step(f"printf 'X = 2\\n' > {where}/probe.py", ""),  # the same size
        Step(show, "2\n"),
        Step(f"ls {where}/__pycache__ | wc -l", "1\n"),  # bytecode was written
        Step(FIX, ""),
    ]
    folder = tmp_path / "published"
    write(folder, "textkit-2", mini_v1(steps, gold_submission(tmp_path)))
    assert replay(tmp_path, folder, "pyc") == 0
    checks = [s["replay"] for s in steps_of(tmp_path, "pyc") if "replay" in s]
    assert [c["status"] for c in checks] == ["same"] * 5 + ["unchecked"], checks


def test_show_marks_the_first_drifting_step_and_prints_both_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [Step("echo same", "same\n"), Step("echo new", "old\n"), Step("echo two", "one\n")]
    folder = tmp_path / "trajs"
    write(folder, "textkit-2", mini_v1(steps, ""))
    assert replay(tmp_path, folder, "drifty") == 0
    capsys.readouterr()
    assert main(["show", "drifty", "textkit-2", "--results-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert out.count("first drift") == 1 and "first drift, step 2: output differs" in out
    recorded, replayed = out.index("recorded, exit 0"), out.index("replayed, exit 0")
    assert out.index("old") > recorded and out.index("new", recorded) > replayed > recorded
    assert "drift: output differs" in out  # step 3 drifts too, not marked first
    assert "1 of 4 steps" not in out and "3 drifted" not in out
    assert "4 of 4 steps replayed, 2 drifted (first: step 2)" in out


def test_mini_v2_uses_its_configured_interpreter_and_a_failed_submit_does_not_submit(
    tmp_path: Path,
) -> None:
    submission = gold_submission(tmp_path)
    steps = [Step("echo $0", "sh\n"), Step(FIX, "")]
    folder = tmp_path / "v2"
    write(folder, "textkit-2", mini_v2(steps, submission, interpreter=["sh", "-c"]))
    assert replay(tmp_path, folder, "mini2") == 0
    report = report_of(tmp_path, "mini2")
    replayed = report["replay"]
    assert isinstance(replayed, dict)
    assert (replayed["steps_drifted"], replayed["submission"]) == (0, "same")
    assert report["outcome"] == "resolved" and replayed["published_resolved"] is None


def test_a_different_submission_names_its_files_and_the_tree_is_graded_when_no_submit(
    tmp_path: Path,
) -> None:
    other = SUBMISSION.format(hunk="1 +1 @@\n-x\n+y\n")
    folder = tmp_path / "t"
    write(folder, "textkit-2", mini_v1([Step(FIX, "")], other))
    assert replay(tmp_path, folder, "differs") == 0
    replayed = report_of(tmp_path, "differs")["replay"]
    assert isinstance(replayed, dict)
    assert (replayed["submission"], replayed["files_differ"]) == ("different", ["textkit/wrap.py"])


def test_swe_agent_replay_persistent_shell_editor_and_not_replayable_tools(
    tmp_path: Path,
) -> None:
    submission = gold_submission(tmp_path)
    old = "len(current) + 1 + len(word) < width"
    actions = [
        ("cd /testbed/textkit && export X=1", ""),
        ("pwd; echo X=$X $PAGER", "/testbed/textkit\nX=1 cat\n"),  # one shell, its env
        (f"str_replace_editor str_replace /testbed/textkit/wrap.py --old_str '{old}' "
         f"--new_str '{old.replace('<', '<=')}'", "The file has been edited."),
        ("open wrap.py", "[File: /testbed/textkit/wrap.py (40 lines total)]"),
    ]  # fmt: skip
    folder = tmp_path / "swe"
    write(folder, "textkit-2", swe_agent(actions, submission), suffix=".traj")
    assert replay(tmp_path, folder, "swe") == 0
    report = report_of(tmp_path, "swe")
    assert report["outcome"] == "resolved"
    replayed = report["replay"]
    assert isinstance(replayed, dict)
    assert replayed["not_replayable"] == ["step 4: not replayable: open"]
    assert (replayed["steps"], replayed["steps_replayed"], replayed["steps_drifted"]) == (5, 4, 0)
    assert replayed["submission"] == "same"


def test_report_and_html_export_show_a_replayed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "trajs"
    write(folder, "textkit-2", mini_v1([Step("echo a", "b\n"), Step(FIX, "")], ""))
    assert replay(tmp_path, folder, "shown") == 0
    results = ["--results-dir", str(tmp_path / "r")]
    capsys.readouterr()
    assert main(["report", "shown", "--json", *results]) == 0
    section = json.loads(capsys.readouterr().out)["replay"]
    assert section["steps_replayed"] == 3 and section["steps_drifted"] == 1
    assert section["instances"][0]["submission"] == "different"  # published: empty
    assert main(["report", "shown", *results]) == 0
    assert "0/1 submissions reproduced; 1 of 3 steps drifted" in capsys.readouterr().out
    out = tmp_path / "site"
    assert main(["export", "shown", "-o", str(out), *results]) == 0
    pages = "".join(p.read_text() for p in out.rglob("*.html"))
    assert "echo a" in pages and "textkit-2" in pages
    assert load_run("shown", tmp_path / "r").reports["textkit-2"].replay is not None


def test_replay_of_instances_without_a_published_trajectory_fails_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "trajs"
    write(folder, "textkit-1", mini_v1([], ""))
    assert replay(tmp_path, folder, "none") == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --from") and "no published trajectory for textkit-2" in err
    assert not (tmp_path / "r" / "none").exists()


def test_submit_constant_is_mini_swe_agents() -> None:
    assert SUBMIT == "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"
