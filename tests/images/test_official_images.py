"""``--images official``: tasks run and graded in official-layout images pulled from a
registry (Debian's docker-registry on 127.0.0.1, no internet), with the records' own
``eval_script``/``log_parser`` columns, as in SWE-bench 5.x datasets.

The images are made offline from demo instance images (tests/data/official_image): the
repository at /testbed with a commit of the official setup on top, its environment in
/opt/miniconda3/envs/testbed, active only through (a stand-in for) conda activation.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import pytest
import requests

from swe_runner.cli.main import main
from swe_runner.images.official import ImagePuller, download_size, image_name
from swe_runner.inputs.dataset import PROJECT_TASKS, Dataset
from swe_runner.records import EvalReport, Outcome
from swe_runner.rundir import RunDir
from swe_runner.sandbox.containers import connect
from swe_runner.task import Task
from tests.official_layout import official_eval_script

pytestmark = pytest.mark.docker

IMAGE_DEFINITION = Path(__file__).resolve().parents[1] / "data" / "official_image"
PUSHED = ("textkit-2", "confparse-1")  # demo tasks whose official-layout image is served
MISSING = "textkit-3"  # its record names an image the registry does not have
REGISTRY_CONFIG = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local registry (Debian's docker-registry), its own storage; yields host:port."""
    binary = shutil.which("docker-registry")
    assert binary, "docker-registry is missing: scripts/setup-host installs it"
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(REGISTRY_CONFIG.format(root=root / "data", port=port))
    log = (root / "registry.log").open("w")
    proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, (root / "registry.log").read_text()
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _check_stream(events: Iterator[dict[str, Any]], what: str) -> None:
    for event in events:
        assert "error" not in event, f"{what}: {event['error']}"


@dataclass(frozen=True)
class Official:
    dataset: Path  # the records (SWE-bench 5.x columns), Docker Hub image names
    namespace: str  # where the registry serves them
    images: dict[str, str]  # instance id -> image pulled from the registry

    def remove_local(self) -> None:
        """Remove the pulled copies, so the next run must pull."""
        for image in self.images.values():
            with contextlib.suppress(docker.errors.NotFound):  # already gone
                connect().images.remove(image, force=True)


def _record(task: Task) -> dict[str, Any]:
    spec = task.env_spec
    assert spec is not None
    iid = f"swe-runner-demo__{task.instance_id}"
    return {
        **task.model_dump(mode="json", exclude={"env_spec", "instance_id"}),
        "instance_id": iid,
        "image": image_name(iid),  # as the dataset has it: Docker Hub's swebench namespace
        "eval_script": official_eval_script(
            task.repo, task.base_commit, task.test_patch, spec.test_cmd, spec.install[0]
        ),
        "log_parser": "parse_log_pytest",
        "eval_type": "pass_and_fail",
    }


@pytest.fixture(scope="module")
def official(
    registry: str,
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Official]:
    client = connect()
    namespace = f"{registry}/swebench"
    by_id = {t.instance_id: t for t in demo.tasks}
    records = [_record(by_id[i]) for i in (*PUSHED, MISSING)]
    images = {}
    for name in PUSHED:
        iid = f"swe-runner-demo__{name}"
        image = image_name(iid, namespace)
        repository = image.rsplit(":", 1)[0]
        stream = client.api.build(
            path=str(IMAGE_DEFINITION),
            tag=image,
            buildargs={"SOURCE_IMAGE": demo_images[name]},
            rm=True,
            forcerm=True,
            decode=True,
        )
        _check_stream(stream, f"building {image}")
        _check_stream(client.api.push(repository, "latest", stream=True, decode=True), "push")
        client.images.remove(image)  # only the registry has it now
        images[iid] = image
    folder = tmp_path_factory.mktemp("official")
    dataset = folder / "verified-like.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in records))
    found = Official(dataset, namespace, images)
    try:
        yield found
    finally:
        found.remove_local()


def _outcomes(results: Path, run_id: str) -> dict[str, EvalReport]:
    """Each instance's report, by instance id."""
    run = RunDir(results, run_id)
    rows = json.loads((results / run_id / "summary.json").read_text())["instances"]
    reports = {row["instance_id"]: run.read_report(row["instance_id"]) for row in rows}
    return {iid: report for iid, report in reports.items() if report is not None}


def _run(official: Official, results: Path, run_id: str, *args: str) -> int:
    return main(
        [
            "run",
            "--dataset",
            str(official.dataset),
            "--images",
            "official",
            "--image-namespace",
            official.namespace,
            "--run-id",
            run_id,
            "--results-dir",
            str(results),
            *args,
        ]
    )


