"""Grading: log parsers, the pure grader, and the one module that runs evaluation containers."""

__all__: list[str] = []
