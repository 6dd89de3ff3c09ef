"""The settings flags, and the one place a command's :class:`~swe_runner.config.Settings`
is built.

A settings flag is a click option that names the setting it gives (:class:`SettingOption`,
made by :func:`setting_option`). Where the setting has bounds or a set of values, the
flag's click type is drawn from the :class:`~swe_runner.config.Settings` model, so they are
written there once. Decorators add flags, in any order (:func:`images_options`,
:func:`executor_options`, :func:`workers_option`, the repository flags of
:func:`~swe_runner.cli.options.dataset_options`...); :func:`settings_options` (or
:func:`results_options`, for commands that only read runs) wraps the command once: it
takes every settings flag the command was given, whichever decorator added it, and calls
:func:`~swe_runner.config.load_settings` once (defaults < config file < ``SWE_RUNNER_*``
variables < flags); a bad value is a ``ConfigError`` naming its flag. The command
receives ``settings`` alone: no flag's value reaches it any other way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import click

from swe_runner.config import Settings, load_settings

__all__ = [
    "SettingOption",
    "executor_options",
    "images_options",
    "results_options",
    "setting_option",
    "settings_options",
    "workers_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class SettingOption(click.Option):
    """A flag whose value is the setting ``setting`` (None: not given)."""

    def __init__(self, param_decls: Sequence[str], *, setting: str, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.setting = setting

    @property
    def flag(self) -> str:
        """How errors name it: its long form."""
        return max(self.opts, key=len)


def click_type(setting: str) -> click.ParamType[Any] | None:
    """The click type of a setting with a set of values (a choice) or bounds (a range), as
    the model has them; None: click's own default (text)."""
    field = Settings.model_fields[setting]
    if get_origin(field.annotation) is Literal:
        return click.Choice(get_args(field.annotation))
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if field.annotation is int and (low is not None or high is not None):
        return click.IntRange(low, high)
    return None


def setting_option(*decls: str, setting: str, **attrs: Any) -> Decorator:
    """A click option giving ``setting``; without a ``type``, the setting's own
    (:func:`click_type`)."""
    if attrs.get("type") is None:
        attrs["type"] = click_type(setting)
    return click.option(*decls, cls=SettingOption, setting=setting, **attrs)


def _given(command: click.Command, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings flags of ``command`` taken out of ``kwargs``: the values given by
    setting, and the flag each came from. Two flags of one setting (``run --output``
    beside ``--results-dir``): the command's own, declared above the shared ones, wins."""
    values: dict[str, Any] = {}
    flags: dict[str, str] = {}
    for param in command.params:
        if not isinstance(param, SettingOption) or param.name not in kwargs:
            continue
        value = kwargs.pop(param.name)
        if value is not None and param.setting not in values:
            values[param.setting], flags[param.setting] = value, param.flag
    return values, flags


def _collecting(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with ``--config``, receiving the one ``settings`` every settings flag of
    its command builds."""

    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (TOML, [swe-runner] table). Default: ./swe-runner.toml.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, config_file: Path | None, **kwargs: Any) -> Any:
        values, flags = _given(click.get_current_context().command, kwargs)
        settings = load_settings(config_file, values, flags=flags)
        return func(*args, settings=settings, **kwargs)

    return wrapper


def _apply(func: Callable[..., Any], flags: Sequence[Decorator]) -> Callable[..., Any]:
    for flag in reversed(flags):
        func = flag(func)
    return func


_results_dir = setting_option(
    "--results-dir",
    setting="results_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where runs are written (and run ids looked up).  [default: results]",
)
_BASE = [
    _results_dir,
    setting_option(
        "--cache-dir",
        setting="cache_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Repository and build-log cache.  [default: ~/.cache/swe-runner]",
    ),
    setting_option(
        "--ca-bundle",
        setting="ca_bundle",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Extra CA bundle (PEM) trusted by image builds, e.g. behind a TLS proxy.",
    ),
    setting_option(
        "--base-source",
        setting="base_source",
        help="Base image: pull from a registry, bootstrap offline with debootstrap, "
        "or auto (pull, else bootstrap).  [default: auto]",
    ),
]


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config``, ``--results-dir``, ``--cache-dir``, ``--ca-bundle``, ``--base-source``;
    the command receives ``settings``, built from these and every other settings flag it
    has."""
    return _collecting(_apply(func, _BASE))


def results_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config`` and ``--results-dir`` only (commands that read finished runs)."""
    return _collecting(_results_dir(func))


def images_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--images`` and ``--image-namespace`` (settings flags)."""
    return _apply(
        func,
        [
            setting_option(
                "--images",
                setting="images",
                help="build: images built here from the specs; official: the official "
                "prebuilt SWE-bench instance images, pulled.  [default: build]",
            ),
            setting_option(
                "--image-namespace",
                setting="image_namespace",
                metavar="REGISTRY/NAMESPACE",
                help="Pull official images from here instead of Docker Hub's swebench, e.g. "
                "127.0.0.1:5000/swebench.",
            ),
        ],
    )


def executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--executor``, ``--ray-address`` and ``--node-workers`` (settings flags)."""
    return _apply(
        func,
        [
            setting_option(
                "--executor",
                setting="executor",
                help="Where instances run: local (worker threads here) or ray (the nodes of "
                "a Ray cluster with Docker; pip install 'swe-runner[ray]').  [default: local]",
            ),
            setting_option(
                "--ray-address",
                setting="ray_address",
                metavar="HOST:PORT",
                help="The Ray cluster's head (ray start --head prints it).  [default: auto, "
                "the cluster this machine is part of]",
            ),
            setting_option(
                "--node-workers",
                setting="node_workers",
                help="Ray: instances at once on one node (fewer where it has fewer CPUs).  "
                "[default: 4]",
            ),
        ],
    )


def workers_option(what: str) -> Decorator:
    """``--workers`` (a settings flag: the run uses, and run.json records, the flag, else
    the ``workers`` setting)."""
    return setting_option(
        "--workers",
        "-w",
        setting="workers",
        help=f"Instances {what} in parallel.  [default: the workers setting "
        "(swe-runner.toml, SWE_RUNNER_WORKERS), else 1]",
    )
