"""Regenerate the golden SymPy logs by running SymPy's own test runner in verbose mode.

    python tests/data/logs/make_sympy_logs.py --python /throwaway-venv/bin/python

SymPy's runner only collects tests inside the installed ``sympy`` package, so each case is
written to ``sympy/zz_golden/tests/`` of that (throwaway) environment for the run and
removed afterwards; ``sympy.testing.runtests.test(..., verbose=True)`` is what ``bin/test
--verbose`` calls. Each case writes ``sympy/<sympy version>/<name>.txt``: the output with
stderr merged, then a last line ``# exit <status>``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from golden_run import record, version_of, write_log

HERE = Path(__file__).parent / "sympy"
HEAD = "from sympy.testing.pytest import XFAIL, skip, SKIP\n\n"
RUN = (
    "from sympy.testing.runtests import test\n"
    "raise SystemExit(0 if test('sympy/zz_golden', verbose=True, force_colors={colors}) else 1)\n"
)
# A case is one test file's body, or several files by name (run in sorted order).
CASES: dict[str, str | dict[str, str]] = {
    "all_pass": "def test_one():\n    assert 1 + 1 == 2\n\ndef test_two():\n    pass\n",
    "mixed": (
        "def test_ok():\n    pass\n\n"
        "def test_fail():\n    assert 1 == 2, 'one\\nis not two'\n\n"
        "def test_error():\n    raise ValueError('boom')\n\n"
        "@XFAIL\ndef test_xfail():\n    assert 0\n\n"
        "@XFAIL\ndef test_xpass():\n    pass\n\n"
        "def test_skip():\n    skip('not here')\n\n"
        "@SKIP('never')\ndef test_skip_decorated():\n    pass\n"
    ),
    # Output pushes the mark to a line of its own.
    "prints": ("def test_loud():\n    print('some output')\n\ndef test_quiet():\n    pass\n"),
    # A test prints a result line for a test that fails.
    "spoof_result_line": (
        "def test_hidden():\n    assert False\n\n"
        "def test_prints():\n    print('\\ntest_hidden ok')\n"
    ),
    "colour": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n",
    # One test name in two files (as sympy's printing tests have): failing in the first
    # file run, passing in the second; and the other way round. Another test ends each
    # file (the official parser misses a file's last test, whose line ends in its tag).
    "one_name_fails_then_passes": {
        "test_golden_a.py": "def test_same():\n    assert 0\n\ndef test_a():\n    pass\n",
        "test_golden_b.py": "def test_same():\n    pass\n\ndef test_b():\n    pass\n",
    },
    "one_name_passes_then_fails": {
        "test_golden_a.py": "def test_same():\n    pass\n\ndef test_a():\n    pass\n",
        "test_golden_b.py": "def test_same():\n    assert 0\n\ndef test_b():\n    pass\n",
    },
}
COLOURS = {"colour"}


def run_case(python: str, package: Path, name: str, tests: str | dict[str, str]) -> str:
    """Run SymPy's runner on ``tests`` placed in ``package``; its output and exit."""
    files = tests if isinstance(tests, dict) else {"test_golden.py": tests}
    folder = package / "zz_golden"
    (folder / "tests").mkdir(parents=True)
    try:
        (folder / "__init__.py").write_text("")
        (folder / "tests" / "__init__.py").write_text("")
        for file, body in files.items():
            (folder / "tests" / file).write_text(HEAD + body)
        cmd = [python, "-c", RUN.format(colors=name in COLOURS)]
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm"}
        return record(cmd, None, env, {str(package.parent): "/testbed", python: "python"})
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", required=True, help="a throwaway interpreter with sympy")
    options = parser.parse_args()
    found = version_of(
        [options.python, "-c", "import sympy; print(sympy.__version__); print(sympy.__file__)"]
    ).split()
    version, package = found[0], Path(found[1]).parent
    for name, tests in CASES.items():
        write_log(HERE / version, name, run_case(options.python, package, name, tests))


if __name__ == "__main__":
    main()
