"""Which commits a thin instance image stacks, and the git pack each of its layers adds.

An instance image holds its repository as layers that each add one git pack (objects
reachable from the layer's commit and from none below it), so that what instances of a
repository share is stored once:

    base -> repo root -> yearly packs up to G -> environment (venv) -> yearly packs above G
         -> snapshots (A1 -> A2 -> ... -> Ak: each the pack of what its commit adds)
         -> instance (pack up to C, tags, index, what the install made or changed)

``C`` is the task's base commit. The *anchors* ``A1 .. Ak`` are where the base commits of
the dataset's tasks of the same repository, environment and setup (its *chain* peers,
:class:`~swe_runner.task.Peers`: often several versions) meet one first-parent line: each
peer's point is the newest commit of that line that is an ancestor of the peer's base commit
(the base commit itself when it lies on the line, as a pull request's base usually does).
The points form one chain of snapshot layers, each adding the history since the one
below; an instance stands on the chain up to its own point, so it adds only the history of
its base commit past that point (nothing, when its base is on the line), and what the
instances have in common is stored once whatever their span. No layer holds a work tree
file the install left as checked out: a container writes those from the history as it
starts (containers/instance/worktree.py), so that the work trees, which a layer copies
whole for every changed file, take no disk of the images'. ``G`` is the newest yearly
point below the merge-base of the tasks that share the environment, so one environment
image serves all of them. The yearly points lie on the first-parent history (the newest
commit before each 1 January), the same commits for every task of the main line, so
those layers are shared across chains. Every layer's commit is an ancestor of ``C``: no
image holds anything from after its own base commit.

Docker stacks at most 125 layers: the chain keeps at most :data:`MAX_SNAPSHOTS` points, and
fewer when the yearly packs leave less room (:data:`CHAIN_LAYERS`), evenly spaced.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from swe_runner.errors import RepoError
from swe_runner.images.repo import git_in

__all__ = [
    "LAYOUT",
    "MAX_SNAPSHOTS",
    "THOROUGH",
    "Stack",
    "fork_points",
    "merge_base",
    "packed_refs",
    "plan_stack",
    "tags_kept",
    "thinned",
    "write_pack",
    "yearly_points",
]


# Snapshot layers one chain may hold at most (each adds one): past it, the chain keeps
# evenly spaced points.
MAX_SNAPSHOTS = 80
# The layers the yearly packs and the snapshots may take together: docker's 125 less the
# rest of the tallest image (base 4, Debian packages 1, repository root 1, environment 3,
# requirements file 2, delta 3, packages layer 3, instance 4) and a margin.
CHAIN_LAYERS = 100

# Part of every instance image's tag: how the layers are laid out (a change rebuilds).
LAYOUT = (
    "yearly packs (thorough), environment, its packages layer, a chain of packs per setup, "
    "work tree written at start"
)


@dataclass(frozen=True)
class Stack:
    """The commits of a task's image, oldest first (full ids)."""

    below_env: tuple[str, ...]  # yearly points up to G, under the environment
    above_env: tuple[str, ...]  # yearly points above G and below the first anchor's year
    anchors: tuple[str, ...]  # the snapshot chain up to the task's own point
    commit: str
    tags: tuple[str, ...]  # refs/tags/... kept for ``commit``
    env_base: str  # G: the newest commit every instance on the environment descends from

    @property
    def anchor(self) -> str:
        """The snapshot the instance layer stands on (the last of the chain)."""
        return self.anchors[-1]


