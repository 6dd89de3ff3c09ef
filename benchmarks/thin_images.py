"""Thin instance images on real instances: what each instance image adds to the disk, how
long one takes to build once its environment exists, and the disk all of SWE-bench
Verified would take here.

Targets (issue 24): the unique disk of an instance image (docker's Size - SharedSize)
median <= 25 MB; building an instance image once its environment exists median <= 10 s;
the projected disk of all 500 Verified instances, environments and instances together,
<= 10 GiB.

    python benchmarks/thin_images.py --dataset verified.jsonl --mirror-dir DIR [--rebuild 20]

- Instances: every task of the dataset whose repository is in ``--mirror-dir`` and whose
  instance image is already built (build them first, e.g. ``swe-runner evaluate
  --predictions gold``, or pass ``--build``).
- Build time: ``--rebuild`` of them (each repository's share its share of the built ones,
  at least one, spread over its versions) have their instance image removed and built
  again, timed whole (the host's git work and the docker build), with
  their environment and snapshots in place; ``--rebuild-versions`` versions have their
  instance images and their chain of snapshots removed and built again, the time
  amortised over the version's instances. The median is printed over the sample and
  weighted as Verified's 500 are made up (each repository measured standing for its share).
- Projection: each repository's measured layers (its history, environments and snapshots,
  counted once) plus, per instance of Verified's 500, the median unique size measured for
  that repository, its shared layers scaled by its share of Verified's instances. A
  repository that cannot be had here (django, matplotlib, scikit-learn, flask) is estimated
  from the measured ones (its history from its repository's size, the rest from the
  medians), and printed as estimated.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner.config import load_settings
from swe_runner.images.build import DELTA_LABEL, KIND_LABEL, PACKAGES_LABEL, ImageBuilder
from swe_runner.inputs.dataset import load_dataset
from swe_runner.sandbox.containers import connect
from swe_runner.task import Task

MB = 1e6
# SWE-bench Verified's 500 instances by repository (the published test split).
VERIFIED = {
    "django/django": 231,
    "sympy/sympy": 75,
    "sphinx-doc/sphinx": 44,
    "matplotlib/matplotlib": 34,
    "scikit-learn/scikit-learn": 32,
    "astropy/astropy": 22,
    "pydata/xarray": 22,
    "pytest-dev/pytest": 19,
    "pylint-dev/pylint": 10,
    "psf/requests": 8,
    "mwaskom/seaborn": 2,
    "pallets/flask": 1,
}
# The dev set's (version) environments per repository (Verified's 500 need about as many).
VERSIONS = {
    "django/django": 9,
    "sympy/sympy": 12,
    "sphinx-doc/sphinx": 13,
    "matplotlib/matplotlib": 6,
    "scikit-learn/scikit-learn": 4,
    "astropy/astropy": 6,
    "pydata/xarray": 4,
    "pytest-dev/pytest": 7,
    "pylint-dev/pylint": 4,
    "psf/requests": 3,
    "mwaskom/seaborn": 1,
    "pallets/flask": 1,
}
# Sizes of the public snapshots (git history included) of the repositories too large to
# fetch here, as the fetch tool reported them on 2026-12-06 (bytes), and of flask's, which
# the dev set lacks (fetched on 2026-12-07); and their number of (version) environments.
UNFETCHABLE = {
    "django/django": (637_050_880, 9),
    "matplotlib/matplotlib": (872_960_000, 6),
    "scikit-learn/scikit-learn": (788_428_800, 4),
    "pallets/flask": (36_504_143, 1),
}


# Repositories whose official spec installs a requirements file of the repository into the
# environment (``packages: requirements.txt``), which cannot be read here; each of their
# environments gets the layer django's would: its tests/requirements/py3.txt (the 2024 file
# less pylibmc and pywatchman, which need a compiler) installed on Python 3.9, 172 MB
# (measured on 2026-12-07 in a venv on the bullseye base, site-packages less an empty one's).
READS_REQUIREMENTS = ("django/django", "matplotlib/matplotlib", "pallets/flask")
REQUIREMENTS_LAYER = 172 * MB
# Repositories whose spec installs that file and next to nothing else (no conda packages;
# django no pip_packages, flask six pure-Python pins): an environment of theirs is a bare one
# (the smallest built here) and the file. Flask 2.3's requirements/dev.txt (at its 2.3.0 tag,
# with its -r files) and pins, installed on Python 3.11 on 2026-12-07, took 155 MB over a
# bare venv: under the 172 MB counted.
REQUIREMENTS_ONLY = ("django/django", "pallets/flask")

BASE_MB = {"3.9": 585}  # the bullseye base every Python 3.9 environment holds (MB)
TABLE = Path(__file__).resolve().parent.parent / "docs" / "validation.md"


@dataclass(frozen=True)
class TableRow:
    """A built environment of the Environments table of docs/validation.md."""

    repo: str
    version: str
    image: str  # the digest ending its tag ("repo version" for a row naming none)
    seconds: float  # its build time
    mb: float  # its size, base image and history layers included
    python: str


def table_rows(path: Path = TABLE) -> list[TableRow]:
    """The built environments of the Environments table (``images envs``). Versions whose
    row names one image share it; a row naming none (a table written before the image
    column) stands for an image of its own."""
    out = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 8 or not cells[3].startswith("built") or not cells[5].endswith(" MB"):
            continue
        image, python = (cells[6], cells[7]) if len(cells) >= 9 else ("", cells[6])
        took = re.fullmatch(r"(?:(\d+) min)?\s*(?:(\d+) s)?", cells[4])
        seconds = int(took[1] or 0) * 60 + int(took[2] or 0) if took else 0.0
        size = float(cells[5].removesuffix(" MB").replace(",", ""))
        image = image or f"{cells[0]} {cells[1]}"
        out.append(TableRow(cells[0], cells[1], image, seconds, size, python))
    return out


def table_envs(path: Path = TABLE) -> dict[tuple[str, str], tuple[str, int]]:
    """(repo, version) -> (its image, bytes of its environment alone: size less the base)."""
    return {
        (row.repo, row.version): (row.image, int(max(0.0, row.mb - BASE_MB[row.python]) * MB))
        for row in table_rows(path)
        if row.python in BASE_MB
    }


def _mirror(mirror_dir: Path, repo: str) -> Path | None:
    path = mirror_dir / repo.replace("/", "__")
    return path if path.exists() else None


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.resolve().rglob("*") if f.is_file())


def _records(client: Any) -> dict[str, dict[str, Any]]:
    """image id -> layers, size, unique size, tags, kind: every swe-runner image."""
    df = {i["Id"]: i for i in client.df().get("Images") or []}
    out = {}
    for image in client.images.list(filters={"label": KIND_LABEL}):
        info = df.get(image.id, {})
        size = int(image.attrs.get("Size", 0))
        out[image.id] = {
            "layers": tuple(image.attrs["RootFS"].get("Layers") or ()),
            "size": size,
            "unique": size - int(info.get("SharedSize", 0) or 0),
            "tags": image.tags,
            "kind": _kind(image.labels),
        }
    return out


def _kind(labels: dict[str, str]) -> str | None:
    """An image's kind; an environment stored as a delta on its hub, and a packages layer
    on an environment (installs.py), count apart from full ones (the images above them
    inherit their labels, not their kind)."""
    kind = labels.get(KIND_LABEL)
    if kind == "env" and PACKAGES_LABEL in labels:
        return "packages"
    return "delta" if kind == "env" and DELTA_LABEL in labels else kind


def _own(records: dict[str, dict[str, Any]], image_id: str) -> int:
    """What an image adds to the nearest image below it (an empty packages layer: none,
    though it has no layer the environment under it lacks)."""
    mine = records[image_id]
    if mine["kind"] == "packages" and any(
        r["layers"] == mine["layers"] for other, r in records.items() if other != image_id
    ):
        return 0
    below = [
        r["size"]
        for other, r in records.items()
        if other != image_id
        and len(r["layers"]) < len(mine["layers"])
        and mine["layers"][: len(r["layers"])] == r["layers"]
    ]
    return max(0, int(mine["size"]) - max(below, default=0))


def _repo_of(
    records: dict[str, dict[str, Any]], image_id: str, packs: list[tuple[str, tuple[str, ...]]]
) -> str:
    """The repository whose history an image holds ("": none, a base or the empty root)."""
    for tag in records[image_id]["tags"]:
        kind, _, name = tag.partition(":")
        if kind in ("swe-runner-pack", "swe-runner-snapshot"):
            return str(name.rsplit("-", 2)[0])
    layers = records[image_id]["layers"]
    for repo, pack in packs:
        if layers[: len(pack)] == pack:
            return repo
    return ""


def measure(tasks: list[Task], builder: ImageBuilder) -> tuple[dict[str, Any], list[str]]:
    client = connect()
    records = _records(client)
    by_tag = {tag: iid for iid, r in records.items() for tag in r["tags"]}
    images: dict[str, str] = {}
    for task in tasks:
        assert task.env_spec is not None
        tag = builder.instance_tag(task, task.env_spec)
        if tag in by_tag:
            images[task.instance_id] = by_tag[tag]
    packs = [
        (_repo_of(records, iid, []), r["layers"])
        for iid, r in records.items()
        if any(t.startswith("swe-runner-pack:") for t in r["tags"])
    ]
    shared: dict[str, int] = defaultdict(int)
    parts: dict[tuple[str, str], list[int]] = defaultdict(list)  # (repo, kind) -> own sizes
    bases = 0
    used = {records[i]["layers"] for i in images.values()}
    for iid, record in records.items():
        if record["kind"] == "instance":
            continue
        if not any(layers[: len(record["layers"])] == record["layers"] for layers in used):
            continue  # not under a measured instance
        repo = _repo_of(records, iid, packs)
        if repo:
            shared[repo] += _own(records, iid)
            parts[(repo, record["kind"])].append(_own(records, iid))
        else:
            bases += _own(records, iid)
    unique: dict[str, list[int]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)  # versions of the measured instances
    chains: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # their chains of snapshots
    for task in tasks:
        if task.instance_id in images:
            key = task.repo.replace("/", "__").lower()
            unique[key].append(records[images[task.instance_id]]["unique"])
            seen[key].add(task.version)
            chains[key].add(task.peers.chain)
    figures = {
        "shared": dict(shared),
        "parts": dict(parts),
        "unique": dict(unique),
        "seen": {k: len(v) for k, v in seen.items()},
        "chains": {k: len(v) for k, v in chains.items()},
        "bases": bases,
    }
    return figures, list(images)


def rebuild_times(
    tasks: list[Task], builder: ImageBuilder, built: list[str], count: int
) -> list[tuple[Task, float]]:
    """Remove and build again ``count`` instance images, each repository's share of them
    its share of the built instances (every repository at least one), spread over its
    versions, and time each."""
    by_repo: dict[str, list[Task]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: (t.version or "", t.instance_id)):
        if task.instance_id in built:
            by_repo[task.repo].append(task)
    total = sum(len(group) for group in by_repo.values())
    picked: list[Task] = []
    for _, group in sorted(by_repo.items()):
        share = max(1, round(count * len(group) / max(1, total))) if count else 0
        share = min(share, len(group))
        picked += [group[int(i * len(group) / share)] for i in range(share)]
    client = connect()
    times = []
    for task in picked:
        assert task.env_spec is not None
        image = client.images.get(builder.instance_tag(task, task.env_spec))
        client.images.remove(image.id, force=True)  # every tag: no twin to reuse
        started = time.monotonic()
        builder.ensure_instance(task, None)
        times.append((task, time.monotonic() - started))
        print(f"  rebuilt {task.instance_id} in {times[-1][1]:.1f} s", flush=True)
    return times


def weighted_median(values: list[tuple[float, float]]) -> float:
    """The median of (value, weight) pairs: the value at half the total weight."""
    ordered = sorted(values)
    half, seen = sum(w for _, w in ordered) / 2, 0.0
    for value, weight in ordered:
        seen += weight
        if seen >= half:
            return value
    return ordered[-1][0] if ordered else 0.0


def print_build_times(times: list[tuple[Task, float]]) -> None:
    """The rebuild times: per repository, over the sample, and weighted as Verified's 500
    are made up (each repository measured here standing for its share of them)."""
    by_repo: dict[str, list[float]] = defaultdict(list)
    for task, took in times:
        by_repo[task.repo].append(took)
    for repo, secs in sorted(by_repo.items()):
        print(f"  {repo:28} n={len(secs):>3}  median {statistics.median(secs):5.1f} s")
    secs = [s for _, s in times]
    weighted = [(s, VERIFIED.get(repo, 0) / len(v)) for repo, v in by_repo.items() for s in v]
    covered = sum(VERIFIED.get(repo, 0) for repo in by_repo)
    print(
        f"instance build once its environment exists: median {statistics.median(secs):.1f} s "
        f"(target <= 10), max {max(secs):.1f} s, n={len(secs)}; weighted as Verified's "
        f"instances of these repositories ({covered} of 500): median "
        f"{weighted_median(weighted):.1f} s"
    )


def _under(image: Any, layers: tuple[str, ...]) -> bool:
    """Whether ``image``'s layers are the bottom of ``layers``."""
    own = tuple(image.attrs["RootFS"]["Layers"])
    return layers[: len(own)] == own


