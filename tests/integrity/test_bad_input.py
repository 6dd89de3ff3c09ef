"""Fuzzed and hostile input: every loader gives one clear error naming the file and the
place, exits 2 through the CLI, and writes nothing (nowhere outside the results folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.errors import InputError
from swe_runner.inputs.dataset import load_dataset, load_predictions
from swe_runner.patch import unsafe_paths
from tests.inputs.test_dataset import RECORD

GOOD = json.dumps(RECORD)
DATASETS = {
    "truncated JSON": "{",
    "JSON list of numbers": "[1, 2]",
    "null record": "null",
    "wrong type for FAIL_TO_PASS": json.dumps({**RECORD, "FAIL_TO_PASS": 3}),
    "FAIL_TO_PASS not JSON": json.dumps({**RECORD, "FAIL_TO_PASS": "[oops"}),
    "empty FAIL_TO_PASS": json.dumps({**RECORD, "FAIL_TO_PASS": []}),
    "instance id escaping the folder": json.dumps({**RECORD, "instance_id": "../../etc"}),
    "base commit not a sha": json.dumps({**RECORD, "base_commit": "main; rm -rf /"}),
    "duplicate ids": f"{GOOD}\n{GOOD}",
    "number as record": "42",
}


@pytest.mark.parametrize("text", DATASETS.values(), ids=DATASETS.keys())
def test_malformed_dataset_is_one_clear_error_and_writes_nothing(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(text + "\n")
    before = sorted(tmp_path.rglob("*"))
    results = tmp_path / "results"
    code = main(["evaluate", "-d", str(path), "-p", "gold", "--results-dir", str(results)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error:") and str(path) in err and len(err.strip().splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before  # no results folder, nothing else


def test_binary_and_huge_inputs(tmp_path: Path) -> None:
    binary = tmp_path / "tasks.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_dataset(str(binary))
    huge = tmp_path / "huge.jsonl"
    huge.write_text(json.dumps({**RECORD, "problem_statement": "x" * 5_000_000}) + "\n")
    (task,) = load_dataset(str(huge)).tasks  # big but well-formed: accepted, intact
    assert len(task.problem_statement) == 5_000_000


@pytest.mark.parametrize(
    ("text", "suffix"),
    [(": : :\n  - [", ".yaml"), ("[1, 2", ".json"), ("- 3\n", ".yaml"), ("{a: 1}", ".yaml")],
    ids=["broken YAML", "broken JSON", "list of numbers", "spec not a mapping"],
)
def test_malformed_specs_file_is_one_clear_error(text: str, suffix: str, tmp_path: Path) -> None:
    specs = tmp_path / f"specs{suffix}"
    specs.write_text(text)
    data = tmp_path / "t.jsonl"
    data.write_text(GOOD + "\n")
    with pytest.raises(InputError, match=str(specs)):
        load_dataset(str(data), specs=specs)


@pytest.mark.parametrize(
    "text",
    ["{", json.dumps({"instance_id": ["x"]}), f"{json.dumps({'instance_id': 'a'})}\n" * 2],
    ids=["truncated", "wrong type", "duplicate ids"],
)
def test_malformed_predictions_are_one_clear_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "preds.jsonl"
    path.write_text(text)
    with pytest.raises(InputError, match=str(path)):
        load_predictions(path)


def test_patches_reaching_outside_the_repository_are_found() -> None:
    traversal = (
        "diff --git a/../evil b/../evil\nnew file mode 100644\n"
        "--- /dev/null\n+++ b/../evil\n@@ -0,0 +1 @@\n+x\n"
    )
    absolute = "--- /dev/null\n+++ /etc/cron.d/evil\n@@ -0,0 +1 @@\n+x\n"
    assert unsafe_paths(traversal) == ["../evil"]
    assert unsafe_paths(absolute) == ["/etc/cron.d/evil"]


def test_a_bad_run_id_writes_nothing_outside_the_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    code = main(["evaluate", "-d", "demo", "-p", "empty", "--run-id", f"../{outside.name}",
                 "--results-dir", str(tmp_path / "results")])  # fmt: skip
    assert code == 2 and "bad run id" in capsys.readouterr().err
    assert not outside.exists() and not (tmp_path / "results").exists()
    assert os.listdir(tmp_path) == []
