"""Property-based fuzzing of everything swe-runner reads from users: whatever the bytes, a
loader returns a result or raises the one clear ``InputError``, never another exception,
and writes nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swe_runner import patch as patches
from swe_runner.errors import InputError
from swe_runner.inputs.dataset import load_dataset, load_predictions
from swe_runner.inputs.specs import load_specs
from tests.inputs.test_dataset import RECORD

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
# A task record with some fields replaced by arbitrary JSON, or dropped.
records = st.fixed_dictionaries(
    {},
    optional={key: json_values | st.just(value) for key, value in RECORD.items()},
).map(lambda r: {**{k: v for k, v in RECORD.items() if k not in r}, **r})


def _load_quietly(load: Any, name: str, data: bytes) -> None:
    """Write ``data`` to a fresh folder and load it: fine, or one InputError; nothing else
    may appear in the folder."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            load(path)
        except InputError as exc:
            assert str(exc).strip(), "an error must say something"
        assert [p.name for p in Path(tmp).iterdir()] == [name]


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_task_file(data: bytes) -> None:
    for name in ("tasks.jsonl", "tasks.json"):
        _load_quietly(lambda p: load_dataset(str(p)), name, data)


@FUZZ
@given(items=st.lists(records | json_values, max_size=3))
def test_task_records_with_arbitrary_fields(items: list[Any]) -> None:
    lines = "".join(json.dumps(item) + "\n" for item in items).encode()
    _load_quietly(lambda p: load_dataset(str(p)), "tasks.jsonl", lines)
    _load_quietly(lambda p: load_dataset(str(p)), "tasks.json", json.dumps(items).encode())


@FUZZ
@given(data=st.binary(max_size=400) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_predictions_file(data: bytes) -> None:
    for name in ("preds.jsonl", "preds.json"):
        _load_quietly(load_predictions, name, data)


@FUZZ
@given(data=st.binary(max_size=400) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_specs_file(data: bytes) -> None:
    for name in ("specs.yaml", "specs.json"):
        _load_quietly(load_specs, name, data)


diff_lines = st.lists(
    st.sampled_from(
        [
            "diff --git a/x.py b/x.py",
            "diff --git a/../x b/../x",
            "--- a/x.py",
            "+++ b/x.py",
            "+++ /etc/passwd",
            "--- /dev/null",
            "@@ -1,2 +1,3 @@",
            "@@ -0,0 +1 @@",
            "+added",
            "-removed",
            " context",
            "new file mode 120000",
            "rename from a.py",
            "rename to b.py",
            "GIT binary patch",
            "literal 12",
            "Binary files /dev/null and b/x.png differ",
            "\\ No newline at end of file",
        ]
    )
    | st.text(max_size=30),
    max_size=20,
).map(lambda lines: "\n".join(lines) + "\n")


@FUZZ
@given(diff=diff_lines)
def test_patch_helpers_take_any_text(diff: str) -> None:
    """The pure patch helpers the evaluator runs on a prediction never crash on it."""
    patches.refusal(diff)
    patches.changes(diff)
    patches.test_config_paths(diff)
    patches.is_empty(diff)
