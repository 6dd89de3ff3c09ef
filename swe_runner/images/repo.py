"""Host-side git: materialise a repository source and export it cut at a base commit.

A *source* is a git repository (a working clone or a bare one) or a *patch series*: a
folder of ``git format-patch`` files, which is how the demo suite keeps its repositories
as reviewable text. A series is replayed with a fixed committer identity and the author's
dates, so its commit ids are the same on every machine.

:func:`export_at_commit` writes a fresh repository holding the base commit and its
ancestors only: one branch, the tags on those ancestors made no later than the base commit
(versions computed from tags, as setuptools_scm does, come out right), no remotes, reflog or
unreachable objects.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import git

from swe_runner.errors import RepoError

__all__ = [
    "SERIES_COMMITTER",
    "build_from_series",
    "commit_date",
    "export_at_commit",
    "file_at",
    "git_in",
    "is_patch_series",
    "kept_tags",
    "locate",
    "materialize",
    "obtain",
    "series_commits",
]

GITHUB = "https://github.com/{repo}.git"

SERIES_COMMITTER = ("swe-runner demo", "demo@swe-runner.invalid")

# Settings that keep a user's global git config from changing what we produce.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_COMMITTER_NAME": SERIES_COMMITTER[0],
    "GIT_COMMITTER_EMAIL": SERIES_COMMITTER[1],
}
_GIT_OPTS = [
    "-c",
    "core.autocrlf=false",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "core.hooksPath=/dev/null",
]


def git_in(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; raise :class:`RepoError` with git's own message on failure."""
    try:
        return str(
            git.Git(str(cwd)).execute(["git", *_GIT_OPTS, *args], env={**os.environ, **_GIT_ENV})
        )
    except git.GitCommandError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()
        raise RepoError(
            f"git {' '.join(args[:2])} failed in {cwd}: {detail[-1] if detail else exc}"
        ) from exc


def is_patch_series(path: Path) -> bool:
    """True for a folder of ``*.patch`` files that is not itself a git repository."""
    return path.is_dir() and not (path / ".git").exists() and any(path.glob("*.patch"))


def _series_files(series: Path) -> list[Path]:
    return sorted(series.glob("*.patch"))


def build_from_series(series: Path, dest: Path) -> Path:
    """Replay a ``format-patch`` series into a new repository at ``dest``.

    Raises:
        RepoError: the series is empty or a patch does not apply.
    """
    patches = _series_files(series)
    if not patches:
        raise RepoError(f"{series}: no *.patch files to build a repository from")
    dest.mkdir(parents=True)
    git_in(dest, "init", "-q", "-b", "main")
    for patch in patches:
        git_in(
            dest, "am", "-q", "--committer-date-is-author-date", "--keep-cr", str(patch.resolve())
        )
    return dest


def series_commits(repo: Path) -> list[tuple[str, str]]:
    """(commit id, subject) of every commit on HEAD, oldest first."""
    out = git_in(repo, "log", "--reverse", "--format=%H %s")
    return [(line[:40], line[41:]) for line in out.splitlines() if line]


