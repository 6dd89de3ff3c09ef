"""Adversarial tests: a patch gaming the grader is never resolved; a task's code hitting a
resource limit ends as ``limit_exceeded`` within the limits; the agent container hides the
answer. Named after the attack each one blocks."""

from __future__ import annotations

import json
import os
import re
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.grading.evaluation import evaluate
from swe_runner.inputs.dataset import Dataset
from swe_runner.records import Outcome
from swe_runner.sandbox.containers import ContainerLimits, connect
from swe_runner.sandbox.diskwatch import daemon_size, tree_size, upper_dir
from swe_runner.sandbox.docker import DockerSandbox
from swe_runner.task import Prediction
from tests.conftest import EvalRuntime, ca_args
from tests.integrity.attacks import ATTACKS, HOGS, Attack, code_at_import, patch_from_edit
from tests.integrity.peeking import PROBES, findings, peek, probe_script

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_grader_attack_is_never_resolved(
    eval_runtime: EvalRuntime,
    attack: Attack,
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
) -> None:
    task = demo.tasks[0]
    diff = patch_from_edit(task, demo, tmp_path, lambda work: attack.edit(work, task))
    assert diff.strip(), "the attack changed nothing"
    pred = Prediction(instance_id=task.instance_id, model_patch=diff)
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report
    assert report.outcome is not Outcome.RESOLVED and not report.resolved
    if attack.touches_config:
        assert report.test_config_touched, "test configuration edits must be flagged"


def test_agent_container_reveals_no_answer_no_history_no_metadata_no_network(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    task = demo.tasks[0]
    found = peek(task, demo_images[task.instance_id])
    assert set(found) == {p.name for p in PROBES}
    assert {name: what for name, what in found.items() if what} == {}


def test_an_agent_probing_through_the_real_pipeline_finds_nothing(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    """The probes as a command agent's work in a real run: its container, its tools."""
    task = demo.tasks[0]
    agent = tmp_path / "agent"
    agent.mkdir()
    (agent / "probe.sh").write_text(probe_script(task))
    results = tmp_path / "r"
    run = ["run", "-s", "demo", "-i", task.instance_id, "--run-id", "peek"]
    command = ["--agent", "command", "--agent-files", str(agent), "--agent-command"]
    main([*run, "--results-dir", str(results), *ca_args(), *command, "bash /agent/probe.sh"])
    trajectory = (results / "peek" / task.instance_id / "trajectory.jsonl").read_text()
    found = findings(json.loads(trajectory.splitlines()[0])["output"])
    assert {name: what for name, what in found.items() if what} == {}


def test_the_probes_do_find_a_planted_answer(demo: Dataset, demo_images: dict[str, str]) -> None:
    """The probes are not blind: a copy of the gold patch left on disk is found."""
    task = demo.tasks[0]
    plant = f"mkdir -p /opt/leak && printf %s {shlex.quote(task.patch)} > /opt/leak/fix.diff"
    found = peek(task, demo_images[task.instance_id], plant=plant)
    assert "/opt/leak/fix.diff" in found["gold patch anywhere on disk"]


TIGHT = ContainerLimits(mem_limit="256m", pids_limit=64, nano_cpus=1_000_000_000)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (HOGS["memory hog"], "killed (memory or process limit)"),
        (HOGS["fork bomb"], "ran past the 8s limit"),
        (HOGS["runs forever"], "ran past the 8s limit"),
    ],
    ids=["memory hog", "fork bomb", "runs forever"],
)
def test_code_hitting_a_limit_is_limit_exceeded_and_harms_no_one_else(
    eval_runtime: EvalRuntime,
    code: str,
    reason: str,
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
) -> None:
    task, other = demo.tasks[0], demo.tasks[1]
    assert task.env_spec is not None
    task = task.model_copy(
        update={"env_spec": task.env_spec.model_copy(update={"eval_timeout": 8})}
    )
    pred = Prediction(
        instance_id=task.instance_id, model_patch=code_at_import(task, demo, tmp_path, code)
    )
    with ThreadPoolExecutor(1) as pool:  # another worker's evaluation, meanwhile
        honest = pool.submit(
            evaluate,
            other,
            Prediction(instance_id=other.instance_id, model_patch=other.patch),
            demo_images[other.instance_id],
            eval_runtime(),
        )
        report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime(TIGHT)).report
        assert honest.result().report.outcome is Outcome.RESOLVED
    assert report.outcome is Outcome.LIMIT_EXCEEDED
    assert reason in (report.error or "")


SYMLINK_OUT = """\
diff --git a/escape b/escape
new file mode 120000
--- /dev/null
+++ b/escape
@@ -0,0 +1 @@
+/etc
\\ No newline at end of file
diff --git a/escape/hostname b/escape/hostname
new file mode 100644
--- /dev/null
+++ b/escape/hostname
@@ -0,0 +1 @@
+owned
"""
TRAVERSAL = "--- /dev/null\n+++ b/../../etc/evil\n@@ -0,0 +1 @@\n+owned\n"


