"""Which tasks of a dataset share image layers: computed over the whole dataset."""

from __future__ import annotations

import json
from pathlib import Path

from swe_runner.inputs.dataset import load_dataset
from swe_runner.task import Peers


def _record(
    iid: str, commit: str, version: str, packages: str = "", created: str = "", python: str = "3.11"
) -> dict[str, object]:
    spec = {"python": python, "packages": [packages] if packages else []}
    return {
        "created_at": created,
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
    assert one.peers.chain == ("a" * 40, "b" * 40, "c" * 40)  # one environment, one setup
    assert one.peers.env == ("a" * 40, "b" * 40, "c" * 40)
    assert whole.task("acme__app-4").peers.env == ("d" * 40,)
    assert "peers" not in one.model_dump() and "peers" not in one.model_dump_json()
    bare = [t.model_copy(update={"peers": Peers()}) for t in whole.tasks]
    assert whole.fingerprint == type(whole)(whole.name, whole.path, tuple(bare)).fingerprint


def test_the_hub_is_the_oldest_task_of_the_repository_on_its_python(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    rows = [
        _record("acme__app-1", "a", "2.0", packages="numpy", created="2021-05-01"),
        _record("acme__app-2", "b", "1.0", created="2020-01-01"),
        _record("acme__app-3", "c", "1.0", created="2020-02-01"),
        _record("acme__app-4", "d", "3.0", created="2019-01-01", python="3.9"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tasks = {t.instance_id: t for t in load_dataset(str(path)).tasks}
    hubs = {iid: t.peers.hub.instance_id for iid, t in tasks.items() if t.peers.hub}
    assert hubs == {
        "acme__app-1": "acme__app-2",
        "acme__app-2": "acme__app-2",
        "acme__app-3": "acme__app-2",
        "acme__app-4": "acme__app-4",  # another Python: a hub of its own
    }
    hub = tasks["acme__app-1"].peers.hub
    assert hub is not None and hub.peers.hub is None
    assert hub.peers.env == ("b" * 40, "c" * 40)  # its own environment's tasks
