"""reproduce beyond the recorded patch: --patch grades another patch, --keep leaves the
graded container for inspection, --shell --with-tests prepares its container as the
evaluation does; an outcome that changed is a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.grading.evaluation import evaluate, prepare
from swe_runner.inputs.dataset import Dataset
from swe_runner.run.reproduce import REPRODUCE_LABEL
from swe_runner.runtime.docker import DockerRuntime
from swe_runner.sandbox.containers import connect
from swe_runner.sandbox.docker import DockerSandbox
from swe_runner.sandbox.labels import KEPT_LABEL, MANAGED_LABEL
from swe_runner.task import Prediction
from tests.conftest import ca_args

pytestmark = pytest.mark.docker

INSTANCE = "textkit-4"  # the scripted agent's fix is incomplete: unresolved


@pytest.fixture(scope="module")
def recorded(demo_images: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("recorded")
    args = ["run", "--suite", "demo", "--agent", "scripted", "-i", INSTANCE, "--run-id", "s"]
    assert main([*args, "--results-dir", str(results), *ca_args()]) == 0
    return results / "s"


def test_reproduce_with_another_patch_grades_that_patch(
    recorded: Path, demo: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = next(t for t in demo.tasks if t.instance_id == INSTANCE)
    gold = tmp_path / "gold.diff"
    gold.write_text(task.patch)
    assert main(["reproduce", str(recorded), INSTANCE, "--patch", str(gold), *ca_args()]) == 0
    out = capsys.readouterr().out
    assert f"{INSTANCE}: resolved (recorded: unresolved)" in out and "failing" not in out


def test_reproduce_exits_non_zero_when_the_recorded_patch_gets_another_outcome(
    recorded: Path, demo: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    task = next(t for t in demo.tasks if t.instance_id == INSTANCE)
    saved = recorded / INSTANCE / "patch.diff"
    original = saved.read_text()
    saved.write_text(task.patch)  # the record no longer matches what the run graded
    try:
        assert main(["reproduce", str(recorded), INSTANCE, *ca_args()]) == 1
        assert "resolved (recorded: unresolved)" in capsys.readouterr().out
    finally:
        saved.write_text(original)


def test_reproduce_keep_leaves_the_container_the_tests_ran_in(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reproduce", str(recorded), INSTANCE, "--keep", *ca_args()]) == 0
    out, err = capsys.readouterr()
    assert f"{INSTANCE}: unresolved (the same as recorded)" in out  # it was graded
    labels = [MANAGED_LABEL, f"{REPRODUCE_LABEL}=s", KEPT_LABEL]  # `clean` spares it
    kept = connect().containers.list(all=True, filters={"label": labels})
    try:
        assert len(kept) == 1  # the graded one, not another one prepared beside it
        cid = kept[0].id[:12]
        assert f"docker exec -it {cid} bash" in err and f"docker rm -f {cid}" in err
        # the script that graded the run is in it: only an evaluation copies it in
        code, script = kept[0].exec_run(["cat", "/swe-runner/eval.sh"])
        assert code == 0 and script.decode() == (recorded / INSTANCE / "eval.sh").read_text()
        code, out_b = kept[0].exec_run(["git", "-C", "/testbed", "status", "--short"])
        assert code == 0 and b"tests/" in out_b  # the hidden tests are in it
    finally:
        for container in kept:
            container.remove(force=True)


# What a container's /testbed holds: the index and every file's content.
STATE = (
    "git status --porcelain --untracked-files=all --ignored; "
    "find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum"
)


def _state(container: Any) -> str:
    code, out = container.exec_run(["bash", "-c", STATE], workdir="/testbed")
    assert code == 0, out
    return str(out.decode())


def test_shell_with_tests_prepares_the_container_as_the_evaluation_did(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    base = next(t for t in demo.tasks if t.instance_id == INSTANCE)
    assert base.env_spec is not None
    setup = ["echo ready > eval-setup-ran"]
    spec = base.env_spec.model_copy(update={"eval_setup": setup, "test_cmd": "true"})
    rename = "diff --git a/README.md b/README.txt\nsimilarity index 100%\n"
    rename += "rename from README.md\nrename to README.txt\n"
    task = base.model_copy(update={"env_spec": spec, "test_patch": base.test_patch + rename})
    image = demo_images[INSTANCE]
    with DockerSandbox(image, task.base_commit) as agent:  # an agent that edits what it must not
        agent.exec("echo 'agent edit' >> README.md && echo 'x = 1' > conftest.py")
        patch = agent.diff()
    runtime = DockerRuntime(load_settings(None, {}, environ={}), {}, keep=True)
    prediction = Prediction(instance_id=INSTANCE, model_name_or_path="m", model_patch=patch)
    try:
        evaluate(task, prediction, image, runtime)
        with DockerSandbox(image, task.base_commit) as shell:
            assert prepare(shell, task, patch).exit_code == 0
            kept = connect().containers.get(runtime.kept()[0].id)
            assert _state(shell.container) == _state(kept)
            listing = shell.exec("cat eval-setup-ran README.txt; ls README.md conftest.py").text
    finally:
        runtime.close()
        runtime.discard(runtime.kept())
    assert "ready" in listing and "agent edit" not in listing  # setup ran; edit undone
    assert "No such file" in listing  # renamed away, and the agent's test config removed
