"""The Ray executor: a run's jobs on the nodes of a Ray cluster.

The driver (this process) keeps the run: it connects to the cluster, starts one actor per
node with Docker (:mod:`swe_runner.executors.ray_nodes`) and the run's model rate limit
(:mod:`swe_runner.executors.ray_limit`), hands each free slot a job (preferring one whose
environment that node already ran, never leaving a slot idle for it) and takes every
result back, so the run folder is written here exactly as a local run writes it.

A node lost mid-run (its actor dies or stops answering) takes its jobs with it: each is
run again on another node (at most :data:`TRIES` times in all), and the run is told why.
A job is only ever finished by the one result the driver took, so nothing is lost or
recorded twice. Nodes that join during the run are put to work.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic

import ray
from ray import exceptions as rayerr

from swe_runner.errors import ExecutorError
from swe_runner.executors.base import J, Listener, NodeServices, R, Recipe
from swe_runner.executors.ray_address import ClusterAddress, resolve_address
from swe_runner.executors.ray_limit import ClusterLimit, start_limit
from swe_runner.executors.ray_nodes import Place, node_slots, start_place, sweep

__all__ = ["TRIES", "RayExecutor"]

TRIES = 3  # nodes a job may be lost with before it is recorded as an error
READY_TIMEOUT = 120.0  # seconds an actor may take to come up on its node
LAGGARDS = 15.0  # seconds the run waits for the other nodes once one is up
DISCOVER_EVERY = 10.0  # seconds between looks for nodes that joined
RETURN_AFTER = 60.0  # seconds before a node whose actor was lost, still listed alive, is tried
# A job's place is gone (its actor, its worker process or its node): the job runs again.
LOST: tuple[type[Exception], ...] = (
    rayerr.RayActorError,
    rayerr.WorkerCrashedError,
    rayerr.NodeDiedError,
    rayerr.OutOfMemoryError,
    rayerr.ObjectLostError,
)


class RayExecutor(Generic[J, R]):
    """``workers`` jobs at once across the cluster at ``address``, at most ``node_workers``
    on one node (fewer where it has fewer CPUs or less memory than ``memory`` bytes a job).

    ``docker``: only nodes advertising the ``docker`` resource take work. ``recipe`` builds
    each node's station there (it must pickle).
    """

    name = "ray"
    lookahead = 0  # which node takes which job is decided as slots free up

    def __init__(
        self,
        address: str,
        workers: int,
        node_workers: int,
        memory: int,
        docker: bool,
        recipe: Recipe[J, R],
        notify: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.address, self.workers, self.node_workers = address, workers, node_workers
        self.memory, self.docker, self.recipe, self.notify = memory, docker, recipe, notify
        self.places: dict[str, Place] = {}
        self.limit: ClusterLimit | None = None
        self._connected = self._owns_ray = False
        self._looked = 0.0
        self._why: dict[str, str] = {}  # why each node that could not start did not

    # -- the cluster ---------------------------------------------------------------------

    def _connect(self) -> None:
        if self._connected:
            return
        if not ray.is_initialized():
            head = resolve_address(self.address)
            _authenticate(head)
            try:
                ray.init(address=head.address, log_to_driver=False, logging_level=logging.ERROR)
            except (ConnectionError, RuntimeError, rayerr.RayError) as exc:
                raise ExecutorError(
                    f"cannot join the Ray cluster at {head.describe()}: {_cause(exc)}"
                ) from None
            self._owns_ray = True
        self._connected = True
        here = ray.get_runtime_context().get_node_id()
        self.limit = start_limit(self.workers, here)
        self._discover()
        self._await_nodes()

    def _discover(self) -> None:
        """Start an actor on every live node with Docker that has none (yet, or again)."""
        self._looked = time.monotonic()
        services = NodeServices(rate_limit=self.limit)
        for node in ray.nodes():  # type: ignore[no-untyped-call]
            if not node.get("Alive") or (self.docker and not node["Resources"].get("docker")):
                continue
            have = self.places.get(node["NodeID"])
            if have is not None and not have.returns(RETURN_AFTER):
                continue
            slots = node_slots(node, self.node_workers, self.memory)
            if slots > 0:
                place = start_place(node, slots, self.memory, self.docker, self.recipe, services)
                self.places[node["NodeID"]] = place

    def _await_nodes(self) -> None:
        """Wait until the nodes are up: all of them, or the ones up :data:`LAGGARDS`
        seconds after the first (the others join when they come up).

        Raises:
            ExecutorError: no node came up within :data:`READY_TIMEOUT`, with why.
        """
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            starting = [p for p in self.places.values() if not p.up and not p.lost]
            if any(p.up for p in self.places.values()):
                deadline = min(deadline, time.monotonic() + LAGGARDS)
                if not starting or time.monotonic() > deadline:
                    return
            elif not starting or time.monotonic() > deadline:
                why = "; ".join(self._why.values()) or (
                    "no live node advertises the 'docker' resource (start each worker with "
                    "ray start --address ADDR --resources '{\"docker\": 1}')"
                    if self.docker
                    else "no live node"
                )
                raise ExecutorError(f"no node of the Ray cluster at {self.address} can work: {why}")
            self._check_starting(timeout=0.5)

    def _check_starting(self, timeout: float) -> None:
        starting = {p.ready: p for p in self.places.values() if not p.up and not p.lost}
        if not starting:
            return
        done, _ = ray.wait(list(starting), num_returns=len(starting), timeout=timeout)
        for ref in done:
            place = starting[ref]
            try:
                ray.get(ref)
            except rayerr.RayError as exc:
                self._why[place.name] = f"node {place.name}: {_cause(exc)}"
                self._lose(place, f"could not start: {_cause(exc)}")
            else:
                place.up = True
                self.notify(f"ray: node {place.name} takes {place.slots} at once")

    def _lose(self, place: Place, reason: str) -> None:
        if not place.lost:
            place.lost, place.lost_at = True, time.monotonic()
            self.notify(f"ray: node {place.name} lost: {reason}")
            ray.kill(place.actor, no_restart=True)

    def _live(self) -> list[Place]:
        return [p for p in self.places.values() if p.up and not p.lost]

    def _each(self, call: str, timeout: float = 300.0) -> list[Any]:
        """Call ``call`` on every live node's actor; a node that fails it is lost."""
        asked = {getattr(p.actor, call).remote(): p for p in self._live()}
        answers = []
        for ref, place in asked.items():
            try:
                answers.append(ray.get(ref, timeout=timeout))
            except rayerr.RayError as exc:
                self._lose(place, f"{call} failed: {_cause(exc)}")
        return answers

    def versions(self) -> dict[str, str]:
        self._connect()
        merged: dict[str, set[str]] = {"ray": {ray.__version__}}
        for answer in self._each("ready"):
            for key, value in answer.items():
                merged.setdefault(key, set()).add(value)
        return {key: ", ".join(sorted(values)) for key, values in merged.items()}

    def remove_all(self) -> int:
        self._connect()
        return sum(self._each("remove_all"))

    # -- the jobs ------------------------------------------------------------------------

    def run(self, jobs: Sequence[J], listener: Listener[J, R], stop: threading.Event) -> None:
        self._connect()
        pending: deque[J] = deque(jobs)
        flying: dict[Any, tuple[J, Place]] = {}
        tries: Counter[str] = Counter()
        try:
            while pending or flying:
                self._dispatch(pending, flying, listener)
                if not flying:
                    self._wait_for_a_node()
                    continue
                done, _ = ray.wait(list(flying), num_returns=1, timeout=1.0)
                for ref in done:
                    self._collect(ref, flying, pending, tries, listener)
                self._check_starting(timeout=0)
                if time.monotonic() - self._looked > DISCOVER_EVERY:
                    self._discover()
        except BaseException:
            stop.set()
            self._abort()
            raise

    def _dispatch(
        self, pending: deque[J], flying: dict[Any, tuple[J, Place]], listener: Listener[J, R]
    ) -> None:
        """Give free slots jobs, the least busy node first, each the first job of an
        environment it ran if one is near the front of the queue, else the next job."""
        while pending and len(flying) < self.workers:
            free = [p for p in self._live() if p.free > 0]
            if not free:
                return
            place = min(free, key=lambda p: p.busy / p.slots)
            near = itertools.islice(pending, 64)
            job = next((j for j in near if j.group in place.groups), pending[0])
            pending.remove(job)
            ref = place.actor.run.remote(job)
            flying[ref] = (job, place)
            place.busy += 1
            place.groups.add(job.group)
            listener.started(job)

    def _collect(
        self,
        ref: Any,
        flying: dict[Any, tuple[J, Place]],
        pending: deque[J],
        tries: Counter[str],
        listener: Listener[J, R],
    ) -> None:
        job, place = flying.pop(ref)
        place.busy -= 1
        try:
            result = ray.get(ref)
        except LOST as exc:
            reason = f"node {place.name} lost ({type(exc).__name__})"
            self._lose(place, _cause(exc))
            tries[job.key] += 1
            if tries[job.key] >= TRIES:
                listener.failed(job, f"lost {TRIES} times with its node; last: {reason}")
            else:
                listener.retried(job, reason)
                pending.appendleft(job)
        except rayerr.RayError as exc:  # the job itself could not be run there
            listener.failed(job, f"{type(exc).__name__}: {_cause(exc)}")
        else:
            listener.finished(job, result)

    def _wait_for_a_node(self) -> None:
        """Every node is lost or starting: wait for one, or give up.

        Raises:
            ExecutorError: no node has come up within :data:`READY_TIMEOUT`.
        """
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._live():
            if time.monotonic() > deadline:
                raise ExecutorError(
                    f"every node of the Ray cluster at {self.address} that could work was "
                    "lost; the instances left are not run (rerun the run id to resume)"
                )
            self._discover()
            self._check_starting(timeout=2.0)

    def _abort(self) -> None:
        """Stop every job in flight: kill the actors (their jobs die with them), then
        remove the run's sandboxes on each node from a fresh process there."""
        places = [p for p in self.places.values() if not p.lost]
        for place in places:
            place.lost = True
            ray.kill(place.actor, no_restart=True)
        swept = [sweep(p, self.recipe, self.docker) for p in places]
        ray.wait(swept, num_returns=len(swept), timeout=60)

    def close(self) -> None:
        if not self._connected:
            return
        try:
            self._each("close", timeout=120)
            for place in self._live():
                ray.kill(place.actor, no_restart=True)
            if self.limit is not None:
                ray.kill(self.limit.actor, no_restart=True)
        finally:
            self._connected = False
            if self._owns_ray:
                ray.shutdown()


def _cause(exc: BaseException) -> str:
    """A one-line reason from a Ray error (they carry long tracebacks)."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _authenticate(head: ClusterAddress) -> None:
    """Ask the head's GCS once, quietly, whether it takes our auth token: a cluster started
    with token auth refuses a driver without its token only after ~20 s of GCS warnings.

    Raises:
        ExecutorError: the token is missing or wrong (one line: which, and how to set it).
    """
    from ray._raylet import GcsClient  # type: ignore[attr-defined]

    with _quiet_stderr():
        try:
            GcsClient(address=head.address)
            return
        except rayerr.AuthenticationError:
            pass
        except Exception:  # anything else is ray.init's to report, as before
            return
    if os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH"):
        problem = "refused the auth token set here (RAY_AUTH_TOKEN): it is not the cluster's"
    else:
        problem = "needs an auth token and none is set here"
    raise ExecutorError(
        f"the Ray cluster at {head.describe()} {problem}: export RAY_AUTH_MODE=token "
        "RAY_AUTH_TOKEN=<the token its nodes were started with>, as on every node"
    )


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """File descriptor 2 to /dev/null for a moment: Ray's C++ client logs there directly."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
