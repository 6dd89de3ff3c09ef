"""reproduce's images: the ones given, else those the run recorded, else the settings' own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from swe_runner.config import Settings
from swe_runner.run.reproduce import open_case, run_images

STORED = Path(__file__).parents[1] / "data" / "runs" / "gold"  # recorded with images "build"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    shutil.copytree(STORED, tmp_path / "gold")
    return tmp_path


def _case_settings(results: Path, images: str | None, namespace: str | None = None) -> Settings:
    settings = Settings(results_dir=results, images="official", image_namespace="local/ns")
    case = open_case("gold", "textkit-1", settings)
    return run_images(case, settings, images, namespace)


def test_the_run_s_recorded_images_win_over_the_settings(results: Path) -> None:
    chosen = _case_settings(results, None)
    assert (chosen.images, chosen.image_namespace) == ("build", "local/ns")


def test_images_given_win_over_the_recorded_ones(results: Path) -> None:
    chosen = _case_settings(results, "official", "other/ns")
    assert (chosen.images, chosen.image_namespace) == ("official", "other/ns")


def test_a_run_json_without_images_leaves_the_settings_own(results: Path) -> None:
    path = results / "gold" / "run.json"
    manifest = json.loads(path.read_text())
    del manifest["settings"]["images"]  # written before the setting existed
    path.write_text(json.dumps(manifest))
    chosen = _case_settings(results, None)
    assert (chosen.images, chosen.image_namespace) == ("official", "local/ns")
