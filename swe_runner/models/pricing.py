"""Prices per million tokens, per model family, and the cost of a usage.

Overridable with ``--price-table FILE`` (JSON: ``{"model-prefix": {"input": ..., "output":
..., "cache_write": ..., "cache_read": ...}}``). A model with no price is *unpriced*: its
cost is None and reports say so, rather than a silent zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from swe_runner.errors import ConfigError
from swe_runner.models.base import Usage

__all__ = ["DEFAULT_PRICES", "Price", "PriceTable"]


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float

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
    "scripted": Price(0, 0, 0, 0),  # the offline demo model costs nothing, honestly
}


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def from_file(cls, path: Path) -> PriceTable:
        """Defaults overridden by ``path``. Raises ConfigError naming the bad entry."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            extra = {name: Price(**entry) for name, entry in data.items()}
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"bad price table {path}: {exc}") from None
        return cls({**DEFAULT_PRICES, **extra})

    def price(self, model: str) -> Price | None:
        matches = [prefix for prefix in self.prices if model.startswith(prefix)]
        return self.prices[max(matches, key=len)] if matches else None

    def cost(self, model: str, usage: Usage) -> float | None:
        price = self.price(model)
        return None if price is None else price.cost(usage)
