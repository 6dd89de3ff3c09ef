"""The import rules of docs/architecture.md: what may import what, and where vendor SDKs are."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import swe_runner

PACKAGE = Path(swe_runner.__file__).parent
BOTTOM = {"errors", "config", "task", "records", "manifest", "rundir", "runs", "patch"} | {
    "shipped",
    "secret_env",
    "replay_records",
}
# Besides the bottom row (and itself), what each part may import.
ALLOWED: dict[str, set[str]] = {
    "inputs": set(),
    "sandbox": set(),
    "images": {"inputs", "sandbox"},
    "tools": {"sandbox"},
    "models": {"tools"},
    "grading": {"inputs", "sandbox", "runtime.base"},
    "reporting": {"inputs", "grading", "models"},
    "runtime": {"inputs", "sandbox", "images"},
    "agents": {"inputs", "sandbox", "tools", "models"},
    "executors": {"models"},  # the rate limit's interface; jobs and stations are the run's
    "run": {"inputs", "sandbox", "images", "tools", "models", "grading", "reporting"}
    | {"runtime", "agents", "executors"},
    "regrade": {"inputs", "grading", "reporting", "run"},
    "cli": {"inputs", "sandbox", "images", "tools", "models", "grading", "reporting"}
    | {"runtime", "agents", "executors", "run", "regrade"},
}
VENDORS = {
    "docker": {
        "sandbox/containers.py",
        "sandbox/docker.py",
        "sandbox/diskwatch.py",
        "images/build.py",
        "images/official.py",
        "runtime/docker.py",
    },
    "git": {"images/repo.py"},
    "anthropic": {"models/anthropic.py"},
    "openai": {"models/openai.py"},
    "ray": {"executors/ray.py", "executors/ray_nodes.py", "executors/ray_limit.py"},
}
VENDORS["requests"] = VENDORS["docker"]  # docker's transport: its errors are caught there
# Not a runtime dependency (pyproject.toml's dev extra): task containers bring their own.
VENDORS["pytest"] = VENDORS["_pytest"] = set()


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            if node.module == "swe_runner":  # from swe_runner import patch
                found += [f"swe_runner.{alias.name}" for alias in node.names]
    return found


def part(relative: Path) -> str:
    """The part a module belongs to: its subpackage, or its own name at the top."""
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def allowed(source: str, target: str) -> bool:
    """May a module of part ``source`` import ``swe_runner.<target>``?"""
    head = target.split(".")[0]
    if head in BOTTOM or head in ("__version__", source) or target == "":
        return True
    return any(target == rule or target.startswith(f"{rule}.") or head == rule
               for rule in ALLOWED.get(source, set()))  # fmt: skip


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_shipped" not in p.parts)


def test_the_rules_name_every_part() -> None:
    parts = {part(p.relative_to(PACKAGE)) for p in MODULES} - {"__init__", "__main__"}
    assert parts <= BOTTOM | set(ALLOWED), sorted(parts - BOTTOM - set(ALLOWED))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_what_its_layer_may(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    source = part(relative)
    if source in ("__init__", "__main__"):
        return
    wrong = [
        name
        for name in imports(path)
        if (name.startswith("swe_runner.")
        and not allowed(source, name.removeprefix("swe_runner.")))
        # runtime.base is the interface: the docker and fake runtimes stay out of grading
        or (source == "grading" and name.startswith("swe_runner.runtime") and
            name != "swe_runner.runtime.base")
    ]  # fmt: skip
    assert not wrong, f"{relative} ({source}) may not import {wrong}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_vendor_sdk_is_imported_only_where_its_home_is(path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    for name in imports(path):
        vendor = name.split(".")[0]
        if vendor in VENDORS:
            assert relative in VENDORS[vendor], f"{relative} imports {vendor}"


# Docker's plumbing: the modules that talk to the daemon. Outside the parts that own them,
# the world is reached through the Runtime (swe_runner.runtime) and the images package.
DOCKER_PLUMBING = {f"swe_runner.{m}" for m in ("runtime.docker", "sandbox.docker")} | {
    f"swe_runner.sandbox.{m}" for m in ("containers", "diskwatch", "pool")
}
PLUMBERS = {"runtime", "sandbox", "images"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_docker_plumbing_is_reached_only_through_the_runtime_and_images(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    plumbing = sorted(DOCKER_PLUMBING.intersection(imports(path)))
    if part(relative) in PLUMBERS:
        return
    assert not plumbing, f"{relative} imports {plumbing}: go through swe_runner.runtime"


def drawn_floors() -> dict[str, int]:
    """The floor of each part in docs/architecture.md's layer drawing."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = text.split("## Layers", 1)[1].split("```")[1]
    floors: dict[str, int] = {}
    for line in drawing.splitlines():
        number, _, rest = line.partition("│")
        if number.strip().isdigit():
            for name in rest.partition("│")[0].split():
                floors[name.removesuffix("/").removesuffix(".py")] = int(number)
    return floors


