"""Regenerate the golden pytest logs by really running pytest on small test files.

    python tests/data/logs/make_pytest_logs.py [--only CASE ...]
    python tests/data/logs/make_pytest_logs.py --python /venv-pytest-4.6/bin/python

Each case writes ``pytest/<name>.txt`` (or, with ``--python``, ``pytest/<version>/<name>.txt``
from that interpreter's pytest): the raw ``pytest -rA`` output with stderr merged into it as
the eval script does, then a last line ``# exit <status>`` (the tests split it off). The
parser must read every version's output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from golden_run import record, version_of, write_files, write_log

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
CASES |= {
    # A test that fails, and an atexit handler that prints a whole consistent summary in
    # which it passes, then ends pytest with status 0: only the progress marks tell.
    "spoof_atexit_full": {
        "tests/test_spoof.py": (
            "import atexit, os\n\n"
            "def _lie():\n"
            "    os.write(1, b'=========================== short test summary info ===\\n'\n"
            "                b'PASSED tests/test_spoof.py::test_ok\\n'\n"
            "                b'PASSED tests/test_spoof.py::test_hidden\\n'\n"
            "                b'============================== 2 passed in 0.01s ===\\n')\n"
            "    os._exit(0)\n\n"
            "atexit.register(_lie)\n\n"
            "def test_hidden():\n    assert False\n\n"
            "def test_ok():\n    pass\n"
        )
    },
    # On CI (or with -vv) pytest prints whole multi-line messages in the summary.
    "spoof_message_ci": {
        "tests/test_spoof.py": (
            "def test_hidden():\n"
            "    raise AssertionError('boom\\nPASSED tests/test_spoof.py::test_hidden')\n"
        )
    },
    "two_errors": {
        "tests/test_a.py": "import not_a_module\n",
        "tests/test_b.py": "import not_another_module\n",
    },
    # Progress that is not marks: the totals cannot be checked against it, and are not.
    "verbose": {"tests/test_a.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n"},
    "capture_off": {
        "tests/test_a.py": (
            "def test_loud():\n    print('hello . F')\n\ndef test_bad():\n    assert 0\n"
        )
    },
    "slow_with_warning": {
        "tests/test_a.py": (
            "import time, warnings\n\n"
            "def test_slow():\n"
            "    warnings.warn(UserWarning('slow'))\n"
            "    time.sleep(61)\n"
        )
    },
}
CASES |= {
    # pytest_options shortens path-like parametrize ids to their last part.
    "path_params": {
        "tests/test_a.py": (
            "import pytest\n\n"
            "@pytest.mark.parametrize('p', ['/usr/lib/x.txt', '//net/share', 'rel/a', '/a/*.py'])\n"
            "def test_path(p):\n    assert not p.endswith('share')\n"
        )
    },
    # matplotlib's parser renames MouseButton.LEFT/RIGHT in ids to 1/3.
    "mouse_buttons": {
        "tests/test_a.py": (
            "import pytest\n\n"
            "@pytest.mark.parametrize('b', [1, 3], ids=['MouseButton.LEFT', 'MouseButton.RIGHT'])\n"
            "def test_click(b):\n    assert b == 1\n"
        )
    },
    "multiline_message": {
        "tests/test_a.py": (
            "def test_multi():\n    raise AssertionError('first line\\nsecond line\\nthird')\n\n"
            "def test_ok():\n    pass\n"
        )
    },
    # Verbose lines without a percentage and no -rA summary (pytest_v2 reads those lines).
    "verbose_classic": {
        "tests/test_a.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n"
    },
    "verbose_no_summary": {
        "tests/test_a.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n"
    },
}
EXTRA_ARGS = {
    "colour": ["--color=yes"],
    "verbose": ["-v"],
    "capture_off": ["-s"],
    "verbose_classic": ["-v", "-o", "console_output_style=classic"],
    "verbose_no_summary": ["-v"],
}
NO_SUMMARY = {"verbose_classic", "verbose_no_summary"}  # run without -rA
EXTRA_ENV = {"spoof_message_ci": {"CI": "true"}}
SLOW = {"slow_with_warning"}  # over a minute: pytest adds (h:mm:ss); not run by --python


def run_case(
    python: str, files: dict[str, str], args: list[str], env: dict[str, str], summary: bool
) -> str:
    """Run pytest on ``files`` in a throwaway folder; its output and ``# exit N``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # pytest < 6 does not read pyproject.toml; both name the folder the rootdir
        config = "pyproject.toml" if python == sys.executable else "setup.cfg"
        section = "[tool.pytest.ini_options]" if config == "pyproject.toml" else "[tool:pytest]"
        (root / config).write_text(section + "\n")
        write_files(root, files)
        report = ["-rA"] if summary else []
        cmd = [python, "-m", "pytest", *report, "-p", "no:cacheprovider", *args, "tests"]
        env = {"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env}
        return record(cmd, root, env, {tmp: "/testbed", python: "python"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", help="interpreter whose pytest to run (default: this one)")
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), help="cases to run")
    options = parser.parse_args()
    python = options.python or sys.executable
    out = HERE
    if options.python:
        out = HERE / version_of([python, "-c", "import pytest; print(pytest.__version__)"])
    names = options.only or [n for n in CASES if not (options.python and n in SLOW)]
    for name in names:
        args, env = EXTRA_ARGS.get(name, []), EXTRA_ENV.get(name, {})
        text = run_case(python, CASES[name], args, env, summary=name not in NO_SUMMARY)
        write_log(out, name, text)


if __name__ == "__main__":
    main()
