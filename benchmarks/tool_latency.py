"""The bash tool's round trip beside a plain ``docker exec``, and the demo suite's wall time.

Targets: bash tool p50 at most 5 ms, and at least 10x faster than ``docker exec``.

    python benchmarks/tool_latency.py [--calls 200] [--skip-suite]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from swe_runner.agents import AgentOptions, make_agent
from swe_runner.config import load_settings
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import load_dataset
from swe_runner.run.pipeline import run_agent
from swe_runner.run.request import AgentRequest
from swe_runner.sandbox.docker import DockerSandbox
from swe_runner.tools.bash import BashTool


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def time_calls(call: object, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    data = load_dataset("demo")
    task = data.tasks[0]
    image = ImageBuilder(settings).ensure_instance(task, data.repo_sources.get(task.repo))

    with DockerSandbox(image, task.base_commit) as sandbox:
        bash = BashTool(sandbox)
        bash({"command": "true"})  # the shell starts once per agent, not per call
        tool = time_calls(lambda: bash({"command": "true"}), args.calls)
        container = sandbox.container
        plain = time_calls(lambda: container.exec_run(["true"]), args.calls)
        bash.close()
    t50, t95 = percentiles(tool)
    d50, d95 = percentiles(plain)
    print(f"bash tool round trip ({args.calls} x true): p50 {t50:.2f} ms, p95 {t95:.2f} ms")
    print(f"plain docker exec    ({args.calls} x true): p50 {d50:.2f} ms, p95 {d95:.2f} ms")
    print(f"speed-up at p50: {d50 / t50:.1f}x (target >= 10x); p50 target <= 5 ms")
    ok = t50 <= 5 and d50 / t50 >= 10

    if not args.skip_suite:
        agent = make_agent("gold", data, AgentOptions(), settings)
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                run_settings = settings.model_copy(
                    update={"results_dir": Path(tmp), "workers": workers}
                )
                began = time.perf_counter()
                summary = run_agent(
                    AgentRequest(
                        dataset=data,
                        agent=agent,
                        run_id=f"bench-w{workers}",
                        settings=run_settings,
                    )
                )
                wall = time.perf_counter() - began
            print(
                f"demo suite, gold agent, --workers {workers}: {wall:.1f} s "
                f"({summary.resolved}/{summary.total} resolved)"
            )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
