"""The settings flags: gathered by one wrapper into one ``settings``, whatever decorator
added them; their bounds and choices are the model's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

from swe_runner.cli.main import cli, main
from swe_runner.cli.options import dataset_options
from swe_runner.cli.settings_flags import (
    SettingOption,
    click_type,
    executor_options,
    setting_option,
    settings_options,
    workers_option,
)
from swe_runner.config import Settings, load_settings
from swe_runner.errors import ConfigError
from tests.cli.test_main import all_commands


def settings_flags() -> list[tuple[str, SettingOption]]:
    """Every settings flag of every command, by command."""
    found = []
    for path in all_commands(cli):
        command: click.Command = cli
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        found += [(" ".join(path), p) for p in command.params if isinstance(p, SettingOption)]
    return found


def test_a_settings_flag_takes_the_values_and_bounds_the_model_gives_its_setting() -> None:
    checked = {flag.setting for _, flag in settings_flags()}
    assert {"workers", "node_workers", "executor", "images", "base_source"} <= checked
    for command, flag in settings_flags():
        derived = click_type(flag.setting)
        if derived is not None:  # the model has bounds or choices: the flag has those
            assert flag.type.to_info_dict() == derived.to_info_dict(), (command, flag.flag)


@click.command()
@setting_option("--output", "output", setting="results_dir", type=click.Path(path_type=Path))
@workers_option("done")
@dataset_options  # the repository flags are settings flags too, above or below the wrapper
@settings_options
@executor_options
def probe(settings: Settings, **kwargs: Any) -> None:
    """Prints what it was given."""
    click.echo(f"{settings.results_dir} {settings.workers} {settings.node_workers}")
    click.echo(f"{sorted(settings.repo_sources.items())} {sorted(kwargs)}")


def test_every_settings_flag_reaches_the_one_settings_and_no_flag_reaches_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("swe-runner.toml").write_text(
        '[swe-runner]\nworkers = 3\n[swe-runner.repo_sources]\n"a/b" = "/from/file"\n'
    )
    probe.main(
        ["--output", "o", "--results-dir", "r", "--node-workers", "5", "--repo-source", "c/d=/x"],
        standalone_mode=False,
    )
    first, second = capsys.readouterr().out.splitlines()
    # the command's own --output wins over the shared --results-dir (run's, as before)
    assert first == "o 3 5"
    # a --repo-source adds to the config file's table; the command gets only `pick`
    assert second == "[('a/b', '/from/file'), ('c/d', '/x')] ['pick']"


def test_a_settings_flag_out_of_bounds_is_refused_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evaluate", "-d", "demo", "-p", "empty", "--workers", "65"]) == 2
    assert "Invalid value for '--workers' / '-w': 65 is not in the range 1<=x<=64" in (
        capsys.readouterr().err
    )


def test_a_bad_value_from_a_flag_names_that_flag() -> None:
    with pytest.raises(ConfigError, match=r"^--output: bad value for setting 'workers'"):
        load_settings(None, {"workers": 0}, environ={}, flags={"workers": "--output"})
    with pytest.raises(ConfigError, match=r"^--node-workers: bad value"):
        load_settings(None, {"node_workers": 0}, environ={})
