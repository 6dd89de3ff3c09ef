from swe_runner import patch

DIFF = """\
diff --git a/pkg/core.py b/pkg/core.py
index 1111111..2222222 100644
--- a/pkg/core.py
+++ b/pkg/core.py
@@ -1,2 +1,2 @@
-x = 1
+x = 2
 y = 3
diff --git a/tests/conftest.py b/tests/conftest.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/tests/conftest.py
@@ -0,0 +1 @@
+import pytest
diff --git a/old.txt b/old.txt
deleted file mode 100644
index 4444444..0000000
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-gone
"""


def test_changes_lists_modified_new_and_deleted_files() -> None:
    got = [(c.path, c.source, c.target) for c in patch.changes(DIFF)]
    assert got == [
        ("pkg/core.py", "pkg/core.py", "pkg/core.py"),
        ("tests/conftest.py", None, "tests/conftest.py"),
        ("old.txt", "old.txt", None),
    ]


def test_test_files_skip_deleted_ones() -> None:
    assert patch.test_files(DIFF) == ["pkg/core.py", "tests/conftest.py"]


def test_conftest_is_test_configuration() -> None:
    assert patch.test_config_paths(DIFF) == ["tests/conftest.py"]


def test_binary_patch_falls_back_to_git_headers() -> None:
    binary = (
        "diff --git a/img.png b/img.png\nnew file mode 100644\nGIT binary patch\n"
        "literal 3\nKcmZQz\n\nliteral 0\nHcmV?d00001\n\n"
    )
    assert [c.path for c in patch.changes(binary)] == ["img.png"]


def test_path_traversal_is_unsafe() -> None:
    evil = DIFF.replace("pkg/core.py", "../outside.py")
    assert "../outside.py" in patch.unsafe_paths(evil)
    assert patch.unsafe_paths(DIFF) == []


def test_empty() -> None:
    assert patch.is_empty(None) and patch.is_empty("  \n") and not patch.is_empty(DIFF)


def test_only_a_patch_writing_outside_the_repository_is_refused() -> None:
    assert patch.refusal("--- /dev/null\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n") == (
        "patch writes outside the repository: ../x"
    )
    assert patch.refusal(DIFF) is None


def _applied(tmp_path, diff: str, committed: bool = False) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Apply ``diff`` with the evaluation's own function in a fresh repository; with
    ``committed``, its line 5 edited by a "setup" that is committed, as the evaluation
    commits the image's start."""
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("".join(f"line {n}\n" for n in range(1, 21)))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "PATH": "/usr/bin:/bin"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    if committed:
        (repo / "a.py").write_text(
            (repo / "a.py").read_text().replace("line 5\n", "line 5 set up\n")
        )
        subprocess.run(["git", "commit", "-qam", "start"], cwd=repo, env=env, check=True)
    (tmp_path / "p.diff").write_text(diff)
    function = patch.apply_function("apply", "APPLIED", start_committed=committed)
    script = f"{function}\napply {tmp_path / 'p.diff'}"
    done = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True)
    return done.stdout, (repo / "a.py").read_text()


def test_a_patch_only_fuzz_applies_goes_through_the_official_chain_to_a_clean_result(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    # A context line that differs from the file: git apply (every mode) refuses, the
    # --reject try leaves nothing behind (the tree is put back), patch --fuzz applies it.
    diff = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -9,5 +9,5 @@\n"
        " line 9\n line 10\n-line 11\n+line eleven\n line 12\n line 13 (edited upstream)\n"
    )
    out, text = _applied(tmp_path, diff)
    assert "APPLIED patch --fuzz=5" in out
    assert "Failed to apply patch to container: git apply --verbose --reject" in out
    assert "line eleven\n" in text and "line 11\n" not in text
    assert not list((tmp_path / "repo").glob("*.rej"))


def test_a_patch_that_cannot_apply_fails(tmp_path) -> None:  # type: ignore[no-untyped-def]
    diff = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n"
        "-nothing like this\n+at all\n another\n"
    )
    out, text = _applied(tmp_path, diff)
    assert "APPLIED" not in out and text.startswith("line 1\n")


def test_a_binary_file_without_its_contents_applies_empty_as_officially(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    # astropy-13236's published patch: a fix plus a data file the agent left, diffed
    # without --binary. git apply refuses it; GNU patch applies the fix and writes the
    # file empty; the official harness grades it (resolved).
    diff = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n"
        "-line 1\n+line one\n line 2\n"
        "diff --git a/test.fits b/test.fits\nnew file mode 100644\nindex 000000000..672041e2b\n"
        "Binary files /dev/null and b/test.fits differ\n"
    )
    assert patch.refusal(diff) is None
    out, text = _applied(tmp_path, diff)
    assert "Failed to apply patch to container: git apply --verbose\n" in out
    assert "APPLIED patch --fuzz=5" in out
    assert text.startswith("line one\nline 2\n")
    assert (tmp_path / "repo" / "test.fits").read_bytes() == b""


SETUP_EDIT = "@@ -3,5 +3,5 @@\n line 3\n line 4\n-line 5\n+line 5 set up\n line 6\n line 7\n"
BINARY = (
    "diff --git a/test.fits b/test.fits\nnew file mode 100644\nindex 000000000..672041e2b\n"
    "Binary files /dev/null and b/test.fits differ\n"
)


def test_a_patch_carrying_the_committed_setup_edit_applies_as_officially(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    # astropy-13236's published patch: the setup's sed on pyproject.toml (in the agent's
    # diff, as official images leave it uncommitted), a fix in other files, a stray binary
    # file. git apply refuses the binary; the official reset drops the setup edit, so its
    # last try (GNU patch) applies all; here the start is committed, GNU patch skips the
    # file whose hunks are there already, and the final check finds the patch there.
    fix = "diff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n"
    fix += "@@ -0,0 +1 @@\n+fixed = True\n"
    diff = f"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n{SETUP_EDIT}{fix}{BINARY}"
    out, text = _applied(tmp_path, diff, committed=True)
    assert "APPLIED verified already applied" in out
    assert "line 5 set up\n" in text
    assert (tmp_path / "repo" / "new.py").read_text() == "fixed = True\n"
    (tmp_path / "plain").mkdir()
    out, _ = _applied(tmp_path / "plain", diff)  # the official chain, start not committed
    assert "APPLIED patch --fuzz=5" in out


def test_a_file_of_hunks_there_already_and_new_ones_is_skipped_whole(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    # GNU patch --forward skips a file whose first hunk is there already, all of it; the
    # official last try, on the tree without the setup's edit, would apply both hunks
    # (docs/fidelity.md: a difference that remains).
    fix = "@@ -14,3 +14,3 @@\n line 14\n-line 15\n+line fifteen\n line 16\n"
    diff = f"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n{SETUP_EDIT}{fix}{BINARY}"
    out, text = _applied(tmp_path, diff, committed=True)
    assert "APPLIED" not in out
    assert "line fifteen" not in text
