"""Instances per hour and the harness's CPU per instance: the demo suite with the gold agent,
run locally with 1 and 2 workers, then on a Ray cluster on this machine (a head and a
worker node, one instance at a time each) with 2.

Targets: 2 local workers at least 1.6x the instances per hour of 1; Ray within 15% of local
at the same concurrency (at least 0.85x). The machine is shared: its CPU per instance is
printed beside, and the median of ``--repeat`` runs of each is taken.

- Instances per hour: from the run's own wall time (summary.json, from the first instance
  handed out to the last result written). What a run pays once before that (for Ray:
  joining the cluster, starting an actor per node) is printed beside it as "start".
- Harness CPU: the CPU time of swe-runner's processes, not the tasks' containers: the
  driver (and the git and docker calls it makes); for Ray also every process of the
  cluster's nodes (the node actors doing the instances' harness work, and Ray's own
  daemons), measured over the run.
- Machine CPU: everything the machine did meanwhile (containers, Docker, the harness, and
  whatever else runs here): with 2 cores, 2 workers cannot go faster than 2 cores' worth.

    python benchmarks/throughput.py [--repeat 1]
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
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ray_cluster import LocalCluster, local_cluster

INSTANCES = 10  # the demo suite
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    label: str
    run_s: float  # the run's own wall time
    start_s: float  # what the process spent before and after it
    cpu_s: float
    machine_s: float  # CPU seconds of the whole machine over the process

    @property
    def per_hour(self) -> float:
        return INSTANCES * 3600 / self.run_s


def group_cpu(groups: list[int]) -> float:
    """CPU seconds of every process in ``groups``, with the children they reaped."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (all but idle and iowait)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(
    label: str,
    results: Path,
    workers: int,
    extra: list[str],
    env: dict[str, str],
    groups: list[int],
) -> Figures:
    run_id = f"{re.sub(r'[^a-z0-9]+', '-', label)}-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "swe_runner", "run", "--suite", "demo", "--agent", "gold"]
    command += ["--workers", str(workers), "--results-dir", str(results), "--run-id", run_id]
    cpu0, nodes0, busy0 = children_cpu(), group_cpu(groups), machine_cpu()
    began = time.perf_counter()
    done = subprocess.run([*command, *extra], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    busy = machine_cpu() - busy0
    time.sleep(1)  # the nodes reap the actors they stopped
    cpu = children_cpu() - cpu0 + group_cpu(groups) - nodes0
    if done.returncode != 0:
        raise SystemExit(f"{label}: swe-runner failed:\n{done.stderr[-3000:]}")
    summary = json.loads((results / run_id / "summary.json").read_text())
    if summary["counts"]["resolved"] != INSTANCES:
        raise SystemExit(f"{label}: not every instance resolved: {summary['counts']}")
    run_s = float(summary["wall_time_s"])
    return Figures(label, run_s, wall - run_s, cpu, busy)


def median(runs: list[Figures]) -> Figures:
    middle = sorted(runs, key=lambda f: f.run_s)[len(runs) // 2]
    cpu = statistics.median(f.cpu_s for f in runs)
    machine = statistics.median(f.machine_s for f in runs)
    return Figures(middle.label, middle.run_s, middle.start_s, cpu, machine)


def measure(repeat: int, label: str, workers: int, extra: list[str], env: dict[str, str],
            groups: list[int], results: Path) -> Figures:  # fmt: skip
    runs = [one_run(label, results, workers, extra, env, groups) for _ in range(repeat)]
    return median(runs)


def on_ray(cluster: LocalCluster) -> list[str]:
    return ["--executor", "ray", "--ray-address", cluster.address, "--node-workers", "1"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("SWE_RUNNER_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results"
        warm = one_run("warm-up", results, 2, [], env, [])  # images built once, caches warm
        print(f"(warm-up: {warm.run_s:.1f} s)")
        local1 = measure(args.repeat, "local, 1 worker", 1, [], env, [], results)
        local2 = measure(args.repeat, "local, 2 workers", 2, [], env, [], results)
        with local_cluster(Path(tmp) / "ray", workers=1) as cluster:
            groups = [n.process.pid for n in [cluster.head, *cluster.workers] if n]
            ray_env = {**env, **cluster.env}
            ray2 = measure(
                args.repeat, "ray, 2 workers", 2, on_ray(cluster), ray_env, groups, results
            )
    print(f"demo suite ({INSTANCES} instances), gold agent, median of {args.repeat}:")
    head = f"{'inst/hour':>10} {'run s':>7} {'start s':>8} {'harness CPU':>12} {'machine CPU':>12}"
    print(f"{'':20} {head}")
    print(f"{'':20} {'':>10} {'':>7} {'':>8} {'s/inst':>12} {'s/inst':>12}")
    for f in (local1, local2, ray2):
        line = f"{f.per_hour:10.0f} {f.run_s:7.1f} {f.start_s:8.1f} {f.cpu_s / INSTANCES:12.2f}"
        print(f"{f.label:20} {line} {f.machine_s / INSTANCES:12.2f}")
    cores = os.cpu_count() or 1
    best = min(2, cores) * 3600 / (local2.machine_s / INSTANCES)
    print(f"at most {best:.0f} inst/hour on {cores} cores at the machine CPU an instance takes")
    scale = local2.per_hour / local1.per_hour
    ray_ratio = ray2.per_hour / local2.per_hour
    print(
        f"2 local workers / 1: {scale:.2f}x (target >= 1.6x): {'met' if scale >= 1.6 else 'MISSED'}"
    )
    within = ray_ratio >= 0.85  # at most 15% slower (faster is no miss)
    print(
        f"ray / local at 2 workers: {ray_ratio:.2f}x (target >= 0.85x): "
        f"{'met' if within else 'MISSED'}"
    )
    print(f"harness CPU per instance, ray / local at 2: {ray2.cpu_s / local2.cpu_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
