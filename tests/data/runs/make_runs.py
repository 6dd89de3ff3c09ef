"""Make the stored run folders ``tests/test_regrade_bytes.py`` regrades (needs Docker).

They were made by the code of the day before the records were retyped (issue 17), so a
regrade by later code must give the same bytes. Rerun only to add a case, knowing the
stored files then come from the code of the day: from the repository root,
``python3 -m tests.data.runs.make_runs``. Only what a regrade reads is kept (run.json,
summary.json, and per instance report.json, test_output.txt, patch.diff), plus the
trajectories of the model runs (old trajectory.jsonl files must keep loading).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import load_dataset
from tests.conftest import HOST_CA_BUNDLE
from tests.fakes.anthropic_server import FakeAnthropic
from tests.models.test_claude_run import KEY, MODEL, responder_for

HERE = Path(__file__).parent
KEPT = ("report.json", "test_output.txt", "patch.diff")
CLAUDE = ["textkit-1", "textkit-2", "textkit-4", "confparse-3"]  # resolved, api_error, ...
NEW_FILE = """diff --git a/confparse/notes.py b/confparse/notes.py
new file mode 100644
--- /dev/null
+++ b/confparse/notes.py
@@ -0,0 +1 @@
+NOTE = "does not fix anything"
"""
CONFTEST = """diff --git a/conftest.py b/conftest.py
new file mode 100644
--- /dev/null
+++ b/conftest.py
@@ -0,0 +1 @@
+collect_ignore = []
"""
GARBAGE = "diff --git a/nowhere.py b/nowhere.py\n--- a/nowhere.py\n+++ b/nowhere.py\n@@ -1 +1 @@\n-x\n+y\n"  # noqa: E501


def predictions() -> list[dict[str, object]]:
    """Every outcome an evaluation without an agent can give (textkit-5: no row)."""
    gold = {t.instance_id: t.patch for t in load_dataset("demo").tasks}
    rows = {
        "textkit-1": gold["textkit-1"],  # resolved
        "textkit-2": "",  # empty_patch
        "textkit-3": None,  # empty_patch, patch_is_None
        "confparse-1": GARBAGE,  # patch_failed
        "confparse-2": NEW_FILE,  # unresolved
        "confparse-4": gold["confparse-4"] + CONFTEST,  # resolved, test config touched
    }
    return [
        {"instance_id": i, "model_name_or_path": "mixed", "model_patch": p} for i, p in rows.items()
    ]


def run(results: Path, *args: str) -> None:
    ca = ["--ca-bundle", HOST_CA_BUNDLE] if HOST_CA_BUNDLE else []
    code = main([*args, "--results-dir", str(results), *ca])
    assert code == 0, args


def keep(source: Path, target: Path, trajectories: bool) -> None:
    """Copy what regrade reads of the run folder ``source`` (attempts too) to ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for name in ("run.json", "summary.json"):
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        if folder.name.startswith("attempt-"):
            keep(folder, target / folder.name, trajectories)
            continue
        names = (*KEPT, "trajectory.jsonl") if trajectories else KEPT
        for name in names:
            if (folder / name).is_file():
                (target / folder.name).mkdir(exist_ok=True)
                shutil.copy2(folder / name, target / folder.name / name)


# Run id, then the command's arguments (the demo suite), made in this order.
RUNS = {
    "gold": "run --agent gold -i textkit-1 -i confparse-2",
    "scripted": "run --agent scripted -i textkit-4 -i confparse-3 -i textkit-1",
    "replay": "run --agent replay --from scripted -i textkit-1 -i textkit-4",
    "attempts": "run --agent gold -i textkit-5 --attempts 2",
    "evaluate-gold": "evaluate --predictions gold -i textkit-3",
    "evaluate-mixed": "evaluate --predictions {preds}",
    "claude": f"run --agent claude --model {MODEL} " + " ".join(f"-i {i}" for i in CLAUDE),
}
TRAJECTORIES = ("scripted", "claude")


def make() -> None:
    results = Path(tempfile.mkdtemp(prefix="swe-runner-runs-"))
    preds = results / "preds.jsonl"
    preds.write_text("".join(json.dumps(p) + "\n" for p in predictions()))
    respond, _ = responder_for(load_dataset("demo"))
    api = FakeAnthropic(respond)
    os.environ.update(
        ANTHROPIC_API_KEY=KEY,
        ANTHROPIC_BASE_URL=api.url,
        SWE_RUNNER_API_RETRIES="3",
        SWE_RUNNER_API_BACKOFF="0.02",
    )
    with api.running():
        for run_id, args in RUNS.items():
            command = args.format(preds=preds).split()
            run(results, *command, "--suite", "demo", "--run-id", run_id)
    for run_id in RUNS:
        keep(results / run_id, HERE / run_id, run_id in TRAJECTORIES)
    shutil.rmtree(results)


if __name__ == "__main__":
    make()
