"""The CLI in-process (and in a subprocess where the environment must differ)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from swe_runner.cli.main import cli, main


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += all_commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


@pytest.mark.parametrize("command", all_commands(cli), ids=lambda c: " ".join(c) or "swe-runner")
def test_every_command_has_help_that_explains_it(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: swe-runner" in out
    body = out.split("\n\n", 2)[1].strip()  # the docstring's first paragraph
    assert len(body) > 20, out


def test_malformed_task_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "tasks.jsonl"
    bad.write_text('{"instance_id": "a"}\n')
    code = main(["evaluate", "-d", str(bad), "-p", "gold", "--results-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("Error:")
    assert "tasks.jsonl: line 1 (instance 'a'): field 'repo'" in err
    assert not (tmp_path / "r").exists()


def test_docker_daemon_down_is_one_error_line_and_writes_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "swe_runner",
            "evaluate",
            "-d",
            "demo",
            "-p",
            "gold",
            "--results-dir",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("Error: cannot reach the Docker daemon")
    assert done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "r").exists()


def test_bad_run_id_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "evaluate",
            "-d",
            "demo",
            "-p",
            "empty",
            "--run-id",
            "../escape",
            "--results-dir",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2
    assert "bad run id '../escape'" in capsys.readouterr().err
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--agent", "gold", "--env", "TOKEN=abcdefgh"], "--env is for --agent command"),
        (["--agent", "command", "--agent-command", "true", "--env", "NOPE_UNSET_1"], "not set"),
    ],
)
def test_env_secrets_are_checked_before_anything_runs(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "-s", "demo", *extra, "--results-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "r").exists()


def test_reproduce_with_tests_without_a_shell_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["reproduce", "some-run", "some-instance", "--with-tests",
                 "--results-dir", str(tmp_path)])  # fmt: skip
    assert code == 2
    assert "--with-tests goes with --shell" in capsys.readouterr().err


def _recorded_workers(results: Path, run_id: str) -> int:
    return int(json.loads((results / run_id / "run.json").read_text())["settings"]["workers"])


def test_the_workers_setting_is_the_default_of_the_flag_and_the_flag_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "swe-runner.toml"
    config.write_text("[swe-runner]\nworkers = 3\n")
    base = ["evaluate", "-d", "demo", "-p", "empty", "--config", str(config)]
    results = tmp_path / "r"
    base += ["--results-dir", str(results)]
    assert main([*base, "--run-id", "file"]) == 0
    assert _recorded_workers(results, "file") == 3
    monkeypatch.setenv("SWE_RUNNER_WORKERS", "2")
    assert main([*base, "--run-id", "env"]) == 0
    assert _recorded_workers(results, "env") == 2
    assert main([*base, "--run-id", "flag", "--workers", "4"]) == 0
    assert _recorded_workers(results, "flag") == 4  # what the run used, not the setting
    monkeypatch.setenv("SWE_RUNNER_WORKERS", "65")
    assert main([*base, "--run-id", "big"]) == 2  # the flag's bounds hold for the setting


def test_evaluate_takes_suite_like_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--suite", "-s"):
        args = ["evaluate", flag, "demo", "-p", "gold", "-i", "nope"]
        assert main([*args, "--results-dir", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err
        assert "no instance 'nope'" in err and err.startswith("Error:"), err  # demo was loaded


def test_a_config_error_names_the_file_the_setting_and_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("swe-runner.toml").write_text("[swe-runner]\nworkerz = 3\n")
    assert main(["report", "any-run"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("Error: swe-runner.toml: unknown setting 'workerz'") and err.count("\n") == 1
    )
    assert "did you mean 'workers'?" in err and "the settings are results_dir, cache_dir," in err
    Path("swe-runner.toml").write_text('[swe-runner]\nworkers = "many"\n')
    assert main(["report", "any-run"]) == 2
    err = capsys.readouterr().err
    assert "swe-runner.toml: bad value for setting 'workers' ('many'): input should be" in err
    Path("swe-runner.toml").unlink()
    monkeypatch.setenv("SWE_RUNNER_WORKERS", "0")
    assert main(["report", "any-run"]) == 2
    err = capsys.readouterr().err
    assert "environment variable SWE_RUNNER_WORKERS: bad value for setting 'workers' ('0')" in err


def test_tasks_show_prints_the_problem_statement_tests_and_spec(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from swe_runner.inputs.dataset import load_dataset

    task = load_dataset("demo").task("textkit-4")
    assert main(["tasks", "show", "textkit-4", "--dataset", "demo"]) == 0
    out = capsys.readouterr().out
    assert task.problem_statement.splitlines()[0] in out
    for test in (*task.FAIL_TO_PASS, *task.PASS_TO_PASS):
        assert f"  {test}\n" in out
    assert "test files (from the test patch): tests/test_csvish.py" in out
    assert task.env_spec is not None and f"log_parser: {task.env_spec.log_parser}" in out
    assert f"the hidden tests run as: {task.env_spec.test_cmd} tests/test_csvish.py" in out
    assert task.patch not in out  # the gold patch only on request
    assert main(["tasks", "show", "textkit-4", "--patches"]) == 0  # the shipped suites
    assert task.patch.splitlines()[4] in capsys.readouterr().out
    assert main(["tasks", "show", "textkit-9", "-s", "demo"]) == 2
    assert "no instance 'textkit-9'; did you mean textkit-5" in capsys.readouterr().err


def _preds(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                {"instance_id": "textkit-1", "model_patch": None},
                {"instance_id": "textkit-2", "model_name_or_path": "m", "patch": "diff"},
            ],
            "preds.jsonl: line 2 (instance 'textkit-2'): no 'model_patch' key (it has 'patch')",
        ),
        ([], "preds.jsonl: no predictions in the file"),
    ],
    ids=["misspelt patch key", "empty file"],
)
def test_predictions_without_a_patch_key_or_any_row_are_one_error(
    rows: list[dict[str, object]], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preds = _preds(tmp_path / "preds.jsonl", rows)
    code = main(["evaluate", "-d", "demo", "-p", str(preds), "--results-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error:") and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "r").exists()


def test_tasks_without_a_prediction_are_missing_and_the_run_is_labelled_predictions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SWE-bench files hold null or "" for no patch: an empty patch, not an error.
    rows = [
        {"instance_id": "textkit-1", "model_name_or_path": "m", "model_patch": None},
        {"instance_id": "textkit-2", "model_name_or_path": "m", "model_patch": ""},
    ]
    preds = _preds(tmp_path / "preds.jsonl", rows)
    results = ["--results-dir", str(tmp_path / "r")]
    assert main(["evaluate", "-d", "demo", "-p", str(preds), "--run-id", "part", *results]) == 0
    printed = capsys.readouterr()
    assert "empty_patch 2" in printed.out and "missing 8" in printed.out
    assert "note: 8 of 10 tasks have no prediction" in printed.err
    summary = json.loads((tmp_path / "r" / "part" / "summary.json").read_text())
    assert summary["total"] == 10 and len(summary["missing"]) == 8
    assert main(["report", "part", "--json", *results]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["missing"] == 8 and report["counts"]["empty_patch"] == 2
    assert report["agent"] == "predictions" and report["model"] == "m"
    assert main(["report", "part", *results]) == 0
    assert "agent predictions" in capsys.readouterr().out


def test_a_run_id_is_resumed_only_by_the_run_it_was_and_says_how_far_it_got(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r"
    base = ["-d", "demo", "--run-id", "x", "--results-dir", str(results)]
    assert main(["evaluate", *base, "-p", "empty", "-i", "textkit-1", "-i", "textkit-2"]) == 0
    made = (results / "x" / "run.json").read_text()
    capsys.readouterr()
    preds = _preds(tmp_path / "preds.jsonl", [{"instance_id": "textkit-1", "model_patch": ""}])
    refused = [
        (["evaluate", *base, "-p", str(preds), "-i", "textkit-1", "-i", "textkit-2"],
         "made from predictions 'empty', not from predictions '"),
        (["evaluate", *base, "-p", "empty", "-i", "textkit-1"], "made on dataset demo"),
        (["run", "-s", "demo", "--agent", "gold", "--run-id", "x", "--results-dir", str(results),
          "-i", "textkit-1", "-i", "textkit-2"],
         "made by evaluate (no agent), not by agent 'gold'; from predictions 'empty', not from"),
    ]  # fmt: skip
    for args, message in refused:
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith("Error: run x") and err.count("\n") == 1 and message in err, err
        assert "--force" in err
        assert (results / "x" / "run.json").read_text() == made
    pick = ["-i", "textkit-1", "-i", "textkit-2"]
    assert main(["evaluate", *base, "-p", "empty", *pick]) == 0
    assert "resuming: 2 of 2 already finished" in capsys.readouterr().err
    assert main(["evaluate", *base, "-p", str(preds), *pick, "--force"]) == 0
    assert "resuming: 1 of 1 already finished" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("run_id", "says"),
    [
        ("", "bad run id '': it is empty"),
        ("a" * 300, "it is 300 characters long, the most is 128"),
        ("ok\n", "use letters, digits"),
    ],
    ids=["empty", "too-long", "newline"],
)
def test_a_run_id_that_cannot_be_a_folder_says_why(
    run_id: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--run-id ''`` became gold-<timestamp>; 300 characters were 'bad characters'."""
    for command in (
        ["run", "-s", "demo", "--agent", "gold"],
        ["evaluate", "-d", "demo", "-p", "gold"],
    ):
        code = main([*command, "--run-id", run_id, "--results-dir", str(tmp_path / "r")])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith("Error: bad run id") and says in err, err
        assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--agent", "scripted", "--model", "gpt-4.1"], "--model does not apply to --agent "
         "scripted (it is for --agent claude or model)"),
        (["--agent", "gold", "--predictions", "p.jsonl"], "--predictions does not apply"),
        (["--agent", "gold", "--agent-command", "true"], "--agent-command does not apply"),
        (["--agent", "gold", "--max-turns", "3"], "--max-turns does not apply to --agent gold"),
        (["--agent", "command", "--agent-command", "true", "--from", "x"], "--from does not apply"),
        (["--agent", "claude", "--model", "m", "--scripts", "."], "--scripts does not apply"),
    ],
    ids=["scripted-model", "gold-predictions", "gold-command", "gold-limits", "command-from",
         "claude-scripts"],
)  # fmt: skip
def test_a_flag_the_chosen_agent_does_not_use_is_an_error(
    flags: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--agent scripted --model gpt-4.1`` ran the scripted model and recorded it as
    gpt-4.1 at $0.00; ``--agent gold --predictions F`` ran gold without a word."""
    (tmp_path / "p.jsonl").write_text("")
    code = main(["run", "-s", "demo", *flags, "--results-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"Error: {says}") and err.count("\n") == 1, err
    assert not (tmp_path / "r").exists()
