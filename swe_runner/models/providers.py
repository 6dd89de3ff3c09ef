"""The registry of API providers: a short name to a client, each SDK imported only when used.

``anthropic``: Claude through the Messages API. ``openai``: any OpenAI-compatible Chat
Completions endpoint (OpenAI, Gemini, vLLM, SGLang, Ollama, llama.cpp). The key is read from
the provider's variable (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``) or the one ``--api-key-env``
names, and handed to the SDK only.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_runner.config import api_key_from
from swe_runner.errors import ConfigError, InputError, UnknownNameError
from swe_runner.models.base import ModelClient
from swe_runner.models.ratelimit import RateLimit
from swe_runner.models.retry import RetryPolicy

__all__ = ["KEY_VARIABLES", "PROVIDERS", "ClientSpec", "make_client"]

KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}
PROVIDERS = tuple(KEY_VARIABLES)


@dataclass(frozen=True, kw_only=True)
class ClientSpec:
    """How to reach a model: provider, model, endpoint, the key's variable, retries, the
    run's rate limit, and (Anthropic only) a thinking budget."""

    provider: str
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    retry: RetryPolicy
    limit: RateLimit | None = None
    thinking: int | None = None


def _key(spec: ClientSpec) -> str | None:
    """The key, or None where the SDK reads its own variable or a local server needs none.

    Raises:
        ConfigError: the variable is unset and the endpoint needs a key.
    """
    variable = spec.api_key_env or KEY_VARIABLES[spec.provider]
    key = api_key_from(variable)
    if key is None and (spec.api_key_env or spec.base_url is None):
        raise ConfigError(
            f"{variable} is not set: export your API key to run --provider {spec.provider} "
            "(or name another variable with --api-key-env; --agent scripted runs offline)"
        )
    return key


def make_client(spec: ClientSpec) -> ModelClient:
    """The client of ``spec.provider``.

    Raises:
        UnknownNameError: no such provider (lists the valid ones).
        ConfigError: its API key is missing.
        InputError: an option the provider does not take.
    """
    if spec.provider not in PROVIDERS:
        raise UnknownNameError("provider", spec.provider, list(PROVIDERS))
    if spec.provider == "anthropic":
        from swe_runner.models.anthropic import AnthropicClient  # the SDK loaded here

        return AnthropicClient(
            spec.model,
            spec.retry,
            base_url=spec.base_url,
            api_key=_key(spec) if spec.api_key_env else None,
            limit=spec.limit,
            thinking=spec.thinking,
        )
    if spec.thinking:
        raise InputError("--thinking is for --provider anthropic (Claude's extended thinking)")
    from swe_runner.models.openai import OpenAIClient  # the SDK loaded here

    return OpenAIClient(
        spec.model, spec.retry, base_url=spec.base_url, api_key=_key(spec), limit=spec.limit
    )
