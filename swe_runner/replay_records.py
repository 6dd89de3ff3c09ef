"""What a replay records beside the ordinary records: each replayed step's comparison with
the recorded one (in ``trajectory.jsonl``) and the instance's figures (in ``report.json``).

Both are optional fields of :class:`~swe_runner.records.TrajectoryStep` and
:class:`~swe_runner.records.EvalReport`, absent from the files of every other run, so those
read and write back byte for byte.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ReplayResult", "StepCheck", "StepStatus", "SubmissionMatch"]


class StepStatus(StrEnum):
    """How a replayed step compares with the recorded one."""

    SAME = "same"  # exit code and output as recorded (after normalising)
    DRIFT = "drift"  # the exit code or the output differs
    UNCHECKED = "unchecked"  # replayed, nothing recorded to compare with (see ``detail``)
    NOT_REPLAYABLE = "not_replayable"  # a tool swe-runner cannot run (named in ``detail``)


class StepCheck(BaseModel):
    """One replayed step against the recorded one: what was recorded (``recorded_*``),
    the replay's exit code (its output is the step's own ``output``) and the verdict."""

    model_config = ConfigDict(frozen=True)

    step: int  # the step's number in the recorded trajectory (1-based)
    status: StepStatus
    exit_code: int | None = None  # the replay's (None: timed out, or none known)
    recorded_exit: int | None = None
    recorded_output: str | None = None
    detail: str | None = None  # what differs, why unchecked, or the tool not replayable


class SubmissionMatch(StrEnum):
    """The replayed submission against the recorded one (``index`` lines aside)."""

    SAME = "same"
    DIFFERENT = "different"
    NOT_SUBMITTED = "not_submitted"  # the replayed final step did not submit


class ReplayResult(BaseModel):
    """An instance's replay in figures: report.json's ``replay`` key."""

    model_config = ConfigDict(frozen=True)

    source: str  # what was replayed: the format and its file
    steps: int  # steps recorded
    steps_replayed: int
    steps_drifted: int
    first_drift: int | None = None  # the first drifting step's number
    not_replayable: list[str] = Field(default_factory=list)  # "step N: tool"
    submission: SubmissionMatch
    files_differ: list[str] = Field(default_factory=list)
    published_resolved: bool | None = None  # the published verdict, when supplied

    @property
    def submission_reproduced(self) -> bool:
        return self.submission is SubmissionMatch.SAME
