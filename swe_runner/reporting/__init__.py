"""Summaries, tables and exports of runs."""

__all__: list[str] = []
