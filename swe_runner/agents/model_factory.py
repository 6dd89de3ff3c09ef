"""The model agents (``scripted``, ``claude``, ``model``) built from the CLI's options: the
client of a provider, one rate limit for the run, the tool format, prices and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from swe_runner.agents.base import Agent
from swe_runner.agents.context import ContextPolicy
from swe_runner.agents.formats import TOOL_FORMATS
from swe_runner.agents.loop import (
    DEFAULT_LOOP_LIMITS,
    LoopLimits,
    ModelAgent,
    PromptTemplate,
)
from swe_runner.config import Settings
from swe_runner.errors import InputError, UnknownNameError
from swe_runner.inputs.dataset import Dataset
from swe_runner.models.pricing import PriceTable
from swe_runner.models.providers import ClientSpec, make_client
from swe_runner.models.ratelimit import AdaptiveLimit, RateLimit
from swe_runner.models.retry import RetryPolicy
from swe_runner.models.scripted import ScriptedModel, load_scripts

__all__ = ["ModelOptions", "model_agent"]


@dataclass(frozen=True, kw_only=True)
class ModelOptions:
    """What a model agent needs: which model and how to reach it, how it acts, its limits
    (the model API's retries and the run's workers are the settings')."""

    model: str | None = None
    provider: str = "anthropic"
    base_url: str | None = None
    api_key_env: str | None = None  # the variable holding the key (not the key)
    tool_format: str = "tools"
    thinking: int | None = None  # Claude's extended thinking budget, tokens
    context: ContextPolicy = field(default_factory=ContextPolicy)
    scripts: Path | None = None  # --agent scripted: <instance_id>.json scripts
    limits: LoopLimits = DEFAULT_LOOP_LIMITS
    prompt_template: Path | None = None
    price_table: Path | None = None


def _prompt(options: ModelOptions) -> PromptTemplate:
    if options.prompt_template:
        return PromptTemplate.from_file(options.prompt_template)
    return PromptTemplate()


def _check(name: str, options: ModelOptions, prices: PriceTable) -> str:
    """The model id. Raises InputError: missing, or a limit that cannot be kept."""
    if name == "claude" and options.provider != "anthropic":
        raise InputError(
            f"--agent claude talks to Anthropic's API; for --provider {options.provider} "
            "use --agent model"
        )
    if not options.model:
        example = "claude-sonnet-4-5" if options.provider == "anthropic" else "gpt-4.1"
        raise InputError(f"--agent {name} needs --model, e.g. {example}")
    if options.limits.max_cost is not None and prices.price(options.model) is None:
        raise InputError(
            f"--max-cost needs a price for {options.model}, which has none: give one with "
            "--price-table FILE"
        )
    return options.model


def model_agent(
    name: str,
    dataset: Dataset,
    options: ModelOptions,
    settings: Settings,
    limit: RateLimit | None = None,
) -> Agent:
    """The model agent ``name`` (``scripted``, ``claude`` or ``model``), its requests retried
    as ``settings`` say (``api_retries``, ``api_backoff``, ``api_backoff_ceiling``).
    ``limit``: the rate limit its requests share (a cluster-wide one); None: one for this
    process, as high as the run's ``settings.workers``.

    Raises:
        UnknownNameError: an unknown tool format or provider.
        InputError: a missing model, or options that do not go together.
        ConfigError: the provider's API key is missing.
    """
    if options.tool_format not in TOOL_FORMATS:
        raise UnknownNameError("tool format", options.tool_format, list(TOOL_FORMATS))
    tool_format = TOOL_FORMATS[options.tool_format]()
    prices = PriceTable.from_file(options.price_table) if options.price_table else PriceTable()
    if name == "scripted":
        scripts = load_scripts(options.scripts or dataset.path / "scripts")
        return ModelAgent(
            "scripted",
            "scripted",
            lambda p: ScriptedModel(p.instance_id, scripts.get(p.instance_id)),
            options.limits,
            _prompt(options),
            prices,
            tool_format=tool_format,
            context=options.context,
        )
    model = _check(name, options, prices)
    spec = ClientSpec(
        provider=options.provider,
        model=model,
        base_url=options.base_url,
        api_key_env=options.api_key_env,
        retry=RetryPolicy(settings.api_retries, settings.api_backoff, settings.api_backoff_ceiling),
        limit=limit or AdaptiveLimit(max(1, settings.workers)),
        thinking=options.thinking,
    )
    client = make_client(spec)
    return ModelAgent(
        name,
        model,
        lambda _: client,
        options.limits,
        _prompt(options),
        prices,
        tool_format=tool_format,
        context=options.context,
    )
