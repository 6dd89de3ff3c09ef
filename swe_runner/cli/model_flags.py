"""The model agents' flags of ``swe-runner run``: which model, how to reach it, how it acts,
and its limits."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from swe_runner.agents import ContextPolicy, LoopLimits, ModelOptions
from swe_runner.models.providers import PROVIDERS

__all__ = ["DEFAULT_CLEAR_AT", "ModelFlags", "model_options"]

DEFAULT_CLEAR_AT = 150_000  # tokens: within every current Claude's 200k window


@dataclass(frozen=True, kw_only=True)
class ModelFlags:
    """The flags as given (the model API's retries and the run's workers are settings: the
    agent is built with them, see :func:`~swe_runner.agents.make_agent`)."""

    model: str | None
    provider: str
    base_url: str | None
    api_key_env: str | None
    tool_format: str
    thinking: int | None
    clear_context_at: int
    scripts: Path | None
    limits: LoopLimits
    prompt_template: Path | None
    price_table: Path | None

    def options(self) -> ModelOptions:
        clear_at = self.clear_context_at or None  # 0: never
        return ModelOptions(
            model=self.model,
            provider=self.provider,
            base_url=self.base_url,
            api_key_env=self.api_key_env,
            tool_format=self.tool_format,
            thinking=self.thinking,
            context=ContextPolicy(clear_at=clear_at),
            scripts=self.scripts,
            limits=self.limits,
            prompt_template=self.prompt_template,
            price_table=self.price_table,
        )


_FLAGS = [
    click.option(
        "--model", "-m", help="For model agents: the model id, e.g. claude-sonnet-4-5, gpt-4.1."
    ),
    click.option(
        "--provider",
        type=click.Choice(PROVIDERS),
        default="anthropic",
        show_default=True,
        help="For --agent model: the API (openai: any OpenAI-compatible endpoint, e.g. "
        "vLLM, SGLang, Ollama, llama.cpp, Gemini).",
    ),
    click.option(
        "--base-url",
        metavar="URL",
        help="For --agent model/claude: the API endpoint, e.g. http://localhost:8000/v1 "
        "(with --provider openai, a missing key is then no error: local servers need none).",
    ),
    click.option(
        "--api-key-env",
        metavar="NAME",
        help="The environment variable holding the API key.  "
        "[default: ANTHROPIC_API_KEY or OPENAI_API_KEY]",
    ),
    click.option(
        "--tool-format",
        type=click.Choice(["tools", "text"]),
        default="tools",
        show_default=True,
        help="tools: function calling; text: for models without it, one ```bash block "
        "per reply (a reply without exactly one is a format error the model is told).",
    ),
    click.option(
        "--thinking",
        type=click.IntRange(1024),
        metavar="BUDGET",
        help="Claude's extended thinking, with this many tokens for it per reply.",
    ),
    click.option(
        "--clear-context-at",
        type=click.IntRange(0),
        default=DEFAULT_CLEAR_AT,
        show_default=True,
        metavar="TOKENS",
        help="Past this much context (or when the API says the prompt is too long), old "
        "tool results are cleared, the newest 5 kept, and the trajectory says what went; "
        "0: never.",
    ),
    click.option(
        "--scripts",
        type=click.Path(file_okay=False, path_type=Path),
        help="For --agent scripted: folder of <instance_id>.json tool-call scripts.  "
        "[default: <suite>/scripts]",
    ),
    click.option(
        "--max-turns",
        type=click.IntRange(1),
        default=50,
        show_default=True,
        help="Model turns per instance.",
    ),
    click.option("--max-cost", type=click.FloatRange(0), help="USD per instance."),
    click.option(
        "--max-time", type=click.FloatRange(1), help="Seconds of agent loop per instance."
    ),
    click.option(
        "--max-context", type=click.IntRange(1000), help="Tokens of context one request may use."
    ),
    click.option(
        "--max-format-errors",
        type=click.IntRange(0),
        default=5,
        show_default=True,
        help="With --tool-format text: format errors allowed per instance.",
    ),
    click.option(
        "--prompt-template",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Task prompt (string.Template: $workdir $repo $problem_statement ...).",
    ),
    click.option(
        "--price-table",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help='Prices per model prefix, overriding the built-in table: JSON, {"my-model": '
        '{"input": 1.0, "output": 2.0}} in USD per million tokens ("cache_write", '
        '"cache_read": optional, default 0).',
    ),
]
_LIMITS = ("max_turns", "max_cost", "max_time", "max_context", "max_format_errors")


def model_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the model agents' flags; the command receives them as ``model_flags``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        limits = LoopLimits(**{name: kwargs.pop(name) for name in _LIMITS})
        names = [f.name for f in ModelFlags.__dataclass_fields__.values() if f.name != "limits"]
        flags = ModelFlags(limits=limits, **{name: kwargs.pop(name) for name in names})
        return func(*args, model_flags=flags, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for flag in reversed(_FLAGS):
        decorated = flag(decorated)
    return decorated
