"""Prices per million tokens, per model family, and the cost of a usage.

Built in: Claude, OpenAI's and Gemini's common models, at their published list prices
(standard tier; Gemini's prices for prompts up to 200k tokens). A model served under a
provider prefix (``openai/gpt-4o``, ``models/gemini-2.5-pro``) is priced by its last part.
Overridable with ``--price-table FILE``: JSON, ``{"model-prefix": {"input": 1.0, "output":
2.0}}`` in USD per million tokens, with ``cache_write`` and ``cache_read`` (prompt caching)
optional, 0 when left out (OpenAI-compatible servers bill no cache write). A model with no
price is *unpriced*: its cost is None and reports say so, rather than a silent zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from swe_runner.errors import ConfigError
from swe_runner.models.base import Usage

__all__ = ["DEFAULT_PRICES", "PRICE_TABLE_FORMAT", "Price", "PriceTable"]


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float = 0.0
    cache_read: float = 0.0

    def cost(self, usage: Usage) -> float:
        return (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_creation_input_tokens * self.cache_write
            + usage.cache_read_input_tokens * self.cache_read
        ) / 1_000_000


def _p(inp: float, out: float) -> Price:
    # Anthropic's prompt caching: writes at 1.25x input, reads at 0.1x input.
    return Price(inp, out, round(inp * 1.25, 4), round(inp * 0.1, 4))


def _cached(inp: float, out: float, read: float) -> Price:
    # OpenAI and Gemini: automatic caching, no charge for writing, reads at their own price.
    return Price(inp, out, inp, read)


# Longest matching prefix wins; dated ids ("claude-3-5-sonnet-20241022") match their family.
DEFAULT_PRICES: dict[str, Price] = {
    "claude-3-haiku": _p(0.25, 1.25),
    "claude-3-sonnet": _p(3, 15),
    "claude-3-opus": _p(15, 75),
    "claude-3-5-haiku": _p(0.8, 4),
    "claude-3-5-sonnet": _p(3, 15),
    "claude-3-7-sonnet": _p(3, 15),
    "claude-sonnet-4": _p(3, 15),
    "claude-opus-4": _p(15, 75),
    "claude-opus-4-1": _p(15, 75),
    "claude-haiku-4-5": _p(1, 5),
    "claude-sonnet-4-5": _p(3, 15),
    "claude-opus-4-5": _p(5, 25),
    # OpenAI
    "gpt-3.5-turbo": _cached(0.5, 1.5, 0.5),
    "gpt-4-turbo": _cached(10, 30, 10),
    "gpt-4o": _cached(2.5, 10, 1.25),
    "gpt-4o-mini": _cached(0.15, 0.6, 0.075),
    "gpt-4.1": _cached(2, 8, 0.5),
    "gpt-4.1-mini": _cached(0.4, 1.6, 0.1),
    "gpt-4.1-nano": _cached(0.1, 0.4, 0.025),
    "gpt-5": _cached(1.25, 10, 0.125),
    "gpt-5-mini": _cached(0.25, 2, 0.025),
    "gpt-5-nano": _cached(0.05, 0.4, 0.005),
    "gpt-5-pro": _cached(15, 120, 15),
    "o1": _cached(15, 60, 7.5),
    "o1-mini": _cached(1.1, 4.4, 0.55),
    "o1-pro": _cached(150, 600, 150),
    "o3": _cached(2, 8, 0.5),
    "o3-mini": _cached(1.1, 4.4, 0.55),
    "o3-pro": _cached(20, 80, 20),
    "o4-mini": _cached(1.1, 4.4, 0.275),
    "codex-mini": _cached(1.5, 6, 0.375),
    # Gemini (through its OpenAI-compatible endpoint)
    "gemini-1.5-flash": _cached(0.075, 0.3, 0.01875),
    "gemini-1.5-pro": _cached(1.25, 5, 0.3125),
    "gemini-2.0-flash": _cached(0.1, 0.4, 0.025),
    "gemini-2.0-flash-lite": _cached(0.075, 0.3, 0.075),
    "gemini-2.5-flash": _cached(0.3, 2.5, 0.075),
    "gemini-2.5-flash-lite": _cached(0.1, 0.4, 0.025),
    "gemini-2.5-pro": _cached(1.25, 10, 0.31),
    "scripted": Price(0, 0, 0, 0),  # the offline demo model costs nothing, honestly
}


PRICE_TABLE_FORMAT = (
    'expected {"model-prefix": {"input": 1.0, "output": 2.0}}: USD per million tokens; '
    '"cache_write" and "cache_read" optional (default 0)'
)
_KEYS = ("input", "output", "cache_write", "cache_read")


def _entry(path: Path, name: str, entry: object) -> Price:
    """One model's price. Raises ConfigError naming the file, the model and the problem."""
    where = f"bad price table {path}: {name!r}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: {PRICE_TABLE_FORMAT}")
    if unknown := sorted(set(entry) - set(_KEYS)):
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; {PRICE_TABLE_FORMAT}")
    if missing := [k for k in ("input", "output") if k not in entry]:
        raise ConfigError(f"{where}: {missing[0]!r} is missing; {PRICE_TABLE_FORMAT}")
    for key, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where}: {key} must be a number >= 0 (got {value!r})")
    return Price(**{k: float(v) for k, v in entry.items()})


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def from_file(cls, path: Path) -> PriceTable:
        """Defaults overridden by ``path``. Raises ConfigError naming the bad entry."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"bad price table {path}: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"bad price table {path}: {PRICE_TABLE_FORMAT}")
        extra = {name: _entry(path, name, entry) for name, entry in data.items()}
        return cls({**DEFAULT_PRICES, **extra})

    def price(self, model: str) -> Price | None:
        """The longest prefix's price, for ``model`` or its last ``/`` part; None: unpriced."""
        for name in dict.fromkeys((model, model.rsplit("/", 1)[-1])):
            matches = [prefix for prefix in self.prices if name.startswith(prefix)]
            if matches:
                return self.prices[max(matches, key=len)]
        return None

    def cost(self, model: str, usage: Usage) -> float | None:
        price = self.price(model)
        return None if price is None else price.cost(usage)