@pytest.mark.parametrize("diff", [SYMLINK_OUT, TRAVERSAL], ids=["symlink out", "../ traversal"])
def test_patches_writing_outside_the_repository_fail(
    eval_runtime: EvalRuntime, diff: str, demo: Dataset, demo_images: dict[str, str]
) -> None:
    task = demo.tasks[0]
    pred = Prediction(instance_id=task.instance_id, model_patch=diff)
    result = evaluate(task, pred, demo_images[task.instance_id], eval_runtime())
    assert result.report.outcome is Outcome.PATCH_FAILED
    assert "owned" not in (result.log or "")


def test_binary_patches_apply_corrupt_ones_fail_and_contentless_ones_apply_empty(
    eval_runtime: EvalRuntime, demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    task = demo.tasks[0]

    def add_blob(work: Path) -> None:
        (work / "blob.bin").write_bytes(bytes(range(256)) * 64)

    blob = patch_from_edit(task, demo, tmp_path / "a", add_blob, binary=True)
    assert "GIT binary patch" in blob
    lines = blob.splitlines(keepends=True)
    payload = next(i for i, line in enumerate(lines) if line.startswith("literal ")) + 1
    lines[payload] = lines[payload][:5] + "~~~~" + lines[payload][9:]  # no longer inflates
    cases = {
        "the fix and a binary file": (task.patch + blob, Outcome.RESOLVED),
        "corrupt binary data": ("".join(lines), Outcome.PATCH_FAILED),
        # as the official chain applies it: GNU patch writes the file empty (the tests run)
        "binary file without contents": (
            patch_from_edit(task, demo, tmp_path / "b", add_blob),
            Outcome.UNRESOLVED,
        ),
    }
    for name, (diff, expected) in cases.items():
        pred = Prediction(instance_id=task.instance_id, model_patch=diff)
        assert (
            evaluate(task, pred, demo_images[task.instance_id], eval_runtime()).report.outcome
            is expected
        ), name


@pytest.mark.parametrize(
    ("hog", "limits", "reason"),
    [
        ("one huge file", ContainerLimits(file_size_mb=64), "file size limit reached"),
        (
            "disk filled with small files",  # each file well under the file size limit
            ContainerLimits(file_size_mb=64, disk_limit_mb=200),
            r"disk limit reached: \d+ MB written \(limit 200 MB\)",
        ),
    ],
    ids=["one huge file", "many small files"],
)
def test_code_filling_the_disk_is_stopped_at_its_limit(
    eval_runtime: EvalRuntime,
    hog: str,
    limits: ContainerLimits,
    reason: str,
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
) -> None:
    task = demo.tasks[0]
    diff = code_at_import(task, demo, tmp_path, HOGS[hog])
    pred = Prediction(instance_id=task.instance_id, model_patch=diff)
    report = evaluate(task, pred, demo_images[task.instance_id], eval_runtime(limits)).report
    assert report.outcome is Outcome.LIMIT_EXCEEDED
    assert re.fullmatch(reason, report.error or ""), report.error


def test_the_disk_watch_measures_what_the_daemon_reports(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    """The host-side measure of the writable layer agrees with the daemon's SizeRw."""
    if os.geteuid() != 0:
        pytest.skip("the daemon's storage is readable by root only")
    task = demo.tasks[0]
    with DockerSandbox(demo_images[task.instance_id], task.base_commit) as box:
        box.exec("head -c 50000000 /dev/urandom > /tmp/blob && sync")
        upper = upper_dir(box.client.api, box.container.id)
        assert upper is not None  # root, local daemon: the cheap host-side way
        host, daemon = tree_size(upper), daemon_size(box.client.api, box.container.id)
    assert daemon is not None
    assert daemon >= 50_000_000
    assert abs(host - daemon) < 0.05 * daemon


def test_an_agent_filling_the_disk_is_limit_exceeded_and_the_batch_goes_on(
    demo_images: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWE_RUNNER_DISK_LIMIT_MB", "200")
    fill = (
        'if grep -q "wrap() breaks lines" "$PROBLEM_STATEMENT_FILE"; then '
        "i=0; while true; do head -c 8388608 /dev/zero > /tmp/f$i; i=$((i+1)); done; fi"
    )
    results = tmp_path / "r"
    args = ["run", "--suite", "demo", "--run-id", "disk", "--results-dir", str(results)]
    picks = ["-i", "textkit-2", "-i", "textkit-3"]
    main([*args, *ca_args(), *picks, "--agent", "command", "--agent-command", fill])
    got = {
        i: json.loads((results / "disk" / i / "report.json").read_text())[i]
        for i in ("textkit-2", "textkit-3")
    }
    assert got["textkit-2"]["outcome"] == "limit_exceeded"
    assert "agent container: disk limit reached" in got["textkit-2"]["error"]
    assert got["textkit-3"]["outcome"] == "empty_patch"


def test_the_api_key_in_swe_runner_s_environment_never_reaches_a_container(
    demo: Dataset, demo_images: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-ant-integrity-secret-5d1e"
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    task = demo.tasks[0]
    with DockerSandbox(demo_images[task.instance_id], task.base_commit) as box:
        config = connect().api.inspect_container(box.container.id)["Config"]
        seen = box.exec("env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'").output
    assert b"PATH=" in seen  # the probe does read environments
    assert secret.encode() not in seen
    assert secret not in json.dumps(config)
