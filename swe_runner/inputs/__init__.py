"""Task inputs: task files and datasets, environment specs, the official tables, known-bad lists."""

__all__: list[str] = []
