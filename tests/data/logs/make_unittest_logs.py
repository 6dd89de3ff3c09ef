"""Regenerate the golden unittest logs by running ``python -m unittest -v``.

    python tests/data/logs/make_unittest_logs.py [--python /some/python]

Each case writes ``unittest/<python version>/<name>.txt``: the output with stderr merged,
then a last line ``# exit <status>``. Python 3.11 changed the ids it prints
(``test_x (m.T.test_x)`` instead of ``test_x (m.T)``); run it with both to cover both.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from golden_run import record, version_of, write_log

HERE = Path(__file__).parent / "unittest"
HEAD = "import sys, unittest\n\n"
CASES: dict[str, str] = {
    "mixed": (
        "class T(unittest.TestCase):\n"
        "    def test_ok(self):\n        pass\n\n"
        "    def test_fail(self):\n        self.assertEqual(1, 2, 'one\\nis not two')\n\n"
        "    def test_error(self):\n        raise ValueError('boom')\n\n"
        "    @unittest.skip('not here')\n    def test_skip(self):\n        pass\n\n"
        "    def test_prints(self):\n        sys.stderr.write('output\\n')\n"
    ),
    "all_pass": (
        "class T(unittest.TestCase):\n    def test_one(self):\n        pass\n\n"
        "class U(unittest.TestCase):\n    def test_two(self):\n        '''Two things.'''\n"
    ),
    # Lines the runner does not count in its "Ran N" total: class fixtures that skip or
    # fail, and one line per failing subtest.
    "fixtures": (
        "class A(unittest.TestCase):\n"
        "    @classmethod\n    def setUpClass(cls):\n        raise unittest.SkipTest('no')\n\n"
        "    def test_a(self):\n        pass\n\n"
        "class B(unittest.TestCase):\n"
        "    @classmethod\n    def setUpClass(cls):\n        raise ValueError('x')\n\n"
        "    def test_b(self):\n        pass\n\n"
        "class C(unittest.TestCase):\n"
        "    def test_subtests(self):\n"
        "        for i in range(2):\n"
        "            with self.subTest(i=i):\n                self.assertEqual(i, 5)\n\n"
        "    def test_ok(self):\n        pass\n"
    ),
}


def run_case(python: str, tests: str) -> str:
    """Run ``python -m unittest -v`` on a module holding ``tests``; output and exit."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "test_mod.py").write_text(HEAD + tests)
        cmd = [python, "-m", "unittest", "-v", "test_mod"]
        return record(cmd, Path(tmp), {"PATH": "/usr/bin:/bin"}, {tmp: "/testbed"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to run")
    options = parser.parse_args()
    version = version_of(
        [options.python, "-c", "import platform; print(platform.python_version())"]
    )
    for name, tests in CASES.items():
        write_log(HERE / version, name, run_case(options.python, tests))


if __name__ == "__main__":
    main()
