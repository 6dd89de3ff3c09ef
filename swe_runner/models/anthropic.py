"""Claude through the Anthropic Messages API (the only module that imports ``anthropic``).

Retries follow :mod:`swe_runner.models.retry` (429, 500, 529, connection errors; the run's
rate limit cut on 429/529). The system prompt and the growing conversation carry cache
breakpoints. With ``thinking`` (a token budget) Claude thinks before it answers; its thinking
blocks stay in the reply, so the loop sends them back unchanged with the tool results, as the
API requires, and the trajectory keeps them. The API key is read by the SDK from
``ANTHROPIC_API_KEY`` (or given from ``--api-key-env``) and the endpoint from
``ANTHROPIC_BASE_URL`` (or ``--base-url``); the key is never stored, logged or passed to a
container.
"""

from __future__ import annotations

import copy
from typing import Any

import anthropic

from swe_runner.config import require_api_key
from swe_runner.models.base import ContextExceeded, ModelAPIError, ModelReply, Usage
from swe_runner.models.ratelimit import RateLimit
from swe_runner.models.retry import (
    RETRYABLE_STATUS,
    Retry,
    RetryPolicy,
    TryAgain,
    call_with_retries,
)
from swe_runner.tools.schemas import tools_for_model

__all__ = ["AnthropicClient"]

_CACHE = {"type": "ephemeral"}


def _with_cache_breakpoints(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy whose last two user turns end in a cache breakpoint (the prefix is reused)."""
    out = copy.deepcopy(messages)
    users = [m for m in out if m["role"] == "user" and isinstance(m["content"], list)]
    for message in users[-2:]:
        if message["content"]:
            message["content"][-1]["cache_control"] = _CACHE
    return out


class AnthropicClient:
    """One Messages API call per :meth:`complete`, with retries. Thread-safe.

    Args:
        model: the model id.
        retry: the retry policy (default: 8 retries from 1 s).
        timeout: seconds one request may take.
        base_url: the endpoint (default: ``ANTHROPIC_BASE_URL``, else Anthropic's).
        api_key: the key (default: the SDK reads ``ANTHROPIC_API_KEY``).
        limit: the run's shared rate limit (default: none).
        thinking: extended thinking's token budget (default: off); the reply may use this
            many tokens for thinking on top of the loop's ``max_tokens``.
    """

    def __init__(
        self,
        model: str,
        retry: RetryPolicy | None = None,
        timeout: float = 600.0,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        limit: RateLimit | None = None,
        thinking: int | None = None,
    ) -> None:
        if api_key is None:
            require_api_key()
        self.model = model
        self.retry = retry or RetryPolicy()
        self.limit = limit
        self.thinking = thinking
        # Our own retries (logged, with a ceiling), not the SDK's silent ones.
        self.sdk = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )

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
            "system": [{"type": "text", "text": system, "cache_control": _CACHE}],
            "messages": _with_cache_breakpoints(messages),
        }
        if tools:
            params["tools"] = tools_for_model(self.model, tools)
        if self.thinking:
            params["thinking"] = {"type": "enabled", "budget_tokens": self.thinking}
            params["max_tokens"] = max_tokens + self.thinking
        message, latency, retries = call_with_retries(
            lambda: self._create(params), self.retry, self.limit
        )
        return self._reply(message, latency, retries)

    def _create(self, params: dict[str, Any]) -> Any:
        """One request. Raises TryAgain, ContextExceeded or ModelAPIError."""
        try:
            return self.sdk.messages.create(**params)
        except anthropic.APIStatusError as exc:
            if exc.status_code == 400 and "prompt is too long" in str(exc.message):
                raise ContextExceeded(str(exc.message)) from None
            if exc.status_code not in RETRYABLE_STATUS:
                raise ModelAPIError(f"HTTP {exc.status_code}: {exc.message}") from None
            raise TryAgain(Retry.status(exc.status_code, exc.response.headers)) from None
        except (anthropic.APIConnectionError, anthropic.APITimeoutError) as exc:
            raise TryAgain(Retry(type(exc).__name__)) from None

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
