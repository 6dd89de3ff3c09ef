"""Images: content-hashed tags, reuse, and no history after the base commit."""

from __future__ import annotations

import contextlib
import json
import shlex
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from swe_runner import patch as patches
from swe_runner.cli.main import main
from swe_runner.config import load_settings
from swe_runner.grading.evaluation import ScriptRun, run_script
from swe_runner.images import repo
from swe_runner.images.build import ImageBuilder, list_images, removable_name
from swe_runner.images.plan import EnvPlan
from swe_runner.inputs.dataset import Dataset
from swe_runner.runtime.docker import DockerRuntime
from swe_runner.task import Task

pytestmark = pytest.mark.docker


def script_run(image: str, script: str, files: dict[str, str], timeout: float) -> ScriptRun:
    """``script`` in a fresh container of ``image`` (offline), as evaluation runs its own."""
    runtime = DockerRuntime(load_settings(None, {"eval_network": "none"}, environ={}), {})
    try:
        return run_script(runtime, image, files, f"bash -c {shlex.quote(script)}", timeout)
    finally:
        runtime.close()


def in_container(image: str, script: str) -> str:
    result = script_run(image, script, {}, timeout=120)
    assert result.exit_code == 0, result.output
    return result.output


def later_commits(demo: Dataset, task: Task) -> list[str]:
    source = repo.materialize(demo.repo_sources[task.repo], Path(tempfile.mkdtemp()))
    ids = [sha for sha, _ in repo.series_commits(source)]
    return ids[ids.index(task.base_commit) + 1 :]


