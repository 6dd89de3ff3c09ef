"""Entry point: the command group, shared options and the one place errors become exit codes."""

from __future__ import annotations

import signal
import sys
import threading

import click
from rich.markup import escape

from swe_runner import __version__
from swe_runner.cli.options import stderr
from swe_runner.errors import SweRunnerError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="swe-runner")
def cli() -> None:
    """Benchmark coding agents on real bugs, SWE-bench style.

    A task is a repository at a bug commit, a problem statement, a gold fix and hidden
    tests. swe-runner builds the task's container images, grades predictions (patches)
    against the hidden tests in fresh containers, and writes everything under
    results/<run_id>/.

    Every flag that takes a setting can also come from ./swe-runner.toml or a
    SWE_RUNNER_<NAME> environment variable (flags win).
    """


def _register() -> None:
    from swe_runner.cli import (
        clean,
        evaluate,
        export,
        images,
        report,
        reproduce,
        run,
        show,
        tasks,
    )

    cli.add_command(run.run_cmd)
    cli.add_command(evaluate.evaluate_cmd)
    cli.add_command(report.report_cmd)
    cli.add_command(report.compare_cmd)
    cli.add_command(export.export_cmd)
    cli.add_command(show.show_cmd)
    cli.add_command(reproduce.reproduce_cmd)
    cli.add_command(images.images_group)
    cli.add_command(tasks.tasks_group)
    cli.add_command(clean.clean_cmd)


_register()


def own_sigint() -> None:
    """Stop on SIGINT as on Ctrl-C even when it came in ignored (a job started in the
    background of a script inherits SIGINT ignored, and Python then leaves it so): ``kill
    -INT`` must always stop a run cleanly (containers removed, results kept)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; deliberate errors print one ``Error:`` line and exit with their code."""
    own_sigint()
    try:
        code = cli.main(args=argv, prog_name="swe-runner", standalone_mode=False)
    except SweRunnerError as exc:
        stderr.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        stderr.print(
            "Interrupted: finished results are kept; rerun the same command (the same --run-id) "
            "to resume."
        )
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
