"""Regenerate the golden tox logs: Sphinx's way of running pytest (``tox -v -- <tests>``).

    python tests/data/logs/make_tox_logs.py --tox /throwaway-venv/bin/tox
    python tests/data/logs/make_tox_logs.py --tox /py39-venv/bin/tox --current-env

A throwaway project with a ``tox.ini`` whose command is ``python -m pytest -rA {posargs}``
(as Sphinx's) runs in tox's current interpreter (``--installpkg`` is not needed: the
project has no package: ``skipsdist``). Each case writes ``tox/<tox version>/<name>.txt``:
tox's output with stderr merged (tox's own lines around pytest's), then ``# exit <status>``.

``--current-env`` runs the official harness's exact Sphinx command, ``tox --current-env
-epy39 -v -- <tests>`` (tox 3 with the tox-current-env plugin, pytest installed next to
tox, a Python 3.9 venv), into ``tox/<tox version>-current-env/``. The command is then
``pytest`` rather than ``python -m pytest``: the plugin links the venv's interpreter into
``.tox/py39/bin``, where it no longer finds its venv (the official images use conda).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from golden_run import record, version_of, write_files, write_log

HERE = Path(__file__).parent / "tox"
TOX_INI = (
    "[tox]\nenvlist = py\nskipsdist = true\n\n"
    "[testenv]\ndeps = pytest\n"
    "setenv = PYTEST_DISABLE_PLUGIN_AUTOLOAD = 1\n"
    "commands = python -m pytest -rA -p no:cacheprovider {posargs}\n"
)
CASES: dict[str, dict[str, str]] = {
    "some_fail": {
        "tests/test_build.py": (
            "import pytest\n\n"
            "def test_ok():\n    pass\n\n"
            "def test_bad():\n    assert 'html' == 'latex'\n\n"
            "@pytest.mark.parametrize('builder', ['html', 'dirhtml'])\n"
            "def test_builders(builder):\n    assert builder\n\n"
            "@pytest.mark.skip(reason='needs docutils')\ndef test_skip():\n    pass\n"
        )
    },
    "verbose": {"tests/test_a.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n"},
    "all_pass": {"tests/test_a.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n"},
}
# Sphinx passes -v to tox (its own verbosity), not to pytest; "verbose" adds pytest -v.
ARGS = {"verbose": ["-v"]}


def run_case(tox: str, files: dict[str, str], args: list[str], current_env: bool) -> str:
    """Run ``tox -v -- <args> tests`` on a project holding ``files``; output and exit."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if current_env:
            tox_ini = TOX_INI.replace("envlist = py\n", "envlist = py39\n")
            (root / "tox.ini").write_text(tox_ini.replace("python -m pytest", "pytest"))
        else:
            (root / "tox.ini").write_text(TOX_INI)
        write_files(root, files)
        cmd = [tox, *(["--current-env", "-epy39"] if current_env else []), "-v", "--", *args]
        env = {"PATH": f"{Path(tox).parent}:/usr/bin:/bin", "PIP_NO_INPUT": "1"}
        venv = str(Path(tox).parent.parent)  # where tox lives: the same on every machine
        return record([*cmd, "tests"], root, env, {tmp: "/testbed", venv: "/venv"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tox", required=True, help="the tox executable to run")
    parser.add_argument(
        "--current-env", action="store_true", help="tox 3 + tox-current-env, as SWE-bench's"
    )
    options = parser.parse_args()
    found = re.search(r"\d+\.\d+\.\d+", version_of([options.tox, "--version"]))
    if found is None:
        raise SystemExit(f"{options.tox} --version printed no version")
    version = found.group()
    version += "-current-env" if options.current_env else ""
    for name, files in CASES.items():
        text = run_case(options.tox, files, ARGS.get(name, []), options.current_env)
        write_log(HERE / version, name, text)


if __name__ == "__main__":
    main()
