"""The gold gate in containers: `tasks validate --repeat 3` finds a task with a test that
fails at random flaky and a task with a wrong gold patch broken, writes the known-bad
list, and `evaluate --exclude` gives the pass rate over the tasks it leaves in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.inputs.dataset import PROJECT_TASKS, Dataset
from tests.conftest import ca_args

pytestmark = pytest.mark.docker

VALID, FLAKY, BROKEN = "confparse-1", "confparse-coin", "confparse-wrong-gold"
COINS = 10  # a run keeps every coin's face with p = 1/4 over 3 runs: no flip at all 4**-10
COIN_TEST = f"""diff --git a/tests/test_coin.py b/tests/test_coin.py
new file mode 100644
--- /dev/null
+++ b/tests/test_coin.py
@@ -0,0 +1,8 @@
+import os
+
+import pytest
+
+
+@pytest.mark.parametrize("coin", range({COINS}))
+def test_coin(coin):
+    assert os.urandom(1)[0] < 128
"""


def gate_suite(demo: Dataset, root: Path) -> Path:
    """A copy of the demo suite holding confparse-1 as it is, a copy whose hidden tests add
    coin flips (PASS_TO_PASS, failing at random), and a copy whose gold patch is another
    task's fix (it applies, but fixes the wrong bug)."""
    suite = root / "gate"
    shutil.copytree(PROJECT_TASKS / "demo", suite)
    instances = suite / "instances"
    for folder in instances.iterdir():
        if folder.name != VALID:
            shutil.rmtree(folder)
    (suite / "suite.toml").write_text(
        (suite / "suite.toml").read_text().replace('name = "demo"', 'name = "gate"')
    )
    shutil.copytree(instances / VALID, instances / FLAKY)
    meta = instances / FLAKY / "task.toml"
    coins = ", ".join(f'"tests/test_coin.py::test_coin[{n}]"' for n in range(COINS))
    meta.write_text(meta.read_text().replace("PASS_TO_PASS = [", f"PASS_TO_PASS = [{coins}, "))
    (instances / FLAKY / "test.diff").write_text(
        (instances / VALID / "test.diff").read_text() + COIN_TEST
    )
    victim = next(t for t in demo.tasks if t.instance_id == VALID)
    donor = next(
        t
        for t in demo.tasks
        if t.repo == victim.repo and t.base_commit == victim.base_commit and t != victim
    )
    shutil.copytree(instances / VALID, instances / BROKEN)
    (instances / BROKEN / "gold.diff").write_text(donor.patch)
    return suite


def test_validate_repeat_3_finds_the_flaky_and_the_broken_task(
    demo: Dataset,
    demo_images: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite = gate_suite(demo, tmp_path)
    results = tmp_path / "results"
    args = ["tasks", "validate", str(suite), "--repeat", "3", "--workers", "3", "--json"]
    code = main([*args, "--results-dir", str(results), *ca_args()])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    verdicts = {v["instance_id"]: v for v in json.loads(captured.out)["instances"]}
    assert {i: v["class"] for i, v in verdicts.items()} == {
        VALID: "valid",
        FLAKY: "flaky",
        BROKEN: "broken",
    }, captured.err
    flaky, broken = verdicts[FLAKY], verdicts[BROKEN]
    assert len(flaky["gold"]) == 3 and flaky["tests"]
    assert set(flaky["tests"]) <= {f"tests/test_coin.py::test_coin[{n}]" for n in range(COINS)}
    f2p = next(t for t in demo.tasks if t.instance_id == VALID).FAIL_TO_PASS
    assert broken["gold"] == ["unresolved"] * 3 and broken["tests"] == list(f2p)
    assert f"FLAKY {FLAKY}" in captured.err and f"BROKEN {BROKEN}" in captured.err
    assert f"test flips between gold runs: {flaky['tests'][0]}" in captured.err

    listed = json.loads((results / "known-bad" / "gate.json").read_text())  # the default
    assert listed["repeat"] == 3 and listed["validated"] == 3
    assert listed["dataset"]["name"] == "gate" and len(listed["dataset"]["fingerprint"]) == 16
    assert listed["created_at"]
    entries = {e["instance_id"]: e for e in listed["instances"]}
    assert set(entries) == {FLAKY, BROKEN}
    assert entries[FLAKY]["class"] == "flaky" and entries[FLAKY]["tests"] == flaky["tests"]
    assert entries[BROKEN]["class"] == "broken" and entries[BROKEN]["tests"] == list(f2p)
    assert "FAIL_TO_PASS" in entries[BROKEN]["reason"]

    # The list as --exclude: every task still runs; the second pass rate leaves two out.
    known_bad = results / "known-bad" / "gate.json"
    args = ["evaluate", "-d", str(suite), "-p", "gold", "--run-id", "gold"]
    code = main([*args, "--exclude", str(known_bad), "--results-dir", str(results), *ca_args()])
    out = capsys.readouterr().out
    assert code == 0
    summary = json.loads((results / "gold" / "summary.json").read_text())
    assert summary["total"] == 3 and len(summary["instances"]) == 3
    second = summary["excluding"]
    assert second["excluded"] == sorted([BROKEN, FLAKY]) and second["total"] == 1
    assert (second["resolved"], second["pass_rate"]) == (1, 1.0)
    assert f"without 2 known-bad tasks ({known_bad}): resolved 1/1 = 100.0%" in out
