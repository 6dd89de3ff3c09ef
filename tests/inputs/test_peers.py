"""Which tasks of a dataset share image layers: computed over the whole dataset."""

from __future__ import annotations

import json
from pathlib import Path

from swe_runner.inputs.dataset import load_dataset
from swe_runner.task import Peers


def _record(iid: str, commit: str, version: str, packages: str = "") -> dict[str, object]:
    spec = {"python": "3.11", "packages": [packages] if packages else []}
    return {
        "instance_id": iid,
        "repo": "acme/app",
        "base_commit": commit * 40,
        "problem_statement": "p",
        "patch": "",
        "test_patch": "",
        "FAIL_TO_PASS": ["t"],
        "version": version,
        "env_spec": spec,
    }


def test_a_slice_keeps_the_peers_of_the_whole_dataset_and_they_are_no_part_of_its_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.jsonl"
    rows = [
        _record("acme__app-1", "a", "1.0"),
        _record("acme__app-2", "b", "1.0"),
        _record("acme__app-3", "c", "2.0"),
        _record("acme__app-4", "d", "2.0", packages="numpy"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    whole = load_dataset(str(path))
    one = whole.filter(instances=["acme__app-1"]).tasks[0]
    assert one.peers == Peers(version=("a" * 40, "b" * 40), env=("a" * 40, "b" * 40, "c" * 40))
    assert whole.task("acme__app-4").peers.env == ("d" * 40,)
    assert "peers" not in one.model_dump() and "peers" not in one.model_dump_json()
    bare = [t.model_copy(update={"peers": Peers()}) for t in whole.tasks]
    assert whole.fingerprint == type(whole)(whole.name, whole.path, tuple(bare)).fingerprint
