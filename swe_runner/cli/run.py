"""``swe-runner run``: let an agent solve each task in a container, then grade its patch."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from swe_runner.agents import AGENT_NAMES, AgentOptions, AgentRecipe, ModelAgent, make_agent
from swe_runner.cli.evaluate import default_run_id, show_summary
from swe_runner.cli.model_flags import ModelFlags, model_options
from swe_runner.cli.options import (
    DatasetPick,
    dataset_options,
    exclude_option,
    force_option,
    instances_option,
    json_option,
    notice,
    print_whole,
    retry_errors_option,
    skip_excluded_option,
    stderr,
    stdout,
    without_excluded,
)
from swe_runner.cli.settings_flags import (
    executor_options,
    images_options,
    setting_option,
    settings_options,
    workers_option,
)
from swe_runner.config import Settings
from swe_runner.errors import InputError
from swe_runner.inputs.published import is_published
from swe_runner.manifest import Exclusion
from swe_runner.reporting.render import report_view
from swe_runner.reporting.replay_view import replay_lines
from swe_runner.reporting.report import build_report
from swe_runner.reporting.table import RunProgress
from swe_runner.run.attempts import run_attempts
from swe_runner.run.batch import Events
from swe_runner.run.request import AgentRequest
from swe_runner.runs import LoadedRun, load_run, run_path
from swe_runner.secret_env import Secrets

__all__ = ["run_cmd"]


@click.command("run")
@click.option(
    "--suite",
    "--dataset",
    "-s",
    "suite",
    required=True,
    help="Suite name (e.g. demo), suite folder, .jsonl/.json/.parquet task file, or a "
    "Hugging Face dataset (hf:NAME or owner/name).",
)
@click.option(
    "--agent", "-a", "agent_name", required=True, help=f"Agent: {', '.join(AGENT_NAMES)}."
)
@instances_option
@workers_option("worked on")
@click.option(
    "--run-id",
    help="Run folder name; an existing run of the same agent, model and dataset is resumed "
    "(finished instances kept, the rest redone).  [default: <agent>-<timestamp>]",
)
@setting_option(
    "--output",
    "results_dir_opt",
    setting="results_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder (same as --results-dir).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=1800,
    show_default=True,
    help="Seconds an agent may work on one instance.",
)
@click.option(
    "--network",
    default="none",
    show_default=True,
    help="Docker network of agent containers ('bridge' to allow network access).",
)
@click.option(
    "--predictions",
    "-p",
    type=click.Path(path_type=Path),
    help="For --agent predictions: the SWE-bench predictions file to replay.",
)
@click.option(
    "--agent-command",
    help="For --agent command: the command to run in the repo "
    "(problem statement on stdin and in $PROBLEM_STATEMENT_FILE).",
)
@click.option(
    "--agent-files",
    type=click.Path(exists=True, path_type=Path),
    help="For --agent command: a file or folder copied to /agent first.",
)
@click.option(
    "--env",
    "env_specs",
    multiple=True,
    metavar="NAME[=VALUE]",
    help="For --agent command: a secret its command gets in its environment (NAME alone: "
    "taken from this environment, kept out of shell history). Never in the container's "
    "configuration nor the evaluation container; masked as [secret NAME] in everything "
    "recorded or printed. Repeatable.",
)
@click.option(
    "--from",
    "replay_from",
    metavar="RUN",
    help="For --agent replay: the recorded run (id or folder) whose tool calls are replayed, "
    "or published trajectories (a mini-swe-agent .traj.json or SWE-agent .traj file, or a "
    "folder of <id>.traj.json, <id>/<id>.traj.json, <id>.traj); each instance's report "
    "gives the steps replayed and drifted and whether it reached the same patch.",
)
@click.option(
    "--verdicts",
    "replay_verdicts",
    type=click.Path(exists=True, path_type=Path),
    help="For --agent replay of published trajectories: their published verdicts (an "
    "experiments-style results.json, or a folder of <id>/report.json), set beside the "
    "replay's.  [default: a logs/ folder or results/results.json beside the trajectories]",
)
@click.option(
    "--attempts",
    "-k",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Independent attempts at every task, kept apart in attempt-<n>/ folders; "
    "`swe-runner report` then gives pass@1..pass@K and the spread across attempts.",
)
@model_options
@retry_errors_option
@exclude_option
@skip_excluded_option
@force_option
@json_option
@dataset_options
@settings_options
@images_options
@executor_options
def run_cmd(
    suite: str,
    agent_name: str,
    instances: tuple[str, ...],
    run_id: str | None,
    timeout: float,
    network: str,
    predictions: Path | None,
    agent_command: str | None,
    agent_files: Path | None,
    env_specs: tuple[str, ...],
    replay_from: str | None,
    replay_verdicts: Path | None,
    attempts: int,
    model_flags: ModelFlags,
    retry_errors: bool,
    exclusion: Exclusion | None,
    skip_excluded: bool,
    force: bool,
    as_json: bool,
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Let an agent fix each task, then grade its patch against the hidden tests.

    Each task gets a container from its instance image (repository at the bug commit, no
    later history, network off unless --network). The agent works through a persistent
    bash tool and a file editor; its `git diff` against the base commit is then applied in
    a fresh container with the hidden tests added, and graded.

    Example: swe-runner run --suite demo --agent gold --workers 2
    """
    refuse_flags_of_other_agents(click.get_current_context(), agent_name)
    data = pick.load(suite, instances)
    if skip_excluded:
        data = without_excluded(data, exclusion)
    key_env = model_flags.api_key_env
    secrets = Secrets.parse(env_specs, credentials=(key_env,) if key_env else ())
    options = AgentOptions(
        predictions=predictions,
        command=agent_command,
        files=agent_files,
        timeout=timeout,
        model=model_flags.options(),
        replay_from=replay_source(replay_from, settings.results_dir) if replay_from else None,
        replay_verdicts=replay_verdicts,
        env=secrets.given,
    )
    agent = make_agent(agent_name, data, options, settings)
    if isinstance(agent, ModelAgent) and agent.unpriced:
        notice(
            f"warning: no price for model {agent.model}: its cost is unknown (not 0); "
            "give one with --price-table FILE"
        )
    model = model_flags.model
    request = AgentRequest(
        dataset=data,
        agent=agent,
        recipe=AgentRecipe(agent_name, options),
        run_id=run_id if run_id is not None else default_run_id(model or agent.name),
        settings=settings,
        timeout=timeout,
        network=network,
        model_name=model,
        retry_errors=retry_errors,
        secrets=secrets,
        exclusion=exclusion,
        force=force,
    )
    with RunProgress(stderr, f"{agent.name} {request.run_id}") as bar:
        summaries = run_attempts(request, attempts, Events(bar.plan, bar.result, bar.message))
    if len(summaries) == 1:
        show_summary(summaries[0], settings, as_json)
        if agent.name == "replay":
            _say_drift(load_run(request.run_id, settings.results_dir))
        return
    report = build_report(load_run(request.run_id, settings.results_dir))
    if as_json:
        stdout.print_json(report.model_dump_json())
    else:
        print_whole(report_view(report))


