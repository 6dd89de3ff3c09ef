"""The lines the evaluation script prints around the test run, the ones the harness adds
to the saved log, the exit statuses the grader reads, and pure readers of them.

Markers are matched as whole lines only. The test section runs from the first TEST_START
to the last TEST_END; the exit status is read from the last TEST_EXIT after that end, so
text the code under test prints cannot move either boundary outward.
"""

from __future__ import annotations

__all__ = [
    "APPLY_FAILED",
    "APPLY_OK",
    "EVAL_TIMED_OUT",
    "FILE_TOO_LARGE",
    "KILLED_STATUS",
    "LIMIT_STOPPED",
    "REINSTALL_FAILED",
    "START_NOT_COMMITTED",
    "TEST_DURATION",
    "TEST_END",
    "TEST_EXIT",
    "TEST_PATCH_FAILED",
    "TEST_START",
    "TIMEOUT_STATUS",
    "apply_errors",
    "apply_method",
    "exit_status",
    "reinstall_failure",
    "test_section",
]

APPLY_OK = ">>>>> swe-runner: patch applied with"
APPLY_FAILED = ">>>>> swe-runner: patch failed to apply"
TEST_START = ">>>>> swe-runner: test start"
TEST_END = ">>>>> swe-runner: test end"
TEST_EXIT = ">>>>> swe-runner: test exit status:"
TEST_PATCH_FAILED = ">>>>> swe-runner: test patch failed to apply"
TEST_DURATION = ">>>>> swe-runner: test duration ms:"  # + milliseconds
REINSTALL_FAILED = ">>>>> swe-runner: reinstall failed, exit status:"  # + the last failure's
START_NOT_COMMITTED = ">>>>> swe-runner: the image's start could not be committed"
# Appended to the saved log by the harness (not the script), so a regrade sees them too.
EVAL_TIMED_OUT = ">>>>> swe-runner: evaluation container timed out"
LIMIT_STOPPED = ">>>>> swe-runner: container stopped:"  # + the reason (the disk watchdog)

TIMEOUT_STATUS = 124  # what coreutils `timeout` returns when it had to stop the command
KILLED_STATUS = 137  # SIGKILL, most often the kernel's OOM killer
FILE_TOO_LARGE = "[Errno 27] File too large"  # a write past the file size limit (EFBIG)


def _last_index(lines: list[str], marker: str) -> int | None:
    for index in range(len(lines) - 1, -1, -1):
        if lines[index] == marker:
            return index
    return None


def test_section(log: str) -> str | None:
    """The text strictly between the first TEST_START and the last TEST_END line."""
    lines = log.splitlines()
    start = lines.index(TEST_START) if TEST_START in lines else None
    end = _last_index(lines, TEST_END)
    if start is None or end is None or end < start:
        return None
    return "\n".join(lines[start + 1 : end]) + "\n"


def exit_status(log: str) -> int | None:
    """The test command's exit status from the last TEST_EXIT line after the last TEST_END."""
    lines = log.splitlines()
    end = _last_index(lines, TEST_END)
    if end is None:
        return None
    for line in reversed(lines[end + 1 :]):
        if line.startswith(TEST_EXIT + " "):
            value = line[len(TEST_EXIT) + 1 :].strip()
            return int(value) if value.lstrip("-").isdigit() else None
    return None


def apply_method(log: str) -> str | None:
    """How the patch was applied (``git apply``...), or None if the log does not say."""
    for line in log.splitlines():
        if line.startswith(APPLY_OK + " "):
            return line[len(APPLY_OK) + 1 :].strip()
    return None


def reinstall_failure(log: str) -> int | None:
    """The exit status of the reinstall after the prediction when it failed (the tests then
    ran on what the image had installed), else None; read before the test run only."""
    head = log.split(f"\n{TEST_START}\n", 1)[0]
    for line in head.splitlines():
        if line.startswith(REINSTALL_FAILED + " "):
            value = line[len(REINSTALL_FAILED) + 1 :].strip()
            return int(value) if value.isdigit() else 1
    return None


def apply_errors(log: str) -> list[str]:
    """Why the prediction did not apply: what each try printed (git's and patch's errors,
    the file and hunk) up to :data:`APPLY_FAILED`, or [] when the log does not say."""
    lines = log.splitlines()
    end = _last_index(lines, APPLY_FAILED)
    if end is None:
        return []
    start = end
    while start > 0 and not lines[start - 1].startswith(">>>>> "):
        start -= 1
    return [line for line in lines[start:end] if line.strip()]
