"""The places of a run on a Ray cluster: one actor per node that has Docker.

Each actor builds the node's station once (its runtime: images built or pulled once per
node, whichever instance asks first; the run's agent) and runs up to ``slots`` jobs at once
on its threads. It reserves what those jobs need on the node: a CPU and the container
memory limit each, and a sliver of the custom ``docker`` resource, which only nodes
started with Docker advertise (``ray start --resources '{"docker": 1}'``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from swe_runner.executors.base import NodeServices, Recipe, Station

__all__ = ["DOCKER", "Place", "node_slots", "start_place", "sweep"]

DOCKER = "docker"  # the custom resource of nodes with a Docker daemon
DOCKER_SHARE = 0.01  # what one run's actor takes of it: many runs may share a node
CONTROL_THREADS = 2  # beside the job slots: remove_all, close, ping while all are busy


def _notify(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # the node's worker log


class _Node:
    """The actor: the node's station."""

    def __init__(self, recipe: Recipe[Any, Any], services: NodeServices) -> None:
        self.station: Station[Any, Any] = recipe(services)

    def ready(self) -> dict[str, str]:
        return self.station.versions()

    def run(self, job: Any) -> Any:
        return self.station.run(job)

    def remove_all(self) -> int:
        return self.station.remove_all()

    def close(self) -> int:
        """Release the station and remove what is left of the run here (the sandboxes
        of a lost node, on a daemon it shared with this one)."""
        self.station.close()
        return self.station.remove_all()


@dataclass(eq=False)
class Place:
    """One node's actor, as the driver sees it."""

    node_id: str
    name: str  # address/short id, for messages
    slots: int
    actor: Any
    ready: Any  # the reference answering when the actor is up
    busy: int = 0
    up: bool = False
    lost: bool = False
    lost_at: float = 0.0  # time.monotonic() when it was
    groups: set[str] = field(default_factory=set)  # environments it ran (has images of)

    @property
    def free(self) -> int:
        return self.slots - self.busy if self.up and not self.lost else 0

    def returns(self, after: float) -> bool:
        """Whether its node, lost ``after`` seconds ago or more, may get a new actor (a
        node that died stays listed alive for a while; one that did not comes back)."""
        return self.lost and time.monotonic() - self.lost_at >= after


def node_slots(node: dict[str, Any], most: int, memory: int) -> int:
    """How many jobs node ``node`` (an entry of ``ray.nodes()``) takes at once: ``most``,
    or fewer if it has fewer CPUs, or less memory than ``memory`` bytes a job."""
    resources = node.get("Resources", {})
    slots = min(most, int(resources.get("CPU", 0)))
    if memory > 0:
        slots = min(slots, int(resources.get("memory", 0) // memory))
    return max(slots, 0)


def start_place(
    node: dict[str, Any],
    slots: int,
    memory: int,
    docker: bool,
    recipe: Recipe[Any, Any],
    services: NodeServices,
) -> Place:
    """Start the run's actor on ``node``, reserving ``slots`` jobs' worth of it."""
    node_id = node["NodeID"]
    name = f"{node.get('NodeManagerAddress', '?')}/{node_id[:8]}"
    actor = (
        ray.remote(_Node)
        .options(
            num_cpus=slots,
            memory=slots * memory if memory > 0 else None,
            resources={DOCKER: DOCKER_SHARE} if docker else {},
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False),
            max_concurrency=slots + CONTROL_THREADS,
            max_restarts=0,
            max_task_retries=0,
        )
        .remote(recipe, NodeServices(node=name, rate_limit=services.rate_limit, notify=_notify))
    )
    return Place(node_id, name, slots, actor, actor.ready.remote())  # type: ignore[attr-defined]


def _sweep_here(recipe: Recipe[Any, Any]) -> int:
    station = recipe(NodeServices(notify=_notify))
    try:
        return station.remove_all()
    finally:
        station.close()


def sweep(place: Place, recipe: Recipe[Any, Any], docker: bool) -> Any:
    """Remove the run's sandboxes on ``place``'s node from a fresh process there (after
    its actor was killed); returns the reference to wait on."""
    return (
        ray.remote(_sweep_here)
        .options(
            num_cpus=0,
            resources={DOCKER: DOCKER_SHARE} if docker else {},
            scheduling_strategy=NodeAffinitySchedulingStrategy(place.node_id, soft=False),
            max_retries=0,
        )
        .remote(recipe)
    )
