"""The thin-images benchmark's reading of the Environments table (docs/validation.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "thin_images.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("thin_images", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


thin = _script()
MB = 1_000_000


def test_versions_that_share_an_environment_image_are_told_apart_by_it(tmp_path: Path) -> None:
    table = tmp_path / "validation.md"
    table.write_text(
        "| repo | version | tasks | outcome | time | size | image | Python | notes or cause |\n"
        "|---|---|---:|---|---:|---:|---|---|---|\n"
        "| o/a | 4.3 | 1 | built | 34 s | 707 MB | e1159ad2ec46 | 3.9 |  |\n"
        "| o/a | 5.0 | 2 | built (there already) | 34 s | 707 MB | e1159ad2ec46 | 3.9 |  |\n"
        "| o/a | 1.3 | 4 | built | 5 min 39 s | 695 MB | e54863dd10d0 | 3.9 | pins |\n"
        "| o/b | 1 | 1 | failed | 30 s |  |  |  | ERROR: x |\n"
    )
    found = thin.table_envs(table)
    assert found == {
        ("o/a", "4.3"): ("e1159ad2ec46", 122 * MB),
        ("o/a", "5.0"): ("e1159ad2ec46", 122 * MB),
        ("o/a", "1.3"): ("e54863dd10d0", 110 * MB),
    }
    assert sum(dict(found.values()).values()) == 232 * MB  # the shared image once


def test_a_table_without_the_image_column_gives_each_version_its_own(
    tmp_path: Path,
) -> None:
    table = tmp_path / "validation.md"
    table.write_text(
        "| repo | version | tasks | outcome | time | size | Python | notes or cause |\n"
        "|---|---|---:|---|---:|---:|---|---|\n"
        "| o/a | 4.3 | 1 | built | 34 s | 707 MB | 3.9 |  |\n"
        "| o/a | 5.0 | 2 | built (there already) | 34 s | 707 MB | 3.9 |  |\n"
    )
    assert thin.table_envs(table) == {
        ("o/a", "4.3"): ("o/a 4.3", 122 * MB),
        ("o/a", "5.0"): ("o/a 5.0", 122 * MB),
    }


def test_table_rows_give_each_build_time_in_seconds(tmp_path: Path) -> None:
    table = tmp_path / "validation.md"
    table.write_text(
        "| repo | version | tasks | outcome | time | size | image | Python | notes or cause |\n"
        "|---|---|---:|---|---:|---:|---|---|---|\n"
        "| o/a | 4.3 | 1 | built | 34 s | 707 MB | e1159ad2ec46 | 3.9 |  |\n"
        "| o/a | 1.3 | 4 | built | 5 min 39 s | 1,695 MB | e54863dd10d0 | 3.9 | pins |\n"
        "| o/a | 2.0 | 4 | built | 15 min | 695 MB | e54863dd10d1 | 3.9 |  |\n"
    )
    rows = thin.table_rows(table)
    assert [(r.version, r.seconds, r.mb) for r in rows] == [
        ("4.3", 34, 707.0),
        ("1.3", 339, 1695.0),
        ("2.0", 900, 695.0),
    ]


def test_a_weighted_median_is_the_value_at_half_the_weight() -> None:
    assert thin.weighted_median([(5.0, 1.0), (70.0, 1.0), (6.0, 1.0)]) == 6.0
    # a repository standing for many of Verified's instances outweighs two slow ones
    assert thin.weighted_median([(70.0, 11.0), (40.0, 22.0), (5.0, 75.0)]) == 5.0


def test_only_an_environment_image_with_the_delta_label_is_a_delta() -> None:
    hub = {thin.DELTA_LABEL: "swe-runner-env:py3.9-abc"}
    assert thin._kind({thin.KIND_LABEL: "env", **hub}) == "delta"
    # the images above a delta inherit its label, not its kind
    assert thin._kind({thin.KIND_LABEL: "snapshot", **hub}) == "snapshot"
    assert thin._kind({thin.KIND_LABEL: "instance", **hub}) == "instance"
    assert thin._kind({thin.KIND_LABEL: "env"}) == "env"


def test_a_packages_layer_counts_apart_and_an_empty_one_adds_nothing() -> None:
    on_delta = {thin.DELTA_LABEL: "swe-runner-env:py3.9-abc", thin.PACKAGES_LABEL: "0"}
    assert thin._kind({thin.KIND_LABEL: "env", thin.PACKAGES_LABEL: "61000000"}) == "packages"
    assert thin._kind({thin.KIND_LABEL: "env", **on_delta}) == "packages"  # not a delta
    assert thin._kind({thin.KIND_LABEL: "snapshot", **on_delta}) == "snapshot"
    records = {
        "env": {"layers": ("a", "b"), "size": 500, "kind": "env"},
        "empty": {"layers": ("a", "b"), "size": 500, "kind": "packages"},
        "full": {"layers": ("a", "b", "c"), "size": 560, "kind": "packages"},
        "root": {"layers": ("a",), "size": 100, "kind": "repo"},
    }
    assert thin._own(records, "env") == 400  # its twin, the empty layer, is not below it
    assert thin._own(records, "empty") == 0
    assert thin._own(records, "full") == 60
