"""The contract every runtime keeps; each implementation runs this whole module."""

from __future__ import annotations

import threading
import time

import pytest

from swe_runner.errors import ContainerError, ImageError
from swe_runner.inputs.dataset import Dataset
from swe_runner.runtime import Kept, Runtime
from swe_runner.task import Task
from tests.terminal import in_a_terminal, typed_in


def first(demo_suite: Dataset) -> Task:
    return demo_suite.tasks[0]


def test_an_image_is_made_once_and_then_ready(runtime: Runtime, demo_suite: Dataset) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    assert runtime.image_ready(task) == image
    assert runtime.image(task, demo_suite.repo_sources.get(task.repo)) == image


def test_the_agent_sandbox_holds_the_repository_at_the_image_start(
    runtime: Runtime, demo_suite: Dataset
) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    sandbox = runtime.agent_sandbox(image, task, "none")
    try:
        assert sandbox.workdir == "/testbed"
        assert sandbox.exec(f"git cat-file -t {sandbox.start}").text == "tree\n"
        assert sandbox.exec("git log --format=%H | tail -1").exit_code == 0
        assert sandbox.diff() == ""
        sandbox.exec("echo change >> README.md")
        assert "+change" in sandbox.diff()
    finally:
        sandbox.close()


def test_each_evaluation_sandbox_is_fresh(runtime: Runtime, demo_suite: Dataset) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    runtime.warm(image)
    used = runtime.eval_sandbox(image)
    try:
        used.write_file("/swe-runner/eval.sh", b"cd /testbed && echo dirty > dirt.txt && pwd\n")
        result = used.exec("bash /swe-runner/eval.sh", timeout=60)
        assert (result.exit_code, result.text) == (0, "/testbed\n")
        assert used.limit_reached() is None
    finally:
        used.close()
    fresh = runtime.eval_sandbox(image)
    try:
        assert fresh.exec("test -e dirt.txt || test -e /swe-runner/eval.sh").exit_code == 1
    finally:
        fresh.close()


def test_a_missing_image_is_an_image_error(runtime: Runtime) -> None:
    with pytest.raises(ImageError):
        runtime.eval_sandbox("swe-runner-no-such-image:missing")


def test_remove_all_ends_a_running_command_and_leaves_nothing(
    runtime: Runtime, demo_suite: Dataset
) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    sandbox = runtime.agent_sandbox(image, task, "none")
    outcome: list[object] = []

    def long_command() -> None:
        try:
            outcome.append(sandbox.exec("sleep 120", timeout=300))
        except ContainerError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=long_command)
    worker.start()
    time.sleep(1.5)
    began = time.monotonic()
    assert runtime.remove_all() >= 1
    worker.join(timeout=60)
    assert not worker.is_alive() and time.monotonic() - began < 60
    assert isinstance(outcome[0], ContainerError) or outcome[0].exit_code != 0  # type: ignore[attr-defined]
    assert runtime.remove_all() == 0
    sandbox.close()


def test_a_keeping_runtime_leaves_each_evaluation_sandbox_running_until_discarded(
    keeping: Runtime, demo_suite: Dataset
) -> None:
    task = first(demo_suite)
    image = keeping.image(task, demo_suite.repo_sources.get(task.repo))
    used = keeping.eval_sandbox(image)
    used.exec("echo kept-$((40 + 2)) > /testbed/mark.txt")
    used.close()
    kept = keeping.kept()
    assert len(kept) == 1
    try:
        code, shown = in_a_terminal(kept[0].enter, "pwd; cat mark.txt; exit 7\n")
        assert code == 7 and "kept-42" in shown and "/testbed" in shown, shown
    finally:
        keeping.discard(kept)
    code, shown = in_a_terminal(kept[0].enter, "exit 0\n")
    assert code not in (0, 7), shown  # removed: nothing to enter


def test_keep_leaves_an_agent_sandbox_running_past_its_close(
    runtime: Runtime, demo_suite: Dataset
) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    sandbox = runtime.agent_sandbox(image, task, "none")
    sandbox.exec("echo agent-$((40 + 2)) > mark.txt")
    kept: Kept = runtime.keep(sandbox)
    sandbox.close()
    assert runtime.kept() == []  # not an evaluation sandbox
    try:
        code, shown = in_a_terminal(kept.enter, "cat mark.txt; exit 5\n")
        assert code == 5 and "agent-42" in shown, shown
    finally:
        runtime.discard([kept])
    code, shown = in_a_terminal(kept.enter, "exit 0\n")
    assert code not in (0, 5), shown  # removed: nothing to enter


def test_shell_runs_the_person_s_bash_in_the_sandbox_s_workdir(
    runtime: Runtime, demo_suite: Dataset, capfd: pytest.CaptureFixture[str]
) -> None:
    task = first(demo_suite)
    image = runtime.image(task, demo_suite.repo_sources.get(task.repo))
    sandbox = runtime.agent_sandbox(image, task, "none")
    try:
        sandbox.exec("echo shell-$((40 + 2)) > mark.txt")
        with typed_in("pwd; cat mark.txt; exit 3\n"):
            assert runtime.shell(sandbox) == 3
    finally:
        sandbox.close()
    out = capfd.readouterr().out
    assert "/testbed" in out and "shell-42" in out
