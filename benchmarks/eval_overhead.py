"""How much time the harness itself adds to each evaluation, beside the test run.

For every demo task, from warm images, evaluate the gold patch and split the wall time into
container start (create + copy files in + start), patch apply and script overhead (the script's
run time minus the test command's own time), teardown, and the test command itself.
Target: harness overhead under 1.5 s per instance and under the test time itself.

    python benchmarks/eval_overhead.py [--dataset demo] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from swe_runner.config import load_settings
from swe_runner.dataset import load_dataset, predictions_from_tasks
from swe_runner.grading.evaluate import evaluate
from swe_runner.images import ImageBuilder
from swe_runner.records import Outcome


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

    rows = []
    print(
        f"{'instance':<16} {'start':>7} {'apply+sh':>9} {'teardown':>9} {'overhead':>9} "
        f"{'tests':>7} {'wall':>7}"
    )
    for task in data.tasks:
        for _ in range(args.repeat):
            began = time.perf_counter()
            report = evaluate(task, gold[task.instance_id], images[task.instance_id]).report
            wall = time.perf_counter() - began
            assert report.outcome is Outcome.RESOLVED, (task.instance_id, report.error)
            t = report.timings
            script_overhead = t["run"] - t["tests"]
            overhead = wall - t["tests"]
            rows.append((overhead, t["tests"]))
            print(
                f"{task.instance_id:<16} {t['container_start']:7.3f} {script_overhead:9.3f} "
                f"{t['teardown']:9.3f} {overhead:9.3f} {t['tests']:7.3f} {wall:7.3f}"
            )
    overheads = [o for o, _ in rows]
    tests = [t for _, t in rows]
    mean_o, mean_t = statistics.mean(overheads), statistics.mean(tests)
    print(
        f"\nharness overhead per instance: mean {mean_o:.3f}s, median "
        f"{statistics.median(overheads):.3f}s, max {max(overheads):.3f}s (target < 1.5s)"
    )
    print(f"test run per instance:         mean {mean_t:.3f}s")
    print(f"overhead / test time:          {mean_o / mean_t:.2f} (target < 1)")
    ok = max(overheads) < 1.5 and mean_o < mean_t
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
