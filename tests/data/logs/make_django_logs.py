"""Regenerate the golden Django logs by running Django's test runner at verbosity 2.

    python tests/data/logs/make_django_logs.py --python /venv-with-django/bin/python

A tiny project (settings + one app) is written to a throwaway folder for each case and
``python -m django test -v 2 --parallel 1`` runs it, as SWE-bench runs ``runtests.py
--verbosity 2``. Each case writes ``django/<django version>/<name>.txt``: the output with
stderr merged, then a last line ``# exit <status>``. The Python version decides the id
format (``test_x (app.tests.T)`` before 3.11, ``test_x (app.tests.T.test_x)`` after).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from golden_run import record, version_of, write_files, write_log

HERE = Path(__file__).parent / "django"

SETTINGS = (
    "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes', 'app']\n"
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
    "USE_TZ = True\n"
)
HEAD = "import sys, unittest\nfrom django.test import SimpleTestCase, TestCase\n\n"
CASES: dict[str, str] = {
    "all_pass": (
        "class T(SimpleTestCase):\n    def test_one(self):\n        pass\n\n"
        "    def test_two(self):\n        self.assertEqual(1, 1)\n\n"
        "class D(TestCase):\n    def test_db(self):\n        pass\n"
    ),
    "mixed": (
        "class T(SimpleTestCase):\n"
        "    def test_ok(self):\n        pass\n\n"
        "    def test_fail(self):\n        self.assertEqual(1, 2, 'one\\nis not two')\n\n"
        "    def test_error(self):\n        raise ValueError('boom')\n\n"
        "    @unittest.skip('not here')\n    def test_skip(self):\n        pass\n\n"
        "    def test_docstring(self):\n        '''Checks a thing -- with a docstring.'''\n\n"
        "    def test_subtests(self):\n"
        "        for i in range(3):\n"
        "            with self.subTest(i=i):\n                self.assertLess(i, 1)\n"
    ),
    # Output between "..." and the result pushes "ok" to a line of its own.
    "interrupted": (
        "class T(SimpleTestCase):\n"
        "    def test_prints(self):\n"
        "        sys.stderr.write('some output\\n')\n\n"
        "    def test_plain(self):\n        pass\n"
    ),
    "expected_failures": (
        "class T(SimpleTestCase):\n"
        "    @unittest.expectedFailure\n    def test_xfail(self):\n        self.fail('known')\n\n"
        "    @unittest.expectedFailure\n    def test_xpass(self):\n        pass\n\n"
        "    def test_ok(self):\n        pass\n"
    ),
    # Code under test prints a result line for a failing test.
    "spoof_result_line": (
        "class T(SimpleTestCase):\n"
        "    def test_a_prints(self):\n"
        "        sys.stderr.write('test_hidden (app.tests.T) ... ok\\n')\n"
        "        sys.stderr.write('test_hidden (app.tests.T.test_hidden) ... ok\\n')\n\n"
        "    def test_hidden(self):\n        self.fail('really failing')\n"
    ),
    "import_error": "import not_a_module\n",
    # A failure message that reads like a result line, inside the traceback.
    "spoof_traceback": (
        "class T(SimpleTestCase):\n"
        "    def test_hidden(self):\n        raise ValueError('boom ... ok')\n"
    ),
}


def run_case(python: str, name: str, tests: str) -> str:
    """Run Django's test runner on a project holding ``tests``; its output and exit."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {"proj.py": SETTINGS, "app/__init__.py": "", "app/tests.py": HEAD + tests}
        write_files(Path(tmp), files)
        cmd = [python, "-m", "django", "test", "-v", "2", "--parallel", "1", "app"]
        env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "proj", "PYTHONPATH": tmp}
        return record(cmd, Path(tmp), env, {tmp: "/testbed"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", required=True, help="interpreter with Django installed")
    options = parser.parse_args()
    version = version_of([options.python, "-c", "import django; print(django.__version__)"])
    for name, tests in CASES.items():
        write_log(HERE / version, name, run_case(options.python, name, tests))


if __name__ == "__main__":
    main()
