"""``swe-runner tasks show``: one task in the terminal, as the harness will use it."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text

from swe_runner import patch as patches
from swe_runner.task import EnvSpec, Task

__all__ = ["task_view"]


def _heading(text: str) -> Text:
    return Text(f"── {text} ──", style="bold")


def _tests(task: Task) -> list[RenderableType]:
    out: list[RenderableType] = [_heading("hidden tests")]
    for name, tests in (("FAIL_TO_PASS", task.FAIL_TO_PASS), ("PASS_TO_PASS", task.PASS_TO_PASS)):
        out.append(Text(f"{name} ({len(tests)})", style="bold"))
        out.extend(Text(f"  {t}") for t in tests)
    files = patches.test_files(task.test_patch)
    out.append(Text(f"test files (from the test patch): {', '.join(files) or 'none'}"))
    return out


def _spec(spec: EnvSpec | None, test_command: str | None) -> list[RenderableType]:
    out: list[RenderableType] = [_heading("environment spec")]
    if spec is None:
        out.append(
            Text("none: the task cannot be evaluated until one is given (--specs)", style="red")
        )
        return out
    for name, value in spec.model_dump().items():
        shown = ", ".join(value) if isinstance(value, tuple | list) else str(value)
        out.append(Text(f"  {name}: {shown if shown else '-'}"))
    if test_command:
        out.append(Text(f"the hidden tests run as: {test_command}", style="bold"))
    return out


def task_view(task: Task, test_command: str | None, with_patches: bool = False) -> RenderableType:
    """The task's header, problem statement, hidden tests and environment spec (and, with
    ``with_patches``, the gold and test patches)."""
    head = Text.assemble(
        (task.instance_id, "bold"),
        f"   repo {task.repo}   base commit {task.base_commit[:12]}"
        + (f"   version {task.version}" if task.version else "")
        + (f"   difficulty {task.difficulty}" if task.difficulty else ""),
    )
    parts: list[RenderableType] = [
        head,
        _heading("problem statement"),
        Text(task.problem_statement),
    ]
    if task.hints_text.strip():
        parts += [_heading("hints"), Text(task.hints_text)]
    parts += _tests(task) + _spec(task.env_spec, test_command)
    if with_patches:
        for name, diff in (("gold patch", task.patch), ("test patch", task.test_patch)):
            parts += [_heading(name), Syntax(diff, "diff", theme="ansi_dark")]
    return Group(*parts)
