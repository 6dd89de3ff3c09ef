"""Known-bad lists: the tasks a gold gate (``tasks validate``) or a public report found
unfit to grade, and how ``--exclude`` reads them.

A known-bad list is JSON::

    {"schema_version": 1, "kind": "swe-runner known-bad list",
     "dataset": {"name": "demo", "fingerprint": "..."}, "created_at": "2026-...Z",
     "repeat": 3, "validated": 12,
     "instances": [{"instance_id": "...", "class": "flaky", "reason": "...",
                    "tests": ["..."], "sources": []}]}

``--exclude`` takes such a list, a plain list of ids (a JSON list of ids or of objects
with an ``instance_id``; or text, one id per line, ``#`` starting a comment), or the name
of a list shipped with swe-runner (``swe-bench-verified``: see docs/known-broken.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from swe_runner.errors import InputError
from swe_runner.manifest import Exclusion
from swe_runner.records import SCHEMA_VERSION, atomic_write_json

__all__ = [
    "KIND",
    "GateClass",
    "KnownBad",
    "KnownBadList",
    "load_exclusion",
    "shipped_lists",
]

KIND = "swe-runner known-bad list"
SHIPPED = Path(__file__).resolve().parent.parent / "data"  # known-bad-<name>.json
_PREFIX = "known-bad-"


class GateClass(StrEnum):
    """What the gold gate makes of a task."""

    VALID = "valid"  # gold resolves every run, the empty patch does not
    FLAKY = "flaky"  # the verdict or a test's status changes between gold runs
    BROKEN = "broken"  # gold fails every run, or the empty patch resolves too
    UNBUILDABLE = "unbuildable"  # its image or environment cannot be made to run tests


class KnownBad(BaseModel):
    """One task of a known-bad list: its class, why, the tests concerned, the sources."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    instance_id: str
    cls: GateClass = Field(
        validation_alias=AliasChoices("class", "cls"), serialization_alias="class"
    )
    reason: str
    tests: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # where it was reported (URLs)


class KnownBadList(BaseModel):
    """A whole known-bad list, as written by ``tasks validate`` (or shipped)."""

    schema_version: int = SCHEMA_VERSION
    kind: str = KIND
    dataset: dict[str, Any] = Field(default_factory=dict)  # name, fingerprint...
    created_at: str
    swe_runner: str | None = None  # the version that wrote it
    repeat: int | None = None  # gold runs per task
    validated: int | None = None  # tasks the gate looked at
    instances: list[KnownBad]

    def write(self, path: Path) -> None:
        atomic_write_json(path, self.model_dump(mode="json", by_alias=True))


def shipped_lists() -> list[str]:
    """The names of the known-bad lists that ship with swe-runner."""
    return sorted(p.stem[len(_PREFIX) :] for p in SHIPPED.glob(f"{_PREFIX}*.json"))


def load_exclusion(ref: str | Path) -> Exclusion:
    """The instance ids ``ref`` names: a known-bad list, a plain list of ids (JSON or one
    per line) or the name of a shipped list.

    Raises:
        InputError: no such file or list, or one that is not a list of instance ids.
    """
    path = Path(ref)
    if not path.is_file():
        named = SHIPPED / f"{_PREFIX}{ref}.json"
        if not named.is_file():
            raise InputError(
                f"no exclusion list {str(ref)!r}: not a file, nor a shipped list "
                f"(shipped: {', '.join(shipped_lists()) or 'none'})"
            )
        path = named
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: unreadable exclusion list ({exc})") from None
    ids = _json_ids(text, path) if text.lstrip()[:1] in ("[", "{") else _line_ids(text)
    bad = [i for i in ids if not i or any(c.isspace() for c in i)]
    if bad:
        raise InputError(f"{path}: {bad[0]!r} is not an instance id")
    return Exclusion(source=str(ref), instances=sorted(set(ids)))


def _line_ids(text: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _json_ids(text: str, path: Path) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, dict):
        if "instances" not in data:
            raise InputError(f"{path}: a known-bad list needs an 'instances' list")
        data = data["instances"]
    if not isinstance(data, list):
        raise InputError(f"{path}: 'instances' must be a list of instance ids")
    ids = []
    for n, item in enumerate(data):
        if isinstance(item, dict):
            try:
                item = _Named.model_validate(item).instance_id
            except ValidationError:
                raise InputError(f"{path}: entry {n} has no 'instance_id'") from None
        if not isinstance(item, str):
            raise InputError(f"{path}: entry {n} is not an instance id: {item!r}")
        ids.append(item)
    return ids


class _Named(BaseModel):
    instance_id: str
