"""Run by Debian's own Python at start (``venv_link.pth``): an interpreter reached through a
link to the venv's python gets the venv.

Tools such as ``tox --current-env`` (the official sphinx test command) make their environment
a link to the running interpreter. A conda environment's python finds its prefix from its real
location, so the link works there; Debian's Python 3.9 looks for the venv's ``pyvenv.cfg``
beside the link and starts as the bare system Python, without the venv's packages. When the
real executable is the venv's (a copy, ``venv --copies``), this puts the venv first.
"""

import os
import site
import sys

VENV = "/opt/venv"

if sys.prefix != VENV and os.path.realpath(sys.executable).startswith(VENV + "/bin/"):
    before = list(sys.path)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    site.addsitedir(f"{VENV}/lib/{version}/site-packages")
    added = [p for p in sys.path if p not in before]
    rest = [p for p in before if "-packages" not in p]
    sys.path[:] = rest + added + [p for p in before if "-packages" in p]
    sys.prefix = sys.exec_prefix = VENV
