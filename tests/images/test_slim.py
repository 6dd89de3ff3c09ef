"""The offline base image leaves out what Debian's slim images leave out."""

from __future__ import annotations

from pathlib import Path

from swe_runner.images.slim import RULES_NAME, slim_rootfs
from swe_runner.shipped import CONTAINERS_DIR

RULES = (CONTAINERS_DIR / "base" / "dpkg-excludes").read_text()


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * 100)


def test_documentation_manuals_translations_and_package_lists_go(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "usr/share/doc/git/README.md",
            "usr/share/doc/git/copyright",
            "usr/share/doc/git/contrib/hooks/copyright",  # deeper: a * spans "/" as in dpkg
            "usr/share/man/man1/git.1.gz",
            "usr/share/locale/de/LC_MESSAGES/git.mo",
            "usr/share/locale/locale.alias",
            "usr/share/info/gcc.info.gz",
            "usr/share/zoneinfo/UTC",
            "usr/lib/python3.11/doc.py",
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages",
            "var/lib/apt/lists/lock",
        ],
    )
    (tmp_path / "var/lib/apt/lists/partial").mkdir()

    freed = slim_rootfs(tmp_path, RULES)

    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == [
        f"etc/dpkg/dpkg.cfg.d/{RULES_NAME}",
        "usr/lib/python3.11/doc.py",
        "usr/share/doc/git/contrib/hooks/copyright",
        "usr/share/doc/git/copyright",
        "usr/share/locale/locale.alias",
        "usr/share/zoneinfo/UTC",
    ]
    assert freed == 6 * 100
    assert (tmp_path / "var/lib/apt/lists/partial").is_dir()  # apt expects it
    assert (tmp_path / f"etc/dpkg/dpkg.cfg.d/{RULES_NAME}").read_text() == RULES


def test_a_symlink_is_removed_not_followed(tmp_path: Path) -> None:
    _tree(tmp_path, ["usr/lib/keep.txt"])
    doc = tmp_path / "usr/share/doc/pkg"
    doc.mkdir(parents=True)
    (doc / "changelog.gz").symlink_to(tmp_path / "usr/lib/keep.txt")

    slim_rootfs(tmp_path, RULES)

    assert not (doc / "changelog.gz").is_symlink()
    assert (tmp_path / "usr/lib/keep.txt").read_text() == "x" * 100
