"""The Docker daemon restarted mid-run (a private second daemon, so the shared one is
untouched): the instances it hit are `error`, nothing finished is lost, no container is
left, and --retry-errors completes the run. The private daemon lives in its own network
namespace: the host's docker0 bridge, and networked containers of the host's daemon,
survive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import docker.errors
import pytest

from swe_runner.cli.main import main
from swe_runner.sandbox.containers import (
    DEFAULT_CONTAINER_LIMITS,
    ContainerLimits,
    connect,
    remove_ids,
    start_idle,
)
from swe_runner.sandbox.docker import DockerSandbox
from tests.integrity.faults import daemon_restart
from tests.integrity.private_daemon import host_bridge, private_daemon

pytestmark = pytest.mark.docker


def bridge_index() -> int:
    """The ifindex of the host's docker0: a deleted and remade bridge gets another."""
    shown = host_bridge()
    assert shown is not None, "the host has no docker0 bridge (restart dockerd)"
    return int(shown.split(":", 1)[0])


def assert_host_network_works(image: str, index: int) -> None:
    """docker0 is the same link as before and a bridged container of the host's daemon
    starts with its network up."""
    assert host_bridge() is not None, "the host's docker0 bridge is gone"
    assert bridge_index() == index, "the host's docker0 bridge was deleted and remade"
    with DockerSandbox(image, "HEAD", ContainerLimits(network="bridge")) as box:
        result = box.exec("cat /sys/class/net/eth0/operstate")
        assert result.exit_code == 0 and result.text.strip() == "up", result.text


def test_daemon_restarted_mid_run_is_error_and_retry_errors_completes(
    demo_images: dict[str, str], tmp_path: Path
) -> None:
    index = bridge_index()
    agent = tmp_path / "agent"
    agent.mkdir()
    row = daemon_restart(tmp_path / "results", agent)
    assert row.affected >= 1 and row.errors == row.affected  # never unresolved
    assert row.lost == 0 and row.leftover == 0
    assert "0 errors left" in row.after and "textkit-2 resolved" in row.after
    assert_host_network_works(next(iter(demo_images.values())), index)


def test_private_daemon_leaves_the_host_bridge_and_its_namespace_goes(
    demo_images: dict[str, str],
) -> None:
    index = bridge_index()
    with private_daemon() as daemon:
        daemon.restart()
        assert_host_network_works(next(iter(demo_images.values())), index)
        netns, root = daemon.netns, daemon.root
        assert (
            netns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        )
    assert (
        netns not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    )
    assert not root.exists()
    assert_host_network_works(next(iter(demo_images.values())), index)


def test_clean_removes_the_containers_of_a_killed_process_but_not_kept_ones(
    demo_images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    image = next(iter(demo_images.values()))
    killed = (
        "import os, signal\n"
        "from swe_runner.sandbox.containers import DEFAULT_CONTAINER_LIMITS, start_idle\n"
        "from swe_runner.sandbox.labels import KEPT_LABEL\n"
        f"print(start_idle({image!r}, DEFAULT_CONTAINER_LIMITS, {{}}).id)\n"
        f"kept = start_idle({image!r}, DEFAULT_CONTAINER_LIMITS, {{KEPT_LABEL: '1'}})\n"
        "print(kept.id, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SWE_RUNNER_OWNER"}  # owner: host:pid
    done = subprocess.run([sys.executable, "-c", killed], env=env, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    orphan, kept = done.stdout.split()  # the second one kept on purpose (reproduce --keep)
    live = start_idle(image, DEFAULT_CONTAINER_LIMITS, {})  # this process's: alive
    api = connect().api
    try:
        assert main(["clean", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert orphan[:12] in out and live.id[:12] not in out and kept[:12] not in out
        assert "would remove" in out and api.inspect_container(orphan)
        assert main(["clean"]) == 0
        with pytest.raises(docker.errors.NotFound):
            api.inspect_container(orphan)
        assert api.inspect_container(live.id)["State"]["Running"]
        assert api.inspect_container(kept)["State"]["Running"]
    finally:
        remove_ids([orphan, kept, live.id])
