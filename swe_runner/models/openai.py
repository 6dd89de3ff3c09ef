"""Any OpenAI-compatible Chat Completions endpoint (the only module that imports ``openai``):
OpenAI's own, Gemini's, or a local server (vLLM, SGLang, Ollama, llama.cpp) at ``base_url``.

The loop's conversation is translated by :mod:`swe_runner.models.chat`; retries follow
:mod:`swe_runner.models.retry`. Usage: ``prompt_tokens`` is split into uncached input, cache
reads (``cached_tokens``) and cache writes (``cache_write_tokens``, where a server reports
them); ``completion_tokens`` (reasoning included) is output. OpenAI's own API gets
``max_completion_tokens`` (its reasoning models refuse ``max_tokens``), other servers
``max_tokens``, which every one of them takes. The key is handed to the SDK and kept nowhere
else.
"""

from __future__ import annotations

from typing import Any

import openai

from swe_runner.models.base import ContextExceeded, ModelAPIError, ModelReply, Usage
from swe_runner.models.chat import blocks_of, chat_messages, chat_tools
from swe_runner.models.ratelimit import RateLimit
from swe_runner.models.retry import (
    RETRYABLE_STATUS,
    Retry,
    RetryPolicy,
    TryAgain,
    call_with_retries,
)

__all__ = ["NO_KEY", "OpenAIClient"]

NO_KEY = "no-key"  # sent to a --base-url server when no key is set (local servers ignore it)
_TOO_LONG = ("context_length_exceeded", "maximum context length", "context length", "context size")


def _usage(data: dict[str, Any] | None) -> Usage:
    data = data or {}
    details = data.get("prompt_tokens_details") or {}
    read = int(details.get("cached_tokens") or 0)
    write = int(details.get("cache_write_tokens") or 0)
    prompt = int(data.get("prompt_tokens") or 0)
    return Usage(
        max(0, prompt - read - write), int(data.get("completion_tokens") or 0), write, read
    )


class OpenAIClient:
    """One Chat Completions call per :meth:`complete`, with retries. Thread-safe.

    Args:
        model: the model name the server knows.
        retry: the retry policy (default: 8 retries from 1 s).
        timeout: seconds one request may take.
        base_url: the endpoint, e.g. ``http://localhost:8000/v1`` (default: OpenAI's).
        api_key: the key (required by OpenAI's own API; a local server may need none).
        limit: the run's shared rate limit (default: none).
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
    ) -> None:
        self.model = model
        self.retry = retry or RetryPolicy()
        self.limit = limit
        self.tokens_param = "max_completion_tokens" if base_url is None else "max_tokens"
        self.sdk = openai.OpenAI(
            api_key=api_key or NO_KEY, base_url=base_url, max_retries=0, timeout=timeout
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
            "messages": chat_messages(system, messages),
            self.tokens_param: max_tokens,
        }
        if tools:
            params["tools"] = chat_tools(tools)
        data, latency, retries = call_with_retries(
            lambda: self._create(params), self.retry, self.limit
        )
        choices = data.get("choices") or []
        if not choices:
            raise ModelAPIError(f"the reply has no choices: {str(data)[:300]}")
        choice = choices[0]
        content = blocks_of(choice.get("message") or {}, str(data.get("id") or len(messages)))
        reason = str(choice.get("finish_reason") or "")
        return ModelReply(content, reason, _usage(data.get("usage")), latency, retries)

    def _create(self, params: dict[str, Any]) -> dict[str, Any]:
        """One request, as a plain dict. Raises TryAgain, ContextExceeded or ModelAPIError."""
        try:
            completion = self.sdk.chat.completions.create(**params)
        except openai.APIStatusError as exc:
            text = f"{exc.code or ''} {exc.message}".lower()
            if exc.status_code == 400 and any(words in text for words in _TOO_LONG):
                raise ContextExceeded(str(exc.message)) from None
            if exc.status_code not in RETRYABLE_STATUS:
                raise ModelAPIError(f"HTTP {exc.status_code}: {exc.message}") from None
            raise TryAgain(Retry.status(exc.status_code, exc.response.headers)) from None
        except openai.APIConnectionError as exc:  # timeouts included
            raise TryAgain(Retry(type(exc).__name__)) from None
        data: dict[str, Any] = completion.model_dump(warnings=False)  # servers stray from types
        return data
