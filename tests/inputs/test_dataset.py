"""Loading tasks and predictions, and the one clear error each malformed input gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.errors import (
    PredictionsError,
    TaskFileError,
    UnknownInstanceError,
    UnknownNameError,
)
from swe_runner.inputs.dataset import load_dataset, load_predictions, predictions_from_tasks

RECORD = {
    "instance_id": "acme__widgets-1",
    "repo": "acme/widgets",
    "base_commit": "a" * 40,
    "problem_statement": "It breaks.",
    "patch": "diff --git a/w.py b/w.py\n",
    "test_patch": "diff --git a/tests/test_w.py b/tests/test_w.py\n",
    "FAIL_TO_PASS": '["tests/test_w.py::test_new"]',
    "PASS_TO_PASS": ["tests/test_w.py::test_old"],
    "version": "1.0",
}


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_jsonl_with_json_encoded_test_lists(tmp_path: Path) -> None:
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", [RECORD])))
    (task,) = data.tasks
    assert task.FAIL_TO_PASS == ("tests/test_w.py::test_new",)
    assert task.PASS_TO_PASS == ("tests/test_w.py::test_old",)
    assert task.env_spec is None


def test_json_list_and_dict_forms(tmp_path: Path) -> None:
    (tmp_path / "l.json").write_text(json.dumps([RECORD]))
    body = {k: v for k, v in RECORD.items() if k != "instance_id"}
    (tmp_path / "d.json").write_text(json.dumps({"acme__widgets-1": body}))
    assert (
        load_dataset(str(tmp_path / "l.json")).tasks == load_dataset(str(tmp_path / "d.json")).tasks
    )


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(RECORD) + "\n{not json\n")
    with pytest.raises(TaskFileError, match=r"t\.jsonl: line 2: invalid JSON"):
        load_dataset(str(path))


def test_bad_field_names_instance_and_field(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl", [RECORD, {**RECORD, "instance_id": "x-2", "FAIL_TO_PASS": "[oops"}]
    )
    with pytest.raises(TaskFileError, match=r"line 2 \(instance 'x-2'\): field 'FAIL_TO_PASS'"):
        load_dataset(str(path))


def test_missing_field_is_named(tmp_path: Path) -> None:
    record = {k: v for k, v in RECORD.items() if k != "base_commit"}
    with pytest.raises(TaskFileError, match="field 'base_commit': Field required"):
        load_dataset(str(write_jsonl(tmp_path / "t.jsonl", [record])))


def test_duplicate_instance_ids_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match="instance 'acme__widgets-1': duplicate"):
        load_dataset(str(write_jsonl(tmp_path / "t.jsonl", [RECORD, RECORD])))


def test_unknown_dataset_lists_known_suites() -> None:
    with pytest.raises(UnknownNameError, match=r"choose one of: .*demo"):
        load_dataset("no-such-suite")


def test_select_unknown_instance_is_an_error(tmp_path: Path) -> None:
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", [RECORD])))
    assert data.select(["acme__widgets-1"]).tasks == data.tasks
    with pytest.raises(UnknownInstanceError, match="'nope'"):
        data.select(["nope"])


def test_suite_folder_attaches_specs_and_sources(tmp_path: Path) -> None:
    inst = tmp_path / "instances" / "w-1"
    inst.mkdir(parents=True)
    (inst / "task.toml").write_text(
        'repo = "acme/widgets"\nbase_commit = "' + "b" * 40 + '"\nversion = "1.0"\n'
        'FAIL_TO_PASS = ["tests/test_w.py::test_new"]\n'
    )
    for name in ("problem_statement.md", "gold.diff", "test.diff"):
        (inst / name).write_text(f"{name}\n")
    (tmp_path / "suite.toml").write_text(
        'name = "tiny"\n[repos."acme/widgets"]\nsource = "repos/widgets"\n'
        '[[specs]]\nrepo = "acme/widgets"\nversion = "1.0"\npackages = ["pytest"]\n'
    )
    data = load_dataset(str(tmp_path))
    (task,) = data.tasks
    assert data.name == "tiny"
    assert task.env_spec is not None and task.env_spec.packages == ("pytest",)
    assert task.problem_statement == "problem_statement.md\n"
    assert data.repo_sources["acme/widgets"] == (tmp_path / "repos/widgets").resolve()


def test_suite_instance_missing_file_is_named(tmp_path: Path) -> None:
    inst = tmp_path / "instances" / "w-1"
    inst.mkdir(parents=True)
    (inst / "task.toml").write_text('repo = "a/b"\n')
    with pytest.raises(TaskFileError, match=r"instance 'w-1': missing problem_statement\.md"):
        load_dataset(str(tmp_path))


def test_bad_spec_in_suite_names_the_entry(tmp_path: Path) -> None:
    (tmp_path / "tasks.jsonl").write_text(json.dumps(RECORD) + "\n")
    (tmp_path / "suite.toml").write_text('[[specs]]\nrepo = "acme/widgets"\neval_timeout = -1\n')
    with pytest.raises(TaskFileError, match=r"suite\.toml: specs\[0\]: field 'eval_timeout'"):
        load_dataset(str(tmp_path))


def test_predictions_jsonl_and_errors(tmp_path: Path) -> None:
    good = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"instance_id": "a", "model_name_or_path": "m", "model_patch": "diff"},
            {"instance_id": "b", "model_name_or_path": "m", "model_patch": None},
        ],
    )
    preds = load_predictions(good)
    assert preds["a"].model_patch == "diff" and preds["b"].is_empty
    with pytest.raises(PredictionsError, match="no such predictions file"):
        load_predictions(tmp_path / "missing.jsonl")
    row = {"instance_id": "a", "model_patch": ""}
    dup = write_jsonl(tmp_path / "d.jsonl", [row, row])
    with pytest.raises(PredictionsError, match="duplicate"):
        load_predictions(dup)
    bad = write_jsonl(tmp_path / "b.jsonl", [["not", "an", "object"]])
    with pytest.raises(PredictionsError, match="line 1: expected an object"):
        load_predictions(bad)


def test_gold_and_empty_predictions(tmp_path: Path) -> None:
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", [RECORD])))
    assert (
        predictions_from_tasks(data.tasks, "gold")["acme__widgets-1"].model_patch == RECORD["patch"]
    )
    assert predictions_from_tasks(data.tasks, "empty")["acme__widgets-1"].is_empty
