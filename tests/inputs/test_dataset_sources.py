"""Parquet and Hugging Face datasets, filters, and specs attached to SWE-bench records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_runner.errors import InputError, TaskFileError
from swe_runner.inputs.dataset import load_dataset
from swe_runner.inputs.specs import load_specs
from tests.inputs.test_dataset import RECORD, write_jsonl

RECORDS = [
    {**RECORD, "instance_id": f"{repo.replace('/', '__')}-{n}", "repo": repo}
    for repo, n in [("acme/widgets", 1), ("acme/widgets", 2), ("acme/gadgets", 7)]
]


def test_parquet_file_loads_like_jsonl(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(RECORDS), tmp_path / "lite.parquet")
    parquet = load_dataset(str(tmp_path / "lite.parquet"))
    jsonl = load_dataset(str(write_jsonl(tmp_path / "lite.jsonl", RECORDS)))
    assert parquet.tasks == jsonl.tasks
    assert parquet.fingerprint == jsonl.fingerprint


def test_bad_parquet_record_is_named(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    broken = [{**RECORDS[0], "base_commit": "not-a-sha"}]
    pq.write_table(pa.Table.from_pylist(broken), tmp_path / "bad.parquet")
    with pytest.raises(TaskFileError, match=r"row 0 .*base_commit"):
        load_dataset(str(tmp_path / "bad.parquet"))


def test_hugging_face_dataset_through_the_datasets_library(tmp_path: Path) -> None:
    """A hub-style dataset folder (what `datasets` downloads) loaded by name with a split."""
    folder = tmp_path / "SWE-bench_Toy" / "data"
    folder.mkdir(parents=True)
    write_jsonl(folder / "test.jsonl", RECORDS)
    write_jsonl(folder / "validation.jsonl", RECORDS[:1])
    data = load_dataset(f"hf:{folder.parent}", split="validation")
    assert [t.instance_id for t in data.tasks] == [RECORDS[0]["instance_id"]]
    assert data.origin["split"] == "validation"
    test = load_dataset(f"hf:{folder.parent}")
    assert len(test.tasks) == 3


def test_missing_hub_dataset_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot load dataset"):
        load_dataset(f"hf:{tmp_path / 'nothing-here'}")


def test_filters_by_repo_regex_and_slice(tmp_path: Path) -> None:
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", RECORDS)))
    ids = lambda d: [t.instance_id for t in d.tasks]  # noqa: E731
    assert ids(data.filter(repos=["acme/gadgets"])) == ["acme__gadgets-7"]
    assert ids(data.filter(match=r"widgets-\d$")) == ["acme__widgets-1", "acme__widgets-2"]
    assert ids(data.filter(cut="1:")) == ["acme__widgets-2", "acme__gadgets-7"]
    assert ids(data.filter(repos=["acme/widgets"], cut=":1")) == ["acme__widgets-1"]
    with pytest.raises(InputError, match="bad --match"):
        data.filter(match="(")
    with pytest.raises(InputError, match="bad --slice"):
        data.filter(cut="1-2")
    with pytest.raises(InputError, match="no task left"):
        data.filter(repos=["nobody/else"])


def test_specs_file_attaches_by_repo_and_version(tmp_path: Path) -> None:
    specs = tmp_path / "specs.yaml"
    specs.write_text(
        """
acme/widgets:
  "1.0":
    python: 3.11
    packages: "pytest"
    pip_packages: ["pytest==8.3.3"]
    install: "pip install -e ."
    test_cmd: ["export X=1", "pytest -rA"]
    eval_commands: ["export LANG=C.UTF-8"]
