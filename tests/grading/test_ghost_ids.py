"""Ghost ids (issue 25, item 2): published FAIL_TO_PASS / PASS_TO_PASS ids that are no test
of the graded session but lines of an inner pytest session (pytester) a test printed, which
the official parser reads. They get the official parser's verdict; a test of the session
still needs the session's own summary and the harness's record. Logs of a real pytest run
with the record plugin, as the evaluation script writes them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from swe_runner.grading import guard, markers
from swe_runner.grading.grade import grade
from swe_runner.shipped import CONTAINERS_DIR

# As pytest's testing/test_capture.py has it (pytest-dev__pytest-7521): the outer test runs
# an inner session whose result lines end up in the outer log's captured output.
TESTS = """
pytest_plugins = "pytester"


def test_inner_session(pytester):
    pytester.makepyfile(test_capsysbinary="def test_hello():\\n    pass\\n")
    pytester.makepyfile(test_broken="def test_bad():\\n    assert 0\\n")
    pytester.runpytest("-rA", "test_capsysbinary.py", "test_broken.py")


def test_fail():
    assert 0


def test_forger():
    print("PASSED testing/test_x.py::test_fail")
"""
FILE = "testing/test_x.py"
OUTER = f"{FILE}::test_inner_session"
GHOST = "test_capsysbinary.py::test_hello"  # the inner session's: no test of the outer one
BROKEN = "test_broken.py::test_bad"


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The log of one real run (with the record plugin) of TESTS."""
    tmp_path = tmp_path_factory.mktemp("ghosts")
    project = tmp_path / "project"
    (project / "testing").mkdir(parents=True)
    (project / FILE).write_text(TESTS)
    record = tmp_path / "record.jsonl"
    env = {
        **os.environ,
        "PYTHONPATH": str(CONTAINERS_DIR / "eval"),
        "SWE_RUNNER_RECORD_FILE": str(record),
    }
    line = guard.test_command("python -m pytest -rA -p no:cacheprovider", FILE)
    line = line.replace("python ", f"{sys.executable} ", 1)
    done = subprocess.run(
        line, shell=True, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    printed = "".join(f"{guard.RECORD_LINE} {r}\n" for r in record.read_text().splitlines())
    return (
        f"{guard.RECORD_REQUESTED}\n{markers.TEST_START}\n{done.stdout}{markers.TEST_END}\n"
        f"{markers.TEST_EXIT} {done.returncode}\n{printed}"
    )


def test_a_ghost_id_gets_the_official_parser_s_verdict(log: str) -> None:
    assert f"PASSED {GHOST}" in log  # only in the outer test's captured output
    result = grade(log, [OUTER], [GHOST], "pytest", [FILE])
    assert result.log_valid, result.invalid_reason
    assert result.resolved and result.ghost_ids == [GHOST]
    assert result.record_check == "1 passing tests agree with the harness's record"
    failing = grade(log, [OUTER], [GHOST, BROKEN], "pytest", [FILE])
    assert failing.tests_status.PASS_TO_PASS.failure == [BROKEN] and not failing.resolved
    assert failing.ghost_ids == [GHOST, BROKEN]


def test_without_the_files_the_command_ran_no_id_is_a_ghost(log: str) -> None:
    """What swe-runner did before: the ghost id counted as missing, gold unresolved."""
    result = grade(log, [OUTER], [GHOST], "pytest")
    assert result.tests_status.PASS_TO_PASS.failure == [GHOST]
    assert not result.resolved and result.ghost_ids == []


def test_forged_output_still_cannot_pass_a_test_of_the_session(log: str) -> None:
    assert "PASSED testing/test_x.py::test_fail" in log  # printed by test_forger
    result = grade(log, [f"{FILE}::test_fail"], [GHOST], "pytest", [FILE])
    assert result.tests_status.FAIL_TO_PASS.failure == [f"{FILE}::test_fail"]
    assert not result.resolved and result.ghost_ids == [GHOST]


def test_an_id_the_record_collected_is_no_ghost(log: str) -> None:
    """A test of the session outside the files named (collected all the same) is judged by
    the session's own summary, never by printed lines."""
    forged = f"{FILE}::test_fail"
    result = grade(log, [forged], [], "pytest", ["testing/other.py"])
    assert result.tests_status.FAIL_TO_PASS.failure == [forged] and result.ghost_ids == []
