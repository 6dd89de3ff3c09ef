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
- Build time: ``--rebuild`` of them (spread over the repositories) have their instance image
  removed and built again, timed whole (the host's git work and the docker build), with
  their environment and snapshot in place.
- Projection: each repository's measured layers (its history, environments and snapshots,
  counted once) plus, per instance of Verified's 500, the median unique size measured for
  that repository, its shared layers scaled by its share of Verified's instances. A
  repository that cannot be had here (django, matplotlib, scikit-learn, flask) is estimated
  from the measured ones (its history from its repository's size, the rest from the
  medians), and printed as estimated.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner.config import load_settings
from swe_runner.images.build import KIND_LABEL, ImageBuilder
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
# Sizes of the public snapshots (git history included) of the repositories too large to
# fetch here, as the fetch tool reported them on 2026-12-06 (bytes); and their number of
# (version) environments in the dev set.
UNFETCHABLE = {
    "django/django": (637_050_880, 9),
    "matplotlib/matplotlib": (872_960_000, 6),
    "scikit-learn/scikit-learn": (788_428_800, 4),
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
            "kind": image.labels.get(KIND_LABEL),
        }
    return out


def _own(records: dict[str, dict[str, Any]], image_id: str) -> int:
    """What an image adds to the nearest image below it."""
    mine = records[image_id]
    below = [
        r["size"]
        for other, r in records.items()
        if other != image_id
        and len(r["layers"]) < len(mine["layers"])
        and mine["layers"][: len(r["layers"])] == r["layers"]
    ]
    return max(0, int(mine["size"]) - max(below, default=0))


def _repo_of(
    records: dict[str, dict[str, Any]], image_id: str, roots: list[tuple[str, str]]
) -> str:
    layers = records[image_id]["layers"]
    for repo, root in roots:
        root_layers = records[root]["layers"]
        if layers[: len(root_layers)] == root_layers:
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
    roots = [
        (r["tags"][0].split(":")[1].rsplit("-", 1)[0], iid)
        for iid, r in records.items()
        if r["tags"] and r["tags"][0].startswith("swe-runner-repo:")
    ]
    shared: dict[str, int] = defaultdict(int)
    bases = 0
    used = {records[i]["layers"] for i in images.values()}
    for iid, record in records.items():
        if record["kind"] == "instance":
            continue
        if not any(layers[: len(record["layers"])] == record["layers"] for layers in used):
            continue  # not under a measured instance
        repo = _repo_of(records, iid, roots)
        if repo:
            shared[repo] += _own(records, iid)
        else:
            bases += _own(records, iid)
    unique: dict[str, list[int]] = defaultdict(list)
    for task in tasks:
        if task.instance_id in images:
            key = task.repo.replace("/", "__").lower()
            unique[key].append(records[images[task.instance_id]]["unique"])
    return {"shared": dict(shared), "unique": dict(unique), "bases": bases}, list(images)


def rebuild_times(
    tasks: list[Task], builder: ImageBuilder, built: list[str], count: int
) -> list[tuple[str, float]]:
    """Remove and build again ``count`` instance images (round robin over repositories)."""
    by_repo: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.instance_id in built:
            by_repo[task.repo].append(task)
    picked: list[Task] = []
    while len(picked) < count and any(by_repo.values()):
        for repo in sorted(by_repo):
            if by_repo[repo] and len(picked) < count:
                picked.append(by_repo[repo].pop(len(by_repo[repo]) // 2))
    client = connect()
    times = []
    for task in picked:
        assert task.env_spec is not None
        client.images.remove(builder.instance_tag(task, task.env_spec), force=True)
        started = time.monotonic()
        builder.ensure_instance(task, None)
        times.append((task.instance_id, time.monotonic() - started))
        print(f"  rebuilt {task.instance_id} in {times[-1][1]:.1f} s", flush=True)
    return times


def project(figures: dict[str, Any], mirror_dir: Path, dev: dict[str, int]) -> None:
    """Print the projected disk of Verified's 500 (measured and estimated repositories)."""
    shared, unique = figures["shared"], figures["unique"]
    all_unique = [u for values in unique.values() for u in values]
    median_unique = statistics.median(all_unique)
    ratios = []
    rows = []
    total = figures["bases"]
    for repo, count in VERIFIED.items():
        key = repo.replace("/", "__").lower()
        mirror = _mirror(mirror_dir, repo)
        if key in shared and key in unique:
            scale = max(1.0, count / max(1, dev.get(repo, count)))
            layers = shared[key] * scale
            per = statistics.median(unique[key])
            if mirror is not None:
                ratios.append(shared[key] / _dir_size(mirror))
            rows.append((repo, count, layers, per, "measured"))
        else:
            rows.append((repo, count, None, median_unique, "estimated"))
    ratio = statistics.median(ratios) if ratios else 1.0
    for i, (repo, count, layers, per, how) in enumerate(rows):
        if layers is None:
            size = UNFETCHABLE.get(repo, (0, 1))[0]
            mirror = _mirror(mirror_dir, repo)
            if mirror is not None:
                size = _dir_size(mirror)
            layers = size * ratio
            rows[i] = (repo, count, layers, per, how)
        total += layers + count * per
    bases = figures["bases"] / MB
    print(f"\nProjected disk for SWE-bench Verified (500), base images {bases:,.0f} MB:")
    print(f"{'repository':28} {'n':>4} {'shared MB':>10} {'per inst MB':>12}  how")
    for repo, count, layers, per, how in rows:
        print(f"{repo:28} {count:>4} {layers / MB:>10,.0f} {per / MB:>12.1f}  {how}")
    print(
        f"total: {total / 2**30:,.2f} GiB (target <= 10 GiB); estimated repositories use the "
        f"measured ratio of shared layers to repository size, {ratio:.2f}, and the median "
        f"instance, {median_unique / MB:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--mirror-dir", type=Path, required=True)
    parser.add_argument("--rebuild", type=int, default=20)
    parser.add_argument("--build", action="store_true", help="build missing instance images")
    args = parser.parse_args()
    settings = load_settings().model_copy(update={"mirror_dir": args.mirror_dir})
    builder = ImageBuilder(settings)
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
        secs = [s for _, s in times]
        print(
            f"instance build once its environment exists: median {statistics.median(secs):.1f} s "
            f"(target <= 10), max {max(secs):.1f} s, n={len(secs)}"
        )
    project(figures, args.mirror_dir, dev)


if __name__ == "__main__":
    main()
