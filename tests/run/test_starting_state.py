"""The agent starts where the leaderboards' agents started (issue 25, items 1 and 4), on a
built image whose install leaves build output untracked and edits a tracked file, as the
real requests, sphinx and astropy images do: ``git status`` shows both (the published
images leave them uncommitted), login and interactive shells find the environment's
Python, pip and pytest, and ``swe-runner run`` takes only what the agent changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS
from swe_runner.patch import changes
from tests.conftest import ca_args

pytestmark = pytest.mark.docker

TASK = "textkit-2"
# textkit's .gitignore has build/: out/ stands for build output a repository does not ignore
SETUP = [
    "pip install --no-build-isolation --no-deps --no-index -e .",
    "mkdir -p out/lib/textkit && cp textkit/*.py out/lib/textkit/",
    "echo '# a setup edit' >> pyproject.toml",
]
# What the agent sees; each shell must find the venv's tools (exit 127 otherwise).
PROBE = """git status --porcelain --untracked-files=normal
bash -lc 'command -v python pip pytest'
bash -ic 'command -v python' 2>/dev/null
"""


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo suite, textkit's install leaving build output and a setup edit behind."""
    folder = tmp_path_factory.mktemp("suite") / "demo"
    shutil.copytree(PROJECT_TASKS / "demo", folder)
    toml = folder / "suite.toml"
    old = 'install = ["pip install --no-build-isolation --no-deps --no-index -e ."]'
    textkit, found, confparse = toml.read_text().partition(old)
    assert found
    toml.write_text(f"{textkit}install = {json.dumps(SETUP)}{confparse}")
    return folder


def _run(suite: Path, results: Path, run_id: str, *args: str) -> dict[str, object]:
    common = ["--suite", str(suite), "-i", TASK, "--results-dir", str(results), *ca_args()]
    assert main(["run", *common, "--run-id", run_id, *args]) == 0
    body = json.loads((results / run_id / TASK / "report.json").read_text())
    return body[TASK]  # type: ignore[no-any-return]


def test_the_agent_sees_the_setup_uncommitted_and_login_shells_find_the_venv(
    suite: Path, tmp_path: Path
) -> None:
    agent = tmp_path / "agent"
    agent.mkdir()
    (agent / "probe.sh").write_text(PROBE)
    command = "bash /agent/probe.sh > /tmp/probe.out 2>&1; mv /tmp/probe.out probe.out"
    args = ["--agent", "command", "--agent-files", str(agent), "--agent-command", command]
    _run(suite, tmp_path, "probe", *args)
    patch = (tmp_path / "probe" / TASK / "patch.diff").read_text()
    assert [c.path for c in changes(patch)] == ["probe.out"], patch
    added = patch.split("@@\n", 1)[1].splitlines()
    seen = [line[1:] for line in added if line.startswith("+")]
    assert seen == [
        " M pyproject.toml",
        "?? out/",
        "/opt/venv/bin/python",
        "/opt/venv/bin/pip",
        "/opt/venv/bin/pytest",
        "/opt/venv/bin/python",
    ], patch


def test_run_and_evaluate_agree_on_no_change_and_gold_carries_only_the_fix(
    suite: Path, tmp_path: Path
) -> None:
    assert _run(suite, tmp_path, "empty", "--agent", "empty")["outcome"] == "empty_patch"
    gold = _run(suite, tmp_path, "gold", "--agent", "gold")
    patch = (tmp_path / "gold" / TASK / "patch.diff").read_text()
    assert [c.path for c in changes(patch)] == ["textkit/wrap.py"], patch
    assert gold["outcome"] == "resolved" and gold["apply_method"] == "git apply", gold
    integrity = gold["integrity"]
    assert isinstance(integrity, dict) and integrity["restored"] == []  # the setup edit stays
