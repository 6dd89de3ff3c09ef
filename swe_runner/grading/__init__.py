"""Grading: the evaluation's scripts (``script``), the markers they print (``markers``),
log parsers, the pure grader (``grade``) and the outcome of a log (``outcome``), none of
them touching Docker; and the one module that runs evaluation containers (``evaluate``)."""

__all__: list[str] = []
