"""Drift between a replayed step and the recorded one, and between two submissions (pure).

Outputs are compared after normalising what legitimately varies from one run to the next:
colour codes, dates and times, durations (and the width of the rules padded around them),
temporary paths, memory addresses (a Mock's decimal id too), abbreviated hashes (a
version's, a diff's ``index`` line: their length grows with the object count), random
seeds and trailing whitespace. Submissions are compared file
by file with their ``index`` lines aside (the abbreviated blob hashes' length depends on
how many objects the repository holds).
"""

from __future__ import annotations

import re

from swe_runner.inputs.published import RecordedStep, StepKind
from swe_runner.replay_records import StepCheck, StepStatus, SubmissionMatch

__all__ = ["CLIP_JOIN", "check_step", "compare_submissions", "normalise", "outputs_differ"]

CLIP_JOIN = "\n…\n"  # a clipped recording's head and tail, as a StepCheck stores them

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\x1b\[[0-9;?]*[A-Za-z]", ""),  # colour and cursor codes
        (r"\b0x[0-9a-fA-F]{6,16}\b", "0x<addr>"),
        (r"\bid='\d{6,}'", "id='<addr>'"),  # a Mock's repr: its id(), an address in decimal
        # A version's abbreviated commit (setuptools_scm's "4.5.1.dev3+g58e6a09db"): its
        # length depends on the repository's object count, as an ``index`` line's does.
        (r"(\+g[0-9a-f]{7})[0-9a-f]{1,33}\b", r"\1"),
        # A diff's ``index`` line, its abbreviated hashes as long as the object count makes them.
        (r"^index [0-9a-f]{7,40}\.\.[0-9a-f]{7,40}", "index <hash>..<hash>"),
        # Seeds drawn per run (sympy's bin/test prints both).
        (r"\b(random seed:\s*|PYTHONHASHSEED=)\d+", r"\1<seed>"),
        (r"(?:/private)?/(?:tmp|var/tmp|var/folders)/[^\s:'\"),\]]*", "<tmp>"),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
            "<datetime>",
        ),
        (  # date(1), ctime
            rf"\b(?:{_DAY}\s+)?{_MONTH}\s+\d{{1,2}}\s+\d{{2}}:\d{{2}}:\d{{2}}(?:\s+[A-Z]{{2,5}})?\s+\d{{4}}\b",
            "<datetime>",
        ),
        (rf"\b{_MONTH}\s+\d{{1,2}}\s+(?:\d{{4}}|\d{{1,2}}:\d{{2}})\b", "<date>"),  # ls -l
        (r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>"),
        (r"\b\d+(?:\.\d+)?\s?(?:s|ms|us|µs|sec|secs|seconds?|msec|minutes?|mins?)\b", "<duration>"),
        # Rules padded to the terminal's width around text of varying length (pytest's
        # "=== 3 passed in 0.12s ===" summary: a longer duration, a shorter rule).
        (r"([=_*#~-])\1{2,}", r"\1\1\1"),
        (r"[ \t]+$", ""),
    )
)  # fmt: skip


def normalise(text: str) -> str:
    """``text`` with what varies between runs of the same command replaced by markers."""
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for line in lines:
        for pattern, replacement in _RULES:
            line = pattern.sub(replacement, line)
        out.append(line)
    return "\n".join(out).strip("\n")


def outputs_differ(replayed: str, recorded: str) -> bool:
    return normalise(replayed) != normalise(recorded)


def _output_drift(step: RecordedStep, output: str) -> str | None:
    """What differs between ``output`` and the recorded output, or None."""
    if step.clipped is not None:
        head, tail = step.clipped
        if len(output) < len(head) + len(tail):
            return "output: shorter than the recorded head and tail"
        if outputs_differ(output[: len(head)], head) or outputs_differ(output[-len(tail) :], tail):
            return "output differs (head or tail)"
        return None
    if step.output is not None and outputs_differ(output, step.output):
        return "output differs"
    return None


def check_step(
    step: RecordedStep, exit_code: int | None, timed_out: bool, output: str
) -> StepCheck:
    """The replayed step (its exit code, whether it timed out, its output) against the
    recorded ``step``."""
    status, detail = _verdict(step, exit_code, timed_out, output)
    return StepCheck(
        step=step.number,
        status=status,
        exit_code=exit_code,
        recorded_exit=step.exit_code,
        recorded_output=step.output if step.clipped is None else CLIP_JOIN.join(step.clipped),
        detail=detail,
    )


def _verdict(
    step: RecordedStep, exit_code: int | None, timed_out: bool, output: str
) -> tuple[StepStatus, str | None]:
    if step.timed_out or timed_out:
        if step.timed_out and timed_out:
            return StepStatus.SAME, "timed out, as recorded"
        said = "timed out; it did not when recorded" if timed_out else "recorded as timed out"
        return StepStatus.DRIFT, said
    if step.kind is StepKind.EDITOR:
        return StepStatus.UNCHECKED, "the scaffold's editor words its output otherwise"
    if step.exit_code is None and step.output is None and step.clipped is None:
        return StepStatus.UNCHECKED, "nothing recorded to compare"
    if step.exit_code is not None and exit_code is not None and exit_code != step.exit_code:
        return StepStatus.DRIFT, f"exit code {exit_code}, recorded {step.exit_code}"
    drift = _output_drift(step, output)
    return (StepStatus.SAME, None) if drift is None else (StepStatus.DRIFT, drift)


def _files(patch: str) -> dict[str, str]:
    """A diff's text per file (``a/`` path), ``index`` lines left out."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            name = line[len("diff --git ") :].split(" b/")[0].removeprefix("a/")
            current = files.setdefault(name, [])
        if current is None or line.startswith("index "):
            continue
        current.append(line)
    return {name: "\n".join(lines) for name, lines in files.items()}


def compare_submissions(replayed: str, recorded: str) -> tuple[SubmissionMatch, list[str]]:
    """SAME, or DIFFERENT with the files whose changes differ (``index`` lines aside)."""
    mine, theirs = _files(replayed), _files(recorded)
    if not mine and not theirs:
        same = replayed.strip() == recorded.strip()
        return (SubmissionMatch.SAME, []) if same else (SubmissionMatch.DIFFERENT, [])
    differ = sorted(n for n in mine.keys() | theirs.keys() if mine.get(n) != theirs.get(n))
    return (SubmissionMatch.DIFFERENT, differ) if differ else (SubmissionMatch.SAME, [])
