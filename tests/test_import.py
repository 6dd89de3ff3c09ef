"""`import swe_runner` has no side effects and loads no vendor SDK."""

import subprocess
import sys


def test_import_loads_no_vendor_sdk_and_prints_nothing() -> None:
    code = (
        "import sys, swe_runner, swe_runner.task, swe_runner.records, swe_runner.inputs.dataset\n"
        "bad = [m for m in ('docker', 'anthropic', 'openai', 'git', 'rich') if m in sys.modules]\n"
        "print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""


def test_grading_and_regrading_load_no_docker() -> None:
    """Grading a log and ``report --regrade`` are pure: no Docker behind them (issue 17)."""
    pure = (
        "swe_runner.grading.script",
        "swe_runner.grading.outcome",
        "swe_runner.grading.grade",
        "swe_runner.grading.markers",
        "swe_runner.run.agent_phase",
        "swe_runner.regrade",
    )
    for module in pure:
        code = f"import sys, {module}\nprint('docker' in sys.modules)"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.stdout.strip() == "False", module