def rebuild_versions(
    tasks: list[Task], builder: ImageBuilder, built: list[str], count: int
) -> list[tuple[str, int, float]]:
    """Remove ``count`` versions' instance images and their chains of snapshots (round
    robin over repositories), build them all again, and time it: (version, instances,
    seconds). A version's snapshot chain is shared work, so this is the build of an
    instance once its environment exists, amortised over its version."""
    by_version: dict[tuple[str, str], list[Task]] = defaultdict(list)
    for task in tasks:
        if task.instance_id in built:
            by_version[(task.repo, task.version or "")].append(task)
    by_repo: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(by_version, key=lambda k: (-len(by_version[k]), k)):
        by_repo[key[0]].append(key)
    picked: list[tuple[str, str]] = []
    while len(picked) < count and any(by_repo.values()):
        for repo in sorted(by_repo):
            if by_repo[repo] and len(picked) < count:
                picked.append(by_repo[repo].pop(0))
    client = connect()
    out = []
    for key in picked:
        group = by_version[key]
        tags = [builder.instance_tag(t, t.env_spec) for t in group if t.env_spec]
        images = [client.images.get(tag) for tag in tags]
        layers = [tuple(i.attrs["RootFS"]["Layers"]) for i in images]
        snapshots = client.images.list(filters={"label": f"{KIND_LABEL}=snapshot"})
        chain = [s for s in snapshots if any(_under(s, ls) for ls in layers)]
        for image in images:
            client.images.remove(image.id, force=True)
        kept = 0
        for snap in sorted(chain, key=lambda s: -len(s.attrs["RootFS"]["Layers"])):
            try:
                client.images.remove(snap.id, force=True)
            except docker.errors.APIError:  # another image stands on it (another dataset's)
                kept += 1
        started = time.monotonic()
        for task in group:
            builder.ensure_instance(task, None)
        took = time.monotonic() - started
        name = f"{key[0].split('/')[1]} {key[1]}"
        out.append((name, len(group), took))
        print(
            f"  rebuilt {name}: {len(group)} instances and {len(chain) - kept} snapshots in "
            f"{took:.1f} s ({took / len(group):.1f} s each)",
            flush=True,
        )
    return out


