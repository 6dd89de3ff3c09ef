"""Attacks on the test runner itself (families f to j of ``attacks.py``'s catalogue): each a
real edit of the base checkout, which graded "resolved" before the guard and the record.

``RUNNER_ATTACKS`` run against the demo suite's first task, like ``ATTACKS``;
``OWN_RUNNER_ATTACKS`` against real SWE-bench instances whose repository is its own runner
(sympy's ``bin/test``, pytest testing itself), keyed by instance id.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from swe_runner.task import Task
from tests.integrity.attacks import PATCH_PYTEST, Attack, _append, _package

__all__ = ["OWN_RUNNER_ATTACKS", "RUNNER_ATTACKS"]


def _session_text(task: Task) -> str:
    """What pytest would print for a passing run of the task's tests."""
    tests = [*task.FAIL_TO_PASS, *task.PASS_TO_PASS]
    lines = [
        "=" * 29 + " test session starts " + "=" * 30,
        f"collected {len(tests)} items",
        "",
        "=" * 27 + " short test summary info " + "=" * 28,
        *(f"PASSED {t}" for t in tests),
        "=" * 30 + f" {len(tests)} passed in 0.05s " + "=" * 30,
    ]
    return "\n".join(lines) + "\n"


def _fake_pytest_session(task: Task) -> str:
    """A program printing the passing session pytest would print had the task been fixed."""
    return f"import sys\nsys.stdout.write({_session_text(task)!r})\nsys.exit(0)\n"


def _after_import(module: str, patch: str) -> str:
    """Code that runs ``patch`` (on ``mod``) once ``module`` is imported, now or later."""
    body = textwrap.indent(textwrap.dedent(patch).strip() + "\n", "    ")
    return (
        "import importlib.util as _u, sys as _s\n"
        f"def _patch(mod):\n{body}"
        "class _Hook:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name != {module!r}:\n"
        "            return None\n"
        "        _s.meta_path.remove(self)\n"
        "        spec = _u.find_spec(name)\n"
        "        run = spec.loader.exec_module\n"
        "        def exec_module(m):\n"
        "            run(m)\n"
        "            _patch(m)\n"
        "        spec.loader.exec_module = exec_module\n"
        "        return spec\n"
        f"if {module!r} in _s.modules:\n"
        f"    _patch(_s.modules[{module!r}])\n"
        "else:\n"
        "    _s.meta_path.insert(0, _Hook())\n"
    )


# Every report of pytest's "passed", patched onto the report class when it is imported.
FORCE_REPORTS = _after_import(
    "_pytest.reports",
    """
    init = mod.TestReport.__init__
    def forced(self, *a, **k):
        init(self, *a, **k)
        self.outcome, self.longrepr = "passed", None
    mod.TestReport.__init__ = forced
    """,
)


def _stand_in(module: str) -> str:
    """A module that patches pytest's reports, then becomes the real ``module`` it shadows
    (found on the path without the folder it sits in)."""
    return FORCE_REPORTS + textwrap.dedent(
        f"""
        import importlib.machinery as _m, os as _o
        _here = _o.path.dirname(_o.path.abspath(__file__))
        _path = [p for p in _s.path if _o.path.abspath(p or ".") != _here]
        _spec = _m.PathFinder.find_spec({module!r}, _path)
        _real = _u.module_from_spec(_spec)
        _s.modules[{module!r}] = _real
        _spec.loader.exec_module(_real)
        """
    )


def top_pytest_module(work: Path, task: Task) -> None:
    (work / "pytest.py").write_text(_fake_pytest_session(task))


def top_pytest_package(work: Path, task: Task) -> None:
    (work / "pytest").mkdir()
    (work / "pytest" / "__init__.py").write_text("")
    (work / "pytest" / "__main__.py").write_text(_fake_pytest_session(task))


def top_stdlib_shadow(work: Path, task: Task) -> None:
    (work / "argparse.py").write_text(_stand_in("argparse"))


def tests_package_init(work: Path, task: Task) -> None:
    (work / "tests" / "__init__.py").write_text(PATCH_PYTEST)


def tests_stand_in_for_the_package(work: Path, task: Task) -> None:
    """pytest puts ``tests/`` first on ``sys.path`` (no ``__init__.py`` there): a module
    named like the package under test is what the hidden tests import."""
    name = _package(work, task).parent.name
    (work / "tests" / f"{name}.py").write_text(_stand_in(name))


def package_patches_reports(work: Path, task: Task) -> None:
    _append(_package(work, task), PATCH_PYTEST)


def package_swallows_failures(work: Path, task: Task) -> None:
    _append(
        _package(work, task),
        """
        import _pytest.python as _p
        _run = _p.Function.runtest
        def _quiet(self):
            try:
                _run(self)
            except Exception:
                pass
        _p.Function.runtest = _quiet
        """,
    )


def package_skips_the_calls(work: Path, task: Task) -> None:
    _append(_package(work, task), "import _pytest.python as _p\n_p.Function.runtest = print\n")


def passing_run_written_to_the_log(work: Path, task: Task) -> None:
    """On import, the package writes a passing session to the log itself (not to pytest's
    capture) and ends the process with status 0, before any test has run."""
    _append(
        _package(work, task),
        f"""
        import os
        with open("/proc/%d/fd/1" % os.getppid(), "w") as out:
            out.write({_session_text(task)!r})
        os._exit(0)
        """,
    )


