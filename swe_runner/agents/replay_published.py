"""The ``replay`` agent on a published trajectory (mini-swe-agent, SWE-agent): each action
runs as the original scaffold ran it, the trajectory's own final step makes the submission
that is graded, and every step is compared with what was recorded.

- mini-swe-agent: a fresh shell per action (its interpreter, ``bash -lc`` by default) in
  its ``cwd``, with its ``env`` and ``timeout``, Python writing its bytecode as in the
  SWE-bench images (:data:`AS_THE_SCAFFOLD`); the submission is the submit step's output
  less its first line (``COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT``), as the scaffold takes it.
- SWE-agent: shell actions in one persistent shell, its editor commands with swe-runner's
  editor, and ``submit`` as its submit tool (``git add -A && git diff --cached``).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable
from pathlib import Path

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.drift import check_step, compare_submissions
from swe_runner.agents.replay import ReplayVerdict, few
from swe_runner.errors import InputError
from swe_runner.inputs.published import (
    PublishedTrajectory,
    RecordedStep,
    StepKind,
    find_trajectories,
    read_published,
)
from swe_runner.inputs.published_mini import SUBMIT_MARKERS
from swe_runner.inputs.published_verdicts import find_verdicts, read_verdicts
from swe_runner.records import StopReason, TrajectoryStep
from swe_runner.replay_records import ReplayResult, StepCheck, StepStatus, SubmissionMatch
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

__all__ = ["PublishedReplayAgent"]

SUBMIT_COMMAND = "git add -A && git diff --cached"  # SWE-agent's submit tool
# The SWE-bench images the scaffolds ran in write Python's bytecode; swe-runner's environment
# images set PYTHONDONTWRITEBYTECODE=1 (a clean tree). Set empty, it is off again: without
# the cache every command compiles the repository anew, repeating compile-time warnings
# (sympy's SyntaxWarnings on each run) and running slower, up to the scaffold's time-out.
AS_THE_SCAFFOLD = {"PYTHONDONTWRITEBYTECODE": ""}


def _a_later_second(before: float | None) -> float:
    """Wait, if need be, until the clock is past the whole second in which the step before
    began (``before``, a ``time.time()``); the time this step begins.

    Python's bytecode cache knows a source file by its mtime in whole seconds and its
    size. The scaffold's steps were seconds apart (the model thought between them);
    replayed back to back, an edit that keeps a module's size, made in the second its
    bytecode was written, went unseen, and the next step ran the code from before. With
    each step beginning in a later second than the one before, an edit made after a step
    that compiled the file always carries a later mtime than the one compiled."""
    now = time.time()
    while before is not None and int(now) == int(before):
        time.sleep(int(before) + 1 - now)
        now = time.time()
    return now


def _submitted(output: str, exit_code: int | None, needs_zero: bool) -> str | None:
    """mini-swe-agent's test of a submit: the output's first line is a marker (and, since
    1.17.4, the exit code 0); the submission is the rest."""
    lines = output.lstrip().splitlines(keepends=True)
    if not lines or lines[0].strip() not in SUBMIT_MARKERS:
        return None
    if needs_zero and exit_code != 0:
        return None
    return "".join(lines[1:])


class PublishedReplayAgent:
    """Replays the published trajectories at ``source`` (a file or a folder of them).

    Raises (constructor):
        InputError: ``source`` has no trajectory for some of ``instance_ids``, one is in no
            known format, or the published verdicts cannot be read.
    """

    name = "replay"

    def __init__(
        self, source: Path, instance_ids: Iterable[str] = (), verdicts: Path | None = None
    ) -> None:
        self.source = source
        ids = list(instance_ids)
        files = find_trajectories(source)
        missing = [i for i in ids if i not in files]
        if missing:
            raise InputError(
                f"--from {source} has no published trajectory for {few(missing)}: "
                "replay only the instances it holds (-i ID)"
            )
        self.trajectories = {i: read_published(files[i]) for i in ids}
        where = verdicts or find_verdicts(source)
        self.verdicts_from = where
        self.published = read_verdicts(where, ids) if where is not None else {}

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        trajectory = self.trajectories[problem.instance_id]
        if trajectory.shell.persistent:  # its session setup
            env = {**AS_THE_SCAFFOLD, **trajectory.shell.env}
            exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
            session.tools[BashTool.name]({"command": f"export {exports}"})
        checks: list[StepCheck] = []
        submission: str | None = None
        submit_seen = False
        began: float | None = None
        for step in trajectory.steps:
            left = session.time_left()
            if left is not None and left <= 0:
                return AgentRun(StopReason.MAX_TIME, "replay: out of time", turns=session.turn)
            session.turn = step.number
            began = _a_later_second(began)
            check, output = self._step(trajectory, step, session)
            checks.append(check)
            if step.kind is StepKind.SUBMIT:
                submit_seen = True
                submission = self._submission(trajectory, output, check.exit_code)
        return self._finish(trajectory, checks, submission, submit_seen, session.turn)

    def _step(
        self, trajectory: PublishedTrajectory, step: RecordedStep, session: Session
    ) -> tuple[StepCheck, str]:
        """Run one step as the scaffold did; record it with its check."""
        if step.kind is StepKind.OTHER:
            check = StepCheck(
                step=step.number, status=StepStatus.NOT_REPLAYABLE,
                detail=f"not replayable: {step.tool}",
            )  # fmt: skip
            session.record(
                TrajectoryStep(
                    kind="note", turn=step.number, name=step.tool, input={"command": step.action},
                    detail=check.detail, replay=check,
                )
            )  # fmt: skip
            return check, ""
        if step.kind is StepKind.EDITOR:
            result = session.call(EditorTool.name, step.arguments or {})
            check = check_step(step, None, False, result.output)
            session.steps[-1] = session.steps[-1].model_copy(update={"replay": check})
            return check, result.output
        if trajectory.shell.persistent and step.kind is StepKind.SHELL:
            result = session.call(BashTool.name, {"command": step.action})
            check = check_step(step, None, False, result.output)
            session.steps[-1] = session.steps[-1].model_copy(update={"replay": check})
            return check, result.output
        return self._fresh_shell(trajectory, step, session)

    def _fresh_shell(
        self, trajectory: PublishedTrajectory, step: RecordedStep, session: Session
    ) -> tuple[StepCheck, str]:
        """A fresh shell for the action (mini-swe-agent), or SWE-agent's submit command."""
        shell = trajectory.shell
        env = {**AS_THE_SCAFFOLD, **shell.env}
        if shell.persistent:  # SWE-agent's submit, in the repository
            line, timeout = SUBMIT_COMMAND, 300.0
        else:
            line, timeout = shlex.join([*shell.interpreter, step.action]), shell.timeout
        began = time.monotonic()
        result = session.sandbox.exec(f"cd {shlex.quote(shell.cwd)} && {line}", timeout, env=env)
        output = result.text
        if step.kind is StepKind.SUBMIT:
            check = StepCheck(
                step=step.number, status=StepStatus.UNCHECKED, exit_code=result.exit_code,
                detail="the submit step: its submission is compared below",
            )  # fmt: skip
        else:
            check = check_step(step, result.exit_code, result.timed_out, output)
        session.record(
            TrajectoryStep(
                kind="tool", turn=step.number, name=BashTool.name, input={"command": step.action},
                output=output, is_error=result.exit_code != 0,
                latency_s=round(time.monotonic() - began, 4), replay=check,
            )
        )  # fmt: skip
        return check, output

    def _submission(
        self, trajectory: PublishedTrajectory, output: str, exit_code: int | None
    ) -> str | None:
        if trajectory.shell.persistent:
            return output
        return _submitted(output, exit_code, trajectory.submit_needs_zero_exit)

    def _finish(
        self, trajectory: PublishedTrajectory, checks: list[StepCheck],
        submission: str | None, submit_seen: bool, turns: int,
    ) -> AgentRun:  # fmt: skip
        """The run's end: the graded patch and the figures."""
        if submission is not None:
            match, differ = compare_submissions(submission, trajectory.submission)
            patch, detail = submission, None
        elif submit_seen:  # the final step did not submit this time: the tree is graded
            match, differ, patch = SubmissionMatch.NOT_SUBMITTED, [], None
            detail = "the final step did not submit when replayed; the work tree's diff is graded"
        else:  # it never submitted (limits, errors): graded as published
            match, differ, patch = SubmissionMatch.NOT_SUBMITTED, [], trajectory.submission
            detail = (
                f"no submit step (exit status {trajectory.exit_status}): "
                "its recorded submission is graded"
            )
        drifted = [c for c in checks if c.status is StepStatus.DRIFT]
        skipped = StepStatus.NOT_REPLAYABLE
        result = ReplayResult(
            source=trajectory.source,
            steps=len(trajectory.steps),
            steps_replayed=sum(c.status is not skipped for c in checks),
            steps_drifted=len(drifted),
            first_drift=drifted[0].step if drifted else None,
            not_replayable=[f"step {c.step}: {c.detail}" for c in checks if c.status is skipped],
            submission=match,
            files_differ=differ,
            published_resolved=self.published.get(trajectory.instance_id),
        )  # fmt: skip
        verdict = ReplayVerdict.SAME if match is SubmissionMatch.SAME else ReplayVerdict.DRIFT
        text = verdict.value + (f" ({detail})" if detail else "")
        return AgentRun(detail=text, patch=patch, turns=turns, replay=result)