def _year_start(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


@functools.lru_cache(maxsize=1024)  # commits never change: the same answer every time
def yearly_points(local: Path, commit: str) -> tuple[tuple[str, int], ...]:
    """(commit, committer time) of the newest commit before each 1 January on ``commit``'s
    first-parent history, before ``commit``'s own year; oldest first."""
    log = git_in(local, "log", "--first-parent", "--format=%H %ct", commit)
    points: list[tuple[str, int]] = []
    boundary: int | None = None
    for line in log.splitlines():
        sha, _, stamp = line.partition(" ")
        when = int(stamp)
        if boundary is None:
            boundary = _year_start(datetime.fromtimestamp(when, tz=UTC).year)
            continue
        while when < boundary:
            if not points or points[-1][0] != sha:
                points.append((sha, when))
            boundary = _year_start(datetime.fromtimestamp(boundary, tz=UTC).year - 1)
    return tuple(points[::-1])


def _present(local: Path, commits: Sequence[str]) -> list[str]:
    """The full ids of those of ``commits`` that ``local`` holds."""
    if not commits:
        return []
    done = subprocess.run(
        ["git", "-C", str(local), "cat-file", "--batch-check=%(objectname) %(objecttype)"],
        input="".join(f"{c}^{{commit}}\n" for c in commits),
        capture_output=True,
        text=True,
        check=False,
    )
    return [ln.split()[0] for ln in done.stdout.splitlines() if ln.endswith(" commit")]


def merge_base(local: Path, commits: Sequence[str]) -> str | None:
    """The best common ancestor of ``commits`` (all present), or None when they share none."""
    return _merge_base(local, tuple(sorted(set(commits))))


@functools.lru_cache(maxsize=1024)
def _merge_base(local: Path, commits: tuple[str, ...]) -> str | None:
    if len(commits) == 1:
        return commits[0]
    try:
        out = git_in(local, "merge-base", "--octopus", *commits)
    except RepoError:
        return None
    return out.split()[0] if out.strip() else None


def fork_points(
    local: Path, commits: Sequence[str], most: int = MAX_SNAPSHOTS
) -> dict[str, tuple[str, ...]]:
    """Each of ``commits`` (full ids, all present) with its chain of anchors, oldest first:
    the points of the commits on the first-parent line of the newest of them, up to its own
    (see the module's docstring); at most ``most`` points in all (the oldest kept)."""
    return _fork_points(local, tuple(sorted(set(commits))), most)


@functools.lru_cache(maxsize=256)
def _fork_points(local: Path, commits: tuple[str, ...], most: int) -> dict[str, tuple[str, ...]]:
    point, depth = _points(local, commits)
    chain = thinned(sorted(set(point.values()), key=depth.__getitem__), most)
    return {c: tuple(q for q in chain if depth[q] <= depth[point[c]]) for c in commits}


@functools.lru_cache(maxsize=256)
def _points(local: Path, commits: tuple[str, ...]) -> tuple[dict[str, str], dict[str, int]]:
    """Each commit's point on the first-parent line of the newest, and each point's depth
    on that line (1: the root), however many of them a chain keeps."""
    dated = [line.split() for line in git_in(local, "show", "-s", "--format=%ct %H", *commits)
             .splitlines() if line.strip()]  # fmt: skip
    tip = max(dated, key=lambda row: (int(row[0]), row[1]))[1]
    line = git_in(local, "rev-list", "--first-parent", tip).split()
    depth = {sha: len(line) - n for n, sha in enumerate(line)}
    point = {c: _point_on(local, tip, c, depth) for c in commits}
    return point, {q: depth[q] for q in point.values()}


def _point_on(local: Path, tip: str, commit: str, depth: dict[str, int]) -> str:
    """The newest commit of the first-parent line ``depth`` that is an ancestor of
    ``commit`` (``tip`` heads the line)."""
    if commit in depth:
        return commit
    best = merge_base(local, [tip, commit])
    if best in depth:  # a best common ancestor on the line is the newest such commit
        return best
    ancestors = git_in(local, "rev-list", commit).split()
    return max((c for c in ancestors if c in depth), key=depth.__getitem__)


def thinned(chain: list[str], most: int = MAX_SNAPSHOTS) -> list[str]:
    """At most ``most`` of ``chain``, evenly spaced, its first and last kept."""
    if len(chain) <= most:
        return chain
    last = len(chain) - 1
    return [chain[i] for i in sorted({round(n * last / (most - 1)) for n in range(most)})]


def plan_stack(
    local: Path, commit: str, chain_peers: Sequence[str], env_peers: Sequence[str]
) -> Stack:
    """The layers' commits for the image of ``commit`` (a full id in ``local``).

    Peers ``local`` lacks are ignored; with none, the chain is ``commit`` itself.
    """
    chain = sorted({commit, *_present(local, chain_peers)})
    first = fork_points(local, chain, len(chain))[commit][0]  # the oldest: thinning keeps it
    env = sorted({commit, first, *_present(local, env_peers)})
    env_base = merge_base(local, env) or first
    below = yearly_points(local, env_base)
    floor = below[-1][1] if below else -1
    below_ids = {sha for sha, _ in below}
    above = [
        sha
        for sha, when in yearly_points(local, first)
        if when > floor and sha not in below_ids and sha != first
    ]
    room = CHAIN_LAYERS - len(below) - len(above)
    anchors = fork_points(local, chain, max(2, min(MAX_SNAPSHOTS, room)))[commit]
    return Stack(
        below_env=tuple(sha for sha, _ in below),
        above_env=tuple(above),
        anchors=anchors,
        commit=commit,
        tags=tags_kept(local, commit, first),
        env_base=env_base,
    )


def _tag_table(local: Path) -> tuple[tuple[str, str, int], ...]:
    """(ref, commit it names, when it was made) of every tag of ``local`` (listed each
    time: a fetch may bring new ones)."""
    out = git_in(
        local,
        "for-each-ref",
        "--format=%(refname) %(objectname) %(*objectname) %(creatordate:unix)",
        "refs/tags",
    )
    rows = []
    for line in out.splitlines():
        ref, sha, *peeled, made = line.split()
        rows.append((ref, peeled[0] if peeled else sha, int(made) if made.isdigit() else 0))
    return tuple(rows)


@functools.lru_cache(maxsize=1024)
def _merged_tags(
    local: Path, commit: str, table: tuple[tuple[str, str, int], ...]
) -> frozenset[str]:
    """The tags of ``table`` merged into ``commit`` (``table``: the cache's key too)."""
    return frozenset(git_in(local, "tag", "--merged", commit, "--format=%(refname)").split())


def tags_kept(local: Path, commit: str, anchor: str) -> tuple[str, ...]:
    """:func:`~swe_runner.images.repo.kept_tags` of ``commit``, from those of its ancestor
    ``anchor`` (asked of git once per anchor) and the tags on the commits in between."""
    when = int(git_in(local, "show", "-s", "--format=%ct", commit))
    between = set(git_in(local, "rev-list", f"{anchor}..{commit}").split()) | {commit}
    table = _tag_table(local)
    merged = _merged_tags(local, anchor, table)
    return tuple(
        sorted(
            ref
            for ref, named, made in table
            if (ref in merged or named in between) and made <= when
        )
    )


# How the yearly packs, shared by every image of a repository, are compressed: their deltas
# searched afresh over a wide window, as `git gc --aggressive` does, where a pack otherwise
# reuses those of the clone's own packs (sympy's history up to 2019: 56 MB instead of 105).
# It takes a minute or two per repository, once.
THOROUGH = ("--no-reuse-delta", "--window=100", "--depth=50", "--window-memory=512m")


def write_pack(
    local: Path,
    tips: Sequence[str],
    below: Sequence[str],
    dest: Path,
    window: int = 10,
    thorough: bool = False,
) -> Path | None:
    """Write into ``dest`` a pack (``pack-*.pack`` and ``.idx``) of the objects reachable
    from ``tips`` and from none of ``below``; None when there are none. ``window``: git's
    delta search window (smaller is faster, the pack a little bigger); ``thorough``: its
    deltas searched afresh (:data:`THOROUGH`) instead.

    Raises:
        RepoError: git failed.
    """
    dest.mkdir(parents=True, exist_ok=True)
    revs = "".join(f"{t}\n" for t in tips) + "".join(f"^{b}\n" for b in below)
    done = subprocess.run(
        [
            "git",
            "-C",
            str(local),
            "pack-objects",
            "--revs",
            "-q",
            *(THOROUGH if thorough else (f"--window={window}",)),
            str(dest / "pack"),
        ],
        input=revs,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        missing = re.search(r"unable to read ([0-9a-f]{40})", done.stderr)
        if missing:
            raise RepoError(
                f"the repository at {local} lacks object {missing[1]}, which the history "
                "up to the task's base commit holds: it is shallow, partial or incomplete "
                "(a snapshot without its largest files?); give a full clone (--mirror-dir, "
                "--repo-source)"
            )
        raise RepoError(f"git pack-objects failed in {local}: {done.stderr.strip()[-300:]}")
    packs = list(dest.glob("pack-*.pack"))
    if not packs:
        return None
    with packs[0].open("rb") as handle:  # header: "PACK", version, object count
        count = int.from_bytes(handle.read(12)[8:12], "big")
    if count == 0:
        for empty in dest.glob("pack-*"):
            empty.unlink()
        return None
    return packs[0]


def packed_refs(local: Path, tags: Sequence[str]) -> str:
    """A ``packed-refs`` file naming ``tags`` as ``local`` has them (peeled where annotated)."""
    if not tags:
        return "# pack-refs with: peeled fully-peeled sorted \n"
    out = git_in(local, "for-each-ref", "--format=%(objectname) %(refname) %(*objectname)", *tags)
    lines = ["# pack-refs with: peeled fully-peeled sorted "]
    for row in sorted(out.splitlines(), key=lambda r: r.split()[1]):
        sha, ref, *peeled = row.split()
        lines.append(f"{sha} {ref}")
        lines.extend(f"^{p}" for p in peeled)
    return "\n".join(lines) + "\n"
