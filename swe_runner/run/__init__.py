"""The run lifecycle: a batch of instances through agent and grading (``pipeline``,
``batch``), resume, attempts, and the container jobs beside a run (``reproduce``,
``validate``)."""

__all__: list[str] = []
