"""An official spec's ``packages: requirements.txt``: the repository's file, read at the
environment commit, is installed into the environment image (a layer on it), once per
environment, and the spec's own pins win over the file's, as in the official image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.sandbox.containers import connect
from tests.conftest import ca_args
from tests.images.dated_repo import git
from tests.inputs.test_dataset import RECORD, write_jsonl

pytestmark = pytest.mark.docker

REPO = "swe-runner-test/reqs"


def _repository(path: Path) -> tuple[str, str]:
    """A repository whose requirements file changes after its environment commit."""
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "requirements").mkdir()
    (path / "requirements" / "base.txt").write_text("-e .\niniconfig==2.0.0\n")
    (path / "requirements" / "dev.txt").write_text(
        "-r base.txt\n# the spec pins six too\nsix==1.16.0\n.[test]\n"
    )
    git(path, "add", "-A")
    git(path, "commit", "-qm", "env", when="2023-06-01T12:00:00Z")
    env = git(path, "rev-parse", "HEAD")
    (path / "requirements" / "dev.txt").write_text("six==1.16.0\npackaging==24.0\n")
    git(path, "commit", "-qam", "later", when="2024-06-01T12:00:00Z")
    return env, git(path, "rev-parse", "HEAD")


def test_the_repositorys_requirements_file_goes_into_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_commit, base = _repository(tmp_path / "repo")
    record = {
        **RECORD,
        "instance_id": "reqs-1",
        "repo": REPO,
        "base_commit": base,
        "environment_setup_commit": env_commit,
    }
    spec = {
        "repo": REPO,
        "version": "1.0",
        "python": "3.11",
        "packages": ["six==1.15.0"],
        "requirements_files": ["requirements/missing.txt", "requirements/dev.txt"],
    }
    (tmp_path / "specs.json").write_text(json.dumps([spec]))
    args = ["images", "envs", "-d", str(write_jsonl(tmp_path / "t.jsonl", [record])), "--json"]
    source = f"--repo-source={REPO}={tmp_path / 'repo'}"
    code = main([*args, "--specs", str(tmp_path / "specs.json"), source, *ca_args()])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (outcome,) = json.loads(captured.out)
    assert outcome["status"] == "built", outcome["reason"]
    assert any("requirements/dev.txt at " + env_commit[:12] in n for n in outcome["notes"])
    probe = (
        "import importlib.metadata as m, importlib.util as u; "
        "print(m.version('six'), m.version('iniconfig'), u.find_spec('packaging') is None)"
    )
    client = connect()
    out = client.containers.run(outcome["tag"], ["python", "-c", probe], remove=True)
    # the file as it was at the environment commit (iniconfig, not the later packaging),
    # and the spec's pin of six over the file's
    assert out.decode().split() == ["1.15.0", "2.0.0", "True"]
    image = client.images.get(outcome["tag"])
    assert image.labels["swe-runner.kind"] == "env"
    below = client.images.get(image.attrs["Parent"]) if image.attrs.get("Parent") else None
    assert below is None or below.labels.get("swe-runner.kind") == "env"
