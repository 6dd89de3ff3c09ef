"""The embedded demo suite is sound, checked on the host without docker.

For every instance of ``tasks/demo``: the repository is rebuilt from its patch series and
exported at the base commit; the hidden tests must fail there (FAIL_TO_PASS) or pass
(PASS_TO_PASS), and all of them must pass once the gold patch is applied. The tests run
the way the harness runs them: ``python -m pytest -rA -p no:cacheprovider <test files>``
from the repository root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from unidiff.patch import PatchSet

from swe_runner.images import repo

SUITE = Path(__file__).resolve().parents[2] / "tasks" / "demo"
INSTANCES = sorted(p.name for p in (SUITE / "instances").iterdir() if p.is_dir())
REQUIRED_KEYS = {
    "repo": str,
    "base_commit": str,
    "version": str,
    "created_at": str,
    "difficulty": str,
    "hints_text": str,
    "FAIL_TO_PASS": list,
    "PASS_TO_PASS": list,
}
TEST_CMD = [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider"]
_SUMMARY_LINE = re.compile(r"^(PASSED|FAILED|ERROR) (\S+)")


def suite_meta() -> dict[str, Any]:
    return tomllib.loads((SUITE / "suite.toml").read_text(encoding="utf-8"))


def task_meta(instance: str) -> dict[str, Any]:
    return tomllib.loads((SUITE / "instances" / instance / "task.toml").read_text(encoding="utf-8"))


def diff_text(instance: str, name: str) -> str:
    return (SUITE / "instances" / instance / name).read_text(encoding="utf-8")


def touched(diff: str) -> list[str]:
    """Paths a diff touches (where they end up; the old path for a deletion)."""
    paths = []
    for patched in PatchSet(diff):
        path = patched.target_file if not patched.is_removed_file else patched.source_file
        paths.append(path[2:] if path[:2] in ("a/", "b/") else path)
    return paths


def hidden_test_files(instance: str) -> list[str]:
    """The files handed to the test command: those test.diff leaves in place."""
    return [
        (p.target_file[2:] if p.target_file.startswith("b/") else p.target_file)
        for p in PatchSet(diff_text(instance, "test.diff"))
        if not p.is_removed_file
    ]


def run_hidden_tests(work: Path, files: list[str]) -> dict[str, str]:
    """Run the hidden test files as the harness does; test id -> PASSED/FAILED/ERROR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    # Third-party plugins of the host must not change the outcome: the task
    # environments have plain pytest.
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [*TEST_CMD, *files], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    status: dict[str, str] = {}
    for line in done.stdout.splitlines():
        match = _SUMMARY_LINE.match(line)
        if match:
            status.setdefault(match.group(2), match.group(1))
    assert status, f"no test results in pytest output:\n{done.stdout}\n{done.stderr}"
    return status


