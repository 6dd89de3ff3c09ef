"""`images envs`: every environment of a dataset, built, failed or skipped; a pin that does
not build on the Python in use is replaced by the nearest release with a wheel. And a
failed build says why, in the gold gate's reason too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS
from swe_runner.sandbox.containers import connect
from tests.conftest import ca_args
from tests.inputs.test_dataset import RECORD, write_jsonl

pytestmark = pytest.mark.docker

WHEELLESS, CONDA, NOSPEC = "swe-runner-test/wheelless", "swe-runner-test/conda", "o/nospec"
REQS = "swe-runner-test/reqs"  # reads a requirements file from the repository, as django's


def test_images_envs_builds_skips_and_fails_each_environment_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {**RECORD, "instance_id": f"{repo.split('/')[1]}-1", "repo": repo, "version": "1.0"}
        for repo in (WHEELLESS, CONDA, NOSPEC, REQS)
    ]
    specs = [
        {  # as the official table writes it: a quoted pin on a Python older than Debian's
            "repo": WHEELLESS,
            "version": "1.0",
            "python": "3.6",
            "packages": "'six==1.16.0' 'MarkupSafe==1.0'",
            "no_use_env": True,
            "test_cmd": "pytest -rA",
        },
        {"repo": CONDA, "version": "1.0", "conda_env_files": ["environment.yml"]},
        {"repo": REQS, "version": "1.0", "requirements_files": ["tests/requirements/py3.txt"]},
    ]
    (tmp_path / "specs.json").write_text(json.dumps(specs))
    nowhere = [
        f"--repo-source={r}={tmp_path / 'gone'}" for r in (WHEELLESS, CONDA, NOSPEC, REQS)
    ]
    args = ["images", "envs", "-d", str(write_jsonl(tmp_path / "t.jsonl", records)), "--json"]
    code = main([*args, "--specs", str(tmp_path / "specs.json"), *nowhere, *ca_args()])
    captured = capsys.readouterr()
    assert code == 1, captured.err  # the environment without a spec failed
    outcomes = {o["repo"]: o for o in json.loads(captured.out)}
    built, skipped, failed = outcomes[WHEELLESS], outcomes[CONDA], outcomes[NOSPEC]
    assert built["status"] == "built", built["reason"]
    assert built["python"] == "3.9" and built["size_mb"] > 100
    assert "Python 3.6 asked, 3.9 used (the nearest available)" in built["notes"]
    swap = "MarkupSafe==1.1.1 used, the nearest release with one"
    assert any(swap in note for note in built["notes"]), built["notes"]
    assert any("dated by the task's creation" in note for note in built["notes"])
    if not built["reused"]:  # built now: the build output said why it took the fallback
        assert "no wheel for Python 3.9" in captured.err and swap in captured.err
    probe = "import markupsafe, six; print(markupsafe.__version__, six.__version__)"
    versions = connect().containers.run(built["tag"], ["python", "-c", probe], remove=True)
    assert versions.decode().split() == ["1.1.1", "1.16.0"]
    assert skipped["status"] == "skipped"
    assert "cannot be had here" in skipped["reason"] and "environment.yml" in skipped["reason"]
    assert failed["status"] == "failed" and "no environment spec" in failed["reason"]
    untried = outcomes[REQS]  # could not be tried: skipped, not failed
    assert untried["status"] == "skipped", untried["reason"]
    assert "tests/requirements/py3.txt from it" in untried["reason"]


def test_a_failed_environment_build_gives_pips_words_as_the_gates_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "demo"
    shutil.copytree(PROJECT_TASKS / "demo", suite)
    toml = suite / "suite.toml"
    missing = "swe-runner-no-such-package==1.0"
    toml.write_text(toml.read_text().replace('"wheel==0.45.1"]', f'"wheel==0.45.1", "{missing}"]'))
    args = ["tasks", "validate", str(suite), "-i", "confparse-1", "--json"]
    code = main([*args, "--results-dir", str(tmp_path / "results"), *ca_args()])
    captured = capsys.readouterr()
    assert code == 1
    (verdict,) = json.loads(captured.out)["instances"]
    assert verdict["class"] == "unbuildable"
    reason = verdict["reason"]
    assert f"ERROR: No matching distribution found for {missing}" in reason
    assert "\x1b" not in reason and "/bin/sh -c" not in reason
    assert "a build step exited with status 1" in reason
