"""Task, environment spec and prediction records (SWE-bench compatible).

A :class:`Task` holds the SWE-bench instance fields plus an optional :class:`EnvSpec`
saying how to build and test it. FAIL_TO_PASS / PASS_TO_PASS are accepted as lists or
as the JSON-encoded strings the published datasets use.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["EnvSpec", "Peers", "Prediction", "Task"]


class EnvSpec(BaseModel):
    """How to build a task's environment and run its tests.

    ``packages`` are installed into the environment image (shared by a repo/version);
    ``pre_install`` and ``install`` run in the repository (``/testbed``) of the instance
    image; ``eval_setup`` runs before the tests (e.g. exports); ``test_cmd`` is followed by
    the tests the test patch touches, as files or (``test_selection="modules"``, Django's
    runner) dotted module names.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    python: str = "3.11"
    base_image: str | None = None
    packages: tuple[str, ...] = ()
    pre_install: tuple[str, ...] = ()
    install: tuple[str, ...] = ()
    eval_setup: tuple[str, ...] = ()
    test_cmd: str = "python -m pytest -rA -p no:cacheprovider"
    test_selection: Literal["files", "modules", "none"] = "files"
    log_parser: str = "pytest"
    eval_timeout: float = Field(default=600.0, gt=0)
    # Run ``install`` again after the prediction is applied, before the tests (the official
    # eval script does: a patch to a compiled extension or to the packaging takes effect).
    reinstall_for_tests: bool = False
    # A conda environment file in the repository (the first that exists at the environment
    # setup commit), installed with pip into the environment image (official xarray specs).
    conda_env_files: tuple[str, ...] = ()
    # A requirements file in the repository (the first that exists at the environment setup
    # commit, its ``-r`` includes inlined), installed into the environment image before the
    # spec's packages are installed again (official specs' ``packages: requirements.txt``).
    requirements_files: tuple[str, ...] = ()


class Peers(BaseModel):
    """The base commits of the dataset's tasks whose images share layers with a task's
    (:mod:`swe_runner.images.history`): those of the same repository and environment spec
    an environment image, and of those, the ones with the same setup a chain of snapshots.
    Empty: the task's own commit alone (a task built on its own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The tasks of the chain, each as its environment is planned from: (base commit,
    # environment setup commit or "", created_at). The builder keeps those whose
    # environment image is the task's (a spec reading a file of the repository, or dated
    # by its commit, may make another image per environment commit).
    chain_setups: tuple[tuple[str, str, str], ...] = ()
    env: tuple[str, ...] = ()
    # The setup steps (pre_install, then install) of the environment's oldest task: what
    # its packages layer runs (swe_runner/images/installs.py), whichever setup a task has.
    # Empty: the task's own.
    env_setup: tuple[str, ...] = ()
    # The oldest task of the repository on the same Python and base image (its own peers
    # set, its hub None): its environment is the hub that the task's is stored on as a
    # delta (:mod:`swe_runner.images.pool`). None: a task built on its own.
    hub: Task | None = None

    @property
    def chain(self) -> tuple[str, ...]:
        """The base commits of the chain's tasks, sorted, each once."""
        return tuple(sorted({commit for commit, _, _ in self.chain_setups}))


def _decode_test_list(value: Any) -> Any:
    """Accept a list or a JSON-encoded list (as in the published datasets)."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else []
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON list: {exc.msg}") from None
    return value


class Task(BaseModel):
    """One benchmark instance: repository at a bug commit, problem, gold fix, hidden tests."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    instance_id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
    repo: str = Field(min_length=1)
    base_commit: str = Field(pattern=r"^[0-9a-f]{7,40}$")
    problem_statement: str
    patch: str
    test_patch: str
    FAIL_TO_PASS: tuple[str, ...] = Field(min_length=1)
    PASS_TO_PASS: tuple[str, ...] = ()
    version: str = ""
    environment_setup_commit: str | None = None
    hints_text: str = ""
    created_at: str = ""
    difficulty: str | None = None
    env_spec: EnvSpec | None = None
    # Where the task's image shares layers (set when a dataset is loaded; not part of the
    # task's record: it is left out of dumps and fingerprints).
    peers: Peers = Field(default_factory=Peers, exclude=True)
    # SWE-bench 5.x's own columns: the official prebuilt image, its evaluation script (run
    # as it is in that image, see grading/official.py), the log parser it names and how F2P
    # tests are judged. Absent from the Hugging Face copies.
    image: str | None = None
    eval_script: str | None = None
    log_parser: str | None = None
    eval_type: str | None = None

    @field_validator("FAIL_TO_PASS", "PASS_TO_PASS", mode="before")
    @classmethod
    def _decode_lists(cls, value: Any) -> Any:
        return _decode_test_list(value)


class Prediction(BaseModel):
    """A SWE-bench prediction: the patch an agent produced for one instance."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    instance_id: str = Field(min_length=1)
    model_name_or_path: str = "unknown"
    model_patch: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.model_patch or "").strip()


Peers.model_rebuild()  # its hub is a Task, defined after it
