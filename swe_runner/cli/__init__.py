"""The ``swe-runner`` command: thin commands that parse flags, call the library, render."""

__all__: list[str] = []
