"""Record the file names of a few releases from PyPI's simple API (PEP 691 JSON), as
``swe_runner.images.wheels`` caches them: ``<project>.json``, a list of file names (yanked
files left out). Run from the repository root (behind a proxy: SSL_CERT_FILE=...).

    python tests/data/pypi/make_pypi_files.py
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.request
from pathlib import Path

from packaging.utils import canonicalize_name

from swe_runner.images.wheels import _file_version

# project -> the releases kept (those the tests reason about, and their neighbours)
KEEP = {
    "numpy": ["1.16.0", "1.19.1", "1.19.2", "1.19.3", "1.19.4", "1.19.5"],
    "scipy": ["1.5.1", "1.5.2", "1.5.3", "1.5.4", "1.6.0"],
    "markupsafe": ["0.23", "1.0", "1.1.0", "1.1.1", "2.0.0"],
    "pytest-openfiles": ["0.2.0", "0.3.0", "0.4.0", "0.5.0"],
}


def main() -> None:
    cafile = os.environ.get("SSL_CERT_FILE")
    context = ssl.create_default_context(cafile=cafile)
    here = Path(__file__).parent
    for project, versions in KEEP.items():
        request = urllib.request.Request(
            f"https://pypi.org/simple/{project}/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        )
        with urllib.request.urlopen(request, timeout=60, context=context) as answer:
            files = json.load(answer)["files"]
        kept = [
            f["filename"]
            for f in files
            if not f.get("yanked") and str(_file_version(f["filename"])) in versions
        ]
        out = here / f"{canonicalize_name(project)}.json"
        out.write_text(json.dumps(kept, indent=0) + "\n")
        print(out, len(kept))


if __name__ == "__main__":
    main()
