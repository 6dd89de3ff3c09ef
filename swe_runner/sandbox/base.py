"""The sandbox seam: where an agent's commands run and its files live.

Every implementation passes ``tests/sandbox/test_conformance.py``. Paths are POSIX paths
inside the sandbox; relative ones are relative to :attr:`Sandbox.workdir`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from swe_runner.errors import ContainerError
from swe_runner.sandbox.result import ExecResult
from swe_runner.sandbox.shell import ShellSession

__all__ = [
    "JUNK_PATTERNS",
    "ExecResult",
    "Sandbox",
    "diff_command",
    "snapshot",
    "snapshot_command",
    "worktree_diff",
]

# Build junk left by running code: never part of an agent's patch (git pathspec globs).
JUNK_PATTERNS = (
    "**/__pycache__/**",
    "**/*.pyc",
    "**/*.pyo",
    "**/*.egg-info/**",
    "**/.pytest_cache/**",
    "**/.mypy_cache/**",
    "**/.ruff_cache/**",
    "**/.tox/**",
    "**/.eggs/**",
)


def _scratch_tree(start: str) -> str:
    """Shell lines leaving, in a scratch index ``$idx``, the work tree as git would commit
    it on top of ``start`` (a commit or a tree): new, changed and deleted files, build junk
    (:data:`JUNK_PATTERNS`) kept as ``start`` has it. No stat data is trusted: every file is
    compared by content, so an edit that keeps a file's size within the second the index
    was written (git's "racy" case) is still seen. The agent's own index is not touched."""
    excludes = " ".join(f"':(exclude,glob){p}'" for p in JUNK_PATTERNS)
    return (
        'set -e; idx=$(mktemp); trap \'rm -f "$idx" "$idx.log"\' EXIT; '
        f'GIT_INDEX_FILE="$idx" git read-tree {start}; '
        # git's warnings (line endings, embedded repositories) must not land in the output
        f'GIT_INDEX_FILE="$idx" git add -A -- . {excludes} 2>"$idx.log" '
        '|| { cat "$idx.log"; exit 1; }; '
    )


def snapshot_command() -> str:
    """Shell commands printing the id of a git tree holding the work tree as it is now:
    tracked files with their uncommitted edits and the files git does not ignore but does
    not track (build output, a setup's leftovers), build junk aside. The objects are
    written into the repository, nothing else changes."""
    return _scratch_tree("HEAD") + 'GIT_INDEX_FILE="$idx" git write-tree'


def diff_command(start: str) -> str:
    """Shell commands printing the work tree's diff against ``start`` (a commit, or a tree
    from :func:`snapshot_command`): new, deleted and binary files (``--binary`` keeps them
    applicable), build junk left out."""
    return (
        _scratch_tree(start)
        + f'GIT_INDEX_FILE="$idx" git diff --cached --binary --no-color --no-ext-diff {start}'
    )


class Sandbox(Protocol):
    """A repository checked out at its base commit, and a way to run commands beside it."""

    workdir: str
    # What :meth:`diff` is taken against: a commit, or (an agent's sandbox) a tree holding
    # the work tree as it was when the agent started (:func:`snapshot`).
    start: str

    def exec(
        self,
        command: str,
        timeout: float = 60.0,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        """Run ``command`` with bash in :attr:`workdir`; kill it after ``timeout`` seconds.
        ``env`` adds variables to this command's environment only."""
        ...

    def read_file(self, path: str) -> bytes:
        """The file's bytes. Raises FileNotFoundError, IsADirectoryError."""
        ...

    def write_file(self, path: str, data: bytes) -> None:
        """Create or replace the file (parents created)."""
        ...

    def write_files(self, files: Mapping[str, bytes]) -> None:
        """Create or replace several files (parents created), in one round trip where the
        sandbox can: an evaluation writes its script and inputs this way."""
        ...

    def diff(self) -> str:
        """``git diff`` of the work tree against :attr:`start`: new, deleted and binary
        files included, build junk excluded. Does not disturb the git index."""
        ...

    def open_shell(self) -> ShellSession:
        """A new persistent bash session in :attr:`workdir`."""
        ...

    def limit_reached(self) -> str | None:
        """Why the sandbox was stopped for a resource limit its runtime keeps from outside
        (a full disk), if it was; watching stops."""
        ...

    def close(self) -> None:
        """Release everything (idempotent)."""
        ...


def worktree_diff(sandbox: Sandbox) -> str:
    """What every :meth:`Sandbox.diff` returns, computed with the sandbox's own ``exec``.

    Raises:
        ContainerError: git failed.
    """
    result = sandbox.exec(diff_command(sandbox.start), timeout=300)
    if result.exit_code != 0:
        raise ContainerError(f"git diff failed in the sandbox: {result.text[-500:]}")
    return result.text


def snapshot(sandbox: Sandbox) -> str:
    """The id of a git tree holding ``sandbox``'s work tree as it is now
    (:func:`snapshot_command`): taken before an agent acts, it is what the agent's patch is
    taken against, so files already untracked or edited at its start (build output, the
    setup's own edits) are in the patch only when the agent changed them.

    Raises:
        ContainerError: git failed (the work tree is no repository...).
    """
    result = sandbox.exec(snapshot_command(), timeout=300)
    tree = result.text.strip()
    if result.exit_code != 0 or len(tree) not in (40, 64):
        raise ContainerError(f"snapshot of the work tree failed: {result.text[-500:]}")
    return tree