"""
    )
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", RECORDS)), specs=specs)
    widget = data.tasks[0].env_spec
    assert widget is not None
    assert widget.packages == ("pytest==8.3.3",)  # the pinned one wins over the bare name
    assert widget.install == ("pip install -e .",)
    assert widget.test_cmd == "export X=1 && pytest -rA"
    assert widget.eval_setup == ("export LANG=C.UTF-8",)
    assert data.tasks[2].env_spec is None  # acme/gadgets: no spec anywhere
    forced = load_dataset(str(tmp_path / "t.jsonl"), specs=specs, python="3.13")
    assert forced.tasks[0].env_spec is not None and forced.tasks[0].env_spec.python == "3.13"
    assert forced.fingerprint != data.fingerprint  # the spec is part of the task set


def test_specs_json_list_form_and_bad_field(tmp_path: Path) -> None:
    good = tmp_path / "specs.json"
    good.write_text(
        json.dumps([{"repo": "acme/gadgets", "version": "1.0", "log_parser": "django"}])
    )
    data = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", RECORDS)), specs=good)
    assert data.tasks[2].env_spec is not None and data.tasks[2].env_spec.log_parser == "django"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {repo: acme/widgets, version: '1.0', eval_timeout: -3}\n")
    with pytest.raises(InputError, match=r"acme/widgets 1.0: eval_timeout"):
        load_dataset(str(tmp_path / "t.jsonl"), specs=bad)


def test_official_swebench_specs_are_translated(tmp_path: Path) -> None:
    """With the official package installed, its table gives real repositories a spec."""
    records = [
        {**RECORD, "instance_id": "django__django-1", "repo": "django/django", "version": "4.0"},
        {**RECORD, "instance_id": "sympy__sympy-1", "repo": "sympy/sympy", "version": "1.1"},
        {**RECORD, "instance_id": "mpl-1", "repo": "matplotlib/matplotlib", "version": "3.5"},
    ]
    django, sympy, mpl = load_dataset(str(write_jsonl(tmp_path / "t.jsonl", records))).tasks
    assert django.env_spec is not None and django.env_spec.test_selection == "modules"
    assert django.env_spec.log_parser == "django"
    # the requirements file goes into the environment (the official environment image's)
    assert django.env_spec.requirements_files == ("tests/requirements/py3.txt",)
    assert django.env_spec.pre_install == ()
    assert django.env_spec.install == ("python -m pip install -e .",)
    assert django.env_spec.reinstall_for_tests  # as the official eval script does
    assert django.env_spec.eval_timeout == 1800  # the official harness's default limit
    assert sympy.env_spec is not None and sympy.env_spec.log_parser == "sympy"
    assert "mpmath==1.3.0" in sympy.env_spec.packages
    # a conda environment file, read at the environment commit and installed with pip
    assert mpl.env_spec is not None and mpl.env_spec.conda_env_files == ("environment.yml",)


def test_the_official_tables_kept_here_agree_with_the_package() -> None:
    pytest.importorskip("swebench")
    from swebench.harness.constants import python as official
    from swebench.harness.log_parsers import MAP_REPO_TO_PARSER_PY

    from swe_runner.inputs import official_tables

    assert {k: tuple(v) for k, v in official.MAP_REPO_TO_REQS_PATHS.items()} == (
        official_tables.REQS_PATHS
    )
    assert {k: tuple(v) for k, v in official.MAP_REPO_TO_ENV_YML_PATHS.items()} == (
        official_tables.ENV_YML_PATHS
    )
    parsers = {k: f.__name__.removeprefix("parse_log_") for k, f in MAP_REPO_TO_PARSER_PY.items()}
    assert parsers == official_tables.PARSERS


def test_a_specs_file_in_the_official_tables_shape_means_what_it_means_there(
    tmp_path: Path,
) -> None:
    # A dump of the official table (as a user with no swebench package might write it).
    dumped = {
        "pydata/xarray": {
            "0.12": {
                "python": "3.10",
                "packages": "environment.yml",
                "no_use_env": True,
                "install": "python -m pip install -e .",
                "pip_packages": ["numpy==1.23.0"],
                "test_cmd": "pytest -rA",
            }
        },
        "django/django": {
            "3.0": {
                "python": "3.6",
                "packages": "requirements.txt",
                "install": "python -m pip install -e .",
                "eval_commands": ["export LANG=en_US.UTF-8"],
                "test_cmd": "./tests/runtests.py --verbosity 2",
            }
        },
        "sympy/sympy": {
            "1.1": {
                "python": "3.9",
                "packages": "mpmath flake8",
                "pip_packages": ["mpmath==1.3.0"],
                "install": "python -m pip install -e .",
                "test_cmd": "bin/test -C --verbose",
            }
        },
    }
    path = tmp_path / "specs.json"
    path.write_text(json.dumps(dumped))
    table = load_specs(path)
    xarray = table.find("pydata/xarray", "0.12")
    assert xarray is not None and xarray.conda_env_files == (
        "ci/requirements/environment.yml",
        "environment.yml",
    )
    assert xarray.reinstall_for_tests and xarray.eval_timeout == 1800
    assert "numpy==1.23.0" in xarray.packages
    django = table.find("django/django", "3.0")
    assert django is not None and django.log_parser == "django"
    assert django.test_selection == "modules" and django.pre_install == ()
    assert django.requirements_files == ("tests/requirements/py3.txt",)  # into the env
    assert django.eval_setup == ("export LANG=en_US.UTF-8",)
    sympy = table.find("sympy/sympy", "1.1")  # no official-only key: our format,
    assert sympy is not None and sympy.log_parser == "sympy"  # with the repository's parser


def test_quoted_packages_mean_what_the_official_shell_line_means(tmp_path: Path) -> None:
    # scikit-learn 1.3's official spec: its packages go on a `conda create` command line,
    # where bash removes the quotes (kept, pip said: Invalid requirement: "'numpy==1.19.2'")
    dumped = {
        "scikit-learn/scikit-learn": {
            "1.3": {
                "python": "3.9",
                "packages": "'numpy==1.19.2' 'scipy==1.5.2' 'cython==3.0.10' pytest "
                "'pandas<2.0.0' 'matplotlib<3.9.0' setuptools pytest joblib threadpoolctl",
                "install": "python -m pip install -v --no-use-pep517 --no-build-isolation -e .",
                "pip_packages": ["cython", "setuptools", "numpy", "scipy"],
                "test_cmd": "pytest -rA",
                "nano_cpus": 4000000000,
            }
        },
        "o/unbalanced": {"1": {"python": "3.9", "packages": "a 'b", "no_use_env": True}},
    }
    path = tmp_path / "specs.json"
    path.write_text(json.dumps(dumped))
    table = load_specs(path)
    spec = table.find("scikit-learn/scikit-learn", "1.3")
    assert spec is not None
    assert spec.packages[:6] == (
        "numpy==1.19.2",
        "scipy==1.5.2",
        "cython==3.0.10",
        "pytest",
        "pandas<2.0.0",
        "matplotlib<3.9.0",
    )
    assert not any("'" in p for p in spec.packages)
    unbalanced = table.find("o/unbalanced", "1")  # bash refuses it; its words are kept
    assert unbalanced is not None and unbalanced.packages == ("a", "'b")


def test_the_official_scikit_learn_specs_have_no_quotes_left() -> None:
    pytest.importorskip("swebench")
    from swe_runner.inputs.specs import official_specs

    table = official_specs()
    assert table is not None
    versions = [v for r, v in table.specs if r == "scikit-learn/scikit-learn"]
    assert "1.3" in versions
    for version in versions:
        spec = table.find("scikit-learn/scikit-learn", version)
        assert spec is not None and not any("'" in p for p in spec.packages), version
