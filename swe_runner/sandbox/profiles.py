"""Image profiles: what a kind of image needs from the containers started from it.

Images built here put the task's environment on ``PATH`` themselves. The official SWE-bench
instance images keep it in a conda environment named ``testbed`` under ``/opt/miniconda3``
that a shell must activate, and their ``/testbed`` may hold a commit of its own on top of
the base commit (the official setup script commits what installing changed). A profile
says how to activate the environment and what the agent's patch is taken against.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_runner.errors import UnknownNameError

__all__ = ["BUILD", "OFFICIAL", "PROFILES", "ImageProfile", "get_profile"]

# Activates the official images' environment, when the image has conda (as theirs does).
CONDA_ACTIVATE = (
    "if [ -f /opt/miniconda3/bin/activate ]; then "
    "source /opt/miniconda3/bin/activate && conda activate testbed; fi"
)


@dataclass(frozen=True)
class ImageProfile:
    """How containers of one kind of image are used.

    ``activate``: bash lines making the task's environment active (agents' commands and
    shells get the environment they leave; our own evaluation scripts run them first).
    ``record_scripts``: grade with the
    task record's own ``eval_script`` when it has one.
    """

    name: str
    activate: str = ""
    record_scripts: bool = False


BUILD = ImageProfile("build")
OFFICIAL = ImageProfile("official", CONDA_ACTIVATE, record_scripts=True)
PROFILES = {p.name: p for p in (BUILD, OFFICIAL)}


def get_profile(name: str) -> ImageProfile:
    """The profile registered as ``name``.

    Raises:
        UnknownNameError: no such profile (lists the known ones).
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownNameError("image kind", name, list(PROFILES)) from None
