"""``--exclude FILE``: every form of list it takes, the shipped list, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.errors import InputError
from swe_runner.inputs.known_bad import KnownBadList, load_exclusion, shipped_lists


def test_a_plain_list_one_id_per_line_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("# from our gate\nb__b-2\n\na__a-1   # flaky\nb__b-2\n")
    exclusion = load_exclusion(path)
    assert exclusion.instances == ["a__a-1", "b__b-2"]
    assert exclusion.source == str(path)


def test_json_lists_of_ids_or_of_records(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text(json.dumps(["x__y-1", "x__y-2"]))
    assert load_exclusion(ids).instances == ["x__y-1", "x__y-2"]
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([{"instance_id": "x__y-3", "reason": "flaky"}]))
    assert load_exclusion(rows).instances == ["x__y-3"]


def test_an_empty_known_bad_list_excludes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    KnownBadList(created_at="2026-01-01", instances=[]).write(path)
    assert load_exclusion(path).instances == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"tasks": []}', "needs an 'instances' list"),
        ('{"instances": "a"}', "must be a list of instance ids"),
        ("[1, 2]", "entry 0 is not an instance id"),
        ('[{"id": "a"}]', "entry 0 has no 'instance_id'"),
        ("[oops", "not valid JSON"),
        ('["a b"]', "'a b' is not an instance id"),
    ],
)
def test_malformed_lists_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_exclusion(path)


def test_a_missing_file_names_the_shipped_lists() -> None:
    with pytest.raises(InputError, match=r"not a file, nor a shipped list \(shipped: .*swe-bench"):
        load_exclusion("no-such-list.json")


def test_the_shipped_verified_list_loads_by_name_and_cites_a_source_for_each() -> None:
    assert "swe-bench-verified" in shipped_lists()
    exclusion = load_exclusion("swe-bench-verified")
    assert "astropy__astropy-7606" in exclusion.instances
    assert "django__django-10097" in exclusion.instances
    shipped = Path(__file__).parents[2] / "swe_runner/data/known-bad-swe-bench-verified.json"
    listed = KnownBadList.model_validate_json(shipped.read_text())
    assert len(listed.instances) == len(exclusion.instances)
    for entry in listed.instances:
        assert entry.reason and entry.sources, entry.instance_id
        assert all(s.startswith("https://") for s in entry.sources), entry.instance_id
