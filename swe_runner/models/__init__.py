"""Model clients behind one interface: Anthropic's API, and a scripted offline model."""

__all__: list[str] = []