_MODEL_AGENTS = ("scripted", "claude", "model")
_API_AGENTS = ("claude", "model")
# The agents each agent-specific flag is for (by parameter name); any other agent refuses
# it rather than run without it (or record a model that never ran).
FLAG_AGENTS: dict[str, tuple[str, ...]] = {
    "predictions": ("predictions",),
    "agent_command": ("command",),
    "agent_files": ("command",),
    "replay_from": ("replay",),
    "replay_verdicts": ("replay",),
    "scripts": ("scripted",),
    **dict.fromkeys(("model", "provider", "base_url", "api_key_env", "thinking"), _API_AGENTS),
    **dict.fromkeys(
        ("tool_format", "clear_context_at", "max_turns", "max_cost", "max_time", "max_context",
         "max_format_errors", "prompt_template", "price_table"),
        _MODEL_AGENTS,
    ),
}  # fmt: skip


def refuse_flags_of_other_agents(ctx: click.Context, agent_name: str) -> None:
    """Raise InputError naming the first flag given that ``agent_name`` does not use."""
    for param in ctx.command.params:
        agents = FLAG_AGENTS.get(param.name or "")
        if agents is None or agent_name in agents or agent_name not in AGENT_NAMES:
            continue
        if ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE:
            flag = max(param.opts, key=len)
            raise InputError(
                f"{flag} does not apply to --agent {agent_name} (it is for --agent "
                f"{_either(agents)})"
            )


def _either(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def replay_source(ref: str, results_dir: Path) -> Path:
    """The folder whose trajectories a replay follows (a multi-attempt run: attempt 1), or
    the published trajectories at ``ref`` (a file or a folder that is not a run)."""
    given = Path(ref)
    if given.exists() and is_published(given):
        return given.resolve()
    return load_run(run_path(ref, results_dir), results_dir).files


def _say_drift(run: LoadedRun) -> None:
    """The replay in one line per instance that drifted, then the totals."""
    reports = [r for r in run.reports.values() if r.replay is not None]
    for line in replay_lines(reports):
        stderr.print(line, markup=False, highlight=False)
    drifted = sorted(
        r.instance_id for r in reports if r.replay and not r.replay.submission_reproduced
    )
    if drifted:
        stderr.print(
            f"[bold red]drift[/]: the replay reached other patches for {', '.join(drifted)}"
        )
    else:
        stderr.print("replay: every instance reached the recorded patch (no drift)")