def test_the_drawing_s_floors_are_the_code_s() -> None:
    """Every part is drawn, and every import of another part goes down a floor or more;
    a part on floor n > 0 imports some part on floor n - 1 (its floor is earned)."""
    floors = drawn_floors()
    parts = {part(p.relative_to(PACKAGE)) for p in MODULES} - BOTTOM - {"__init__", "__main__"}
    assert set(floors) == parts
    below: dict[str, set[str]] = {name: set() for name in parts}
    for path in MODULES:
        source = part(path.relative_to(PACKAGE))
        for name in imports(path):
            target = name.removeprefix("swe_runner.").split(".")[0]
            if source in floors and target in floors and target != source:
                assert floors[target] < floors[source], f"{path.name}: {source} imports {target}"
                below[source].add(target)
    unearned = [
        p for p in parts if floors[p] and floors[p] - 1 not in {floors[t] for t in below[p]}
    ]
    assert not unearned, unearned


def top_level_imports(path: Path) -> set[str]:
    """The package's modules ``path`` imports at its top level, ``if TYPE_CHECKING:`` blocks
    included (a function's lazy import is left out: it breaks a cycle on purpose)."""
    body = ast.parse(path.read_text()).body
    nodes = [n for n in body if not isinstance(n, ast.If)]
    nodes += [inner for n in body if isinstance(n, ast.If) for inner in n.body]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def module_name(path: Path) -> str:
    dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return dotted.removesuffix(".__init__")


def test_no_two_modules_import_each_other_at_their_top() -> None:
    """Not even for types only: such a loop ties two modules into one (issue 26 broke the
    sandbox interface's with its shell session)."""
    found = {module_name(p): top_level_imports(p) for p in MODULES}
    graph = {name: {t for t in found[name] if t in found and t != name} for name in found}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for target in graph[todo.pop()]:
                if target == goal:
                    return True
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return False

    loops = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if a < b and reaches(b, a))
    assert not loops, loops


@pytest.mark.parametrize(
    ("module", "whole"),
    [
        ("swe_runner.regrade", False),
        ("swe_runner.grading", True),  # whole: with every submodule
        ("swe_runner.reporting", True),
        ("swe_runner.run.pipeline", False),
        ("swe_runner.run.batch", False),
        ("swe_runner.runtime", False),  # the package: open_runtime imports Docker's lazily
        ("swe_runner.runtime.fake", False),
        ("swe_runner.executors", False),  # the package: ray_executor imports Ray's lazily
    ],
)
def test_the_pure_layers_and_the_pipeline_load_no_docker_nor_ray(module: str, whole: bool) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"top = importlib.import_module({module!r})\n"
        f"inside = getattr(top, '__path__', []) if {whole} else []\n"
        "for info in pkgutil.walk_packages(inside, top.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print('docker' in sys.modules, 'ray' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False False", done.stderr
