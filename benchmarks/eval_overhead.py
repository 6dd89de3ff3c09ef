"""How much time the harness itself adds to each evaluation, beside the test run.

For every demo task, from warm images, evaluate the gold patch and split the wall time into
container start, patch apply and script overhead (the script's run time minus the test
command's own time), teardown, and the test command itself. Two ways are measured in one
run: *cold* (each evaluation starts its container on the critical path) and *pipelined*
(as ``run`` and ``evaluate`` do: the Docker runtime starts the next instance's fresh
container while the current one is tested). Both remove used containers in the background.
Target: harness overhead under 1.5 s per instance and under the test time itself.

    python benchmarks/eval_overhead.py [--dataset demo] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from swe_runner.config import load_settings
from swe_runner.grading.evaluation import evaluate
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import load_dataset, predictions_from_tasks
from swe_runner.records import Outcome
from swe_runner.runtime.docker import DockerRuntime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    settings = load_settings()
    builder = ImageBuilder(settings, notify=print)
    images = {
        t.instance_id: builder.ensure_instance(t, data.repo_sources.get(t.repo)) for t in data.tasks
    }  # warm: built before timing starts
    gold = predictions_from_tasks(data.tasks, "gold")

    print(
        f"{'mode':<10} {'instance':<14} {'start':>7} {'apply+sh':>9} {'teardown':>9} "
        f"{'overhead':>9} {'tests':>7} {'wall':>7}"
    )
    results = {}
    for mode in ("cold", "pipelined"):
        runtime = DockerRuntime(settings, {})
        order = [t for t in data.tasks for _ in range(args.repeat)]
        rows = []
        for index, task in enumerate(order):
            if mode == "pipelined" and index + 1 < len(order):
                runtime.warm(images[order[index + 1].instance_id])  # as the pipeline does
            began = time.perf_counter()
            report = evaluate(
                task, gold[task.instance_id], images[task.instance_id], runtime
            ).report
            wall = time.perf_counter() - began
            assert report.outcome is Outcome.RESOLVED, (task.instance_id, report.model_dump_json())
            t = report.timings
            overhead = wall - t["tests"]
            rows.append((overhead, t["tests"]))
            print(
                f"{mode:<10} {task.instance_id:<14} {t['container_start']:7.3f} "
                f"{t['run'] - t['tests']:9.3f} {t['teardown']:9.3f} {overhead:9.3f} "
                f"{t['tests']:7.3f} {wall:7.3f}"
            )
        runtime.close()
        results[mode] = rows
    print()
    ok = True
    for mode, rows in results.items():
        overheads, tests = [o for o, _ in rows], [t for _, t in rows]
        mean_o, mean_t = statistics.mean(overheads), statistics.mean(tests)
        print(
            f"{mode:>9}: harness overhead mean {mean_o:.3f}s, median "
            f"{statistics.median(overheads):.3f}s, max {max(overheads):.3f}s; test run mean "
            f"{mean_t:.3f}s; overhead/test {mean_o / mean_t:.2f}"
        )
        if mode == "pipelined":
            ok = max(overheads) < 1.5 and mean_o < mean_t
    print("targets (pipelined: overhead < 1.5 s and < test time):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
