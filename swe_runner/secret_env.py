"""Secrets: what an agent may need (``--env``) and what nothing recorded may contain.

``run --env NAME`` hands the variable ``NAME`` from swe-runner's own environment (or
``--env NAME=VALUE``, which leaves the value in shell history: prefer the first form) to
the agent's own process: the command agent's command gets it in its exec environment, not
in the container's configuration, so ``docker inspect`` and the container's other
processes never see it, and the evaluation container never does.

Every value given with ``--env``, and the model API credentials when they are set
(Anthropic's, OpenAI's, the variable ``--api-key-env`` names), are
masked as ``[secret NAME]`` in everything a run records or prints: the patch (before it
is graded, so it reaches no evaluation container either), the trajectory, the test log,
the report and its error text. Exports and listings read those files, so they never hold
a secret either.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from swe_runner.errors import InputError

__all__ = ["ALWAYS_MASKED", "MIN_SECRET_LENGTH", "Secrets"]

# Credentials swe-runner itself may read: masked whenever they are set.
ALWAYS_MASKED = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY")
# Shorter values could not be masked without mangling ordinary text.
MIN_SECRET_LENGTH = 6
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Secrets:
    """``given``: the agent's variables (``--env``); ``masked``: every value to hide."""

    given: dict[str, str] = field(default_factory=dict)
    masked: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls,
        specs: Iterable[str],
        environ: Mapping[str, str] | None = None,
        credentials: Iterable[str] = (),
    ) -> Secrets:
        """Read ``--env`` options (``NAME`` or ``NAME=VALUE``); ``credentials``: more
        variables to mask when set (``--api-key-env``).

        Raises:
            InputError: a bad name, a ``NAME`` not in the environment, or a value too
                short to mask safely.
        """
        environ = os.environ if environ is None else environ
        given: dict[str, str] = {}
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not _NAME.match(name):
                raise InputError(f"--env {spec.split('=')[0]!r}: not a variable name")
            if not sep:
                if name not in environ:
                    raise InputError(f"--env {name}: {name} is not set in this environment")
                value = environ[name]
            if len(value) < MIN_SECRET_LENGTH:
                raise InputError(
                    f"--env {name}: the value is shorter than {MIN_SECRET_LENGTH} characters, "
                    "too short to keep out of logs"
                )
            given[name] = value
        names = (*ALWAYS_MASKED, *credentials)
        masked = {n: environ[n] for n in names if len(environ.get(n, "")) >= 4}
        return cls(given, {**masked, **given})

    def redact(self, text: str) -> str:
        """``text`` with every secret value replaced by ``[secret NAME]``."""
        # Longest first: a secret containing another is masked whole.
        for name, value in sorted(self.masked.items(), key=lambda kv: -len(kv[1])):
            if value in text:
                text = text.replace(value, f"[secret {name}]")
        return text

    def redact_data(self, data: Any) -> Any:
        """``data`` (JSON-like: dicts, lists, strings...) with every string redacted."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {k: self.redact_data(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.redact_data(v) for v in data]
        return data

    def __bool__(self) -> bool:
        return bool(self.masked)
