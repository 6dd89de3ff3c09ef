"""SWE-bench-format datasets on synthetic repositories: JSONL + --specs + --repo-source /
--mirror-dir, per-instance errors that let the batch go on, and image reuse."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.images import repo
from swe_runner.images.build import ImageBuilder, list_images
from swe_runner.inputs.dataset import load_dataset
from tests.conftest import HOST_CA_BUNDLE, ca_args

pytestmark = pytest.mark.docker

BUGGY = "def add(a, b):\n    return a + b\n\n\ndef mean(xs):\n    return sum(xs) // len(xs)\n"
FIXED = BUGGY.replace("sum(xs) // len(xs)", "sum(xs) / len(xs)")
OLD_TESTS = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
NEW_TESTS = (
    OLD_TESTS.replace("from calc import add\n", "from calc import add, mean\n")
    + "\n\ndef test_mean():\n    assert mean([1, 2]) == 1.5\n"
)
# Same packages as the demo suite: the environment image is shared, no network needed.
SPECS = """
acme/calc:
  "1.0":
    packages: ["pytest==8.3.3", "wheel==0.45.1"]
    test_cmd: "python -m pytest -rA -p no:cacheprovider"
    eval_timeout: 120
  "2.0":
    packages: ["pytest==8.3.3", "wheel==0.45.1"]
    log_parser: no_such_parser
acme/gone:
  "1.0":
    packages: ["pytest==8.3.3", "wheel==0.45.1"]
