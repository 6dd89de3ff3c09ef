"""Regenerate the golden pytest logs by really running pytest on small test files.

    python tests/data/logs/make_pytest_logs.py

Each case writes ``pytest/<name>.txt``: the raw ``pytest -rA`` output, then a last line
``# exit <status>`` (the tests split it off). Run with the container's pytest when possible;
the parser must read every version's output.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent / "pytest"

CASES: dict[str, dict[str, str]] = {
    "all_pass": {"tests/test_a.py": "def test_one():\n    assert 1\n\ndef test_two():\n    pass\n"},
    "some_fail": {
        "tests/test_a.py": (
            "def test_ok():\n    pass\n\n"
            "def test_bad():\n    assert 1 == 2, 'numbers differ'\n\n"
            "def test_crash():\n    raise ValueError('boom - with a dash')\n"
        )
    },
    "collection_error": {
        "tests/test_a.py": "import not_a_module\n\ndef test_x():\n    pass\n",
        "tests/test_b.py": "def test_fine():\n    pass\n",
    },
    "xfail_xpass_skip": {
        "tests/test_a.py": (
            "import pytest\n\n"
            "@pytest.mark.xfail(reason='known bug')\ndef test_xfail():\n    assert 0\n\n"
            "@pytest.mark.xfail(reason='fixed?')\ndef test_xpass():\n    pass\n\n"
            "@pytest.mark.skip(reason='not here')\ndef test_skip():\n    pass\n\n"
            "@pytest.mark.parametrize('n', [1, 2])\n@pytest.mark.skip(reason='twice')\n"
            "def test_skip_many(n):\n    pass\n\n"
            "def test_plain():\n    pass\n"
        )
    },
    "odd_param_ids": {
        "tests/test_a.py": (
            "import pytest\n\n"
            "@pytest.mark.parametrize('s', ['a - b', 'caf\\u00e9', 'x[y]', 'sp ace'])\n"
            "def test_ids(s):\n    assert s != 'sp ace'\n"
        )
    },
    "spoof_captured": {
        "tests/test_spoof.py": (
            "def test_hidden():\n    assert False, 'really failing'\n\n"
            "def test_prints():\n"
            "    print('=========================== short test summary info =====')\n"
            "    print('PASSED tests/test_spoof.py::test_hidden')\n"
            "    print('=========== 2 passed in 0.01s ===========')\n"
        )
    },
    "spoof_atexit": {
        "tests/test_spoof.py": (
            "import atexit, os\n\n"
            "def _lie():\n"
            "    os.write(1, b'PASSED tests/test_spoof.py::test_hidden\\n'\n"
            "                b'======== 2 passed in 0.01s ========\\n')\n\n"
            "atexit.register(_lie)\n\n"
            "def test_hidden():\n    assert False\n\n"
            "def test_ok():\n    pass\n"
        )
    },
    "colour": {"tests/test_a.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n"},
    "no_tests": {"tests/test_a.py": "x = 1\n"},
    "teardown_error": {
        "tests/test_a.py": (
            "import pytest\n\n@pytest.fixture\ndef res():\n"
            "    yield 1\n    raise RuntimeError('teardown')\n\n"
            "def test_uses(res):\n    pass\n"
        )
    },
}
EXTRA_ARGS = {"colour": ["--color=yes"]}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, files in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
            for path, text in files.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "-rA",
                "-p",
                "no:cacheprovider",
                *EXTRA_ARGS.get(name, []),
                "tests",
            ]
            done = subprocess.run(
                cmd,
                cwd=root,
                capture_output=True,
                text=True,
                env={"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
            )
            output = (done.stdout + done.stderr).replace(tmp, "/testbed")
            (HERE / f"{name}.txt").write_text(f"{output}# exit {done.returncode}\n")
            print(f"{name}: exit {done.returncode}")


if __name__ == "__main__":
    main()
