"""A failed build says why: the cause lines of real pip failures, colour codes stripped."""

from __future__ import annotations

from pathlib import Path

from swe_runner.images.buildlog import failure_message, find_cause, strip_ansi

LOGS = Path(__file__).parent.parent / "data" / "build_logs"
DOCKER_ERROR = (
    "The command '/bin/sh -c python3 -m venv --copies /opt/venv  && pip install "
    "--no-cache-dir -r /tmp/swe-runner/requirements.txt' returned a non-zero code: 1"
)


def test_real_logs_start_pips_error_lines_with_a_colour_code() -> None:
    # what this module exists for: the line that says why begins with ESC[91m
    log = (LOGS / "scipy-1.5.2-on-python-3.9.log").read_text()
    line = next(ln for ln in log.splitlines() if "Failed to build 'scipy'" in ln)
    assert line.startswith("\x1b[0m\x1b[91mERROR: ")


def test_cause_of_scipy_without_a_wheel_is_pips_error_and_the_exception() -> None:
    log = (LOGS / "scipy-1.5.2-on-python-3.9.log").read_text()
    assert find_cause(log) == [
        "NameError: name 'CCompiler' is not defined",
        "ERROR: Failed to build 'scipy' when installing build dependencies for scipy",
    ]


def test_cause_of_markupsafe_1_0_names_the_missing_setuptools_feature() -> None:
    log = (LOGS / "astropy-1.3-markupsafe-1.0.log").read_text()
    cause = find_cause(log)
    assert (
        cause[-1] == "ERROR: Failed to build 'MarkupSafe' when getting requirements to build wheel"
    )
    assert cause[0].startswith("ImportError: cannot import name 'Feature' from 'setuptools'")


def test_failure_message_puts_the_cause_first_without_colour_or_the_whole_command() -> None:
    log = (LOGS / "scipy-1.5.2-on-python-3.9.log").read_text()
    message = failure_message("swe-runner-env:py3.9-x", DOCKER_ERROR, log, "/logs/x.log")
    assert message == (
        "building swe-runner-env:py3.9-x failed: NameError: name 'CCompiler' is not defined | "
        "ERROR: Failed to build 'scipy' when installing build dependencies for scipy "
        "(a build step exited with status 1; full log: /logs/x.log)"
    )
    assert "\x1b" not in message


def test_generic_pip_errors_only_when_nothing_says_more() -> None:
    log = (
        "\x1b[91m  error: subprocess-exited-with-error\n"
        "\x1b[0m  error: metadata-generation-failed\n"
    )
    assert find_cause(log) == [
        "error: subprocess-exited-with-error",
        "error: metadata-generation-failed",
    ]
    assert find_cause(log + "\x1b[91mE: Unable to locate package libfoo\x1b[0m\n") == [
        "E: Unable to locate package libfoo"
    ]


def test_compiler_and_shell_errors_are_causes() -> None:
    log = (
        "gcc -c numpy/core/src/x.c\n"
        "numpy/core/src/x.c:12:10: fatal error: Python.h: No such file or directory\n"
        "/bin/sh: 1: gfortran: not found\n"
        "Building wheel for foo: finished with status 'error'\n"
    )
    assert find_cause(log) == [
        "numpy/core/src/x.c:12:10: fatal error: Python.h: No such file or directory",
        "/bin/sh: 1: gfortran: not found",
    ]


def test_without_a_cause_line_docker_error_stays() -> None:
    message = failure_message("t", "manifest unknown", "Step 1/2 : FROM x\n", "l")
    assert message == "building t failed: manifest unknown (full log: l)"


def test_strip_ansi_removes_colour_and_cursor_codes() -> None:
    assert strip_ansi("\x1b[0m\x1b[91mERROR: x\x1b[0m\x1b[2K\x1b[?25h") == "ERROR: x"
