"""Load tasks (a suite, a JSONL/JSON/Parquet file, a hub dataset) and predictions;
filter them; attach environment specs.

A *suite* is a folder under ``tasks/`` (or anywhere) with a ``suite.toml`` naming its
repository sources and its environment specs keyed by (repo, version), and its tasks as
``instances/<instance_id>/`` folders (``task.toml``, ``problem_statement.md``, ``gold.diff``,
``test.diff``) and/or a ``tasks.jsonl``. Every malformed input raises one
:class:`~swe_runner.errors.TaskFileError` naming the file, the line or instance, and the field.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from swe_runner.errors import (
    InputError,
    PredictionsError,
    TaskFileError,
    UnknownInstanceError,
    UnknownNameError,
)
from swe_runner.inputs.peers import with_peers
from swe_runner.inputs.specs import SpecTable, attach, load_specs, official_specs
from swe_runner.inputs.taskfiles import (
    FILE_SUFFIXES,
    check_unique,
    hub_tasks,
    json_records,
    read_file_tasks,
    validate_record,
)
from swe_runner.manifest import DatasetInfo
from swe_runner.shipped import TASKS_DIR
from swe_runner.task import EnvSpec, Prediction, Task

__all__ = [
    "Dataset",
    "dataset_of_run",
    "find_suite",
    "load_dataset",
    "load_predictions",
    "predictions_from_tasks",
    "shipped_suites",
]

PROJECT_TASKS = TASKS_DIR  # the shipped suites (demo), in a checkout or an installed wheel
M = TypeVar("M", bound=BaseModel)
_INSTANCE_FILES = {
    "problem_statement": "problem_statement.md",
    "patch": "gold.diff",
    "test_patch": "test.diff",
}


@dataclass(frozen=True)
class Dataset:
    """Tasks plus where their repositories come from. ``fingerprint`` hashes the task set
    (specs included); ``origin`` is how it was loaded (reference, split, specs file...)."""

    name: str
    path: Path
    tasks: tuple[Task, ...]
    repo_sources: dict[str, Path] = field(default_factory=dict)
    origin: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for task in sorted(self.tasks, key=lambda t: t.instance_id):
            # Defaults left out: a new optional field does not change old fingerprints.
            digest.update(task.model_dump_json(exclude_defaults=True).encode() + b"\n")
        return digest.hexdigest()[:16]

    def _keep(self, tasks: Iterable[Task]) -> Dataset:
        return Dataset(self.name, self.path, tuple(tasks), self.repo_sources, self.origin)

    def select(self, instance_ids: Sequence[str] | None) -> Dataset:
        """Keep only ``instance_ids`` (in dataset order); all of them must exist."""
        if not instance_ids:
            return self
        known = {t.instance_id for t in self.tasks}
        missing = [i for i in instance_ids if i not in known]
        if missing:
            raise UnknownInstanceError(f"{self.path}: no instance {', '.join(map(repr, missing))}")
        wanted = set(instance_ids)
        return self._keep(t for t in self.tasks if t.instance_id in wanted)

    def task(self, instance_id: str) -> Task:
        """The task ``instance_id``.

        Raises:
            UnknownInstanceError: no such task (names the closest ids).
        """
        for task in self.tasks:
            if task.instance_id == instance_id:
                return task
        ids = [t.instance_id for t in self.tasks]
        close = difflib.get_close_matches(instance_id, ids, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f" ({len(ids)} tasks)"
        raise UnknownInstanceError(f"{self.name}: no instance {instance_id!r}{hint}")

    def filter(
        self,
        instances: Sequence[str] = (),
        repos: Sequence[str] = (),
        match: str | None = None,
        cut: str | None = None,
    ) -> Dataset:
        """Narrow to ``instances`` (exact ids), ``repos``, ids matching the regular
        expression ``match``, then the Python-style slice ``cut`` (``"START:END"``).

        Raises:
            InputError: a bad expression or slice, or nothing left.
        """
        data = self.select(instances)
        if repos:
            data = data._keep(t for t in data.tasks if t.repo in set(repos))
        if match:
            try:
                pattern = re.compile(match)
            except re.error as exc:
                raise InputError(f"bad --match expression {match!r}: {exc}") from None
            data = data._keep(t for t in data.tasks if pattern.search(t.instance_id))
        if cut:
            data = data._keep(data.tasks[_slice(cut)])
        if not data.tasks:
            raise InputError(f"{self.path}: no task left after the filters")
        return data


def _slice(text: str) -> slice:
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        start, stop = (int(p) if p.strip() else None for p in parts)
    except ValueError:
        raise InputError(f"bad --slice {text!r}: use START:END, e.g. 0:50 or :10") from None
    return slice(start, stop)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TaskFileError(path, "", f"invalid TOML: {exc}") from None


def _load_instance(folder: Path) -> Task:
    meta_path = folder / "task.toml"
    if not meta_path.is_file():
        raise TaskFileError(folder, f"instance {folder.name!r}", "missing task.toml")
    data: dict[str, Any] = {"instance_id": folder.name, **_read_toml(meta_path)}
    for key, name in _INSTANCE_FILES.items():
        file = folder / name
        if not file.is_file():
            raise TaskFileError(file, f"instance {folder.name!r}", f"missing {name} ({key})")
        data[key] = file.read_text(encoding="utf-8")
    return validate_record(Task, data, meta_path, f"instance {folder.name!r}")


def _suite_specs(meta: dict[str, Any], path: Path) -> SpecTable:
    table = SpecTable(source=str(path))
    for index, raw in enumerate(meta.get("specs", [])):
        where = f"specs[{index}]"
        if not isinstance(raw, dict) or "repo" not in raw:
            raise TaskFileError(path, where, "each [[specs]] entry needs 'repo' and 'version'")
        body = {k: v for k, v in raw.items() if k not in ("repo", "version")}
        key = (raw["repo"], str(raw.get("version", "")))
        table.specs[key] = validate_record(EnvSpec, body, path, where)
    return table


def _load_suite(folder: Path) -> tuple[str, list[Task], dict[str, Path], SpecTable]:
    meta_path = folder / "suite.toml"
    meta = _read_toml(meta_path) if meta_path.is_file() else {}
    tasks: list[Task] = []
    instances = folder / "instances"
    if instances.is_dir():
        tasks += [_load_instance(d) for d in sorted(instances.iterdir()) if d.is_dir()]
    for name in ("tasks.jsonl", "tasks.json"):
        if (folder / name).is_file():
            tasks += read_file_tasks(folder / name)
    if not tasks:
        raise TaskFileError(
            folder, "", "suite holds no tasks (no instances/ folder or tasks.jsonl)"
        )
    check_unique(tasks, folder)
    sources = {}
    for repo, entry in meta.get("repos", {}).items():
        if not isinstance(entry, dict) or "source" not in entry:
            raise TaskFileError(meta_path, f"repos.{repo}", "needs a 'source' path")
        sources[repo] = (folder / entry["source"]).resolve()
    return str(meta.get("name", folder.name)), tasks, sources, _suite_specs(meta, meta_path)


def find_suite(name: str) -> Path:
    """Resolve a dataset argument: an existing path, else a suite name under ``tasks/``.

    Raises:
        UnknownNameError: neither exists (lists the suites that do).
    """
    candidate = Path(name)
    if candidate.exists():
        return candidate
    for root in (Path("tasks"), PROJECT_TASKS):
        if (root / name).is_dir():
            return root / name
    raise UnknownNameError("dataset (no such file or suite)", name, shipped_suites())


def shipped_suites() -> list[str]:
    """The suites that come with swe-runner (``tasks/``: the demo)."""
    if not PROJECT_TASKS.is_dir():
        return []
    return sorted(p.name for p in PROJECT_TASKS.iterdir() if (p / "suite.toml").is_file())


def _hub_name(ref: str) -> str | None:
    """The hub dataset a reference names: ``hf:NAME``, or ``owner/name`` that is no path."""
    if ref.startswith("hf:"):
        return ref[3:]
    if ref.count("/") == 1 and not ref.startswith((".", "/", "~")) and not Path(ref).exists():
        return ref
    return None


def _spec_tables(user: Path | None, suite: SpecTable | None) -> list[SpecTable]:
    tables = [load_specs(user)] if user else []
    return tables + ([suite] if suite else [])


def load_dataset(
    ref: str, split: str = "test", specs: Path | None = None, python: str | None = None
) -> Dataset:
    """Load a suite (name or folder), a ``.jsonl``/``.json``/``.parquet`` file, or a Hugging
    Face dataset (``hf:NAME`` or ``owner/name``, with ``split``), and give every task its
    environment spec: its own, else ``specs`` (a file), else its suite's, else the official
    swebench table when installed. ``python`` overrides every spec's Python version.

    Raises:
        TaskFileError: the file is malformed (names file, line/instance, field).
        UnknownNameError: no such file, suite or dataset.
        InputError: an unsupported format, or a missing optional package.
    """
    suite_specs: SpecTable | None = None
    sources: dict[str, Path] = {}
    hub = None
    try:
        path = find_suite(ref)
    except UnknownNameError:
        hub = _hub_name(ref)
        if hub is None:
            raise
        path = Path(f"hf:{hub}")
    if hub is not None:
        name, tasks = hub, hub_tasks(hub, split)
    elif path.is_dir():
        name, tasks, sources, suite_specs = _load_suite(path)
    elif path.suffix in FILE_SUFFIXES:
        name, tasks = path.stem, read_file_tasks(path)
    else:
        raise InputError(
            f"{path}: unsupported dataset format (a suite folder, .jsonl, .json or .parquet)"
        )
    tables = _spec_tables(specs, suite_specs)
    if any(
        t.env_spec is None and not any(tb.find(t.repo, t.version) for tb in tables) for t in tasks
    ):
        official = official_specs()
        tables += [official] if official else []
    origin = {"ref": ref, "split": split, "specs": str(specs) if specs else None, "python": python}
    return Dataset(name, path, with_peers(attach(tasks, tables, python)), sources, origin)


def dataset_of_run(info: DatasetInfo, override: str | None = None) -> Dataset:
    """The task set a run used, reloaded from its run.json ``dataset`` entry (or from
    ``override``, e.g. after the dataset moved), narrowed to the run's instances.

    Raises:
        InputError: it cannot be found, or it changed since the run (fingerprint differs).
    """
    origin = info.origin
    where = override or origin.ref or info.path or info.name
    if not where:
        raise InputError("run.json names no dataset: pass --dataset")
    try:
        dataset = load_dataset(
            where,
            origin.split or "test",
            Path(origin.specs) if origin.specs else None,
            origin.python,
        )
    except UnknownNameError:
        raise InputError(
            f"the run's dataset {where!r} is gone: pass --dataset with its new place"
        ) from None
    if info.tasks is not None:
        dataset = dataset.select([t.instance_id for t in info.tasks])
    if info.fingerprint and dataset.fingerprint != info.fingerprint:
        raise InputError(
            f"dataset {where} changed since the run (fingerprint {dataset.fingerprint}, "
            f"run used {info.fingerprint}): its tasks are not the ones the run graded"
        )
    return dataset


def predictions_from_tasks(tasks: Iterable[Task], kind: str) -> dict[str, Prediction]:
    """The ``gold`` (reference fix) or ``empty`` predictions for ``tasks``."""
    return {
        t.instance_id: Prediction(
            instance_id=t.instance_id,
            model_name_or_path=kind,
            model_patch=t.patch if kind == "gold" else "",
        )
        for t in tasks
    }


def load_predictions(path: Path) -> dict[str, Prediction]:
    """Read a SWE-bench predictions file (.jsonl, .json list or dict keyed by id).

    Raises:
        PredictionsError: missing file, malformed record (one without ``model_patch``:
            null or "" is an empty patch, a missing key is an error), duplicate instance
            id, or no record at all.
    """
    if not path.is_file():
        raise PredictionsError(path, "", "no such predictions file")
    err = PredictionsError
    preds = []
    for where, rec in json_records(path, err):
        pred = validate_record(Prediction, rec, path, where, err)
        if "model_patch" not in rec:  # a misspelt key would otherwise grade as empty
            raise err(path, f"{where} (instance {pred.instance_id!r})", _no_patch(rec))
        preds.append(pred)
    if not preds:
        raise err(path, "", "no predictions in the file")
    check_unique(preds, path, err)
    return {p.instance_id: p for p in preds}


def _no_patch(record: dict[str, Any]) -> str:
    others = [k for k in record if k not in ("instance_id", "model_name_or_path")]
    found = f" (it has {', '.join(map(repr, others))})" if others else ""
    return f"no 'model_patch' key{found}: the patch, or null or \"\" for none"
