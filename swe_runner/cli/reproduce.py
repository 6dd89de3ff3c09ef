"""``swe-runner reproduce``: rebuild an instance's environment and see why it failed."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from swe_runner.config import Settings
from swe_runner.grading.script import hidden_tests_command
from swe_runner.run.reproduce import (
    Case,
    failure_excerpts,
    open_case,
    prepare_shell,
    reproduce,
    run_images,
)
from swe_runner.runtime import Kept
from swe_runner.task import EnvSpec

from .options import stderr, stdout
from .settings_flags import settings_options

__all__ = ["reproduce_cmd"]


@click.command("reproduce")
@click.argument("run")
@click.argument("instance")
@click.option(
    "--patch", "patch_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Try this patch instead of the recorded one.",
)  # fmt: skip
@click.option(
    "--shell", is_flag=True,
    help="Open an interactive shell in the container: the repository at the base commit "
    "with the patch applied (no grading).",
)  # fmt: skip
@click.option("--with-tests", is_flag=True, help="With --shell: also add the hidden tests.")
@click.option(
    "--keep", is_flag=True,
    help="Leave the container running (the one the tests ran in; with --shell, the "
    "shell's) and print how to enter and remove it.",
)  # fmt: skip
@click.option("--dataset", help="The run's dataset, if it moved since the run.")
@click.option(
    "--images",
    type=click.Choice(["build", "official"]),
    help="Images to grade in.  [default: the ones the run used]",
)
@click.option(
    "--image-namespace", help="Where official images are pulled from.  [default: the run's]"
)
@settings_options
def reproduce_cmd(
    run: str, instance: str, patch_file: Path | None, shell: bool, with_tests: bool,
    keep: bool, dataset: str | None, images: str | None, image_namespace: str | None,
    settings: Settings,
) -> None:  # fmt: skip
    """Rebuild INSTANCE of RUN, apply its recorded patch, run the hidden tests and show the
    outcome beside the recorded one, with each failing test's output. --shell opens a
    shell there instead. Exits with status 1 when the recorded patch now gets another
    outcome than the run recorded.

    Example: swe-runner reproduce my-run textkit-4 --shell --with-tests
    """
    if with_tests and not shell:
        raise click.UsageError("--with-tests goes with --shell (grading always adds the tests)")
    patch = patch_file.read_text(encoding="utf-8") if patch_file else None
    case = open_case(run, instance, settings, dataset, patch)
    settings = run_images(case, settings, images, image_namespace)
    if shell:
        _shell(case, settings, with_tests, keep)
        return
    result = reproduce(case, settings, keep)
    if keep:
        _say_kept(result.kept)
    recorded = case.recorded.outcome.value if case.recorded else "none"
    now = result.report.outcome.value
    verdict = "the same as recorded" if recorded == now else f"recorded: {recorded}"
    stdout.print(f"{instance}: [bold]{now}[/] ({verdict})", highlight=False)
    if result.report.error:
        stdout.print(f"  {escape(result.report.error)}", highlight=False)
    status = result.report.tests_status
    failing = [*status.FAIL_TO_PASS.failure, *status.PASS_TO_PASS.failure]
    excerpts = failure_excerpts(result.log or "", failing)
    for test in failing:
        stdout.print(f"[red]failing[/] {escape(test)}", highlight=False)
        if test in excerpts:
            stdout.print(excerpts[test], markup=False, highlight=False)
    if patch is None and recorded != now:
        raise click.exceptions.Exit(1)


def _shell(case: Case, settings: Settings, with_tests: bool, keep: bool) -> None:
    shell = prepare_shell(case, settings, with_tests, keep)
    if with_tests:
        command = hidden_tests_command(case.task, case.task.env_spec or EnvSpec())
        stderr.print(f"hidden tests in place: run them with `{escape(command)}`", highlight=False)
    try:
        shell.enter()
    finally:
        if keep:
            _say_kept(shell.keep())
        shell.close()


def _say_kept(kept: Kept | None) -> None:
    if kept is None:
        stderr.print("nothing kept: this patch was graded without a container (see its outcome)")
        return
    stderr.print(
        f"container kept: enter with `{escape(kept.enter)}`, remove with `{escape(kept.remove)}`",
        highlight=False,
    )