def test_instance_image_reveals_nothing_after_the_base_commit(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    task = next(t for t in demo.tasks if later_commits(demo, t))  # the demo has such tasks
    future = later_commits(demo, task)
    image = demo_images[task.instance_id]
    out = in_container(
        image,
        f"""
        cd /testbed
        echo "== log";     git log --all --format=%H
        echo "== reflog";  git reflog --all
        echo "== refs";    git for-each-ref --format='%(refname)'
        echo "== remotes"; git remote -v
        echo "== stash";   git stash list
        echo "== fsck";    git fsck --lost-found --unreachable --no-progress 2>&1
        echo "== lostfound"; ls .git/lost-found 2>/dev/null || true
        echo "== special"; ls .git/ORIG_HEAD .git/FETCH_HEAD .git/logs 2>/dev/null || true
        echo "== objects"
        for sha in {" ".join(future)}; do
          git cat-file -e "$sha" 2>/dev/null && echo "HAS $sha"
        done
        echo "== head";    git rev-parse HEAD
    """,
    )
    sections = dict(part.split("\n", 1) for part in out.split("== ")[1:])
    # the base commit itself: what the environment setup changed is left uncommitted, as in
    # the published images
    assert sections["head"].split("\n")[0] == task.base_commit
    assert task.base_commit in sections["log"]
    assert not any(sha in out for sha in future)
    assert sections["refs"].split() == ["refs/heads/main"]
    for empty in ("reflog", "remotes", "stash", "fsck", "lostfound", "special", "objects"):
        assert sections[empty].strip() == "", (empty, sections[empty])


def test_instance_image_holds_neither_gold_nor_test_patch(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    for task in demo.tasks:
        added = [
            line[1:].strip()
            for diff in (task.patch, task.test_patch)
            for line in diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        probe = max(added, key=len)  # the most distinctive line either patch adds
        needle = Path(tempfile.mkdtemp()) / "needle"
        needle.write_text(probe)
        out = script_run(
            demo_images[task.instance_id],
            "grep -rlF -f /tmp/needle / --exclude-dir=proc "
            "--exclude-dir=sys --exclude-dir=dev 2>/dev/null | grep -v '^/tmp/needle$'"
            " || true",
            {"/tmp/needle": probe},
            timeout=300,
        )
        assert out.output.strip() == "", (task.instance_id, probe, out.output)


def test_unchanged_inputs_reuse_and_changed_inputs_rebuild(
    demo: Dataset, demo_images: dict[str, str]
) -> None:
    builder = ImageBuilder(load_settings(None, {}, environ={}))
    task = demo.tasks[0]
    assert (
        builder.ensure_instance(task, demo.repo_sources[task.repo]) == demo_images[task.instance_id]
    )
    assert task.env_spec is not None
    changed_install = task.model_copy(
        update={
            "env_spec": task.env_spec.model_copy(
                update={"install": (*task.env_spec.install, "true")}
            )
        }
    )
    changed_deps = task.env_spec.model_copy(update={"packages": ("pytest==8.3.2",)})
    assert (
        builder.instance_tag(changed_install, changed_install.env_spec)
        != demo_images[task.instance_id]
    )
    plan = EnvPlan("3.11", task.env_spec.packages, "2024-01-01T00:00:00Z")
    assert builder.env_tag(task.env_spec, plan) != builder.env_tag(
        changed_deps, replace(plan, packages=changed_deps.packages)
    )
    assert builder.env_tag(task.env_spec, plan) != builder.env_tag(
        task.env_spec, replace(plan, as_of="2025-01-01T00:00:00Z")
    )
    assert builder.instance_tag(task, changed_deps) != demo_images[task.instance_id]
    other = next(t for t in demo.tasks if t.base_commit != task.base_commit)
    assert (
        builder.instance_tag(other, task.env_spec).split(":")[1]
        != demo_images[task.instance_id].split(":")[1]
    )
    assert patches.test_files(task.test_patch)  # the hidden tests touch at least one file


def test_images_list_shows_kinds_and_sizes_and_prune_dry_run_removes_nothing(
    demo_images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["images", "list", "--json"]) == 0
    listed = {row["tag"]: row for row in json.loads(capsys.readouterr().out)}
    for tag in demo_images.values():
        assert listed[tag]["kind"] == "instance" and listed[tag]["size_mb"] > 1
    assert any(row["kind"] == "base" for row in listed.values())
    assert main(["images", "prune", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert all(f"would remove {tag}" in out for tag in demo_images.values())
    assert "swe-runner-base" not in out  # only instance images by default
    # --since: only what was made then or later (a time after every build: nothing)
    assert main(["images", "prune", "--dry-run", "--since", "2000-01-01"]) == 0
    out = capsys.readouterr().out
    assert all(f"would remove {tag}" in out for tag in demo_images.values())
    assert main(["images", "prune", "--dry-run", "--since", "2999-01-01T00:00:00"]) == 0
    assert "would remove" not in capsys.readouterr().out
    assert main(["images", "list", "--json", "--kind", "instance"]) == 0
    assert set(demo_images.values()) <= {r["tag"] for r in json.loads(capsys.readouterr().out)}


def test_no_cache_runs_every_step_of_an_image_built_again(
    demo: Dataset, demo_images: dict[str, str], tmp_path: Path
) -> None:
    """A rebuild without the cache takes no step's result from an image that still holds
    it (here one built on the removed image, keeping its layers): the instance's snapshot,
    built from its Dockerfile (the instance's own step runs in a container, never cached)."""
    import io
    import uuid

    import docker

    task = demo.tasks[0]
    settings = load_settings(None, {"cache_dir": str(tmp_path)}, environ={})
    tag = demo_images[task.instance_id]
    client = docker.from_env()
    (snapshot,) = client.images.get(client.images.get(tag).attrs["Parent"]).tags
    recipe = f"FROM {tag}\nLABEL swe-runner.hash=held-{uuid.uuid4().hex[:8]}\n"
    holder, _ = client.images.build(fileobj=io.BytesIO(recipe.encode()), rm=True)

    def build_log(builder: ImageBuilder) -> str:
        client.images.remove(tag)
        client.images.remove(snapshot)
        assert builder.ensure_instance(task, demo.repo_sources.get(task.repo)) == tag
        return next((tmp_path / "logs").glob("swe-runner-snapshot_*.log")).read_text()

    try:
        assert "Using cache" in build_log(ImageBuilder(settings))  # the holder's layers
        again = build_log(ImageBuilder(settings, no_cache=True))
        assert "Using cache" not in again and "Running in" in again
    finally:
        client.images.remove(holder.id, force=True)


def test_an_untagged_swe_runner_image_is_removed_by_its_id(
    demo_images: dict[str, str],
) -> None:
    """A rebuild moves a tag on and leaves the old image untagged (``<none>``): prune names
    it by its id, where the tag column is no name the daemon takes."""
    import contextlib
    import io
    import uuid

    import docker

    client = docker.from_env()
    recipe = f"FROM {next(iter(demo_images.values()))}\nLABEL test.untagged={uuid.uuid4()}\n"
    image, _ = client.images.build(fileobj=io.BytesIO(recipe.encode()), rm=True)
    try:
        assert not image.tags
        short = image.short_id.removeprefix("sha256:")
        (info,) = [i for i in list_images(("instance",)) if i.image_id == short]
        assert info.tag == "<none>"
        client.images.remove(removable_name(info), force=True)
        with pytest.raises(docker.errors.ImageNotFound):
            client.images.get(image.id)
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(image.id, force=True)


def test_images_list_counts_shared_layers_once(
    demo_images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's 10 instance tags (~370 MB each) share one base and environment: the
    total counts those once (other images on a shared daemon may add their own bases).
    Two tags of one image (instances at one commit share it) are one image."""
    import re

    import docker

    image = docker.from_env().images.get(next(iter(demo_images.values())))
    twin = "swe-runner-instance:twin-of-a-demo-task"

    def listed(*args: str) -> str:
        image.tag(twin)
        try:
            assert main(["images", "list", *args]) == 0
        finally:
            docker.from_env().images.remove(twin)
        return capsys.readouterr().out

    for _ in range(5):  # a shared daemon may gain an image between two listings: list again
        rows = json.loads(listed("--json"))
        out = listed()
        if json.loads(listed("--json")) == rows:
            break
    ours = {r["image_id"]: r for r in rows}
    assert twin in {r["tag"] for r in rows} and len(rows) > len(ours)
    for tag in demo_images.values():
        assert tag in out  # whole, never cut
    caption = re.search(
        r"(\d+) tags of (\d+) images: ([\d,]+) MB on disk = ([\d,]+) MB unique \+ ([\d,]+) MB "
        r"shared \(counted once\)",
        out,
    )
    assert caption is not None, out
    tags, images, total, unique, shared = (int(g.replace(",", "")) for g in caption.groups())
    assert (tags, images) == (len(rows), len(ours))
    usage = docker.from_env().df()
    assert max(r["size_mb"] for r in ours.values()) - 1 <= total
    # every layer on the daemon, once (each image's MB is rounded: up to half a MB each)
    assert total <= usage["LayersSize"] / 1e6 + 1 + len(ours) / 2
    demo = {r["image_id"]: r["size_mb"] for r in rows if r["tag"] in demo_images.values()}
    assert total < sum(r["size_mb"] for r in ours.values()) - sum(demo.values()) / 2
    assert abs(unique + shared - total) <= 1
    # unique sizes are the daemon's own (docker system df -v)
    df = {i["Id"]: i for i in usage["Images"]}
    for row in ours.values():
        (full,) = [i for i in df if i.removeprefix("sha256:").startswith(row["image_id"])]
        expected = (df[full]["Size"] - df[full]["SharedSize"]) / 1e6
        assert row["unique_mb"] == pytest.approx(expected)


def test_prune_since_spares_older_images_on_the_parent_of_a_newer_empty_one(
    demo_images: dict[str, str],
) -> None:
    """An image with no layer of its own (an empty packages layer) has its parent's layers:
    what stood on that parent before it was made is not built on it."""
    import io
    import time
    import uuid

    from swe_runner.images.build import prune_images
    from swe_runner.sandbox.containers import connect

    client, mark = connect(), uuid.uuid4().hex[:8]

    def build(dockerfile: str, tag: str, kind: str) -> str:
        client.images.build(
            fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True,
            labels={"swe-runner.kind": kind, "swe-runner.test": mark},
        )  # fmt: skip
        return tag

    parent = build(f"FROM {next(iter(demo_images.values()))}\nRUN echo {mark} > /p\n",
                   f"swe-runner-env:prune-parent-{mark}", "env")  # fmt: skip
    older = build(f"FROM {parent}\nRUN echo {mark} > /c\n", f"swe-runner-instance:prune-{mark}",
                  "instance")  # fmt: skip
    time.sleep(1.1)  # creation times are compared to the second
    empty = build(f"FROM {parent}\n", f"swe-runner-env:prune-empty-{mark}", "env")
    made = str(client.images.get(empty).attrs["Created"])[:19].replace("T", " ")
    try:
        removed = {info.tag for info in prune_images(("env",), since=made)}
        assert removed == {empty}
        assert client.images.get(older)  # still there
    finally:
        for tag in (older, empty, parent):
            with contextlib.suppress(Exception):
                client.images.remove(tag, force=True)
