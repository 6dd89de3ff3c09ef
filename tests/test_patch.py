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


def test_a_binary_file_without_its_contents_is_refused() -> None:
    blind = (
        "diff --git a/img/logo.png b/img/logo.png\nnew file mode 100644\nindex 0000000..c2532a7\n"
        "Binary files /dev/null and b/img/logo.png differ\n"
    )
    assert patch.contentless_binaries(blind) == ["img/logo.png"]
    assert "binary file img/logo.png without its contents" in (patch.refusal(blind) or "")
    assert patch.refusal("--- /dev/null\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n") == (
        "patch writes outside the repository: ../x"
    )
    assert patch.refusal(DIFF) is None