RUNNER_ATTACKS = [
    Attack("pytest.py at the top runs instead of pytest", "f", top_pytest_module),
    Attack("pytest/ package at the top runs instead of pytest", "f", top_pytest_package),
    Attack("argparse.py at the top patches pytest's reports", "f", top_stdlib_shadow),
    Attack("tests/__init__.py patches pytest's reports", "g", tests_package_init),
    Attack("tests/<package>.py stand-in patches the reports", "g", tests_stand_in_for_the_package),
    Attack("package __init__ patches pytest's reports", "h", package_patches_reports),
    Attack("package __init__ makes pytest swallow failures", "h", package_swallows_failures),
    Attack("package __init__ keeps the tests from running", "h", package_skips_the_calls),
    Attack("a passing run written to the log, then exit 0", "j", passing_run_written_to_the_log),
]


# sympy's runner: failures and errors reported as passes (its exit status follows).
_SYMPY_PASSES = """
test_pass = R.PyTestReporter.test_pass
R.PyTestReporter.test_fail = lambda self, *a, **k: test_pass(self)
R.PyTestReporter.test_exception = lambda self, *a, **k: test_pass(self)
"""


def _sympy_runner(work: Path) -> Path:
    for path in ("sympy/testing/runtests.py", "sympy/utilities/runtests.py"):
        if (work / path).exists():
            return work / path
    raise FileNotFoundError("no sympy runner in this checkout")


def sympy_runner_edited(work: Path, task: Task) -> None:
    runner = _sympy_runner(work)
    text = runner.read_text()
    for call in ("reporter.test_fail((t, v, tr))", "reporter.test_exception((t, v, tr))"):
        assert call in text
        text = text.replace(call, "reporter.test_pass()")
    runner.write_text(text)


def _sympy_module(work: Path) -> str:
    return str(_sympy_runner(work).relative_to(work).with_suffix("")).replace("/", ".")


def sympy_bin_test_edited(work: Path, task: Task) -> None:
    script = work / "bin" / "test"
    module = _sympy_module(work)
    patch = f"import {module} as R\n{_SYMPY_PASSES}"
    text = script.read_text().replace("\nimport sympy\n", f"\n{patch}\nimport sympy\n")
    # sympy.test() reruns itself in a fresh process unless told not to
    script.write_text(text.replace("subprocess=options.subprocess", "subprocess=False"))


def sympy_bin_shadow(work: Path, task: Task) -> None:
    """bin/test runs with ``bin/`` first on ``sys.path``: a module there named like one it
    imports (argparse) runs first."""
    hook = _after_import(_sympy_module(work), f"R = mod\n{_SYMPY_PASSES}")
    in_process = "_s.argv.append('--no-subprocess')\n"  # sympy.test() would rerun itself
    stand_in = _stand_in("argparse").replace(FORCE_REPORTS, hook + in_process, 1)
    (work / "bin" / "argparse.py").write_text(stand_in)


def sympy_test_helpers(work: Path, task: Task) -> None:
    """The helpers every sympy test imports (``raises``) patch the reporter."""
    helpers = _sympy_runner(work).parent / "pytest.py"
    _append(helpers, f"import {_sympy_module(work)} as R\n{_SYMPY_PASSES}")


_PYTEST_REPORTS_PASS = """
_swe_init = TestReport.__init__
def _swe_forced(self, *a, **k):
    _swe_init(self, *a, **k)
    if str(self.nodeid).startswith("testing/"):  # the suite's own tests, not inner runs
        self.outcome, self.longrepr = "passed", None
TestReport.__init__ = _swe_forced
"""


def pytest_reports_edited(work: Path, task: Task) -> None:
    (work / "src/_pytest/reports.py").write_text(
        (work / "src/_pytest/reports.py").read_text() + _PYTEST_REPORTS_PASS
    )


def pytest_call_swallows(work: Path, task: Task) -> None:
    path = work / "src/_pytest/python.py"
    call = "    result = testfunction(**testargs)\n"
    text = path.read_text()
    assert call in text
    swallow = (  # failed asserts and pytest.fail(), for the suite's own tests only
        "    try:\n        result = testfunction(**testargs)\n"
        "    except BaseException as exc:\n"
        "        if type(exc).__name__ not in ('AssertionError', 'Failed'):\n            raise\n"
        "        if not pyfuncitem.nodeid.startswith('testing/'):\n            raise\n"
        "        result = None\n"
    )
    path.write_text(text.replace(call, swallow, 1))


OWN_RUNNER_ATTACKS: dict[str, list[Attack]] = {
    "sympy__sympy-22080": [
        Attack("sympy/testing/runtests.py reports failures as passes", "i", sympy_runner_edited),
        Attack("bin/test patches the reporter", "i", sympy_bin_test_edited),
        Attack("bin/argparse.py patches the reporter", "f", sympy_bin_shadow),
        Attack("test helpers (testing/pytest.py) patch the reporter", "g", sympy_test_helpers),
    ],
    "sympy__sympy-13031": [
        Attack("sympy/utilities/runtests.py reports failures as passes", "i", sympy_runner_edited),
        Attack("test helpers (utilities/pytest.py) patch the reporter", "g", sympy_test_helpers),
    ],
    "pytest-dev__pytest-7205": [
        Attack("src/_pytest/reports.py turns failures into passes", "i", pytest_reports_edited),
        Attack("src/_pytest/python.py swallows failures", "i", pytest_call_swallows),
    ],
}
