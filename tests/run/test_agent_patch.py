"""The agent's patch is what the agent changed (issue 25, item 1), through ``swe-runner
run`` on the fake runtime: an image whose install left build output untracked and whose
setup edited a tracked file (as requests' and sphinx's real images do) gives the empty
agent ``empty_patch``, as ``evaluate --predictions empty`` does, and the gold agent a
patch holding the gold files alone, graded resolved with the setup edit in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.inputs.dataset import load_dataset
from swe_runner.patch import changes
from swe_runner.runtime.fake import FakeRuntime

TASK = "textkit-2"


@pytest.fixture
def dirty_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake image of TASK whose testbed has untracked build output and a setup edit."""
    cache = tmp_path / "cache"
    demo = load_dataset("demo")
    task = next(t for t in demo.tasks if t.instance_id == TASK)
    runtime = FakeRuntime(load_settings(None, {"cache_dir": cache}, environ={}), {})
    testbed = Path(runtime.image(task, demo.repo_sources.get(task.repo))) / "testbed"
    # textkit's .gitignore has build/: out/ is build output it does not ignore (requests')
    (testbed / "out" / "lib" / "textkit").mkdir(parents=True)
    (testbed / "out" / "lib" / "textkit" / "wrap.py").write_text("# an install's copy\n")
    assert (testbed / "pyproject.toml").is_file()  # tracked: an edit to it is a setup edit
    with (testbed / "pyproject.toml").open("a") as handle:
        handle.write("# a setup edit, left uncommitted\n")
    monkeypatch.setenv("SWE_RUNNER_RUNTIME", "fake")
    monkeypatch.setenv("SWE_RUNNER_CACHE_DIR", str(cache))
    return testbed


def _report(results: Path, run_id: str) -> dict[str, object]:
    path = results / run_id / TASK / "report.json"
    return json.loads(path.read_text())[TASK]  # type: ignore[no-any-return]


def test_run_and_evaluate_agree_on_no_change_and_gold_carries_only_the_fix(
    dirty_image: Path, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    common = ["--suite", "demo", "-i", TASK, "--results-dir", str(results)]
    assert main(["run", *common, "--agent", "empty", "--run-id", "empty-run"]) == 0
    assert main(["evaluate", *common, "--predictions", "empty", "--run-id", "empty-eval"]) == 0
    assert _report(results, "empty-run")["outcome"] == "empty_patch"
    assert _report(results, "empty-eval")["outcome"] == "empty_patch"
    assert (results / "empty-run" / TASK / "patch.diff").read_text() == ""

    assert main(["run", *common, "--agent", "gold", "--run-id", "gold"]) == 0
    patch = (results / "gold" / TASK / "patch.diff").read_text()
    assert [c.path for c in changes(patch)] == ["textkit/wrap.py"], patch
    report = _report(results, "gold")
    assert report["outcome"] == "resolved" and report["apply_method"] == "git apply"
    integrity = report["integrity"]
    assert isinstance(integrity, dict) and integrity["restored"] == []  # the setup edit stays
