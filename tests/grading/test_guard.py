"""The integrity guard (``containers/eval/guard.py``) run for real on a git repository:
what its sweep puts back, deletes and keeps, and the runner changes it reports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from swe_runner import patch as patches
from swe_runner.grading import guard
from swe_runner.shipped import CONTAINERS_DIR

GUARD = CONTAINERS_DIR / "eval" / "guard.py"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository at its base commit, with a build left by its install (ignored)."""
    root = tmp_path / "repo"
    _write(
        root,
        {
            ".gitignore": "build/\n",
            "pkg/__init__.py": "",
            "pkg/mod.py": "X = 1\n",
            "tests/test_a.py": "def test_a():\n    pass\n",
            "tests/helpers.py": "HELP = 1\n",
            "bin/run": "#!/usr/bin/env python\n",
            "bin/util.py": "U = 1\n",
            "setup.cfg": "[metadata]\n",
            "build/lib/pkg/__init__.py": "",
        },
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    return root


def _config(tmp_path: Path, runner_modules: tuple[str, ...] = ()) -> Path:
    config = tmp_path / "guard.json"
    settings = {
        "config_names": sorted(patches.TEST_CONFIG_NAMES),
        "runner_scripts": guard.runner_scripts("PYTHONWARNINGS='x' bin/run -C --verbose"),
        "runner_modules": list(runner_modules),
        "record_plugin": None,
        "state": str(tmp_path / "state.json"),
    }
    config.write_text(json.dumps(settings))
    return config


def _run(repo: Path, step: str, config: Path, isolated: bool = True, env=None) -> list[str]:  # type: ignore[no-untyped-def]
    flags = ["-I", "-B"] if isolated else ["-B"]
    done = subprocess.run(
        [sys.executable, *flags, str(GUARD), step, str(config)],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_sweep_puts_back_tests_runner_scripts_and_shadows_and_keeps_the_rest(
    repo: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    _run(repo, "snapshot", config)
    _write(
        repo,
        {
            "pkg/mod.py": "X = 2\n",  # the fix
            "pkg/json.py": "",  # a submodule named like the standard library's: kept
            "reproduce.py": "print(1)\n",  # the agent's scratch files: kept
            "notes.md": "notes\n",
            "tests/test_mine.py": "def test_mine():\n    pass\n",
            "tests/__init__.py": "import _pytest\n",
            "tests/helpers.py": "HELP = 2\n",
            "bin/util.py": "U = 2\n",
            "bin/argparse.py": "",
            "json.py": "",
            "scratch/inspect.py": "",
            "argparse/__init__.py": "",
            "argparse/more.py": "",
            "setup.cfg": "[tool:pytest]\naddopts = -p no:python\n",
            "build/lib/pkg/new.py": "",  # the reinstall's build output, inside a package
            "fake/__init__.py": "",
        },
    )
    (repo / "pytest").symlink_to("fake")  # a link named like a module: a package
    lines = _run(repo, "sweep", config)
    done = guard.actions("\n".join(lines))
    assert sorted(done.restored) == [
        "bin/util.py (runner script)",
        "setup.cfg (test configuration)",
        "tests/helpers.py (test directory)",
    ]
    assert sorted(done.removed) == [
        "argparse/ (shadows argparse)",
        "bin/argparse.py (runner script)",
        "json.py (shadows json)",
        "pytest (shadows pytest)",
        "scratch/inspect.py (shadows inspect)",
        "tests/__init__.py (test directory)",
        "tests/test_mine.py (test directory)",
    ]
    assert done.runner_changed == [] and done.failed == []
    for kept in ("pkg/json.py", "reproduce.py", "notes.md", "build/lib/pkg/new.py"):
        assert (repo / kept).exists(), kept
    assert (repo / "pkg/mod.py").read_text() == "X = 2\n"
    assert (repo / "tests/helpers.py").read_text() == "HELP = 1\n"
    for gone in ("argparse", "json.py", "tests/__init__.py", "bin/argparse.py"):
        assert not (repo / gone).exists(), gone


def test_files_present_before_the_prediction_are_left_alone(repo: Path, tmp_path: Path) -> None:
    _write(repo, {"tests/generated.py": "", "json.py": ""})  # untracked, there at the start
    config = _config(tmp_path)
    _run(repo, "snapshot", config)
    assert _run(repo, "sweep", config) == []
    assert (repo / "tests/generated.py").exists() and (repo / "json.py").exists()


def test_a_changed_runner_is_reported_and_the_log_is_invalid(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site, {"fake_runner/__init__.py": "", "fake_runner/core.py": "OK = 1\n"})
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    config = _config(tmp_path, runner_modules=("fake_runner",))
    head = _run(repo, "snapshot", config, isolated=False, env=env)
    assert head == [f"{guard.GUARD} runner fake_runner {site}/fake_runner/__init__.py"]
    _write(
        site,
        {
            "fake_runner/core.py": "OK = 0\n",  # what a reinstall could do
            "fake_runner/extra.py": "",
            "fake_runner/__pycache__/core.cpython-311.pyc": "",  # Python's own cache: fine
        },
    )
    lines = _run(repo, "sweep", config, isolated=False, env=env)
    assert guard.actions("\n".join(lines)).runner_changed == [
        f"{site}/fake_runner/core.py",
        f"{site}/fake_runner/extra.py",
    ]


def test_the_guard_runs_on_python_3_5_syntax() -> None:
    """No f-strings or later syntax: official images run it on their own Python."""
    for name in ("guard.py", "swe_runner_record.py"):
        ast.parse((CONTAINERS_DIR / "eval" / name).read_text(), name, feature_version=(3, 5))
