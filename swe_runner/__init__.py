"""swe-runner: measure how well coding agents fix real bugs, SWE-bench style.

Importing the package has no side effects and loads neither docker nor anthropic.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
