"""Every exception swe-runner raises on purpose, and the CLI exit code each one maps to.

::

    SweRunnerError                  exit 1   base: anything we raise deliberately
    ├── InputError                  exit 2   the user gave us something we cannot use
    │   ├── TaskFileError                    malformed task file (names file, line/instance, field)
    │   ├── PredictionsError                 malformed predictions file
    │   ├── UnknownInstanceError             an instance id not in the dataset
    │   ├── UnknownNameError                 an unknown parser, agent, suite... (lists valid ones)
    │   └── ConfigError                      bad configuration value
    ├── LimitExceededError          exit 1   the task's own code hit a resource limit (disk...)
    └── InfrastructureError         exit 3   the machine failed us, not the model
        ├── DockerUnavailableError           no daemon to talk to
        ├── ImageError                       an image is missing or failed to build
        ├── RepoError                        a repository or commit could not be prepared
        ├── ContainerError                   a container failed to start, run or stop
        │   └── ContainerTimeout             ... or ran past its time limit
        ├── ExecutorError                    the cluster cannot be reached or run the work
        └── ResultsWriteError                results cannot be written (read-only, full disk...)

Per-instance infrastructure errors are caught once, in the pipeline, and recorded as the
instance's ``error`` outcome; input errors reach the CLI, which prints one ``Error:`` line.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ContainerError",
    "ContainerTimeout",
    "DockerUnavailableError",
    "ExecutorError",
    "ImageError",
    "InfrastructureError",
    "InputError",
    "LimitExceededError",
    "PredictionsError",
    "RepoError",
    "ResultsWriteError",
    "SweRunnerError",
    "TaskFileError",
    "UnknownInstanceError",
    "UnknownNameError",
]


class SweRunnerError(Exception):
    """Base of every deliberate swe-runner error; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class LimitExceededError(SweRunnerError):
    """What ran in a container (the agent's commands, the code under test) hit a resource
    limit and the container was stopped: the instance's ``limit_exceeded`` outcome."""


class InputError(SweRunnerError):
    """The user's input (file, flag, name) cannot be used."""

    exit_code = 2


class TaskFileError(InputError):
    """A task file or suite is malformed."""

    def __init__(self, path: object, where: str, message: str) -> None:
        self.path = str(path)
        self.where = where
        super().__init__(f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}")


class PredictionsError(TaskFileError):
    """A predictions file is malformed."""


class UnknownInstanceError(InputError):
    """Instance ids were asked for that the dataset does not hold."""


class UnknownNameError(InputError):
    """A name (parser, agent, suite...) is not registered; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        self.kind, self.name, self.valid = kind, name, valid
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(valid))}")


class ConfigError(InputError):
    """A configuration value is invalid."""


class InfrastructureError(SweRunnerError):
    """Something outside the agent's control failed: daemon, build, repository, container."""

    exit_code = 3


class DockerUnavailableError(InfrastructureError):
    """No Docker daemon answered."""


class ImageError(InfrastructureError):
    """An image could not be found, pulled, bootstrapped or built."""


class RepoError(InfrastructureError):
    """A repository could not be fetched or a commit prepared."""


class ContainerError(InfrastructureError):
    """A container failed to start, run or be removed."""


class ContainerTimeout(ContainerError):
    """A container ran past its time limit and was killed."""


class ExecutorError(InfrastructureError):
    """The executor cannot run the instances: the Ray cluster is unreachable, refuses us,
    or has no node (left) that can take the work."""


class ResultsWriteError(InfrastructureError):
    """A result file could not be written: its folder is under a regular file, on a
    read-only file system, or the disk is full. What was written before stays."""

    def __init__(self, folder: object, exc: OSError) -> None:
        self.folder = str(folder)
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write results to {self.folder}: {reason}")
