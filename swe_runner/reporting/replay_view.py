"""A replay run's figures: per instance the steps replayed and drifted, whether the
submission was reproduced, and the verdict beside the published (or recorded) one."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field
from rich.table import Table

from swe_runner.records import EvalReport
from swe_runner.replay_records import SubmissionMatch

__all__ = ["ReplayLine", "ReplaySection", "replay_lines", "replay_section", "replay_table"]


class ReplayLine(BaseModel):
    """One replayed instance."""

    instance_id: str
    steps: int
    steps_replayed: int
    steps_drifted: int
    first_drift: int | None
    not_replayable: list[str] = Field(default_factory=list)
    submission: SubmissionMatch
    files_differ: list[str] = Field(default_factory=list)
    resolved: bool
    published_resolved: bool | None

    @property
    def verdict_agrees(self) -> bool | None:
        return None if self.published_resolved is None else self.resolved == self.published_resolved


class ReplaySection(BaseModel):
    """Every replayed instance, and the totals."""

    instances: list[ReplayLine]
    steps_replayed: int
    steps_drifted: int
    submissions_reproduced: int
    verdicts_compared: int
    verdicts_agree: int


def _line(report: EvalReport) -> ReplayLine | None:
    r = report.replay
    if r is None:
        return None
    return ReplayLine(
        instance_id=report.instance_id,
        steps=r.steps,
        steps_replayed=r.steps_replayed,
        steps_drifted=r.steps_drifted,
        first_drift=r.first_drift,
        not_replayable=r.not_replayable,
        submission=r.submission,
        files_differ=r.files_differ,
        resolved=report.resolved,
        published_resolved=r.published_resolved,
    )


def replay_section(reports: Iterable[EvalReport]) -> ReplaySection | None:
    """The replay figures of ``reports``, or None when none is a replay's."""
    lines = sorted(
        (line for r in reports if (line := _line(r)) is not None), key=lambda x: x.instance_id
    )
    if not lines:
        return None
    compared = [x for x in lines if x.verdict_agrees is not None]
    return ReplaySection(
        instances=lines,
        steps_replayed=sum(x.steps_replayed for x in lines),
        steps_drifted=sum(x.steps_drifted for x in lines),
        submissions_reproduced=sum(x.submission is SubmissionMatch.SAME for x in lines),
        verdicts_compared=len(compared),
        verdicts_agree=sum(bool(x.verdict_agrees) for x in compared),
    )


def _verdict(resolved: bool | None) -> str:
    return "-" if resolved is None else ("resolved" if resolved else "unresolved")


def replay_table(section: ReplaySection) -> Table:
    """One row per replayed instance, the totals in the caption."""
    caption = (
        f"{section.submissions_reproduced}/{len(section.instances)} submissions reproduced; "
        f"{section.steps_drifted} of {section.steps_replayed} steps drifted; verdicts agree "
        f"{section.verdicts_agree}/{section.verdicts_compared}"
    )
    table = Table(title="replay", title_justify="left", caption=caption, caption_justify="left")
    for name in ("instance", "steps", "replayed", "drifted", "first drift", "submission",
                 "verdict", "published"):  # fmt: skip
        table.add_column(name, overflow="fold")
    for x in section.instances:
        submission = x.submission.value
        if x.files_differ:
            submission += f" ({', '.join(x.files_differ)})"
        table.add_row(
            x.instance_id, str(x.steps), str(x.steps_replayed), str(x.steps_drifted),
            "-" if x.first_drift is None else str(x.first_drift), submission,
            _verdict(x.resolved), _verdict(x.published_resolved)
            + ("" if x.verdict_agrees is not False else " (differs)"),
        )  # fmt: skip
    return table


def replay_lines(reports: Iterable[EvalReport]) -> list[str]:
    """At the end of a replay run: one line per instance whose submission or verdict
    differs from the recorded one, then the totals."""
    section = replay_section(reports)
    if section is None:
        return []
    out = []
    for x in section.instances:
        if x.submission is SubmissionMatch.SAME and x.verdict_agrees is not False:
            continue
        files = f" ({', '.join(x.files_differ)})" if x.files_differ else ""
        out.append(
            f"{x.instance_id}: submission {x.submission.value}{files}; verdict "
            f"{_verdict(x.resolved)}, published {_verdict(x.published_resolved)}"
        )
    out.append(
        f"replay: {section.submissions_reproduced}/{len(section.instances)} submissions "
        f"reproduced, {section.steps_drifted} of {section.steps_replayed} steps drifted, "
        f"verdicts agree {section.verdicts_agree}/{section.verdicts_compared}"
    )
    return out
