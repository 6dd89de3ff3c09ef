"""`--executor ray` on a real Ray cluster on this machine (a head and a worker node, each
its own ``ray start`` process group, token auth on), the demo suite on Docker: the same
files as a local run (agent runs and evaluations); a worker node killed mid-run loses no
instance; Ctrl-C on the driver stops the cluster's work and a local run resumes it; one
model rate limit across nodes, down to a model agent's requests in a 429 storm."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import load_dataset
from swe_runner.run.validate import validation_dir
from swe_runner.sandbox.docker import connect
from swe_runner.sandbox.labels import RUN_LABEL
from tests.conftest import ca_args
from tests.fakes.openai_server import FakeOpenAI
from tests.models.test_openai_run import (
    KEY,
    MODEL,
    RETRY_AFTER,
    STORM_SECONDS,
    Server,
    expected,
    tools_responder,
)
from tests.ray_cluster import LocalCluster, local_cluster

pytestmark = pytest.mark.docker

DEMO = sorted(t.instance_id for t in load_dataset("demo").tasks)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with local_cluster(tmp_path_factory.mktemp("ray"), workers=1) as started:
        yield started


def args(results: Path, run_id: str, *more: str) -> list[str]:
    common = ["--suite", "demo", "--results-dir", str(results), "--run-id", run_id]
    return ["run", *common, *ca_args(), *more]


def on_ray(cluster: LocalCluster, results: Path, run_id: str, *more: str) -> list[str]:
    """``swe-runner run`` on the cluster, as a driver's command line: two at once, one a
    node, so both nodes work."""
    ray = ["--executor", "ray", "--ray-address", cluster.address, "--node-workers", "1"]
    return [
        sys.executable,
        "-m",
        "swe_runner",
        *args(results, run_id, "--workers", "2"),
        *ray,
        *more,
    ]


def driver(cluster: LocalCluster, command: list[str], **env: str) -> subprocess.Popen[bytes]:
    environ = {**os.environ, **cluster.env, **env}
    return subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[bytes], code: int = 0) -> str:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == code, err.decode()[-3000:]
    return err.decode()


def wait_for_reports(folder: Path, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while len(list(folder.glob("*/report.json"))) < count:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "ended"
        assert time.monotonic() < deadline
        time.sleep(0.1)


def reports(folder: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in folder.glob("*/report.json"):
        ((iid, body),) = json.loads(path.read_text()).items()
        assert iid not in found
        found[iid] = body
    return found


def containers_of(run_id: str) -> list[str]:
    found = connect().containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"})
    return [c.id for c in found]


# What differs between two runs of the same work: times, ids, the random heredoc marker the
# gold and scripted agents write patches with, the test runner's pid and durations.
VOLATILE = {"timings", "agent_time_s", "wall_time_s", "run_id", "latency_s", "at"}
VOLATILE_TEXT = [
    (re.compile(r"SWE_RUNNER_PATCH_[0-9a-f]{16}"), "SWE_RUNNER_PATCH_x"),
    (re.compile(r"\b\d+(\.\d+)?s\b"), "Ns"),
    (re.compile(r"duration ms: \d+"), "duration ms: N"),
    (re.compile(r'"pid": \d+'), '"pid": N'),
]


def _scrub(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _scrub(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [_scrub(v) for v in data]
    if isinstance(data, str):
        for pattern, same in VOLATILE_TEXT:
            data = pattern.sub(same, data)
    return data


def contents(folder: Path) -> dict[str, Any]:
    """Every file of a run folder but run.json, its volatile parts scrubbed."""
    out: dict[str, Any] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "run.json"):
        text = path.read_text()
        if path.suffix == ".json":
            out[str(path.relative_to(folder))] = _scrub(json.loads(text))
        elif path.suffix == ".jsonl":
            lines = [_scrub(json.loads(line)) for line in text.splitlines()]
            out[str(path.relative_to(folder))] = lines
        else:
            out[str(path.relative_to(folder))] = _scrub(text)
    return out


def test_the_demo_suite_on_ray_writes_what_a_local_run_writes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    results = tmp_path / "r"
    assert main(args(results, "local", "--agent", "scripted", "--workers", "2")) == 0
    finish(driver(cluster, on_ray(cluster, results, "ray", "--agent", "scripted")))
    local, ray = contents(results / "local"), contents(results / "ray")
    assert sorted(local) == sorted(ray)
    for name in local:
        assert local[name] == ray[name], name
    outcomes = {row["outcome"] for row in local["summary.json"]["instances"]}
    assert {"resolved", "unresolved"} <= outcomes  # a mix, not only passes
    manifest = json.loads((results / "ray" / "run.json").read_text())
    assert manifest["settings"]["executor"] == "ray"
    assert manifest["versions"]["ray"] and manifest["versions"]["docker"]
    assert "retries" not in manifest  # no node was lost
    assert containers_of("ray") == []


def test_evaluating_on_ray_writes_what_a_local_evaluation_writes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    results = tmp_path / "r"
    grade = ["evaluate", "--dataset", "demo", "--predictions", "gold", *ca_args()]
    grade += ["--results-dir", str(results), "--workers", "2"]
    assert main([*grade, "--run-id", "local"]) == 0
    ray = ["--executor", "ray", "--ray-address", cluster.address, "--node-workers", "1"]
    command = [sys.executable, "-m", "swe_runner", *grade, "--run-id", "ray", *ray]
    finish(driver(cluster, command))
    assert contents(results / "local") == contents(results / "ray")
    assert containers_of("ray") == []


def test_validating_on_ray_writes_what_a_local_validation_writes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    picked = ["textkit-1", "textkit-4", "confparse-2"]
    gate = ["tasks", "validate", "demo", *ca_args(), "--workers", "2"]
    gate += [word for iid in picked for word in ("-i", iid)]
    local, ray = tmp_path / "local", tmp_path / "ray"
    assert main([*gate, "--results-dir", str(local)]) == 0
    on = ["--executor", "ray", "--ray-address", cluster.address, "--node-workers", "1"]
    command = [sys.executable, "-m", "swe_runner", *gate, "--results-dir", str(ray), *on]
    finish(driver(cluster, command))
    tasks = load_dataset("demo").select(picked)
    for take in ("empty", "gold-1"):  # each take an evaluation run on the cluster
        here, there = validation_dir(local, tasks) / take, validation_dir(ray, tasks) / take
        assert contents(here) == contents(there), take
        assert json.loads((there / "run.json").read_text())["settings"]["executor"] == "ray"
    assert json.loads((ray / "known-bad" / "demo.json").read_text())["instances"] == []


def test_a_model_agent_on_ray_keeps_one_rate_limit_in_a_429_storm(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    """The nodes build the model client themselves, with the driver's key; in a 429 storm
    both nodes together send one request per retry-after, as one local run would."""
    demo = load_dataset("demo")
    server = Server(demo)
    api = FakeOpenAI(tools_responder(server))
    results = tmp_path / "r"
    model = ["--agent", "model", "--provider", "openai", "--base-url", api.url, "--model", MODEL]
    retry = {"SWE_RUNNER_API_RETRIES": "8", "SWE_RUNNER_API_BACKOFF": "0.05"}
    with api.running():
        proc = driver(cluster, on_ray(cluster, results, "oai", *model), OPENAI_API_KEY=KEY, **retry)
        err = finish(proc)
    summary = json.loads((results / "oai" / "summary.json").read_text())
    rows = {r["instance_id"]: r["outcome"] for r in summary["instances"]}
    assert rows == expected(demo), err
    assert {r.headers["authorization"] for r in api.requests} == {f"Bearer {KEY}"}
    for path in (results / "oai").rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path
    assert server.storm_began is not None
    began = server.storm_began
    settled = [r for r in api.requests if began + 0.5 < r.at < began + STORM_SECONDS]
    # Two nodes, each with a limit of its own, would send two per retry-after.
    assert len(settled) <= STORM_SECONDS / float(RETRY_AFTER) + 1, len(settled)


def test_a_worker_node_lost_mid_run_loses_no_instance(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    results = tmp_path / "r"
    proc = driver(cluster, on_ray(cluster, results, "lost", "--agent", "gold"))
    try:
        wait_for_reports(results / "lost", 1, proc)
        cluster.workers[-1].kill()  # its instance in flight goes with it
        err = finish(proc)
    finally:
        cluster.add_worker()  # for the tests after this one
    kept = reports(results / "lost")
    assert sorted(kept) == DEMO  # every instance exactly one report
    assert {r["outcome"] for r in kept.values()} == {"resolved"}, err
    summary = json.loads((results / "lost" / "summary.json").read_text())
    assert summary["total"] == 10 and summary["counts"]["resolved"] == 10
    retries = json.loads((results / "lost" / "run.json").read_text())["retries"]
    assert retries, "the node was killed when it had no instance in flight"
    assert all(r["instance_id"] in DEMO and "lost" in r["reason"] for r in retries)
    assert "running it again elsewhere" in err
    assert containers_of("lost") == []


def test_ctrl_c_on_the_driver_stops_the_cluster_and_a_local_run_resumes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    results = tmp_path / "r"
    proc = driver(cluster, on_ray(cluster, results, "cut", "--agent", "gold"))
    wait_for_reports(results / "cut", 1, proc)
    proc.send_signal(signal.SIGINT)
    assert "resume" in finish(proc, 130)
    assert containers_of("cut") == []
    kept = reports(results / "cut")
    cut = [r for r in kept.values() if r["outcome"] != "resolved"]
    assert cut, "the Ctrl-C came when no instance was in flight"
    assert all(r["outcome"] == "error" and r["interrupted"] for r in cut)
    assert main(args(results, "cut", "--agent", "gold", "--workers", "2")) == 0
    assert sorted(reports(results / "cut")) == DEMO
    assert {r["outcome"] for r in reports(results / "cut").values()} == {"resolved"}


LIMIT_PROBE = """
import json, logging, sys, time
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
from swe_runner.executors.ray_limit import start_limit

