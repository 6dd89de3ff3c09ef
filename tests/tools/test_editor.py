from __future__ import annotations

import pytest

from swe_runner.sandbox.base import Sandbox
from swe_runner.tools.base import ToolError
from swe_runner.tools.editor import EditorTool


@pytest.fixture
def editor(sandbox: Sandbox) -> EditorTool:
    return EditorTool(sandbox)


def p(sandbox: Sandbox, name: str) -> str:
    return f"{sandbox.workdir}/{name}"


def test_view_file_with_line_numbers_and_range(sandbox: Sandbox, editor: EditorTool) -> None:
    whole = editor({"command": "view", "path": p(sandbox, "keep.txt")}).output
    assert "     1\tone\n     2\ttwo\n" in whole
    part = editor({"command": "view", "path": p(sandbox, "keep.txt"), "view_range": [2, -1]})
    assert "     2\ttwo" in part.output and "\tone" not in part.output
    with pytest.raises(ToolError, match="outside"):
        editor({"command": "view", "path": p(sandbox, "keep.txt"), "view_range": [9, 10]})


def test_view_directory_lists_two_levels(sandbox: Sandbox, editor: EditorTool) -> None:
    sandbox.exec("mkdir -p a/b/c && touch a/b/c/deep.txt a/top.txt")
    out = editor({"command": "view", "path": sandbox.workdir}).output
    assert "a/top.txt" in out and "a/b" in out and "deep.txt" not in out and ".git" not in out


def test_viewing_a_binary_file_is_an_error_not_a_crash(
    sandbox: Sandbox, editor: EditorTool
) -> None:
    sandbox.write_file("blob.bin", b"\x00\x01\x02\xff")
    with pytest.raises(ToolError, match="binary"):
        editor({"command": "view", "path": p(sandbox, "blob.bin")})


def test_create_then_refuses_to_overwrite(sandbox: Sandbox, editor: EditorTool) -> None:
    editor({"command": "create", "path": p(sandbox, "pkg/new.py"), "file_text": "x = 1\n"})
    assert sandbox.read_file("pkg/new.py") == b"x = 1\n"
    with pytest.raises(ToolError, match="already exists"):
        editor({"command": "create", "path": p(sandbox, "pkg/new.py"), "file_text": "y"})


def test_str_replace_needs_exactly_one_match(sandbox: Sandbox, editor: EditorTool) -> None:
    sandbox.write_file("m.py", b"a = 1\nb = 1\n")
    with pytest.raises(ToolError, match="0 matches"):
        editor({"command": "str_replace", "path": p(sandbox, "m.py"), "old_str": "c = 1"})
    with pytest.raises(ToolError, match="matches 2 times"):
        editor({"command": "str_replace", "path": p(sandbox, "m.py"), "old_str": "= 1"})
    out = editor(
        {
            "command": "str_replace",
            "path": p(sandbox, "m.py"),
            "old_str": "b = 1",
            "new_str": "b = 2",
        }
    ).output
    assert "     2\tb = 2" in out
    assert sandbox.read_file("m.py") == b"a = 1\nb = 2\n"


def test_insert_after_a_line(sandbox: Sandbox, editor: EditorTool) -> None:
    editor(
        {
            "command": "insert",
            "path": p(sandbox, "keep.txt"),
            "insert_line": 1,
            "new_str": "one and a half",
        }
    )
    assert sandbox.read_file("keep.txt") == b"one\none and a half\ntwo\n"
    with pytest.raises(ToolError, match="must be in"):
        editor(
            {"command": "insert", "path": p(sandbox, "keep.txt"), "insert_line": 99, "new_str": "x"}
        )


def test_edits_then_git_diff_show_exactly_the_change(sandbox: Sandbox, editor: EditorTool) -> None:
    editor(
        {
            "command": "str_replace",
            "path": p(sandbox, "keep.txt"),
            "old_str": "two",
            "new_str": "TWO",
        }
    )
    diff = sandbox.diff()
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == ["-two", "+TWO"]


def test_mistakes_are_tool_errors(sandbox: Sandbox, editor: EditorTool) -> None:
    with pytest.raises(ToolError, match="not absolute"):
        editor({"command": "view", "path": "keep.txt"})
    with pytest.raises(ToolError, match="does not exist"):
        editor({"command": "view", "path": p(sandbox, "nope.txt")})
    with pytest.raises(ToolError, match="unknown command"):
        editor({"command": "undo", "path": p(sandbox, "keep.txt")})
    with pytest.raises(ToolError, match="old_str"):
        editor({"command": "str_replace", "path": p(sandbox, "keep.txt")})
