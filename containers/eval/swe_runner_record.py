"""swe-runner's own record of a pytest run, kept apart from pytest's reporting.

Loaded by the evaluation's test command (``-p swe_runner_record``) from the interpreter's
site-packages, where the guard puts it; never from the repository. For the session it was
loaded into (not the sessions the tests start themselves), it writes one JSON line per
event to RECORD, which the evaluation script prints after the test run:

- ``{"runner": {...}}``: where pytest, _pytest, pluggy and this plugin were loaded from
  (module name -> file), and the process id;
- ``{"item": nodeid, "kind": "function"|"other", "xfail": bool}`` for each collected test;
- ``{"call": nodeid, "called": bool, "raised": name|null}`` for each test function: whether
  pytest called the function and what it raised, seen by a wrapper around the function
  itself, so a runner whose reports were altered (in memory or on disk) cannot hide it.
  The wrapper is the item's object only until pytest calls it (the test's own
  ``request.function`` is its function, as without the plugin).

The grader compares it with the test log (``swe_runner/grading/record.py``). Python 3.5+.
"""

import inspect
import json
import os
import sys

import pytest

RECORD = os.environ.get("SWE_RUNNER_RECORD_FILE", "/swe-runner/record.jsonl")  # tests set it
_state = {"config": None, "out": None}


def _write(entry):
    out = _state["out"]
    if out is not None:
        out.write(json.dumps(entry) + "\n")
        out.flush()


def _origin(name):
    module = sys.modules.get(name)
    return getattr(module, "__file__", None)


def pytest_configure(config):
    if _state["config"] is not None:  # a session the tests started in this process
        return
    _state["config"] = config
    _state["out"] = open(RECORD, "a")  # noqa: SIM115 (closed at unconfigure)
    names = ("pytest", "_pytest", "pluggy")
    runner = {name: _origin(name) for name in names}
    runner["swe_runner_record"] = os.path.abspath(__file__)
    runner["pid"] = os.getpid()
    _write({"runner": runner})


def _ours(config):
    return config is _state["config"]


def _shown_id(item):
    """The test's id as the log shows it (relative to the working directory)."""
    relative = getattr(item.config, "cwd_relative_nodeid", None)
    return relative(item.nodeid) if relative else item.nodeid


def _is_function(item):
    function = getattr(pytest, "Function", None)
    if function is None or not isinstance(item, function):
        return False
    return type(item).runtest is function.runtest  # unittest cases run otherwise


def _xfail_marked(item):
    closest = getattr(item, "get_closest_marker", None)
    if closest is not None:
        return closest("xfail") is not None
    return "xfail" in getattr(item, "keywords", {})


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(session, config, items):
    yield
    if _ours(config):
        for item in items:
            kind = "function" if _is_function(item) else "other"
            _write({"item": _shown_id(item), "kind": kind, "xfail": _xfail_marked(item)})


def _wrappable(function):
    asyncgen = getattr(inspect, "isasyncgenfunction", lambda _: False)  # Python 3.6+
    return callable(function) and not (inspect.iscoroutinefunction(function) or asyncgen(function))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if not _ours(pyfuncitem.config):
        yield
        return
    entry = {"call": _shown_id(pyfuncitem), "called": False, "raised": None}
    original = pyfuncitem.obj
    if not _wrappable(original):
        entry["observed"] = False
        yield
        _write(entry)
        return

    def observed(*args, **kwargs):
        # Seen only by pytest_pyfunc_call's implementations, which read the item's object
        # and call it: the test itself finds its own function again (request.function).
        pyfuncitem.obj = original
        entry["called"] = True
        try:
            return original(*args, **kwargs)
        except BaseException as exc:
            entry["raised"] = type(exc).__name__
            raise

    pyfuncitem.obj = observed
    try:
        yield
    finally:
        pyfuncitem.obj = original
        _write(entry)


def pytest_unconfigure(config):
    if _ours(config) and _state["out"] is not None:
        _state["out"].close()
        _state["out"] = None
