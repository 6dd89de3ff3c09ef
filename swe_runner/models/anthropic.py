"""Claude through the Anthropic Messages API (the only module that imports ``anthropic``).

Retries 429, 500, 529 and connection errors with exponential backoff and jitter, honouring
``retry-after`` up to a ceiling; a persistent failure raises :class:`ModelAPIError`, which
ends the instance as an infrastructure error. The system prompt and the growing
conversation carry cache breakpoints. The API key is read by the SDK from
``ANTHROPIC_API_KEY`` (and the endpoint from ``ANTHROPIC_BASE_URL``); it is never stored,
logged or passed to a container.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from typing import Any

import anthropic

from swe_runner.config import require_api_key
from swe_runner.models.base import ContextExceeded, ModelAPIError, ModelReply, Usage
from swe_runner.tools.schemas import tools_for_model

__all__ = ["AnthropicClient", "RetryPolicy"]

_RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504, 529}
_CACHE = {"type": "ephemeral"}


class RetryPolicy:
    """Exponential backoff with full jitter; ``retry-after`` wins when the server sends it."""

    def __init__(
        self,
        attempts: int = 8,
        base: float = 1.0,
        ceiling: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts, self.base, self.ceiling, self.sleep = attempts, base, ceiling, sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.ceiling, max(0.0, retry_after))
        backoff: float = min(self.ceiling, self.base * 2.0**attempt)
        return backoff * random.uniform(0.5, 1.0)


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _with_cache_breakpoints(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy whose last two user turns end in a cache breakpoint (the prefix is reused)."""
    out = copy.deepcopy(messages)
    users = [m for m in out if m["role"] == "user" and isinstance(m["content"], list)]
    for message in users[-2:]:
        if message["content"]:
            message["content"][-1]["cache_control"] = _CACHE
    return out


class AnthropicClient:
    """One Messages API call per :meth:`complete`, with retries. Thread-safe."""

    def __init__(
        self, model: str, retry: RetryPolicy | None = None, timeout: float = 600.0
    ) -> None:
        require_api_key()
        self.model = model
        self.retry = retry or RetryPolicy()
        # Our own retries (logged, with a ceiling), not the SDK's silent ones.
        self.sdk = anthropic.Anthropic(max_retries=0, timeout=timeout)

    def complete(
        self,
        system: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int,
    ) -> ModelReply:
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "tools": tools_for_model(self.model, tools),
            "system": [{"type": "text", "text": system, "cache_control": _CACHE}],
            "messages": _with_cache_breakpoints(messages),
        }
        last_error = ""
        for attempt in range(self.retry.attempts + 1):
            began = time.monotonic()
            try:
                message = self.sdk.messages.create(**params)
            except anthropic.APIStatusError as exc:
                if exc.status_code == 400 and "prompt is too long" in str(exc.message):
                    raise ContextExceeded(str(exc.message)) from None
                if exc.status_code not in _RETRYABLE_STATUS:
                    raise ModelAPIError(f"HTTP {exc.status_code}: {exc.message}") from None
                last_error, wait = (
                    f"HTTP {exc.status_code}",
                    self.retry.delay(attempt, _retry_after(exc)),
                )
            except (anthropic.APIConnectionError, anthropic.APITimeoutError) as exc:
                last_error, wait = type(exc).__name__, self.retry.delay(attempt, None)
            else:
                return self._reply(message, time.monotonic() - began, attempt)
            if attempt < self.retry.attempts:
                self.retry.sleep(wait)
        raise ModelAPIError(f"gave up after {self.retry.attempts + 1} attempts: {last_error}")

    def _reply(self, message: Any, latency: float, retries: int) -> ModelReply:
        u = message.usage
        usage = Usage(
            u.input_tokens,
            u.output_tokens,
            u.cache_creation_input_tokens or 0,
            u.cache_read_input_tokens or 0,
        )
        content = [block.model_dump(exclude_none=True) for block in message.content]
        return ModelReply(content, str(message.stop_reason), usage, latency, retries)