def test_gold_resolves_in_pulled_official_images_and_a_missing_image_is_that_instance_error(
    official: Official, tmp_path: Path
) -> None:
    official.remove_local()
    results = tmp_path / "r"
    assert _run(official, results, "gold", "--agent", "gold", "--workers", "2") == 0
    reports = _outcomes(results, "gold")
    for iid in official.images:
        assert reports[iid].outcome is Outcome.RESOLVED, reports[iid]
        assert reports[iid].exit_code == 0 and reports[iid].log_valid
        assert reports[iid].apply_method == "git apply"
        log = (results / "gold" / iid / "test_output.txt").read_text()
        # The record's own script ran: its markers (set -x), its install, its test command.
        assert "+ : '>>>>> Start Test Output'" in log and ">>>>> Test Exit Code: 0" in log
        assert "+ pip install --no-build-isolation --no-deps --no-index -e ." in log
        script = (results / "gold" / iid / "eval.sh").read_text()
        record = json.loads(
            next(ln for ln in official.dataset.read_text().splitlines() if iid in ln)
        )
        assert record["eval_script"].split(": '>>>>> End Test Output'")[0] in script
    missing = reports[f"swe-runner-demo__{MISSING}"]
    assert missing.outcome is Outcome.ERROR
    name = f"{official.namespace}/sweb.eval.x86_64.swe-runner-demo_1776_{MISSING}:latest"
    assert f"cannot pull {name}" in (missing.error or "")
    manifest = json.loads((results / "gold" / "run.json").read_text())
    assert manifest["settings"]["images"] == "official"
    # reproduce grades again in the images the run used (exit 0: the same outcome).
    iid = next(iter(official.images))
    assert main(["reproduce", "gold", iid, "--results-dir", str(results)]) == 0


def test_the_agents_shell_and_commands_have_the_testbed_environment_active(
    official: Official, tmp_path: Path
) -> None:
    """The bash tool's shell (scripted agent) and a command agent both see the conda
    environment ``testbed`` active; the scripted agent's fix then resolves its task."""
    iid = f"swe-runner-demo__{PUSHED[0]}"
    probe = 'echo "env=$CONDA_DEFAULT_ENV"; which python'
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    demo_script = json.loads((PROJECT_TASKS / "demo" / "scripts" / f"{PUSHED[0]}.json").read_text())
    first = {"content": [{"type": "tool_use", "name": "bash", "input": {"command": probe}}]}
    (scripts / f"{iid}.json").write_text(json.dumps({"turns": [first, *demo_script["turns"]]}))
    results = tmp_path / "r"
    common = ("-i", iid)
    assert (
        _run(official, results, "s", "--agent", "scripted", "--scripts", str(scripts), *common) == 0
    )
    assert (
        _run(official, results, "c", "--agent", "command", "--agent-command", probe, *common) == 0
    )
    assert _outcomes(results, "s")[iid].outcome is Outcome.RESOLVED
    for run_id in ("s", "c"):
        steps = (results / run_id / iid / "trajectory.jsonl").read_text()
        assert "env=testbed" in steps
        assert "/opt/miniconda3/envs/testbed/bin/python" in steps


def test_official_images_validate_empty_fails_and_gold_passes(official: Official) -> None:
    code = main(
        [
            "tasks",
            "validate",
            "--dataset",
            str(official.dataset),
            "--images",
            "official",
            "--image-namespace",
            official.namespace,
            *(a for iid in official.images for a in ("-i", iid)),
        ]
    )
    assert code == 0  # F2P tests fail on the unpatched repository, everything passes with gold


def test_images_pull_says_the_size_pulls_each_once_and_reports_a_missing_one(
    official: Official, capsys: pytest.CaptureFixture[str]
) -> None:
    official.remove_local()
    image = next(iter(official.images.values()))
    layers = download_size(image)
    assert layers and all(size > 0 for size in layers.values())
    code = main(
        [
            "images",
            "pull",
            "--dataset",
            str(official.dataset),
            "--image-namespace",
            official.namespace,
        ]
    )
    captured = capsys.readouterr()
    assert code == 1  # the missing one
    assert "3 images, 0 already here" in captured.err and "GB to download" in captured.err
    assert "failed" in captured.err and MISSING in captured.err
    assert set(captured.out.split()) == set(official.images.values())
    assert "2 of 3 images here" in captured.err
    # Several workers asking for one image at once: one pull.
    official.remove_local()
    told: list[str] = []
    puller = ImagePuller(connect(), told.append)
    threads = [threading.Thread(target=puller.ensure, args=(image,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert told.count(f"pulling {image}") == 1 and puller.exists(image)
