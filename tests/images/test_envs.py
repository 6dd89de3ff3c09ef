"""The environments of a dataset: one per (repo, version), and the table of outcomes."""

from __future__ import annotations

from swe_runner.images.envs import EnvOutcome, EnvStatus, environments_of, markdown_table
from swe_runner.task import Task


def task(n: int, repo: str, version: str, created: str) -> Task:
    return Task(
        instance_id=f"{repo.split('/')[1]}-{n}",
        repo=repo,
        base_commit="a" * 40,
        problem_statement="",
        patch="",
        test_patch="",
        FAIL_TO_PASS=["t"],
        version=version,
        created_at=created,
    )


def test_one_environment_per_repo_and_version_stood_for_by_its_latest_task() -> None:
    tasks = [
        task(1, "o/a", "1.0", "2020-01-01"),
        task(2, "o/b", "1.0", "2021-01-01"),
        task(3, "o/a", "1.0", "2022-06-01"),
        task(4, "o/a", "1.1", "2019-01-01"),
        task(5, "o/a", "1.0", "2021-01-01"),
    ]
    found = environments_of(tasks)
    assert [(t.instance_id, n) for t, n in found] == [("a-3", 3), ("b-2", 1), ("a-4", 1)]


def test_the_markdown_table_says_built_failed_and_skipped_with_why_and_the_image() -> None:
    tag = "swe-runner-env:py3.9-e1159ad2ec46"
    outcomes = [
        EnvOutcome(
            "o/a", "1.0", 3, EnvStatus.BUILT, tag, 754.4, 1234.5, False,
            "3.9", notes=("Python 3.6 asked, 3.9 used", "numpy==1.19.3 used"),
        ),
        EnvOutcome("o/a", "1.1", 1, EnvStatus.BUILT, tag, 61, 500, True, "3.9"),
        EnvOutcome("o/b", "2", 2, EnvStatus.FAILED, seconds=30, reason="ERROR: a | b"),
        EnvOutcome("o/c", "3", 9, EnvStatus.SKIPPED, reason="the repository cannot be had"),
    ]  # fmt: skip
    assert markdown_table(outcomes).splitlines() == [
        "| repo | version | tasks | outcome | time | size | image | Python | notes or cause |",
        "|---|---|---:|---|---:|---:|---|---|---|",
        "| o/a | 1.0 | 3 | built | 12 min 34 s | 1,234 MB | e1159ad2ec46 | 3.9 | "
        "Python 3.6 asked, 3.9 used; numpy==1.19.3 used |",
        "| o/a | 1.1 | 1 | built (there already) | 1 min 01 s | 500 MB | e1159ad2ec46 | 3.9 |  |",
        "| o/b | 2 | 2 | failed | 30 s |  |  |  | ERROR: a \\| b |",
        "| o/c | 3 | 9 | skipped |  |  |  |  | the repository cannot be had |",
    ]
