"""The instance's own step on the daemon: extension modules its setup compiled into the
work tree keep their code and lose their debug sections."""

from __future__ import annotations

import pytest

from swe_runner.inputs.peers import with_peers
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
