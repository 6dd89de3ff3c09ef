"""The contract every sandbox keeps; each implementation runs this whole module."""

from __future__ import annotations

import time

import pytest

from swe_runner.patch import changes
from swe_runner.sandbox.base import Sandbox, snapshot


def test_exec_reports_exit_code_and_interleaved_output(sandbox: Sandbox) -> None:
    result = sandbox.exec("echo out; echo err >&2; exit 3")
    assert result.exit_code == 3 and not result.timed_out
    assert result.text == "out\nerr\n"


def test_exec_runs_in_the_workdir_and_takes_stdin(sandbox: Sandbox) -> None:
    assert sandbox.exec("cat keep.txt").text == "one\ntwo\n"
    assert sandbox.exec("tr a-z A-Z", stdin=b"shout").text == "SHOUT"


def test_exec_env_reaches_that_command_only(sandbox: Sandbox) -> None:
    assert sandbox.exec("echo $SWE_TEST_TOKEN", env={"SWE_TEST_TOKEN": "t0k3n"}).text == "t0k3n\n"
    assert sandbox.exec("echo ${SWE_TEST_TOKEN:-unset}").text == "unset\n"


def test_exec_timeout_kills_the_command(sandbox: Sandbox) -> None:
    began = time.monotonic()
    result = sandbox.exec("sleep 30", timeout=1)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - began < 15


@pytest.mark.parametrize("command", ["exit 137", "exit 124", "kill -KILL $$"])
def test_exec_killed_or_exiting_like_timeout_is_its_exit_code_not_a_timeout(
    sandbox: Sandbox, command: str
) -> None:
    """An out-of-memory kill (SIGKILL: 137) is not a timeout, nor is a plain `exit 124`."""
    result = sandbox.exec(command, timeout=30)
    assert not result.timed_out
    assert result.exit_code == (137 if "kill" in command else int(command.split()[1]))


def test_files_round_trip_any_bytes(sandbox: Sandbox) -> None:
    blob = bytes(range(256)) * 4
    sandbox.write_file("deep/er/blob.bin", blob)
    assert sandbox.read_file("deep/er/blob.bin") == blob
    assert sandbox.exec("wc -c < deep/er/blob.bin").text.strip() == "1024"


def test_several_files_are_written_at_once_by_absolute_or_relative_path(sandbox: Sandbox) -> None:
    scratch = f"{sandbox.workdir}/scratch-dir"
    sandbox.write_files({"a/one.txt": b"1\n", f"{scratch}/two.bin": bytes(range(256))})
    assert sandbox.read_file("a/one.txt") == b"1\n"
    assert sandbox.read_file(f"{scratch}/two.bin") == bytes(range(256))


def test_reading_a_missing_file_or_a_directory_raises(sandbox: Sandbox) -> None:
    with pytest.raises(FileNotFoundError):
        sandbox.read_file("no/such/file")
    sandbox.exec("mkdir -p adir")
    with pytest.raises(IsADirectoryError):
        sandbox.read_file("adir")


def test_diff_has_new_deleted_and_binary_files_but_no_junk(sandbox: Sandbox) -> None:
    sandbox.exec(
        "printf 'one\\n2\\n' > keep.txt; rm gone.txt; echo new > new.txt; "
        "mkdir -p pkg/__pycache__ x.egg-info; echo junk > pkg/__pycache__/m.pyc; "
        "echo junk > pkg/m.pyc; echo junk > x.egg-info/PKG-INFO; git add keep.txt"
    )
    sandbox.write_file("image.bin", b"\x89PNG\0\1\2\3")
    diff = sandbox.diff()
    for path in ("keep.txt", "gone.txt", "new.txt", "image.bin"):
        assert f"diff --git a/{path} b/{path}" in diff
    assert "GIT binary patch" in diff
    assert "pyc" not in diff and "egg-info" not in diff
    # The agent's index is its own: only what it staged is staged.
    assert sandbox.exec("git diff --cached --name-only").text == "keep.txt\n"


