"""Environments as images: the repository cut at its base commit (``repo``), what an
environment installs and as of when (``plan``, ``asof``, ``conda``), building (``build``),
pulling (``official``, ``source``) and measuring (``disk``) images.

``build``, ``disk``, ``official`` and ``source`` talk to the Docker daemon; ``repo`` uses git.
"""

__all__: list[str] = []
