"""The instance's own step on the daemon: extension modules its setup compiled into the
work tree keep their code and lose their debug sections; the files the setup left as
checked out are left out of the image and written back as a container starts."""

from __future__ import annotations

import docker
import pytest

from swe_runner.images import installs
from swe_runner.inputs.peers import with_peers
from swe_runner.sandbox.containers import (
    DEFAULT_CONTAINER_LIMITS,
    RESTORE_WORKTREE,
    remove_container,
    start_idle,
)
from swe_runner.sandbox.labels import WORKTREE_LABEL
from swe_runner.task import EnvSpec
from tests.images import daemon
from tests.images.dated_repo import DatedRepo

pytestmark = pytest.mark.docker

# An in-place build, as astropy's `pip install -e .` makes one: with debug information.
SPEC = EnvSpec(
    python="3.11",
    install=("gcc -g -O0 -shared -fPIC -o pkg/_speedups.so pkg/speedups.c",),
)
SECTIONS = "readelf -S --wide pkg/_speedups.so | grep -c '\\.debug_' || true"


def test_a_compiled_extension_in_the_work_tree_is_stripped_of_debug_sections_only(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    repo = DatedRepo(tmp_path_factory.mktemp("ext") / "repo")
    commit = repo.commit(
        "2023-04-01T00:00:00Z",
        {
            ".gitignore": "*.so\n",
            "pkg/speedups.c": "int answer(void) { return 42; }\n",
            "pkg/__init__.py": "",
        },
    )
    (task,) = with_peers([daemon.task("acme__ext-1", commit, "1.0", SPEC, repo="acme/ext")])
    image = daemon.builder(tmp_path_factory).ensure_instance(task, repo.path)
    try:
        out = daemon.run(
            image,
            f"cd /testbed && {SECTIONS} && nm -D pkg/_speedups.so | grep -c ' T answer'"
            " && gcc -g -O0 -shared -fPIC -o /tmp/fresh.so pkg/speedups.c"
            " && readelf -S --wide /tmp/fresh.so | grep -c '\\.debug_' && git status --short",
        )
    finally:
        daemon.remove([image])
        daemon.remove_repository("acme__ext")
    stripped, symbol, fresh, *status = out.split("\n")
    assert (stripped, symbol) == ("0", "1")  # no debug section; the code is there
    assert int(fresh) > 0  # the same build, unstripped, has them
    assert status == [""]  # the work tree is clean: the module is ignored, untracked


# A setup that changes a tracked file, deletes one and makes an ignored one.
SETUP = EnvSpec(
    python="3.11",
    install=("sed -i s/old/new/ setup.cfg && rm gone.txt && mkdir out && echo x > out/made.txt",),
)
CHECK = (
    "cd /testbed && git status --short && git diff --stat | tail -1"
    " && git show HEAD:pkg/data.txt | cmp - pkg/data.txt && readlink link && test -x run.sh"
    " && test ! pkg/data.txt -nt out/made.txt && echo same"  # no newer than what the setup made
)


def test_an_instance_image_leaves_unchanged_files_out_and_a_container_writes_them_back(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    repo = DatedRepo(tmp_path_factory.mktemp("stow") / "repo")
    repo.commit(
        "2023-04-01T00:00:00Z",
        {
            ".gitignore": "out/\n",
            "setup.cfg": "[x]\nvalue = old\n",
            "gone.txt": "bye\n",
            "pkg/__init__.py": "",
            "pkg/data.txt": "".join(f"line {n}\n" for n in range(5000)),
            "run.sh": "#!/bin/sh\necho run\n",
        },
    )
    (repo.path / "link").symlink_to("pkg/__init__.py")
    (repo.path / "run.sh").chmod(0o755)
    commit = repo.commit("2023-04-02T00:00:00Z", {})
    (task,) = with_peers([daemon.task("acme__stow-1", commit, "1.0", SETUP, repo="acme/stow")])
    image = daemon.builder(tmp_path_factory).ensure_instance(task, repo.path)
    container = None
    try:
        own = daemon.written(image)
        made = docker.from_env().images.get(image).attrs
        parent = docker.from_env().images.get(made["Parent"]).attrs
        container = start_idle(image, DEFAULT_CONTAINER_LIMITS, None)
        code, out = container.exec_run(["bash", "-c", CHECK])
        again = container.exec_run(RESTORE_WORKTREE)
        by_entrypoint = daemon.run(image, CHECK)  # `docker run`, no swe-runner in between
    finally:
        if container is not None:
            remove_container(container)
        daemon.remove([image])
        daemon.remove_repository("acme__stow")
    # the image's own layer: what the setup changed or made, the index; no unchanged file
    assert {"testbed/setup.cfg", "testbed/out/made.txt", "testbed/.git/index"} <= own
    assert not own & {f"testbed/{f}" for f in ("pkg/data.txt", "pkg/__init__.py", "run.sh")}
    want = " D gone.txt\n M setup.cfg\n 2 files changed, 1 insertion(+), 2 deletions(-)\n"
    assert (code, out.decode()) == (0, want + "pkg/__init__.py\nsame\n")
    assert again.exit_code == 0
    assert by_entrypoint == want + "pkg/__init__.py\nsame\n"
    # one layer on the snapshot, configured to write the work tree as a container starts
    assert made["RootFS"]["Layers"][:-1] == parent["RootFS"]["Layers"]
    config = made["Config"]
    assert (config["Entrypoint"], config["Cmd"], config["WorkingDir"]) == (
        installs.ENTRYPOINT,
        installs.CMD,
        "/testbed",
    )
    assert config["Labels"][WORKTREE_LABEL] == "stowed"
    assert config["Env"] == parent["Config"]["Env"]