def chains_per_repo(path: str) -> dict[str, int]:
    """Each repository's chains of snapshots in a dataset (its tasks' distinct chain peers:
    one per environment and setup), read from its records and specs alone."""
    chains: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for task in load_dataset(path).tasks:
        chains[task.repo].add(task.peers.chain)
    return {repo: len(found) for repo, found in chains.items()}


def project(figures: dict[str, Any], mirror_dir: Path, chains: dict[str, int]) -> None:
    """Print the projected disk of Verified's 500: per repository its history, its
    environments (an image shared by versions once), its snapshots (a chain per
    environment and setup) and its instances (the mean measured), each measured where this
    machine built it and estimated otherwise (say which). ``chains``: each repository's
    chains in Verified (one per version where it lacks the repository)."""
    parts, unique = figures["parts"], figures["unique"]

    def measured(repo: str, kind: str) -> list[int]:
        found: list[int] = parts.get((repo.replace("/", "__").lower(), kind), [])
        return found

    def chains_here(repo: str) -> int:
        return max(1, int(figures["chains"].get(repo.replace("/", "__").lower(), 0)))

    means = {key: statistics.mean(values) for key, values in unique.items() if values}
    typical = statistics.median(means.values()) if means else 0
    table = table_envs()
    envs = sorted(
        [e for (_, kind), sizes in parts.items() if kind == "env" for e in sizes]
        + list(dict(table.values()).values())
    )
    env_p75 = envs[int(len(envs) * 0.75)] if envs else 0
    # A delta environment against its repository's full ones (the hubs), where measured:
    # each repository's median; a repository not measured takes the median of those.
    ratios = {
        repo: statistics.median(measured(repo, "delta")) / statistics.median(measured(repo, "env"))
        for repo in VERIFIED
        if measured(repo, "env") and measured(repo, "delta")
    }
    d_ratio = statistics.median(ratios.values()) if ratios else 1.0
    history_ratio, snapshot_ratio = [], []
    for repo in VERIFIED:
        history, mirror = sum(measured(repo, "repo")), _mirror(mirror_dir, repo)
        if history and mirror is not None:
            history_ratio.append(history / _dir_size(mirror))
            if measured(repo, "snapshot"):  # a chain holds packs: by the history
                per_chain = sum(measured(repo, "snapshot")) / chains_here(repo)
                snapshot_ratio.append(per_chain / _dir_size(mirror))
    h_ratio = statistics.median(history_ratio) if history_ratio else 1.0
    s_ratio = statistics.median(snapshot_ratio) if snapshot_ratio else 0.5
    total: float = figures["bases"]
    print(f"\nProjected disk for SWE-bench Verified (500); base images {total / MB:,.0f} MB")
    print(
        f"{'repository':26} {'n':>4} {'ver':>4} {'history':>8} {'envs':>7} {'snaps':>7} "
        f"{'insts':>7}  MB; how"
    )
    for repo, count in VERIFIED.items():
        versions = VERSIONS.get(repo, 1)
        how = []
        history = sum(measured(repo, "repo"))
        mirror = _mirror(mirror_dir, repo)
        repo_size = _dir_size(mirror) if mirror else UNFETCHABLE.get(repo, (0, 0))[0]
        if not history:
            history = int(repo_size * h_ratio)
            how.append("history from repository size")
        env_sizes = measured(repo, "env")
        seen = figures["seen"].get(repo.replace("/", "__").lower(), 0)
        rows = {key: row for key, row in table.items() if key[0] == repo}
        tabled = dict(rows.values())  # each image once: versions may share one
        deltas = measured(repo, "delta")
        if env_sizes:  # the environments built, for the versions seen, scaled to all
            built = len(env_sizes) + len(deltas)
            held = sum(env_sizes) + sum(deltas) + sum(measured(repo, "packages"))
            envs_total = held * versions / max(seen, built)
        else:  # a hub (the first image), the others as deltas at the measured ratio
            images = list(dict.fromkeys(image for image, _ in rows.values()))
            sizes = [tabled[image] for image in images]
            rest = max(0, versions - len(rows))
            one = REQUIREMENTS_LAYER if repo in READS_REQUIREMENTS else 0  # not read here
            bare = repo in REQUIREMENTS_ONLY and bool(envs)
            guess = envs[0] if bare else env_p75
            full = [*(size + one for size in sizes), *[guess + one] * rest]
            envs_total = full[0] + sum(full[1:]) * d_ratio
            at = "the smallest environment (no package but the file)" if bare else "p75"
            how.append(
                f"{len(rows)} envs from the table ({len(images)} images), {rest} at {at}"
                if rows
                else f"envs at {at if bare else 'the p75 environment'}"
            )
            if one:
                how.append(f"+ {one / MB:,.0f} MB of requirements file per env")
            if len(full) > 1:
                how.append(f"all but the first as deltas at {d_ratio:.2f} of a full one")
        snaps = measured(repo, "snapshot")
        key = repo.replace("/", "__").lower()
        if snaps:  # the chains measured, scaled by the instances they stand for
            snaps_total = sum(snaps) * count / max(1, len(unique.get(key, ())))
        else:
            n_chains = chains.get(repo, versions)
            snaps_total = repo_size * s_ratio * n_chains
            how.append(f"{n_chains} chains of snapshots from repository size")
        per = means.get(key, typical)
        if key not in means:
            how.append("instances at the median repository's mean instance")
        size: float = history + envs_total + snaps_total + count * per
        total += size
        print(
            f"{repo:26} {count:>4} {versions:>4} {history / MB:>8,.0f} {envs_total / MB:>7,.0f} "
            f"{snaps_total / MB:>7,.0f} {count * per / MB:>7,.0f}  "
            f"{'; '.join(how) or 'measured'}"
        )
    each = ", ".join(f"{repo.split('/')[1]} {x:.2f}" for repo, x in ratios.items())
    print(
        f"total: {total / 2**30:,.2f} GiB (target <= 10 GiB). Estimates: history = repository "
        f"size x {h_ratio:.2f} (measured), a chain of snapshots = repository size x "
        f"{s_ratio:.2f} "
        f"(measured), p75 environment {env_p75 / MB:,.0f} MB, an instance "
        f"{typical / MB:,.1f} MB (the median of the repositories' means), a "
        f"delta environment {d_ratio:.2f} of a full one (the median of the repositories' "
        f"medians: {each}); "
        "an environment per version the table lacks (versions the table shows sharing an "
        "image count it once)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--mirror-dir", type=Path, required=True)
    parser.add_argument("--rebuild", type=int, default=20)
    parser.add_argument(
        "--rebuild-versions",
        type=int,
        default=0,
        help="rebuild this many versions whole (instances and snapshot chains), timed",
    )
    parser.add_argument("--build", action="store_true", help="build missing instance images")
    parser.add_argument(
        "--verified",
        help="a Verified dataset file, to count the chains of snapshots of the repositories "
        "not at hand (default: one per version)",
    )
    parser.add_argument(
        "--peek", type=int, default=0, help="run the peeking probes in this many instance images"
    )
    args = parser.parse_args()
    settings = load_settings().model_copy(update={"mirror_dir": args.mirror_dir})
    # a rebuild runs every step, as the first build did (no step taken from a twin image)
    builder = ImageBuilder(settings, no_cache=True)
    data = load_dataset(args.dataset)
    tasks = [t for t in data.tasks if _mirror(args.mirror_dir, t.repo) and t.env_spec]
    dev: dict[str, int] = defaultdict(int)
    for task in data.tasks:
        dev[task.repo] += 1
    if args.build:
        for task in tasks:
            try:
                builder.ensure_instance(task, None)
            except Exception as exc:  # a benchmark reports and goes on
                print(f"  {task.instance_id}: {exc}", file=sys.stderr)
    figures, built = measure(tasks, builder)
    print(f"{len(built)} of {len(tasks)} instance images built here")
    times = rebuild_times(tasks, builder, built, args.rebuild)
    versions = rebuild_versions(tasks, builder, built, args.rebuild_versions)
    figures, built = measure(tasks, builder)
    every = sorted(u for values in figures["unique"].values() for u in values)
    print("\nUnique disk of an instance image (docker Size - SharedSize), by repository:")
    for key, values in sorted(figures["unique"].items()):
        print(
            f"  {key:28} n={len(values):>3}  median {statistics.median(values) / MB:6.1f} MB  "
            f"max {max(values) / MB:6.1f} MB"
        )
    print(
        f"all: median {statistics.median(every) / MB:.1f} MB (target <= 25), "
        f"p90 {every[int(len(every) * 0.9)] / MB:.1f} MB, n={len(every)}"
    )
    if times:
        print("\nRebuild times, by repository:")
        print_build_times(times)
    if versions:
        each = [took / n for _, n, took in versions for _ in range(n)]
        print(
            f"instance build once its environment exists, a version's snapshots included "
            f"(amortised over its instances): median {statistics.median(each):.1f} s "
            f"(target <= 10), n={len(each)} instances of {len(versions)} versions"
        )
    chains = chains_per_repo(args.verified) if args.verified else {}
    project(figures, args.mirror_dir, chains)
    if args.peek:
        peek_all([t for t in tasks if t.instance_id in built][: args.peek], builder)


def peek_all(tasks: list[Task], builder: ImageBuilder) -> None:
    """The peeking probes (tests/integrity/peeking.py) in each instance's image."""
    from tests.integrity.peeking import peek

    found = 0
    for task in tasks:
        assert task.env_spec is not None
        findings = {
            k: v for k, v in peek(task, builder.instance_tag(task, task.env_spec)).items() if v
        }
        found += bool(findings)
        print(f"  {task.instance_id}: {findings or 'nothing found'}", flush=True)
    print(f"peeking probes: {len(tasks) - found} of {len(tasks)} images with nothing found")


if __name__ == "__main__":
    main()
