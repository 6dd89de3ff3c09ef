"""``run.json``: what a run was made of (dataset, agent, settings, versions), as typed records.

Read by resume (to refuse mixing runs), by reports and exports, and by ``report --regrade``
and ``reproduce`` (to load the dataset again). Its ``agent`` is ``{}`` on disk when
predictions were graded without one, as every version wrote it.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_serializer,
)

from swe_runner.config import Settings
from swe_runner.records import SCHEMA_VERSION

__all__ = [
    "AgentInfo",
    "DatasetInfo",
    "DatasetOrigin",
    "Exclusion",
    "Retry",
    "RunManifest",
    "TaskRef",
]


class Exclusion(BaseModel):
    """The tasks a known-bad list (``--exclude``) leaves out of a run's second
    denominator: where the list came from and the instance ids it names (sorted)."""

    model_config = ConfigDict(frozen=True)

    source: str
    instances: list[str] = Field(default_factory=list)


class DatasetOrigin(BaseModel):
    """How a run's dataset was loaded, so that it can be loaded again (``report
    --regrade``, ``reproduce``, exports)."""

    ref: str | None = None  # the reference given: a suite name, a file, a hub dataset
    split: str | None = None
    specs: str | None = None  # the --specs file
    python: str | None = None  # --python


class TaskRef(BaseModel):
    """One task of a run's task set, as run.json lists it."""

    instance_id: str
    repo: str = ""
    difficulty: str | None = None


class DatasetInfo(BaseModel):
    """run.json's ``dataset``: which tasks the run was made on."""

    name: str
    path: str | None = None
    fingerprint: str | None = None
    size: int | None = None
    origin: DatasetOrigin = Field(default_factory=DatasetOrigin)
    # The whole task set, so a report counts tasks that never got a result (older runs:
    # none, and the tasks are those with a report).
    tasks: list[TaskRef] | None = None


class AgentInfo(BaseModel):
    """run.json's ``agent``: the agent that made the run (``{}`` on disk when predictions
    were graded without one)."""

    name: str
    model: str | None = None
    # The model API it called (model agents only; runs made before these were kept have
    # neither): written only when known, so older run.json files rewrite byte for byte.
    provider: str | None = None
    base_url: str | None = None  # None: the provider's own API


_ONLY_KNOWN = ("provider", "base_url")  # AgentInfo's keys written only when set


class Retry(BaseModel):
    """An instance run again because the place running it was lost (a node of a cluster)."""

    instance_id: str
    reason: str


class RunManifest(BaseModel):
    """``run.json``: what was run, on what, with which settings and versions."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    command: str
    dataset: DatasetInfo
    predictions: str | None = None
    agent: AgentInfo | None = None  # None: predictions graded by ``evaluate``
    attempts: int = 1  # >1: one run folder per attempt, ``attempt-<n>/``
    exclude: Exclusion | None = None  # --exclude: the report's second denominator
    # On disk, the settings the run's version had: an older run.json lacks the newer ones,
    # which read as their defaults and are not written back (:meth:`all_settings`).
    settings: Settings
    versions: dict[str, str]
    host: str
    started_at: str
    finished_at: str | None = None
    # Instances run again elsewhere after their node was lost (written only when any were).
    retries: list[Retry] = Field(default_factory=list)

    @field_validator("agent", mode="before")
    @classmethod
    def _no_agent(cls, value: Any) -> Any:
        return None if value == {} else value

    @field_serializer("agent")
    def _agent_on_disk(self, agent: AgentInfo | None) -> dict[str, Any]:
        if agent is None:
            return {}
        data = agent.model_dump(mode="json")
        return {k: v for k, v in data.items() if v is not None or k not in _ONLY_KNOWN}

    @field_serializer("settings")
    def _settings_on_disk(self, settings: Settings) -> dict[str, Any]:
        """The keys the file was read with, in the order it had them (a new run's
        settings come from :meth:`all_settings`: every key)."""
        return settings.model_dump(mode="json", exclude_unset=True)

    @staticmethod
    def all_settings(settings: Settings) -> Settings:
        """``settings`` with every field to be written into run.json, defaults too."""
        return Settings.model_construct(set(Settings.model_fields), **dict(settings))

    @model_serializer(mode="wrap")
    def _retries_when_any(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Runs without retries (every local one) keep the run.json they always had."""
        data: dict[str, Any] = handler(self)
        if not data.get("retries"):
            data.pop("retries", None)
        return data
