"""Pure helpers over unified diffs (unidiff), used by evaluation and the loaders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

__all__ = [
    "APPLY_STEPS",
    "TEST_CONFIG_NAMES",
    "FileChange",
    "apply_function",
    "changes",
    "is_empty",
    "refusal",
    "test_config_paths",
    "test_files",
    "unsafe_paths",
]

_DIFF_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)

# Files that steer how tests are collected or run. The evaluator owns them: a patch's
# changes to them are reverted before the hidden tests run, and flagged in the report.
TEST_CONFIG_NAMES = frozenset(
    {
        "conftest.py",
        "pytest.ini",
        ".pytest.ini",
        "tox.ini",
        "setup.cfg",
        "pyproject.toml",
        "sitecustomize.py",
        "usercustomize.py",
        "noxfile.py",
    }
)


@dataclass(frozen=True)
class FileChange:
    """One file a diff touches. ``path`` is where it ends up (or was, if deleted)."""

    path: str
    source: str | None  # None when the diff creates the file
    target: str | None  # None when the diff deletes the file


def _strip(path: str) -> str | None:
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def changes(diff: str) -> list[FileChange]:
    """Every file ``diff`` touches, in order. Binary and rename-only entries included."""
    try:
        patch = PatchSet(diff)
    except UnidiffParseError:
        patch = None
    if patch is not None and (len(patch) or not diff.strip()):
        out = []
        for pf in patch:
            src = None if pf.is_added_file else _strip(pf.source_file)
            tgt = None if pf.is_removed_file else _strip(pf.target_file)
            out.append(FileChange(path=tgt or src or pf.path, source=src, target=tgt))
        return out
    # unidiff could not read it (e.g. some binary forms): fall back to the git headers.
    return [FileChange(path=b, source=a, target=b) for a, b in _DIFF_GIT.findall(diff)]


def is_empty(diff: str | None) -> bool:
    """True when the diff changes nothing."""
    return not (diff or "").strip()


# Data files a test patch may add that are not tests to run (as the official harness has it).
_NOT_TESTS = (
    ".json",
    ".png",
    ".csv",
    ".txt",
    ".md",
    ".jpg",
    ".jpeg",
    ".pkl",
    ".yml",
    ".yaml",
    ".toml",
)


def test_files(test_patch: str, selection: str = "files") -> list[str]:
    """What to hand to the test command: the files the test patch leaves in place, data
    files left out; with ``selection="modules"`` as dotted module names below ``tests/``
    (Django's runner: ``tests/a/b.py`` -> ``a.b``); with ``"none"``, nothing."""
    if selection == "none":
        return []
    files = [
        c.target
        for c in changes(test_patch)
        if c.target is not None and not c.target.endswith(_NOT_TESTS)
    ]
    if selection != "modules":
        return files
    modules = []
    for path in files:
        path = path.removesuffix(".py")
        modules.append(path.removeprefix("tests/").replace("/", "."))
    return modules


def test_config_paths(diff: str) -> list[str]:
    """Paths in ``diff`` that configure test collection or the interpreter (flagged, reverted)."""
    out = []
    for change in changes(diff):
        for path in {change.source, change.target} - {None}:
            name = PurePosixPath(str(path)).name
            if (name in TEST_CONFIG_NAMES or name.endswith(".pth")) and path not in out:
                out.append(str(path))
    return out


def unsafe_paths(diff: str) -> list[str]:
    """Paths that would land outside the repository (absolute or with ``..``)."""
    bad = []
    for change in changes(diff):
        for path in (change.source, change.target):
            if path and (path.startswith("/") or ".." in PurePosixPath(path).parts):
                bad.append(path)
    return bad


def refusal(diff: str) -> str | None:
    """Why ``diff`` must not be applied at all, or None.

    A binary file changed without its contents (``Binary files a/x and b/x differ``, as
    ``git diff`` without ``--binary`` writes) is no reason: the official chain applies such
    a patch with GNU patch, which writes the file empty, and grades it (an agent's stray
    data file, say), so it is applied here the same way."""
    outside = unsafe_paths(diff)
    if outside:
        return f"patch writes outside the repository: {outside[0]}"
    return None


# How a patch is applied: the official harness's tries (SWE-bench 5.x GIT_APPLY_CMDS), in
# its order, the tree put back between tries (a failed --reject leaves hunks behind), and
# then its check that the chain did not leave the patch applied after all. The step that
# worked is recorded.
APPLY_STEPS = (
    ("git apply", "git apply --verbose"),
    ("git apply --3way", "git apply --verbose --3way"),
    ("git apply --reject", "git apply --verbose --reject"),
    ("patch --fuzz=5", "patch --batch --forward --fuzz=5 -p1 -i"),
)
RESET_BETWEEN_TRIES = "git checkout -- . ; git clean -fd"
ALREADY_APPLIED = ("verified already applied", "git apply --check --reverse")


# The paths of the binary files a patch changes without their contents, as bash options
# of git apply: no check can see those contents.
_BLIND_EXCLUDES = (
    "mapfile -t blind < <(sed -n"
    " -e 's|^Binary files a/\\(.*\\) and /dev/null differ$|--exclude=\\1|p'"
    " -e 's|^Binary files .* and b/\\(.*\\) differ$|--exclude=\\1|p' \"$1\")"
)


def apply_function(name: str, ok_message: str, start_committed: bool = False) -> str:
    """A bash function ``name PATCHFILE`` applying a patch as the official harness does
    (:data:`APPLY_STEPS`); on success it prints ``ok_message <step>`` and returns 0, else
    returns 1.

    ``start_committed``: the tree's start (the setup's edits) is committed, so the resets
    between tries keep edits that the official reset drops. A patch that carries such an
    edit (an agent's ``git diff`` in an official image does) and that only the last try
    can apply (a binary file without its contents stops git apply) then finds that file's
    hunks there already, where the official last try, on the tree without them, applies
    them: the final check that the patch is there then leaves out the binary files changed
    without contents, which no check can see, so such a patch counts as applied, as it does
    officially."""
    lines = [f"{name}() {{"]
    for index, (step, command) in enumerate(APPLY_STEPS):
        if index:
            lines.append(f"  {RESET_BETWEEN_TRIES}")
        lines.append(f'  if {command} "$1"; then echo "{ok_message} {step}"; return 0; fi')
        lines.append(f'  echo "Failed to apply patch to container: {command}"')
    step, command = ALREADY_APPLIED
    if start_committed:
        lines.append(f"  {_BLIND_EXCLUDES}")
        command += ' "${blind[@]}"'
    lines.append(f'  if {command} "$1"; then echo "{ok_message} {step}"; return 0; fi')
    return "\n".join([*lines, "  return 1", "}"])
