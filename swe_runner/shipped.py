"""Where the folders shipped beside the code are: the task suites (``tasks/``, with the
demo suite) and the image definitions (``containers/``).

Both stay at the top of the repository. A wheel carries them inside the package, as
``swe_runner/_shipped/<name>`` (pyproject.toml's ``force-include``); a checkout and an
editable install find them beside the package. Each is resolved once, at import, without
touching anything but the file system.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CONTAINERS_DIR", "TASKS_DIR", "shipped_dir"]

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The shipped folder ``name``: the installed wheel's copy, else the checkout's."""
    inside = _PACKAGE / "_shipped" / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


TASKS_DIR = shipped_dir("tasks")
CONTAINERS_DIR = shipped_dir("containers")
