"""Model clients behind one interface: Anthropic's Messages API, any OpenAI-compatible Chat
Completions endpoint, and a scripted offline model; their retry policy, the run's shared rate
limit, prices, and the provider registry."""

__all__: list[str] = []
