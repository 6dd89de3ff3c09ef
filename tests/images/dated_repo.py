"""A git repository whose commits carry chosen dates, for the thin-image tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(cwd: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


class DatedRepo:
    """A repository under construction: each :meth:`commit` writes files at a date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    def commit(self, when: str, files: dict[str, str], message: str = "") -> str:
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-qm", message or f"commit of {when}", when=when)
        return git(self.path, "rev-parse", "HEAD")

    def tag(self, name: str, commit: str, when: str, annotated: bool = True) -> None:
        args = ["tag", "-a", "-m", name] if annotated else ["tag"]
        git(self.path, *args, name, commit, when=when)

    def objects(self, *tips: str, but: tuple[str, ...] = ()) -> set[str]:
        """Every object reachable from ``tips`` and from none of ``but``."""
        out = git(self.path, "rev-list", "--objects", *tips, *(f"^{b}" for b in but))
        return {line.split()[0] for line in out.splitlines()}


def years_of_history(path: Path) -> tuple[DatedRepo, dict[str, str]]:
    """Three years of a small project, with a side branch merged in 2021 and a release
    tag; returns the repository and its commits by name."""
    repo = DatedRepo(path)
    c: dict[str, str] = {}
    c["2020a"] = repo.commit("2020-03-01T12:00:00Z", {"src/app.py": "v = 1\n", "README": "x\n"})
    c["2020b"] = repo.commit("2020-11-01T12:00:00Z", {"src/app.py": "v = 2\n"})
    git(repo.path, "checkout", "-q", "-b", "side")
    c["side"] = repo.commit("2020-12-20T12:00:00Z", {"src/side.py": "s = 1\n"})
    git(repo.path, "checkout", "-q", "main")
    c["2021a"] = repo.commit("2021-02-01T12:00:00Z", {"src/app.py": "v = 3\n"})
    git(repo.path, "merge", "-q", "--no-ff", "-m", "merge", "side", when="2021-03-01T12:00:00Z")
    c["merge"] = git(repo.path, "rev-parse", "HEAD")
    c["2021b"] = repo.commit("2021-09-01T12:00:00Z", {"src/app.py": "v = 4\n"})
    repo.tag("v1.0", c["2021b"], "2021-09-02T12:00:00Z")
    c["2022a"] = repo.commit("2022-02-01T12:00:00Z", {"src/app.py": "v = 5\n", "big.txt": "b\n"})
    c["2022b"] = repo.commit("2022-05-01T12:00:00Z", {"src/app.py": "v = 6\n"})
    c["2022c"] = repo.commit("2022-06-01T12:00:00Z", {"src/app.py": "v = 7\n"})
    repo.tag("v2.0", c["2022c"], "2022-06-02T12:00:00Z")
    c["2023a"] = repo.commit("2023-01-10T12:00:00Z", {"src/app.py": "v = 8 # the future\n"})
    return repo, c
