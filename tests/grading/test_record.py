"""The harness's record of a pytest run: the plugin run by a real pytest, its record printed
as the evaluation script prints it, and the grader's check of the log against it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from swe_runner.grading import guard, markers
from swe_runner.grading.grade import grade
from swe_runner.grading.record import MISSING, Call, Record, contradiction
from swe_runner.records import TestStatus
from swe_runner.shipped import CONTAINERS_DIR
from tests.integrity.attacks import FORCE_PASS_HOOK

TESTS = """
import asyncio
import unittest

import pytest


def test_pass():
    pass


def test_fail():
    assert 0


@pytest.mark.xfail
def test_xfail():
    assert 0


def test_xfail_inside():
    pytest.xfail("not yet")


@pytest.mark.skip
def test_skip_mark():
    pass


def test_skip_inside():
    pytest.skip("no")


@pytest.mark.parametrize("v", ["a b", "c"])
def test_param(v):
    pass


@pytest.mark.parametrize("path", ["/abs/dir/mod.py"])
def test_path(path):
    pass


def test_sees_its_own_function(request):  # pytester names its files after it
    assert request.function is globals()["test_sees_its_own_function"]


async def test_coroutine():  # left unwrapped (pytest skips it without a plugin)
    pass


class TestCase(unittest.TestCase):
    def test_unit(self):
        pass
"""
F2P = ["tests/test_x.py::test_pass", "tests/test_x.py::test_xfail"]
P2P = [  # (-rA names no skipped test: the grader cannot count those)
    "tests/test_x.py::test_xfail_inside",
    "tests/test_x.py::test_param[a",  # cut at its space, as the published datasets have it
    "tests/test_x.py::test_param[c]",
    "tests/test_x.py::test_path[/mod.py]",  # pylint's parser flavour shortens path ids
    "tests/test_x.py::test_sees_its_own_function",
    "tests/test_x.py::TestCase::test_unit",
]


def _evaluation_log(tmp_path: Path, conftest: str | None = None) -> str:
    """The log the evaluation script writes for a pytest run with the record plugin."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_x.py").write_text(TESTS)
    if conftest:
        (project / "conftest.py").write_text(conftest)
    record = tmp_path / "record.jsonl"
    env = {
        **os.environ,
        "PYTHONPATH": str(CONTAINERS_DIR / "eval"),
        "SWE_RUNNER_RECORD_FILE": str(record),
    }
    line = guard.test_command("python -m pytest -rA -p no:cacheprovider", "tests/test_x.py")
    line = line.replace("python ", f"{sys.executable} ", 1)
    done = subprocess.run(
        line, shell=True, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    printed = "".join(f"{guard.RECORD_LINE} {r}\n" for r in record.read_text().splitlines())
    return (
        f"{guard.RECORD_REQUESTED}\n{markers.TEST_START}\n{done.stdout}{markers.TEST_END}\n"
        f"{markers.TEST_EXIT} {done.returncode}\n{printed}"
    )


def test_an_honest_run_agrees_with_the_record(tmp_path: Path) -> None:
    log = _evaluation_log(tmp_path)
    # "[100%]": a parser artefact the published lists keep (pytest-5262), no test to check.
    live = log.replace("tests/test_x.py .", "PASSED    [100%]\ntests/test_x.py .", 1)
    result = grade(live, F2P, [*P2P, "[100%]"], "pytest_options")
    assert result.invalid_reason is None
    assert result.resolved
    assert result.record_check == "8 passing tests agree with the harness's record"


def test_a_runner_forced_to_pass_contradicts_the_record(tmp_path: Path) -> None:
    log = _evaluation_log(tmp_path, conftest=FORCE_PASS_HOOK)
    assert "PASSED tests/test_x.py::test_fail" in log
    result = grade(log, [*F2P, "tests/test_x.py::test_fail"], P2P)
    assert not result.resolved and not result.log_valid
    assert result.invalid_reason == (
        "the log says tests/test_x.py::test_fail PASSED, "
        "but the harness saw its test function raise AssertionError"
    )


def test_a_missing_record_or_another_runner_makes_the_log_invalid(tmp_path: Path) -> None:
    log = _evaluation_log(tmp_path)
    lines = log.splitlines(True)
    without = "".join(ln for ln in lines if not ln.startswith(f"{guard.RECORD_LINE} {{"))
    assert grade(without, F2P, P2P).invalid_reason == MISSING
    elsewhere = f"{guard.GUARD} runner pytest /elsewhere/pytest/__init__.py\n{log}"
    reason = grade(elsewhere, F2P, P2P).invalid_reason or ""
    assert reason.startswith("pytest was loaded from ") and "/elsewhere/" in reason
    assert grade(log.replace(f"{guard.RECORD_REQUESTED}\n", ""), F2P, P2P).record_check is None


def test_a_test_the_record_never_collected_cannot_pass(tmp_path: Path) -> None:
    log = _evaluation_log(tmp_path)
    fake = "tests/test_x.py::test_pass"
    log = log.replace(f"{guard.RECORD_LINE} " + '{"item": "' + fake, "dropped ")
    reason = grade(log, F2P, P2P).invalid_reason
    assert reason == f"the log passes {fake}, but pytest never collected it (harness record)"


@pytest.mark.parametrize(
    ("call", "xfail_mark", "status", "agrees"),
    [
        (Call(called=True, raised=None), False, TestStatus.PASSED, True),
        (Call(called=True, raised="AssertionError"), False, TestStatus.PASSED, False),
        (Call(called=False, raised=None), False, TestStatus.PASSED, False),
        (Call(called=True, raised="AssertionError"), True, TestStatus.XFAIL, True),
        (Call(called=True, raised="AssertionError"), False, TestStatus.XFAIL, False),
        (Call(called=True, raised="XFailed"), False, TestStatus.XFAIL, True),
        (Call(called=False, raised=None), True, TestStatus.XFAIL, True),  # run=False
        (Call(called=False, raised=None), False, TestStatus.SKIPPED, True),  # a skip mark
        (Call(called=True, raised="Skipped"), False, TestStatus.SKIPPED, True),
        (Call(called=True, raised="AssertionError"), False, TestStatus.SKIPPED, False),
        (Call(called=False, raised=None, observed=False), False, TestStatus.PASSED, True),
    ],
)
def test_what_the_record_accepts_for_each_status(
    call: Call, xfail_mark: bool, status: TestStatus, agrees: bool
) -> None:
    record = Record(runner={}, kinds={"t": "function"}, xfail={"t": xfail_mark}, calls={"t": call})
    assert (contradiction(record, "t", status) is None) is agrees
