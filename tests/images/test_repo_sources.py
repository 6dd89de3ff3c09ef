"""Where repositories come from: explicit sources, mirrors, URLs cloned once into a cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from swe_runner.errors import RepoError
from swe_runner.images import repo


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def make_repo(path: Path, commits: int = 1) -> list[str]:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    ids = []
    for n in range(commits):
        (path / "f.txt").write_text(f"{n}\n")
        git(path, "add", "-A")
        git(path, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", f"c{n}")
        ids.append(git(path, "rev-parse", "HEAD"))
    return ids


def test_locate_order_explicit_then_suite_then_mirror_then_github(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "acme__widgets").mkdir(parents=True)
    (mirror / "other" / "gizmo.git").mkdir(parents=True)
    explicit = {"acme/widgets": "https://example.org/w.git"}
    hint = tmp_path / "series"
    assert repo.locate("acme/widgets", explicit, mirror, hint) == "https://example.org/w.git"
    assert repo.locate("acme/widgets", {}, mirror, hint) == str(hint)
    assert repo.locate("acme/widgets", {}, mirror) == str(mirror / "acme__widgets")
    assert repo.locate("other/gizmo", {}, mirror) == str(mirror / "other" / "gizmo.git")
    assert repo.locate("nobody/here", {}, mirror) == "https://github.com/nobody/here.git"


def test_a_url_is_cloned_once_and_fetched_when_a_commit_is_new(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    first, *_ = make_repo(upstream)
    cache = tmp_path / "cache"
    url = f"file://{upstream}"
    local = repo.obtain(url, first, cache)
    assert (
        local.parent == cache / "repos"
        and git(local, "rev-parse", "--is-bare-repository") == "true"
    )
    (upstream / "f.txt").write_text("later\n")
    git(upstream, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam", "later")
    later = git(upstream, "rev-parse", "HEAD")
    assert repo.obtain(url, later, cache) == local  # same clone, fetched
    assert len(list((cache / "repos").glob("*.git"))) == 1


def test_a_bare_mirror_clone_is_used_in_place(tmp_path: Path) -> None:
    (commit,) = make_repo(tmp_path / "work")
    bare = tmp_path / "mirror" / "acme__widgets.git"
    git(tmp_path, "clone", "-q", "--bare", str(tmp_path / "work"), str(bare))
    where = repo.locate("acme/widgets", {}, tmp_path / "mirror")
    assert repo.obtain(where, commit, tmp_path / "cache") == bare
    out = tmp_path / "export"
    assert repo.export_at_commit(bare, commit, out) == commit
    assert (out / "f.txt").read_text() == "0\n"


def test_unreachable_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="cannot clone file:///nowhere/at/all"):
        repo.obtain("file:///nowhere/at/all", "a" * 40, tmp_path / "cache")
    assert not list((tmp_path / "cache" / "repos").glob("*.git"))  # no half clone kept


def test_base_commit_absent_from_the_clone_is_a_clear_error(tmp_path: Path) -> None:
    make_repo(tmp_path / "upstream")
    with pytest.raises(RepoError, match=f"base commit {'b' * 40} is not in repository"):
        repo.obtain(f"file://{tmp_path / 'upstream'}", "b" * 40, tmp_path / "cache")
    with pytest.raises(RepoError, match="is not in repository"):
        repo.obtain(str(tmp_path / "upstream"), "b" * 40, tmp_path / "cache")


def test_export_keeps_the_tags_before_the_base_and_nothing_later(tmp_path: Path) -> None:
    # Regression: every tag was dropped, so setuptools_scm projects (pytest, astropy...)
    # installed as 0.1.devN and failed their own version checks.
    src = tmp_path / "src"
    src.mkdir()
    git(src, "init", "-q", "-b", "main")

    def at(day: int, *args: str) -> str:
        when = f"2020-01-{day:02d}T12:00:00Z"
        env = {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when, "PATH": "/usr/bin:/bin"}
        opts = ["-c", "user.name=t", "-c", "user.email=t@e"]
        done = subprocess.run(
            ["git", *opts, *args], cwd=src, env=env, check=True, text=True, capture_output=True
        )
        return done.stdout.strip()

    for day in (1, 2, 3):
        (src / "f.txt").write_text(f"{day}\n")
        git(src, "add", "-A")
        at(day, "commit", "-qm", f"c{day}")
        at(day, "tag", "-a", f"v{day}", "-m", f"release {day}")
    first = git(src, "rev-list", "--max-parents=0", "HEAD")
    base = git(src, "rev-parse", "HEAD~1")
    at(2, "tag", "light", first)  # lightweight, on an ancestor
    at(9, "tag", "-a", "named-later", "-m", "made after the base", first)
    at(2, "checkout", "-q", "-b", "side", first)
    at(2, "commit", "-q", "--allow-empty", "-m", "side work")
    at(2, "tag", "side-tag")
    out = tmp_path / "export"
    repo.export_at_commit(src, base, out)
    assert set(git(out, "tag").split()) == {"v1", "v2", "light"}
    assert git(out, "describe", "--tags") == "v2"
    assert git(out, "rev-list", "--all").split() == git(out, "rev-list", "HEAD").split()
