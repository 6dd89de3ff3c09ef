"""Environment specs keyed by (repo, version): from a user's file or the official package.

Precedence for a task: its own ``env_spec`` > ``--specs FILE`` > its suite's ``[[specs]]``
> the official ``swebench`` package's table (if installed). A task left without a spec
fails its own build with a clear message; the batch goes on.

A specs file (YAML or JSON) is either a list of entries ``{repo, version, <fields>}`` or a
mapping ``{repo: {version: {<fields>}}}`` (the official table's shape). Fields are
:class:`EnvSpec`'s, plus the official names ``pip_packages`` (added to ``packages``) and
``eval_commands`` (= ``eval_setup``); ``install`` and ``test_cmd`` may be a string or list.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from swe_runner.errors import InputError
from swe_runner.inputs.official_tables import ENV_YML_PATHS, PARSERS, REQS_PATHS
from swe_runner.task import EnvSpec, Task

__all__ = ["SpecTable", "attach", "load_specs", "official_specs", "translate_official"]

SpecKey = tuple[str, str]
# The official harness's default time limit for an evaluation (run_evaluation --timeout).
OFFICIAL_TIMEOUT = 1800.0
# Keys only the official table uses (ours would be refused as unknown fields).
_OFFICIAL_ONLY = ("no_use_env", "nano_cpus", "execute_test_as_nonroot", "docker_specs")
_OFFICIAL_KEYS = (
    "python",
    "packages",
    "pip_packages",
    "install",
    "pre_install",
    "test_cmd",
    "eval_commands",
)


@dataclass
class SpecTable:
    """(repo, version) -> spec, and the (repo, version) pairs known but not usable here."""

    specs: dict[SpecKey, EnvSpec] = field(default_factory=dict)
    problems: dict[SpecKey, str] = field(default_factory=dict)
    source: str = ""

    def find(self, repo: str, version: str) -> EnvSpec | None:
        return self.specs.get((repo, version))


def _entries(data: Any, path: Path) -> Iterable[tuple[str, str, dict[str, Any]]]:
    if isinstance(data, list):
        for index, entry in enumerate(data):
            if not isinstance(entry, dict) or "repo" not in entry:
                raise InputError(f"{path}: entry {index} needs 'repo' and 'version'")
            body = {k: v for k, v in entry.items() if k not in ("repo", "version")}
            yield str(entry["repo"]), str(entry.get("version", "")), body
    elif isinstance(data, dict):
        for repo, versions in data.items():
            if not isinstance(versions, dict):
                raise InputError(f"{path}: {repo}: expected a mapping of version -> spec")
            for version, body in versions.items():
                if not isinstance(body, dict):
                    raise InputError(f"{path}: {repo} {version}: a spec must be a mapping")
                yield str(repo), str(version), body
    else:
        raise InputError(f"{path}: specs must be a list of entries or a repo -> version map")


def _as_list(value: Any) -> Any:
    """A command given as one string, as a list of one (other values as they are)."""
    return [value] if isinstance(value, str) else value


def _shell_words(line: str) -> list[str]:
    """The words bash makes of ``line`` (the official harness puts a spec's packages on a
    ``conda create`` command line, so quotes group and are removed there)."""
    try:
        return shlex.split(line)
    except ValueError:  # an unbalanced quote: bash would refuse it too; keep the words
        return line.split()


def _normalise(body: Mapping[str, Any]) -> dict[str, Any]:
    """Our field names and shapes from a spec written either way."""
    out = dict(body)
    pinned = list(out.pop("pip_packages", None) or [])
    packages = out.get("packages", [])
    if isinstance(packages, str):  # a shell line's words (``'numpy==1.19.2'`` is numpy==1.19.2)
        packages = _shell_words(packages)
    names = {re.split(r"[<>=!~\[; ]", p, maxsplit=1)[0].lower() for p in pinned}
    out["packages"] = [p for p in packages if p.lower() not in names] + pinned
    if "eval_commands" in out:
        out["eval_setup"] = out.pop("eval_commands")
    for key in ("install", "pre_install", "eval_setup"):
        if key in out:
            out[key] = _as_list(out[key])
    if isinstance(out.get("test_cmd"), list):
        out["test_cmd"] = " && ".join(out["test_cmd"])
    if "python" in out:
        out["python"] = str(out["python"])
    return out


def _official_shape(body: Mapping[str, Any]) -> bool:
    """An entry written as in the official table (a dump of ``MAP_REPO_VERSION_TO_SPECS``):
    it then means what it means there (requirements or conda file, reinstall, time limit)."""
    return body.get("packages") in ("requirements.txt", "environment.yml") or any(
        key in body for key in _OFFICIAL_ONLY
    )


def load_specs(path: Path) -> SpecTable:
    """Read a specs file (``.yaml``/``.yml``/``.json``).

    Raises:
        InputError: unreadable, malformed, or a spec with a bad field (named).
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read specs file {path}: {exc}") from None
    table = SpecTable(source=str(path))
    for repo, version, body in _entries(data, path):
        if _official_shape(body):
            spec = translate_official(repo, version, body, PARSERS.get(repo, "pytest"))
            if isinstance(spec, str):
                raise InputError(f"{path}: {spec}")
            table.specs[(repo, version)] = spec
            continue
        # A repository of the official table tests as it does there unless the entry says
        # otherwise: its parser, and Django's runner takes modules.
        defaults = {"log_parser": PARSERS.get(repo, "pytest")}
        if repo == "django/django":
            defaults["test_selection"] = "modules"
        try:
            spec = EnvSpec.model_validate({**defaults, **_normalise(body)})
            table.specs[(repo, version)] = spec
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(f"{path}: {repo} {version}: {where}: {first['msg']}") from None
    return table