def git_apply(work: Path, diff: Path) -> None:
    done = subprocess.run(["git", "apply", str(diff)], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, f"{diff} does not apply: {done.stderr}"


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Repository name (owner/name) -> repository built from its series, once per module."""
    cache = tmp_path_factory.mktemp("demo-cache")
    sources = {name: SUITE / entry["source"] for name, entry in suite_meta()["repos"].items()}
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = repo.materialize(sources[name], cache)
        return built[name]

    return get


@pytest.fixture
def export(materialized: Callable[[str], Path], tmp_path: Path) -> Callable[[str], Path]:
    """Instance id -> a fresh repository at the instance's base commit."""

    def make(instance: str) -> Path:
        meta = task_meta(instance)
        dest = tmp_path / instance
        full = repo.export_at_commit(materialized(meta["repo"]), meta["base_commit"], dest)
        assert full == meta["base_commit"]
        return dest

    return make


def test_suite_has_enough_instances_over_several_repos() -> None:
    repos = {task_meta(i)["repo"] for i in INSTANCES}
    assert len(INSTANCES) >= 8
    assert len(repos) >= 2
    assert repos <= set(suite_meta()["repos"])
    for instance in INSTANCES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", instance), instance


def test_every_task_has_an_environment_spec() -> None:
    specs = {(s["repo"], s["version"]) for s in suite_meta()["specs"]}
    for instance in INSTANCES:
        meta = task_meta(instance)
        assert (meta["repo"], meta["version"]) in specs, instance


def test_materializing_a_series_twice_gives_the_same_commits(tmp_path: Path) -> None:
    for entry in suite_meta()["repos"].values():
        first = repo.materialize(SUITE / entry["source"], tmp_path / "one")
        second = repo.materialize(SUITE / entry["source"], tmp_path / "two")
        assert first != second
        assert repo.series_commits(first) == repo.series_commits(second)
        assert len(repo.series_commits(first)) >= 5


def test_history_matters(materialized: Callable[[str], Path]) -> None:
    """Each repository has a task cut before its last commit, and two tasks share a base."""
    by_repo: dict[str, list[str]] = {}
    for instance in INSTANCES:
        meta = task_meta(instance)
        by_repo.setdefault(meta["repo"], []).append(meta["base_commit"])
    for name, bases in by_repo.items():
        commits = [sha for sha, _ in repo.series_commits(materialized(name))]
        assert any(commits.index(b) < len(commits) - 1 for b in bases), name
    first = task_meta(INSTANCES[0])  # the docker tests pair it with a same-base sibling
    siblings = [task_meta(i) for i in INSTANCES[1:]]
    assert any(
        (m["repo"], m["base_commit"]) == (first["repo"], first["base_commit"]) for m in siblings
    )


@pytest.mark.parametrize("instance", INSTANCES)
def test_task_files_are_well_formed(instance: str, materialized: Callable[[str], Path]) -> None:
    folder = SUITE / "instances" / instance
    for name in ("task.toml", "problem_statement.md", "gold.diff", "test.diff"):
        assert (folder / name).is_file(), name
    assert (folder / "problem_statement.md").read_text(encoding="utf-8").strip()
    meta = task_meta(instance)
    for key, kind in REQUIRED_KEYS.items():
        assert isinstance(meta.get(key), kind), key
    assert re.fullmatch(r"[0-9a-f]{40}", meta["base_commit"])
    assert meta["difficulty"] in ("easy", "medium", "hard")
    commits = [sha for sha, _ in repo.series_commits(materialized(meta["repo"]))]
    assert meta["base_commit"] in commits
    f2p, p2p = meta["FAIL_TO_PASS"], meta["PASS_TO_PASS"]
    assert f2p and len(p2p) >= 3
    assert not set(f2p) & set(p2p)
    assert len(set(f2p + p2p)) == len(f2p + p2p)

    gold = touched(diff_text(instance, "gold.diff"))
    tests = touched(diff_text(instance, "test.diff"))
    assert gold and tests
    assert not any(p.startswith("tests/") for p in gold), gold
    assert all(p.startswith("tests/") for p in tests), tests
    files = hidden_test_files(instance)
    for test_id in f2p + p2p:
        assert " " not in test_id, test_id
        assert test_id.split("::")[0] in files, f"{test_id} is not in a file test.diff touches"


@pytest.mark.parametrize("instance", INSTANCES)
def test_patches_add_nothing_already_at_the_base_commit(
    instance: str, export: Callable[[str], Path]
) -> None:
    """The most distinctive line the patches add is nowhere in the base tree.

    (The docker tests grep instance images for it to prove the fix is not shipped.)
    """
    added = [
        line[1:].strip()
        for name in ("gold.diff", "test.diff")
        for line in diff_text(instance, name).splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    probe = max(added, key=len)
    work = export(instance)
    for path in work.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(work).parts:
            assert probe not in path.read_text(encoding="utf-8", errors="replace"), path


@pytest.mark.parametrize("instance", INSTANCES)
def test_hidden_tests_fail_before_and_pass_after_the_gold_patch(
    instance: str, export: Callable[[str], Path]
) -> None:
    meta = task_meta(instance)
    f2p, p2p = meta["FAIL_TO_PASS"], meta["PASS_TO_PASS"]
    folder = SUITE / "instances" / instance
    work = export(instance)
    files = hidden_test_files(instance)

    git_apply(work, folder / "test.diff")
    before = run_hidden_tests(work, files)
    for test_id in f2p:
        assert before.get(test_id) in ("FAILED", "ERROR"), (test_id, before.get(test_id))
    for test_id in p2p:
        assert before.get(test_id) == "PASSED", (test_id, before.get(test_id))

    git_apply(work, folder / "gold.diff")
    after = run_hidden_tests(work, files)
    for test_id in f2p + p2p:
        assert after.get(test_id) == "PASSED", (test_id, after.get(test_id))
    # PASS_TO_PASS lists every other test of the hidden test files.
    assert set(after) == set(f2p) | set(p2p)