def _series_digest(series: Path) -> str:
    digest = hashlib.sha256()
    for patch in _series_files(series):
        digest.update(patch.name.encode() + b"\0" + patch.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def materialize(source: Path, cache_dir: Path) -> Path:
    """Return a local git repository for ``source``, building a patch series once into the cache.

    Raises:
        RepoError: the source does not exist or is neither a repository nor a series.
    """
    if not source.exists():
        raise RepoError(f"repository source {source} does not exist")
    if not is_patch_series(source):
        try:
            git.Repo(str(source))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RepoError(f"{source} is neither a git repository nor a patch series") from None
        return source
    target = cache_dir / "series" / f"{source.name}-{_series_digest(source)}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
    try:
        build_from_series(source, scratch / "repo")
        try:
            (scratch / "repo").rename(target)
        except OSError:
            if not target.exists():  # lost a race to another worker: theirs is identical
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _is_url(source: str) -> bool:
    return "://" in source or source.startswith("git@")


def locate(
    name: str, explicit: Mapping[str, str], mirror_dir: Path | None, hint: Path | None = None
) -> str:
    """Where repository ``name`` (``owner/name``) comes from, first match wins: an explicit
    ``--repo-source``, the suite's own source (``hint``), a clone in ``mirror_dir`` (named
    ``owner__name`` or ``owner/name``, optionally ending in ``.git``, bare or not), GitHub.
    """
    if name in explicit:
        return explicit[name]
    if hint is not None:
        return str(hint)
    if mirror_dir is not None:
        owner, _, short = name.partition("/")
        for stem in (f"{owner}__{short}", name):
            for candidate in (mirror_dir / stem, mirror_dir / f"{stem}.git"):
                if candidate.is_dir():
                    return str(candidate)
    return GITHUB.format(repo=name)


def obtain(source: str, commit: str, cache_dir: Path) -> Path:
    """A local git repository holding ``commit``, for a path or URL ``source``.

    A URL is cloned once (bare) into ``cache_dir/repos/`` and shared by every instance of
    the repository; a later commit it lacks is fetched. A local path is used in place (a
    patch series is built once into the cache).

    Raises:
        RepoError: the source is unreachable or not a repository, or lacks ``commit``.
    """
    if not _is_url(source):
        local = materialize(Path(source), cache_dir)
    else:
        local = _cached_clone(source, cache_dir)
        if not _has_commit(local, commit):
            with _clone_lock(local):
                git_in(local, "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*", "--tags")
    if not _has_commit(local, commit):
        raise RepoError(f"base commit {commit} is not in repository {source}")
    return local


def _has_commit(local: Path, commit: str) -> bool:
    try:
        git_in(local, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    except RepoError:
        return False
    return True


@contextmanager
def _clone_lock(target: Path) -> Iterator[None]:
    """One clone or fetch of a repository at a time, across threads and processes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cached_clone(url: str, cache_dir: Path) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "__", url.split("://", 1)[-1]).strip("_")
    target = (
        cache_dir / "repos" / f"{slug[:120]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.git"
    )
    with _clone_lock(target):
        if not (target / "HEAD").is_file():
            scratch = target.with_name(f".{target.name}.partial")
            shutil.rmtree(scratch, ignore_errors=True)
            try:
                git_in(target.parent, "clone", "-q", "--bare", url, str(scratch))
            except RepoError as exc:
                shutil.rmtree(scratch, ignore_errors=True)
                raise RepoError(f"cannot clone {url}: {exc}") from None
            scratch.rename(target)
    return target


def export_at_commit(source: Path, commit: str, dest: Path) -> str:
    """Write at ``dest`` a repository whose only history is ``commit`` and its ancestors,
    with the tags :func:`kept_tags` keeps.

    The work tree is checked out at ``commit`` on branch ``main``. Returns the full commit id.

    Raises:
        RepoError: the commit is not in ``source`` or git fails.
    """
    try:
        full = git_in(source, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    except RepoError:
        raise RepoError(f"base commit {commit} is not in repository {source}") from None
    dest.mkdir(parents=True, exist_ok=False)
    git_in(dest, "init", "-q", "-b", "main")
    tags = [f"{ref}:{ref}" for ref in kept_tags(source, full)]
    git_in(
        source,
        "push",
        "-q",
        "--no-verify",
        str(dest.resolve()),
        f"{full}:refs/heads/_import",
        *tags,
    )
    git_in(dest, "update-ref", "refs/heads/main", full)
    git_in(dest, "reset", "-q", "--hard", "main")
    git_in(dest, "update-ref", "-d", "refs/heads/_import")
    git_in(dest, "reflog", "expire", "--expire=now", "--all")
    git_in(dest, "gc", "-q", "--prune=now")
    for leftover in ("ORIG_HEAD", "FETCH_HEAD", "logs"):
        path = dest / ".git" / leftover
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return full


def kept_tags(source: Path, commit: str) -> list[str]:
    """The tags of ``source`` on ``commit`` or its ancestors, made no later than ``commit``.

    The official harness keeps the tags older than the base commit (setuptools_scm
    versions depend on them) and deletes later ones. Only tags reachable from the commit
    are kept here (``git describe`` sees no others), so no other branch's commits come
    along; an annotated tag made after the commit (a later release named on an old
    commit) is dropped, as the official harness drops it.
    """
    when = int(git_in(source, "show", "-s", "--format=%ct", commit))
    listing = git_in(
        source,
        "for-each-ref",
        "--merged",
        commit,
        "--format=%(refname) %(creatordate:unix)",
        "refs/tags",
    )
    kept = []
    for line in listing.splitlines():
        ref, _, made = line.rpartition(" ")
        if ref and made.isdigit() and int(made) <= when:
            kept.append(ref)
    return kept


def commit_date(local: Path, commit: str) -> datetime | None:
    """The committer date of ``commit`` in ``local`` (UTC), or None when it is not there."""
    try:
        stamp = git_in(local, "show", "-s", "--format=%ct", f"{commit}^{{commit}}")
    except RepoError:
        return None
    return datetime.fromtimestamp(int(stamp), tz=UTC)


def file_at(local: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit`` in ``local``, or None when it does not exist."""
    try:
        return git_in(local, "show", f"{commit}:{path}")
    except RepoError:
        return None
