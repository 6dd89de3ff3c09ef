"""``reproduce`` on the fake runtime: it goes through the runtime seam, so a run made
without Docker is graded again, kept and entered without Docker too."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from tests.terminal import in_a_terminal, typed_in

INSTANCE = "textkit-4"  # the scripted agent's fix is incomplete: unresolved


@pytest.fixture(scope="module")
def made(fake_runtime_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of a scripted run of INSTANCE on the fake runtime."""
    results = tmp_path_factory.mktemp("reproduce")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SWE_RUNNER_RUNTIME", "fake")
        env.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))
        args = ["run", "--suite", "demo", "--agent", "scripted", "-i", INSTANCE, "--run-id", "s"]
        assert main([*args, "--results-dir", str(results)]) == 0
    return results


@pytest.fixture
def recorded(made: Path, fake_runtime_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The run's folder; reproduce finds it by its id, on the fake runtime."""
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(fake_runtime_cache))
    monkeypatch.setenv("SWE_RUNNER_RESULTS_DIR", str(made))
    return made / "s"


def test_reproduce_grades_the_recorded_patch_again_on_the_fake_runtime(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reproduce", "s", INSTANCE]) == 0
    out = capsys.readouterr().out
    assert f"{INSTANCE}: unresolved (the same as recorded)" in out and "failing" in out


def test_reproduce_keep_leaves_a_sandbox_to_enter_and_says_how_to_remove_it(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reproduce", "s", INSTANCE, "--keep"]) == 0
    err = capsys.readouterr().err
    found = re.search(r"kept: enter with `(.+?)`, remove with `(.+?)`", err)
    assert found, err
    enter, remove = found.groups()
    code, shown = in_a_terminal(enter, "cat /swe-runner/eval.sh | wc -c; exit 4\n")
    assert code == 4, shown
    script = (recorded / INSTANCE / "eval.sh").read_text()  # only an evaluation copies it in
    assert str(len(script.encode())) in shown
    assert subprocess.run(["bash", "-c", remove], check=False).returncode == 0
    assert in_a_terminal(enter, "exit 0\n")[0] not in (0, 4)  # gone


def test_shell_with_tests_opens_a_shell_where_the_hidden_tests_are_in_place(
    recorded: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with typed_in("git status --short; exit\n"):
        assert main(["reproduce", "s", INSTANCE, "--shell", "--with-tests"]) == 0
    out, err = capfd.readouterr()
    assert "hidden tests in place" in err
    assert "M textkit/csvish.py" in out and "M tests/test_csvish.py" in out