"""


# Fixed identities and dates: the same commit ids every run, so images are reused.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


def git(cwd: Path, *args: str) -> str:
    who = ["-c", "user.name=t", "-c", "user.email=t@e"]
    done = subprocess.run(
        ["git", *who, *args], cwd=cwd, check=True, capture_output=True, text=True, env=GIT_ENV
    )
    return done.stdout.strip()


def commit(work: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-qm", message)
    return git(work, "rev-parse", "HEAD")


def diff(work: Path, base: str, head: str, *paths: str) -> str:
    return git(work, "diff", base, head, "--", *paths) + "\n"


def record(
    iid: str, base: str, version: str, gold: str, tests: str, **extra: object
) -> dict[str, object]:
    return {
        "instance_id": iid,
        "repo": "acme/calc",
        "base_commit": base,
        "version": version,
        "problem_statement": "mean() of [1, 2] gives 1, not 1.5.",
        "patch": gold,
        "test_patch": tests,
        "FAIL_TO_PASS": json.dumps(["tests/test_calc.py::test_mean"]),
        "PASS_TO_PASS": json.dumps(["tests/test_calc.py::test_add"]),
        **extra,
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An upstream repository (two bug commits, each later fixed), a bare mirror of it,
    a JSONL dataset of good and broken instances, and a specs file."""
    root = tmp_path_factory.mktemp("world")
    work = root / "calc"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    base1 = commit(work, {"calc.py": BUGGY, "tests/test_calc.py": OLD_TESTS}, "calc")
    fixed1 = commit(work, {"calc.py": FIXED, "tests/test_calc.py": NEW_TESTS}, "fix mean")
    regressed = {"calc.py": BUGGY + "\n# regressed\n", "tests/test_calc.py": OLD_TESTS}
    base2 = commit(work, regressed, "regress")
    fixed2 = commit(
        work, {"calc.py": FIXED + "\n# regressed\n", "tests/test_calc.py": NEW_TESTS}, "fix"
    )
    mirror = root / "mirror"
    git(root, "clone", "-q", "--bare", str(work), str(mirror / "acme__calc.git"))
    gold1, tests1 = diff(work, base1, fixed1, "calc.py"), diff(work, base1, fixed1, "tests")
    gold2, tests2 = diff(work, base2, fixed2, "calc.py"), diff(work, base2, fixed2, "tests")
    records = [
        record("acme__calc-1", base1, "1.0", gold1, tests1),
        record("acme__calc-2", base2, "1.0", gold2, tests2),
        record("acme__calc-nospec", base1, "9.9", gold1, tests1),
        record("acme__calc-noparser", base1, "2.0", gold1, tests1),
        record("acme__calc-nocommit", "d" * 40, "1.0", gold1, tests1),
        {**record("acme__gone-1", base1, "1.0", gold1, tests1), "repo": "acme/gone"},
    ]
    (root / "tasks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (root / "specs.yaml").write_text(SPECS)
    return {"root": root, "work": work, "mirror": mirror}


def _args(world: dict[str, Path], results: Path, *more: str) -> list[str]:
    return [
        "--dataset", str(world["root"] / "tasks.jsonl"),
        "--specs", str(world["root"] / "specs.yaml"),
        "--mirror-dir", str(world["mirror"]),
        "--repo-source", "acme/gone=file:///nowhere/acme/gone.git",
        "--results-dir", str(results),
        *ca_args(),
        *more,
    ]  # fmt: skip


def _reports(results: Path, run_id: str) -> dict[str, dict[str, object]]:
    out = {}
    for path in (results / run_id).glob("*/report.json"):
        out.update(json.loads(path.read_text()))
    return out


def test_gold_resolves_the_good_instances_and_each_broken_one_errors_clearly(
    world: dict[str, Path], demo_images: dict[str, str], tmp_path: Path
) -> None:
    results = tmp_path / "r"
    args = _args(world, results, "--predictions", "gold", "--run-id", "gold", "--workers", "2")
    main(["evaluate", *args])
    reports = _reports(results, "gold")
    assert len(reports) == 6  # the batch went on past every broken instance
    assert reports["acme__calc-1"]["outcome"] == "resolved"
    assert reports["acme__calc-2"]["outcome"] == "resolved"
    errors = {iid: str(r["error"]) for iid, r in reports.items() if r["outcome"] == "error"}
    assert "no environment spec for acme/calc version '9.9'" in errors["acme__calc-nospec"]
    assert "--specs" in errors["acme__calc-nospec"]
    assert "no_such_parser" in errors["acme__calc-noparser"]
    assert f"base commit {'d' * 40} is not in repository" in errors["acme__calc-nocommit"]
    assert "cannot clone file:///nowhere/acme/gone.git" in errors["acme__gone-1"]


def test_empty_predictions_resolve_nothing(world: dict[str, Path], tmp_path: Path) -> None:
    results = tmp_path / "r"
    pick = ["--match", r"acme__calc-\d$"]
    main(["evaluate", *_args(world, results, "--predictions", "empty", "--run-id", "e", *pick)])
    reports = _reports(results, "e")
    assert {r["outcome"] for r in reports.values()} == {"empty_patch"} and len(reports) == 2


def test_images_are_shared_by_repo_version_and_reused_across_runs(
    world: dict[str, Path],
    demo_images: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = load_dataset(
        str(world["root"] / "tasks.jsonl"), specs=world["root"] / "specs.yaml"
    ).filter(match=r"acme__calc-\d$")
    settings = load_settings(
        None, {"ca_bundle": HOST_CA_BUNDLE, "mirror_dir": world["mirror"]}, environ={}
    )
    builder = ImageBuilder(settings)
    one, two = data.tasks
    assert one.env_spec is not None and two.env_spec is not None
    local = repo.obtain(str(world["mirror"] / "acme__calc.git"), one.base_commit, tmp_path)
    plans = [builder.plan(t, t.env_spec, local) for t in (one, two)]  # type: ignore[arg-type]
    assert builder.env_tag(one.env_spec, plans[0]) == builder.env_tag(two.env_spec, plans[1])
    messages: list[str] = []
    builder.notify = messages.append
    tags = [builder.ensure_instance(t, None) for t in data.tasks]  # built by the run above, or now
    messages.clear()
    again = [ImageBuilder(settings, messages.append).ensure_instance(t, None) for t in data.tasks]
    assert again == tags and messages == []  # a second run builds nothing
    sizes = {i.tag: i.size_mb for i in list_images(("instance",))}
    assert all(sizes[t] > 0 for t in tags)
    assert main(["images", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert any(row["tag"] == tags[0] and row["size_mb"] > 0 for row in listed)


def test_tasks_validate_on_a_swebench_style_file(
    world: dict[str, Path],
    demo_images: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["tasks", "validate", *_args(world, Path("unused"), "--match", r"acme__calc-\d$")]
    args.remove("--results-dir")
    args.remove("unused")
    assert main([*args, "--known-bad", str(tmp_path / "known-bad.json")]) == 0
    assert "2/2 tasks valid" in capsys.readouterr().out