ray.init(address=sys.argv[1], logging_level=logging.ERROR, log_to_driver=False)
nodes = [n["NodeID"] for n in ray.nodes() if n["Alive"]]
limit = start_limit(4, ray.get_runtime_context().get_node_id())

@ray.remote(num_cpus=0)
def refused(limit):
    with limit.slot():
        limit.on_rate_limited(1.5)  # a 429 with retry-after: 1.5
        cut = time.time()  # one machine: the nodes share a clock
    return ray.get_runtime_context().get_node_id(), cut

@ray.remote(num_cpus=0)
def later(limit):
    with limit.slot():
        began = time.time()
        limit.on_success()
    return ray.get_runtime_context().get_node_id(), began

on = lambda node: NodeAffinitySchedulingStrategy(node, soft=False)
first, cut = ray.get(refused.options(scheduling_strategy=on(nodes[0])).remote(limit))
second, began = ray.get(later.options(scheduling_strategy=on(nodes[1])).remote(limit))
print(json.dumps({"nodes": [first, second], "waited": began - cut, "state": limit.state()}))
"""


def test_one_model_rate_limit_across_the_nodes(cluster: LocalCluster) -> None:
    """A 429 on one node cuts the limit and pauses the requests of another."""
    env = {**os.environ, **cluster.env}
    done = subprocess.run(
        [sys.executable, "-c", LIMIT_PROBE, cluster.address],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Ray may print warnings of its own to stdout: the probe's one line is the JSON object.
    seen = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    assert seen["nodes"][0] != seen["nodes"][1]
    assert 1.4 < seen["waited"] < 10, seen  # the other node's request waited out the pause
    assert seen["state"] == {"limit": 2, "in_flight": 0, "cuts": 1}
