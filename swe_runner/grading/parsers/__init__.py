"""Log parsers by name; each task's spec names the one that reads its test runner's output."""

from __future__ import annotations

from swe_runner.errors import UnknownNameError
from swe_runner.grading.parsers.base import LogParser, ParsedLog
from swe_runner.grading.parsers.pytest import parse_pytest

__all__ = ["PARSERS", "LogParser", "ParsedLog", "get_parser"]

PARSERS: dict[str, LogParser] = {"pytest": parse_pytest}


def get_parser(name: str) -> LogParser:
    """The parser registered as ``name``.

    Raises:
        UnknownNameError: no such parser (the message lists the known ones).
    """
    try:
        return PARSERS[name]
    except KeyError:
        raise UnknownNameError("log parser", name, list(PARSERS)) from None
