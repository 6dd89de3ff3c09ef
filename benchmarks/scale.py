"""How SWE-bench Verified scales on this machine: instances per hour for building instance
images, for a gold run (agent container, then grading) and for evaluating predictions, the
disk the sample's images take and the peak memory, on a real sample; then what all 500
would take here, and with more Ray nodes.

    python benchmarks/scale.py --dataset verified.jsonl --mirror-dir DIR [--sample 12] [--workers 2]

- The sample: ``--sample`` tasks of the dataset whose repositories are in ``--mirror-dir``,
  spread over the repositories (round robin). Their environments are built first (timed,
  from the build logs of those built now) and are not counted in the build rate; their
  instance images (and the snapshot layers only they stand on) are then removed and built
  again by ``swe-runner images build``. ``--repo`` (repeatable) samples only those.
- Gold run and evaluate: ``swe-runner run --agent gold`` and ``swe-runner evaluate
  --predictions gold`` on the sample, each in a fresh run, with ``--workers``.
- Peak memory: the harness's (the swe-runner process and its children, ru_maxrss) and the
  largest container's (docker stats, sampled every 2 s).
- Extrapolation: 500 instances at the measured rates; environments as the Environments
  table of docs/validation.md times them (each image once: versions with the same inputs
  share one), scaled to the number Verified needs, over the workers; a cluster of N such nodes
  at N times the rate, times ``--ray-efficiency`` (Ray's measured rate over local at the same
  concurrency, from benchmarks/throughput.py: 0.96 on this machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import docker.errors

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.thin_images import table_rows
from swe_runner.config import load_settings
from swe_runner.images.build import KIND_LABEL, ImageBuilder
from swe_runner.images.disk import images_on_disk
from swe_runner.inputs.dataset import load_dataset
from swe_runner.sandbox.containers import connect
from swe_runner.task import Task

VERIFIED_ENVIRONMENTS = (
    69  # (repo, version) pairs of the dev set's 463; Verified's 500 need about as many
)


def sample(tasks: list[Task], mirror_dir: Path, size: int) -> list[Task]:
    by_repo: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        if (mirror_dir / task.repo.replace("/", "__")).exists():
            by_repo[task.repo].append(task)
    picked: list[Task] = []
    while len(picked) < size and any(by_repo.values()):
        for repo in sorted(by_repo):
            if by_repo[repo] and len(picked) < size:
                picked.append(by_repo[repo].pop(0))
    return picked


class ContainerMemory:
    """The largest memory use of any running container, sampled every 2 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ContainerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(2):
            out = subprocess.run(
                ["docker", "stats", "--no-stream", "--format", "{{json .}}"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            for line in out.splitlines():
                used = json.loads(line).get("MemUsage", "0B").split("/")[0].strip()
                self.peak = max(self.peak, _bytes(used))


def _bytes(text: str) -> int:
    units = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * units[unit])
    return 0


def _drop_snapshots(client: Any, layers: list[tuple[str, ...]]) -> int:
    """Remove the snapshot images under ``layers`` that no other image stands on (top
    first): building them is part of building the sample's instances."""
    snapshots = client.images.list(filters={"label": f"{KIND_LABEL}=snapshot"})
    under = [
        s
        for s in snapshots
        if any(
            ls[: len(s.attrs["RootFS"]["Layers"])] == tuple(s.attrs["RootFS"]["Layers"])
            for ls in layers
        )
    ]
    dropped = 0
    for snap in sorted(under, key=lambda s: -len(s.attrs["RootFS"]["Layers"])):
        try:
            client.images.remove(snap.id)
            dropped += 1
        except docker.errors.APIError:  # another instance stands on it: it stays
            pass
    return dropped


def timed(cmd: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    took = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:4])}... failed:\n{done.stderr[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--mirror-dir", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ray-efficiency", type=float, default=0.96)
    parser.add_argument(
        "--repo", action="append", default=[], help="sample only these repositories"
    )
    args = parser.parse_args()
    settings = load_settings().model_copy(update={"mirror_dir": args.mirror_dir})
    builder = ImageBuilder(settings)
    data = load_dataset(args.dataset)
    wanted = [t for t in data.tasks if t.env_spec and (not args.repo or t.repo in args.repo)]
    picked = sample(wanted, args.mirror_dir, args.sample)
    ids = [flag for t in picked for flag in ("-i", t.instance_id)]
    common = ["--dataset", args.dataset, "--mirror-dir", str(args.mirror_dir), *ids]
    print(f"sample: {len(picked)} instances of {len({t.repo for t in picked})} repositories")

    cli = [sys.executable, "-m", "swe_runner"]
    first = subprocess.run(  # environments and shared layers first (timed from the output)
        [*cli, "images", "build", *common], capture_output=True, text=True, check=False
    )
    env_times = [float(s) for s in re.findall(r"built swe-runner-env:\S+ in (\d+) s", first.stderr)]
    client = connect()
    layers = []
    for task in picked:
        assert task.env_spec is not None
        image = client.images.get(builder.instance_tag(task, task.env_spec))
        layers.append(tuple(image.attrs["RootFS"]["Layers"]))
        client.images.remove(image.id, force=True)
    dropped = _drop_snapshots(client, layers)
    print(f"removed the sample's instance images and {dropped} snapshot layers only they used")

    workers = ["--workers", str(args.workers)]
    with ContainerMemory() as memory, tempfile.TemporaryDirectory() as results:
        build_s = timed([*cli, "images", "build", "--no-cache", *common])
        run_s = timed(
            [
                *cli,
                "run",
                *common,
                "--agent",
                "gold",
                *workers,
                "--results-dir",
                results,
                "--run-id",
                "scale-gold-run",
            ]
        )
        eval_s = timed(
            [
                *cli,
                "evaluate",
                *common,
                "--predictions",
                "gold",
                *workers,
                "--results-dir",
                results,
                "--run-id",
                "scale-evaluate",
            ]
        )
    harness_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows, disk = images_on_disk()
    n = len(picked)
    rates = {
        "build": n * 3600 / build_s,
        "gold run": n * 3600 / run_s,
        "evaluate": n * 3600 / eval_s,
    }
    print(f"\n{'phase':12} {'s':>8} {'instances/h':>12}")
    for (phase, rate), secs in zip(rates.items(), (build_s, run_s, eval_s), strict=True):
        print(f"{phase:12} {secs:>8.0f} {rate:>12.0f}")
    # Verified's environments: each image of the Environments table once (versions with
    # the same inputs share one), its build time as the table gives it, scaled from the
    # versions built there to all of Verified's.
    table = table_rows()
    images = {row.image: row.seconds for row in table}
    envs_s = sum(images.values()) * VERIFIED_ENVIRONMENTS / max(1, len(table))
    where = f"{len(images)} images for {len(table)} versions, docs/validation.md"
    if env_times:
        print(
            f"environments built now: {len(env_times)}, median {statistics.median(env_times):.0f} s"
        )
    print(
        f"environment builds ({where}): median {statistics.median(images.values()):.0f} s, "
        f"all of them {sum(images.values()) / 3600:.1f} h"
    )
    print(f"disk of every swe-runner image here: {disk.total_mb / 1e3:,.1f} GB ({len(rows)} tags)")
    container_peak = memory.peak / 2**20
    print(f"peak memory: harness {harness_peak:,.0f} MB, one container {container_peak:,.0f} MB")
    envs_h = envs_s / 3600 / max(1, args.workers)
    print(f"\nAll 500 of Verified here ({os.cpu_count()} CPUs, {args.workers} workers):")
    for phase, rate in rates.items():
        extra = f" + environments {envs_h:.1f} h" if phase == "build" else ""
        print(f"  {phase:10} {500 / rate:6.1f} h{extra}")
    for nodes in (2, 4, 8):
        scale = nodes * args.ray_efficiency
        times = ", ".join(f"{phase} {500 / (rate * scale):.1f} h" for phase, rate in rates.items())
        print(f"  {nodes} nodes like this one on Ray: {times}")


if __name__ == "__main__":
    main()