def translate_official(
    repo: str, version: str, raw: Mapping[str, Any], parser: str
) -> EnvSpec | str:
    """One entry of the official table as our spec, or why it cannot be used as is.

    A conda environment file (``environment.yml``) is translated to pip requirements; a
    requirements file named by the official table is read from the repository at the
    environment commit; each is installed into the environment image.
    """
    body = {k: v for k, v in raw.items() if k in _OFFICIAL_KEYS or k in EnvSpec.model_fields}
    packages = body.pop("packages", "")
    if packages == "environment.yml":
        files = ENV_YML_PATHS.get(repo, ())
        if not files:
            return f"{repo} {version}: the official spec's conda environment file is unknown"
        body["conda_env_files"] = list(files)
    elif packages == "requirements.txt":
        reqs = REQS_PATHS.get(repo, ())
        if not reqs:
            return f"{repo} {version}: the official spec's requirements file is unknown"
        # The official environment image installs the first of these files that exists,
        # read at the environment commit, before pre_install and install run.
        body["requirements_files"] = list(reqs)
    elif packages:
        body["packages"] = packages
    body["reinstall_for_tests"] = True  # the official eval script installs again
    body.setdefault("eval_timeout", OFFICIAL_TIMEOUT)
    body.setdefault("log_parser", parser)
    if repo == "django/django":
        body.setdefault("test_selection", "modules")
    try:
        return EnvSpec.model_validate(_normalise(body))
    except ValidationError as exc:
        return f"{repo} {version}: {exc.errors()[0]['msg']}"


def official_specs() -> SpecTable | None:
    """The official ``swebench`` (4.x) table translated, or None when it is not installed."""
    try:
        from swebench.harness import log_parsers
        from swebench.harness.constants import python as official
    except ImportError:
        return None
    parsers = {
        **PARSERS,
        **{
            repo: fn.__name__.removeprefix("parse_log_")
            for repo, fn in log_parsers.MAP_REPO_TO_PARSER_PY.items()
        },
    }
    table = SpecTable(source=f"swebench {getattr(official, '__name__', '')}")
    for repo, versions in official.MAP_REPO_VERSION_TO_SPECS_PY.items():
        for version, raw in versions.items():
            spec = translate_official(repo, version, raw, parsers.get(repo, "pytest"))
            if isinstance(spec, str):
                table.problems[(repo, version)] = spec
            else:
                table.specs[(repo, version)] = spec
    return table


def attach(
    tasks: Iterable[Task], tables: list[SpecTable], python: str | None = None
) -> tuple[Task, ...]:
    """Give each task without a spec the first one ``tables`` hold for (repo, version);
    ``python`` overrides every spec's Python version (e.g. the one available offline)."""
    out = []
    for task in tasks:
        spec = task.env_spec
        for table in tables:
            if spec is not None:
                break
            spec = table.find(task.repo, task.version)
        if spec is not None and python:
            spec = spec.model_copy(update={"python": python})
        out.append(task.model_copy(update={"env_spec": spec}))
    return tuple(out)
