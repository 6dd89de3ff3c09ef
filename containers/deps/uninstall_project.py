"""Uninstall what pip installed from /testbed (the project itself), keeping what it needed.

Run with the environment's python in the dependencies layer (containers/deps). A
distribution is the project's when pip recorded /testbed as where it came from
(direct_url.json: editable or not), or when its metadata lives in /testbed (a
``setup.py develop`` install). Says what it removed.
"""

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path("/testbed")


def from_root(dist: metadata.Distribution) -> bool:
    text = dist.read_text("direct_url.json")
    if text:
        try:
            url = json.loads(text).get("url", "")
        except ValueError:
            url = ""
        if url.rstrip("/") == ROOT.as_uri():
            return True
    where = getattr(dist, "_path", None)  # the .egg-info or .dist-info folder
    return where is not None and ROOT in Path(where).resolve().parents


def main() -> int:
    names = sorted({d.metadata["Name"] for d in metadata.distributions() if from_root(d)})
    for link in Path(sys.prefix).glob("lib/python*/site-packages/*.egg-link"):
        if link.read_text().splitlines()[:1] == [str(ROOT)]:
            names.append(link.stem)
    if not names:
        return 0
    print("swe-runner: uninstalling the project, keeping its dependencies:", *names)
    done = subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", *names], check=False)
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
