"""Leave out of a bootstrapped root file system what Debian's slim images leave out.

The registry path builds the base image from ``debian:<suite>-slim``, whose dpkg keeps
documentation, manual pages and message translations off the disk. The offline path
bootstraps Debian with debootstrap, which installs them: :func:`slim_rootfs` removes them
by the same rules (``containers/base/dpkg-excludes``, dpkg's ``path-exclude`` and
``path-include``) and installs the rules, so that packages installed later leave them out
too. The package lists that debootstrap leaves go as well (each later install fetches
them again).
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

__all__ = ["RULES_NAME", "excluded", "slim_rootfs"]

RULES_NAME = "swe-runner-slim"  # in /etc/dpkg/dpkg.cfg.d/


def _rules(text: str) -> list[tuple[bool, str]]:
    """(excluded?, pattern) of each path-exclude / path-include line, in order."""
    rules = []
    for line in text.splitlines():
        verb, _, pattern = line.strip().partition(" ")
        if verb in ("path-exclude", "path-include") and pattern:
            rules.append((verb == "path-exclude", pattern.strip()))
    return rules


def excluded(path: str, rules: list[tuple[bool, str]]) -> bool:
    """Whether dpkg leaves ``path`` (absolute, in the image) out: the last rule whose
    pattern matches says (a ``*`` matches ``/`` too, as in dpkg)."""
    verdict = False
    for exclude, pattern in rules:
        if fnmatch.fnmatchcase(path, pattern):
            verdict = exclude
    return verdict


def slim_rootfs(rootfs: Path, rules_text: str) -> int:
    """Remove from ``rootfs`` the files ``rules_text`` excludes and the apt package lists,
    and install the rules; returns the bytes removed."""
    rules = _rules(rules_text)
    roots = {p.split("*", 1)[0].rstrip("/") for excl, p in rules if excl}
    freed = 0
    for root in sorted(roots):
        top = rootfs / root.lstrip("/")
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            if (path.is_file() or path.is_symlink()) and excluded(
                "/" + str(path.relative_to(rootfs)), rules
            ):
                freed += path.lstat().st_size
                path.unlink()
    lists = rootfs / "var/lib/apt/lists"
    if lists.is_dir():
        for entry in lists.iterdir():
            if entry.is_file():
                freed += entry.stat().st_size
                entry.unlink()
            elif entry.is_dir() and entry.name != "partial":
                freed += sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
                shutil.rmtree(entry)
    config = rootfs / "etc/dpkg/dpkg.cfg.d"
    config.mkdir(parents=True, exist_ok=True)
    (config / RULES_NAME).write_text(rules_text)
    return freed
