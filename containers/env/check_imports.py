"""Uninstall what a conda environment file asked for that pip installed but cannot import.

Some packages install from PyPI but need a C library that conda would have brought
(cfgrib needs ecCodes): importing them raises something other than ImportError, which
``pytest.importorskip`` does not catch, so whole test modules error instead of skipping.
A test suite sees an uninstalled package as missing, as the official environment would
have seen it absent. Usage: check_imports.py REQUIREMENTS_FILE LEFT_OUT_FILE
"""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def top_level(dist: metadata.Distribution) -> list[str]:
    listed = (dist.read_text("top_level.txt") or "").split()
    if listed:
        return listed
    names = {str(f).split("/")[0] for f in dist.files or () if str(f).endswith(".py")}
    return sorted(n.removesuffix(".py") for n in names if ".dist-info" not in n)


def imports(module: str) -> bool:
    code = f"try:\n import {module}\nexcept ImportError:\n pass\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300)
    return done.returncode == 0


def main(requirements: Path, left_out: Path) -> None:
    for line in requirements.read_text().splitlines():
        name = re.split(r"[<>=!~\[; ]", line.strip(), maxsplit=1)[0]
        if not name:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        broken = [m for m in top_level(dist) if m.isidentifier() and not imports(m)]
        if broken:
            print(f"swe-runner: {name} installed but importing {broken[0]} fails: uninstalled")
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", name], check=True)
            with left_out.open("a") as out:
                out.write(f"{line.strip()}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
