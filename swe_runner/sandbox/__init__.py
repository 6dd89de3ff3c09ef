"""Where agents and evaluations run: containers behind one small interface."""

__all__: list[str] = []
