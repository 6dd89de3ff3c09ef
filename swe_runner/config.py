"""One configuration tree: defaults < config file < ``SWE_RUNNER_*`` variables < CLI flags.

This is the only module that reads the environment for configuration. The resolved
:class:`Settings` goes into every run's ``run.json``.
"""

from __future__ import annotations

import difflib
import os
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from swe_runner.errors import ConfigError

__all__ = [
    "ENV_PREFIX",
    "Settings",
    "api_key_from",
    "default_cache_dir",
    "forwarded_environment",
    "load_settings",
    "require_api_key",
]

ENV_PREFIX = "SWE_RUNNER_"
DEFAULT_CONFIG_FILE = "swe-runner.toml"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "swe-runner"


class Settings(BaseModel):
    """Every tunable of a run. Field names are the config-file keys and, upper-cased after
    ``SWE_RUNNER_``, the environment variable names (``SWE_RUNNER_CA_BUNDLE``...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    results_dir: Path = Path("results")
    cache_dir: Path = Field(default_factory=default_cache_dir)
    ca_bundle: Path | None = None
    base_source: Literal["auto", "pull", "bootstrap"] = "auto"
    base_upstream: str = "debian:bookworm-slim"
    debian_mirror: str = "http://deb.debian.org/debian"
    debian_suite: str = "bookworm"
    workers: int = Field(default=1, ge=1, le=64)  # instances in parallel (--workers)
    # The official harness grades with the network on (some Verified tests reach the
    # internet); "none" grades offline. Recorded in run.json with every setting.
    eval_network: str = "bridge"
    # "task": every requirement resolved as of the task's environment date (swe_runner.images.asof);
    # "today": as of the build.
    packages_as_of: Literal["task", "today"] = "task"
    mem_limit: str = "4g"
    pids_limit: int = Field(default=1024, ge=16)
    nano_cpus: int = Field(default=2_000_000_000, ge=100_000_000)
    file_size_mb: int = Field(default=2048, ge=1)  # largest file a task may write
    # Most a container may write to its own layer, all files together (0: no limit); kept by
    # a watchdog (sandbox/diskwatch.py) since overlay2 on ext4 has no disk quota.
    disk_limit_mb: int = Field(default=10240, ge=0)
    api_retries: int = Field(default=8, ge=0)  # model API retries before an instance errors
    api_backoff: float = Field(default=1.0, ge=0)  # first retry delay (seconds), doubling
    api_backoff_ceiling: float = Field(default=60.0, ge=0)  # no wait longer, retry-after too
    # Repositories: owner/name -> local path or git URL (else mirror_dir, else GitHub).
    repo_sources: dict[str, str] = Field(default_factory=dict)
    mirror_dir: Path | None = None  # clones named owner__name or owner/name (bare or not)
    # Where a task runs: images built here (base -> env -> instance), or the official
    # prebuilt SWE-bench instance images, pulled from image_namespace (see official_images.py).
    images: Literal["build", "official"] = "build"
    image_namespace: str | None = None  # e.g. 127.0.0.1:5000/swebench; default: the record's
    # What runs the sandboxes: Docker, or "fake" (host folders in a namespace jail, on the
    # host's own Python, no isolation: for testing swe-runner itself; swe_runner/runtime/).
    runtime: Literal["docker", "fake"] = "docker"
    # Where instances run: a pool of `workers` threads here, or the nodes of a Ray cluster
    # (pip install 'swe-runner[ray]'; swe_runner/executors/), reached at ray_address
    # ("auto": the cluster this machine belongs to).
    executor: Literal["local", "ray"] = "local"
    ray_address: str = "auto"
    # Ray: instances at once on one node (each has its agent container, then its evaluation
    # container, with the next one's started ahead: at most 3 containers an instance).
    node_workers: int = Field(default=4, ge=1, le=64)


# SWE_RUNNER_* variables that are no setting: who owns the containers (owner_id), the
# evaluation's record file (containers/eval/swe_runner_record.py), the tests' Verified copy.
OTHER_VARIABLES = frozenset({"OWNER", "RECORD_FILE", "VERIFIED_DEV"})


def _from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The settings among the ``SWE_RUNNER_*`` variables.

    Raises:
        ConfigError: a ``SWE_RUNNER_*`` variable that is no setting (a misspelling would
            otherwise be ignored), with the closest setting's variable.
    """
    names = list(Settings.model_fields)
    out: dict[str, str] = {}
    for key, value in sorted(environ.items()):
        if not key.startswith(ENV_PREFIX) or key[len(ENV_PREFIX) :] in OTHER_VARIABLES:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {ENV_PREFIX}{close[0].upper()}?)" if close else ""
            raise ConfigError(
                f"environment variable {key}: no such setting{hint}; the settings are "
                f"{', '.join(names)} (as {ENV_PREFIX}<NAME>)"
            )
        out[name] = value
    return out


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    section = data.get("swe-runner", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [swe-runner] must be a table")
    return section


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from all layers; ``None`` overrides (unset flags) are ignored. An
    override of a table (``repo_sources``) adds to the table the layers below give.
    ``flags``: the flag each override came from, as errors name it (default
    ``--<name>``).

    Raises:
        ConfigError: a layer holds an unknown key or a bad value (named in the message).
    """
    layers: dict[str, Any] = {}
    sources: dict[str, str] = {}  # key -> where its value came from, for error messages
    if config_file is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_file = Path(DEFAULT_CONFIG_FILE)
    if config_file is not None:
        found = _from_file(config_file)
        _unknown_keys(found, config_file)
        layers.update(found)
        sources.update(dict.fromkeys(found, f"{config_file}: "))
    from_env = _from_env(os.environ if environ is None else environ)
    layers.update(from_env)
    sources.update({k: f"environment variable {ENV_PREFIX}{k.upper()}: " for k in from_env})
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    for key, value in given.items():
        below = layers.get(key)
        if isinstance(below, dict) and isinstance(value, dict):
            value = {**below, **value}
        layers[key] = value
        sources[key] = f"{(flags or {}).get(key, '--' + key.replace('_', '-'))}: "
    try:
        return Settings.model_validate(layers)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        where = ".".join(str(p) for p in first["loc"])
        problem = str(first["msg"])
        raise ConfigError(
            f"{sources.get(key, '')}bad value for setting {where!r} "
            f"({layers.get(key)!r}): {problem[:1].lower()}{problem[1:]}"
        ) from None


def _unknown_keys(found: Mapping[str, Any], path: Path) -> None:
    """Refuse keys that are no setting, naming the file, the key and the settings."""
    known = list(Settings.model_fields)
    for key in found:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{path}: unknown setting {key!r}{hint}; the settings are {', '.join(known)}"
            )


def require_api_key() -> None:
    """Check that ``ANTHROPIC_API_KEY`` is set; the SDK reads it itself, we never hold it.

    Raises:
        ConfigError: it is missing or empty.
    """
    if not os.environ.get("ANTHROPIC_API_KEY", "").strip():
        raise ConfigError(
            "ANTHROPIC_API_KEY is not set: export your API key to run "
            "--agent claude (or use --agent scripted offline)"
        )


def api_key_from(variable: str) -> str | None:
    """The API key in the environment variable ``variable`` (``--api-key-env``), or None.
    The caller hands it to its SDK client and keeps it nowhere else."""
    return os.environ.get(variable, "").strip() or None


# What a node of a cluster takes from the driver's environment besides credentials: who
# owns the containers it starts, and where the model APIs are.
FORWARDED = ("SWE_RUNNER_OWNER", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL")


def forwarded_environment() -> dict[str, str]:
    """The variables of :data:`FORWARDED` set here, for the stations on a cluster's nodes."""
    return {name: os.environ[name] for name in FORWARDED if os.environ.get(name)}


def owner_id() -> str:
    """Who starts containers: ``SWE_RUNNER_OWNER`` (inherited by child processes, so one
    process tree shares it) or ``host:pid``. Recorded as a container label, so ``docker ps``
    tells which invocation made a container and a test session can find only its own."""
    return os.environ.get("SWE_RUNNER_OWNER") or process_id()


def process_id() -> str:
    """This process, as ``host:pid`` (what :func:`process_gone` reads)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(owner: str) -> bool:
    """Whether ``owner`` (``host:pid``, as :func:`process_id` makes) names a process of this
    host that no longer exists. Another host's process, or an owner of another form, cannot
    be checked and counts as alive."""
    host, _, pid = owner.strip().rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, but not ours to signal
    return False
