"""Task records from files and hubs: JSONL, JSON (list or dict by id), Parquet, and
Hugging Face datasets (optional: imported only when a dataset name is given).

Every malformed input raises one :class:`~swe_runner.errors.TaskFileError` naming the
file, the line or record, and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from swe_runner.errors import InputError, TaskFileError
from swe_runner.task import Task

__all__ = [
    "FILE_SUFFIXES",
    "check_unique",
    "hub_tasks",
    "json_records",
    "read_file_tasks",
    "validate_record",
]

FILE_SUFFIXES = (".jsonl", ".json", ".parquet")
M = TypeVar("M", bound=BaseModel)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(record)"
    return f"field {where!r}: {first['msg']}"


def validate_record(
    model: type[M], data: Any, path: Path, where: str, error: type[TaskFileError] = TaskFileError
) -> M:
    if not isinstance(data, dict):
        raise error(path, where, f"expected an object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(path, where, _describe(exc)) from None


def json_records(
    path: Path, error: type[TaskFileError] = TaskFileError
) -> Iterator[tuple[str, Any]]:
    """(where, record) pairs from a .jsonl, a .json list, or a .json dict keyed by id."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(path, "", "not UTF-8 text") from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield f"line {number}", json.loads(line)
                except json.JSONDecodeError as exc:
                    raise error(path, f"line {number}", f"invalid JSON: {exc.msg}") from None
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = [{"instance_id": k, **v} if isinstance(v, dict) else v for k, v in data.items()]
    if not isinstance(data, list):
        raise error(path, "", "expected a JSON list of records")
    for index, record in enumerate(data):
        yield f"record {index}", record


def check_unique(
    items: Iterable[Any], path: Path, error: type[TaskFileError] = TaskFileError
) -> None:
    seen: set[str] = set()
    for item in items:
        if item.instance_id in seen:
            raise error(path, f"instance {item.instance_id!r}", "duplicate instance_id")
        seen.add(item.instance_id)


def _parquet_records(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        import pyarrow.parquet as pq  # optional: only for .parquet files
    except ImportError:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow (pip install 'swe-runner[datasets]')"
        ) from None
    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise TaskFileError(path, "", f"unreadable Parquet: {exc}") from None
    for index, row in enumerate(rows):
        yield f"row {index}", row


def read_file_tasks(path: Path) -> list[Task]:
    """Every task of a ``.jsonl``, ``.json`` or ``.parquet`` file, validated.

    Raises:
        TaskFileError: a malformed record (named) or duplicate ids; none at all.
    """
    records = _parquet_records(path) if path.suffix == ".parquet" else json_records(path)
    tasks = []
    for where, record in records:
        iid = record.get("instance_id") if isinstance(record, dict) else None
        label = f"{where} (instance {iid!r})" if iid else where
        tasks.append(validate_record(Task, record, path, label))
    if not tasks:
        raise TaskFileError(path, "", "no tasks in file")
    check_unique(tasks, path)
    return tasks


def hub_tasks(name: str, split: str) -> list[Task]:
    """The tasks of Hugging Face dataset ``name`` (a hub id or a local dataset folder).

    Raises:
        InputError: ``datasets`` is not installed, or the dataset cannot be loaded.
        TaskFileError: a malformed record.
    """
    try:
        import datasets  # optional and heavy: imported only here
    except ImportError:
        raise InputError(
            f"loading dataset {name!r} needs the Hugging Face `datasets` package "
            "(pip install 'swe-runner[datasets]'), or give a .jsonl/.json/.parquet file"
        ) from None
    try:
        rows = datasets.load_dataset(name, split=split)
    except Exception as exc:  # the hub raises many kinds (network, missing split...)
        raise InputError(f"cannot load dataset {name!r} split {split!r}: {exc}") from None
    where = Path(f"hf:{name}:{split}")
    tasks = [validate_record(Task, dict(row), where, f"row {i}") for i, row in enumerate(rows)]
    check_unique(tasks, where)
    return tasks
