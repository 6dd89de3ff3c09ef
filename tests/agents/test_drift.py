"""Drift: a replayed step against the recorded one, after normalising what varies between
runs; submissions compared file by file, index lines aside."""

from __future__ import annotations

from swe_runner.agents.drift import check_step, compare_submissions, normalise
from swe_runner.inputs.published import RecordedStep, StepKind
from swe_runner.replay_records import StepStatus, SubmissionMatch


def test_times_durations_temp_paths_and_addresses_are_normalised() -> None:
    one = (
        "==== 3 passed in 0.12s ====\n<Foo object at 0x7f3a2b4c5d60>\n"
        "wrote /tmp/tmpab12cd/out.txt at 2025-11-18 23:42:01.123\n"
        "drwxr-xr-x 1 root root 4096 Nov 18 23:42 .\ntook 12:01:02   \n"
        "Mon Nov 18 23:42:01 UTC 2025\n"
    )
    two = (
        "==== 3 passed in 3.40s ====\n<Foo object at 0x55d1e0a3b2f0>\n"
        "wrote /tmp/tmpzz99/out.txt at 2026-01-02T08:00:00Z\n"
        "drwxr-xr-x 1 root root 4096 Oct 24  2024 .\ntook 01:00:00\n"
        "Sun Dec  6 22:11:04 UTC 2026\n"
    )
    assert normalise(one) == normalise(two)
    assert normalise("3 passed") != normalise("2 passed")  # counts are not normalised


def test_a_rule_padded_around_a_duration_of_another_length_is_no_drift() -> None:
    """pytest centres its summary in a rule as wide as the terminal: a longer duration
    makes a shorter rule (seen replaying published trajectories of pytest's own tests)."""
    recorded = "=" * 24 + " 50 passed, 9 skipped in 0.62s " + "=" * 25
    replayed = "=" * 23 + " 50 passed, 9 skipped in 12.34s " + "=" * 25
    assert normalise(recorded) == normalise(replayed)
    assert normalise("=== 50 passed ===") != normalise("=== 51 passed ===")
    assert normalise("_ test_a _") != normalise("_ test_b _")


def test_a_mock_id_and_a_version_hash_abbreviated_to_another_length_are_no_drift() -> None:
    """A Mock's repr gives its address in decimal; setuptools_scm's version abbreviates the
    commit hash to a length that grows with the repository's object count."""
    assert normalise("<MagicMock name='v' id='133226893603216'>") == normalise(
        "<MagicMock name='v' id='139627813002256'>"
    )
    recorded = "platform linux -- Python 3.9.2, pytest-4.5.1.dev3+g58e6a09db, py-1.11.0"
    assert normalise(recorded) == normalise(recorded.replace("g58e6a09db", "g58e6a09d"))
    assert normalise("pytest-4.5.1.dev3+g58e6a09d") != normalise("pytest-4.5.1.dev3+g58e6b09d")
    assert normalise("id='12'") != normalise("id='13'")


def test_a_diffs_index_line_and_the_seeds_of_a_test_run_are_no_drift() -> None:
    """`git diff` run as a step abbreviates its hashes by the object count; sympy's
    bin/test draws a random seed and a hash seed per run."""
    assert normalise("index b4d759836e..1cb0cf4df5 100644") == normalise(
        "index b4d759836..1cb0cf4df 100644"
    )
    assert normalise(
        "random seed:        90241979\nhash randomization: on (PYTHONHASHSEED=25)"
    ) == (
        normalise("random seed:        2649877\nhash randomization: on (PYTHONHASHSEED=823602343)")
    )
    assert normalise("-index = 3") != normalise("-index = 4")


def step(output: str | None = None, exit_code: int | None = 0, **kw: object) -> RecordedStep:
    return RecordedStep(4, StepKind.SHELL, "cmd", output=output, exit_code=exit_code, **kw)  # type: ignore[arg-type]


def test_a_step_drifts_on_its_exit_code_or_its_output() -> None:
    assert check_step(step("ok\n"), 0, False, "ok").status is StepStatus.SAME
    wrong_code = check_step(step("ok\n"), 1, False, "ok\n")
    assert wrong_code.status is StepStatus.DRIFT and wrong_code.detail == "exit code 1, recorded 0"
    other = check_step(step("ok\n"), 0, False, "not ok\n")
    assert other.status is StepStatus.DRIFT and other.detail == "output differs"
    assert (other.step, other.recorded_output, other.recorded_exit) == (4, "ok\n", 0)


def test_a_clipped_recording_is_compared_by_its_head_and_tail() -> None:
    full = "h" * 50 + "middle" + "t" * 50
    clipped = step(clipped=(full[:50], full[-50:]))
    assert check_step(clipped, 0, False, full).status is StepStatus.SAME
    assert check_step(clipped, 0, False, "x" + full[1:]).status is StepStatus.DRIFT


def test_timeouts_match_only_timeouts_and_an_unrecorded_step_is_unchecked() -> None:
    slow = step(exit_code=None, timed_out=True)
    assert check_step(slow, None, True, "").status is StepStatus.SAME
    assert check_step(slow, 0, False, "").status is StepStatus.DRIFT
    assert check_step(step("x"), None, True, "").status is StepStatus.DRIFT
    assert check_step(step(None, None), 0, False, "y").status is StepStatus.UNCHECKED


PATCH = (
    "diff --git a/f.py b/f.py\nindex f82f56a3..2d49061f 100644\n--- a/f.py\n+++ b/f.py\n"
    "@@ -1 +1 @@\n-a\n+b\n"
    "diff --git a/g.py b/g.py\nindex 1111111..2222222 100644\n--- a/g.py\n+++ b/g.py\n"
    "@@ -1 +1 @@\n-c\n+d\n"
)


def test_submissions_are_the_same_with_index_lines_aside() -> None:
    shorter_hashes = PATCH.replace("f82f56a3..2d49061f", "f82f56a..2d49061")
    assert compare_submissions(shorter_hashes, PATCH) == (SubmissionMatch.SAME, [])


def test_differing_submissions_name_the_files_that_differ() -> None:
    other = PATCH.replace("+d", "+e")
    assert compare_submissions(other, PATCH) == (SubmissionMatch.DIFFERENT, ["g.py"])
    only_f = PATCH[: PATCH.index("diff --git a/g.py")]
    assert compare_submissions(only_f, PATCH) == (SubmissionMatch.DIFFERENT, ["g.py"])
    assert compare_submissions("", "") == (SubmissionMatch.SAME, [])