def test_diff_applies_exactly_to_the_base_commit(sandbox: Sandbox) -> None:
    sandbox.exec("printf 'one\\n2\\n' > keep.txt; rm gone.txt; mkdir -p d; echo new > d/new.txt")
    sandbox.write_file("image.bin", b"\0\1\2binary")
    diff = sandbox.diff()
    sandbox.write_file(".git/agent.diff", diff.encode())  # inside .git: out of the work tree
    restored = sandbox.exec(
        f"git reset -q --hard {sandbox.start} && git clean -qfdx && "
        "git apply --binary .git/agent.diff && rm .git/agent.diff"
    )
    assert restored.exit_code == 0, restored.text
    assert sandbox.diff() == diff


def test_shell_keeps_cwd_variables_and_background_jobs(sandbox: Sandbox) -> None:
    shell = sandbox.open_shell()
    shell.run("mkdir -p sub && cd sub && export GREETING=hi && (sleep 5 &) ; sleep 5 &", 10)
    result = shell.run("pwd; echo $GREETING; jobs | wc -l", 10)
    lines = result.output.decode().split()
    assert lines[0].endswith("/sub") and lines[1] == "hi" and lines[2] == "1"
    shell.close()


def test_shell_timeout_kills_and_a_new_shell_works(sandbox: Sandbox) -> None:
    shell = sandbox.open_shell()
    result = shell.run("echo before; sleep 60", 1)
    assert result.timed_out and result.output == b"before\n"
    assert not shell.alive
    fresh = sandbox.open_shell()
    assert fresh.run("echo again", 10).output == b"again\n"
    fresh.close()


def test_shell_survives_syntax_errors_and_keeps_non_utf8_bytes(sandbox: Sandbox) -> None:
    shell = sandbox.open_shell()
    assert shell.run("echo 'unclosed", 10).exit_code == 2
    assert shell.run("printf 'a\\377b'", 10).output == b"a\xffb"
    shell.close()


def test_close_is_idempotent(sandbox: Sandbox) -> None:
    sandbox.close()
    sandbox.close()


def test_an_edit_keeping_size_and_mtime_is_in_the_diff(sandbox: Sandbox) -> None:
    # Regression: the diff used to start from a copy of the agent's index and trust its stat
    # data; an edit that kept the file's size and (whole-second) mtime was left out of the
    # patch. Editors writing through tar archives do exactly that within a second.
    sandbox.exec(
        "m=$(stat -c %Y keep.txt); printf 'one\\nTWO\\n' > keep.txt; "
        "touch -d @$m keep.txt; sleep 1.1"
    )
    assert "+TWO" in sandbox.diff()


def test_a_snapshot_keeps_what_was_untracked_or_edited_at_start_out_of_the_diff(
    sandbox: Sandbox,
) -> None:
    """Regression (issue 25): build output an install left untracked (requests' build/) and
    setup edits left uncommitted (sphinx's tox.ini) were part of every agent's patch."""
    sandbox.exec(
        "mkdir -p build/lib && echo 'copy' > build/lib/out.py && echo 'edited' >> keep.txt"
    )
    sandbox.write_file("build/lib/blob.bin", b"\0\1\2start")
    sandbox.start = snapshot(sandbox)
    assert sandbox.diff() == ""
    sandbox.exec(
        "echo 'changed' >> build/lib/out.py && echo new > new.txt && rm build/lib/blob.bin"
    )
    diff = sandbox.diff()
    names = {c.path for c in changes(diff)}
    assert names == {"build/lib/out.py", "new.txt", "build/lib/blob.bin"}, diff
    assert "keep.txt" not in diff and "+copy" not in diff
    # The patch applies to the starting state, as the evaluation's fresh container has it.
    sandbox.write_file(".git/agent.diff", diff.encode())
    back = sandbox.exec(
        f"git read-tree -u --reset {sandbox.start} && rm -f new.txt && "
        "git apply --binary .git/agent.diff"
    )
    assert back.exit_code == 0, back.text
    assert sandbox.read_file("build/lib/out.py") == b"copy\nchanged\n"
    assert sandbox.read_file("keep.txt") == b"one\ntwo\nedited\n"
    assert sandbox.exec("test -e build/lib/blob.bin").exit_code == 1
