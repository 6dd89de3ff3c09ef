"""Build, bootstrap, list and prune the three image layers defined under ``containers/``.

``base`` (Debian + Python + git) → ``env`` (one repo/version's dependencies, in /opt/venv)
→ ``instance`` (the repository at the task's base commit, installed, at /testbed).
Each tag ends in a digest of what built it, so unchanged inputs reuse the image and
changed ones rebuild. The base image is built from a pulled Debian image when a registry
answers; otherwise (or with ``base_source="bootstrap"``) it is made offline with debootstrap.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docker.errors

from swe_runner.config import Settings
from swe_runner.errors import ImageError, RepoError
from swe_runner.images import asof, installs, pool, repo, slim, wheels
from swe_runner.images.buildlog import failure_message
from swe_runner.images.disk import KIND_LABEL, KINDS, UNTAGGED, ImageInfo, list_images
from swe_runner.images.history import LAYOUT, Stack
from swe_runner.images.plan import AVAILABLE_PYTHONS, EnvPlan, nearest_python, plan_environment
from swe_runner.images.stack import RepoLayers
from swe_runner.sandbox.containers import connect
from swe_runner.shipped import CONTAINERS_DIR
from swe_runner.task import EnvSpec, Peers, Task

__all__ = [
    "CONTAINERS_DIR",
    "KINDS",
    "KIND_LABEL",
    "EnvBuild",
    "ImageBuilder",
    "ImageInfo",
    "list_images",
    "prune_images",
]

HASH_LABEL = "swe-runner.hash"
# On an environment stored as a delta (pool.py): the hub environment it is a delta on.
DELTA_LABEL = "swe-runner.delta-on"
# On a packages layer (installs.py): the bytes of files it holds (0: the setup adds too
# little to the venv at the environment's commit to be worth a layer, which is then empty).
PACKAGES_LABEL = "swe-runner.packages"
# On an empty packages layer made because the setup failed at the environment's commit: why.
PACKAGES_FAILED = "swe-runner.packages-failed"
# A packages layer is made when the setup adds at least this much to the venv.
PACKAGES_MIN_BYTES = 10_000_000
# The image kind (label) of each image definition that is not a kind of its own.
LAYER_KINDS = {"pack": "repo"}

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:12]


@contextmanager
def _tag_lock(tag: str) -> Iterator[None]:
    """Serialise builds of one tag across worker threads."""
    with _locks_guard:
        lock = _locks.setdefault(tag, threading.Lock())
    with lock:
        yield


def _definition(kind: str) -> Path:
    """``containers/<kind>/``: a Dockerfile and its files, or (``instance``) the scripts of
    the instance's step, which runs in a container (:mod:`installs`)."""
    folder = CONTAINERS_DIR / kind
    if not folder.is_dir() or not any(folder.iterdir()):
        raise ImageError(f"image definition {folder} is missing (is this a full checkout?)")
    return folder


def _definition_bytes(kind: str) -> bytes:
    """Every file of ``containers/<kind>/``, for the tag's digest (a change rebuilds)."""
    folder = _definition(kind)
    return b"\0".join(
        f.name.encode() + b"\0" + f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()
    )


@contextmanager
def _context(kind: str) -> Iterator[Path]:
    """A build context holding ``containers/<kind>/``, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"swe-runner-{kind}-") as tmp:
        shutil.copytree(_definition(kind), tmp, dirs_exist_ok=True)
        yield Path(tmp)


def _base_packages() -> list[str]:
    text = (CONTAINERS_DIR / "base" / "packages.txt").read_text()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True)
class EnvBuild:
    """An environment image and the plan it holds (its fallback, when that was built)."""

    tag: str
    plan: EnvPlan
    built: bool  # False: it was there already


class ImageBuilder:
    """Makes sure the images a task needs exist, building only what is missing.

    ``notify`` receives one-line human messages (what is being built, fallbacks taken).
    Safe to share between worker threads.
    """

    def __init__(
        self,
        settings: Settings,
        notify: Callable[[str], None] = lambda _: None,
        *,
        no_cache: bool = False,
        packages_min_bytes: int = PACKAGES_MIN_BYTES,
    ):
        self.settings = settings
        self.notify = notify
        self.packages_min_bytes = packages_min_bytes
        # Run every step of each build, as ``docker build --no-cache`` (an image that
        # holds the step's result elsewhere is not reused): what a first build takes.
        self.no_cache = no_cache
        self.client = connect()
        self._layers: dict[tuple[str, str], RepoLayers] = {}
        self._envs_of: dict[tuple[str, EnvSpec, str | None, str], str] = {}
        self._packages_tried: set[str] = set()  # packages layers made (or tried) here

    # -- tags ---------------------------------------------------------------------------
    def base_tag(self, python: str) -> str:
        suite = self._debian_suite(python)
        digest = _digest(_definition_bytes("base"), *_base_packages())
        return f"swe-runner-base:{suite}-{digest}"

    def system_tag(self, base: str, packages: tuple[str, ...]) -> str:
        """The tag of ``base`` with Debian ``packages`` installed."""
        digest = _digest(base, _definition_bytes("system"), *packages)
        return f"swe-runner-base:system-{digest}"

    def env_tag(self, spec: EnvSpec, plan: EnvPlan, parent: str | None = None) -> str:
        """The environment image's tag; ``parent``: the image it is built on when not the
        base image (with the plan's Debian packages): a thin instance image's layers."""
        base = parent or spec.base_image or self.base_tag(plan.python)
        if plan.system_packages and parent is None:
            base = self.system_tag(base, plan.system_packages)
        reqs = "\n".join(plan.packages)
        conda = "\n".join(plan.conda_packages)
        key = _digest(base, _definition_bytes("env"), reqs, conda, plan.as_of or "")
        if plan.repo_requirements:  # a layer of its own on the environment
            bare = f"swe-runner-env:py{plan.python}-{key}"
            key = _digest(bare, _definition_bytes("reqs"), "\n".join(plan.repo_requirements))
        return f"swe-runner-env:py{plan.python}-{key}"

    def instance_tag(self, task: Task, spec: EnvSpec) -> str:
        """The tag of ``task``'s instance image: a digest of everything that builds it
        (the environment's inputs included, so it is known before the environment is)."""
        key = _digest(
            spec.base_image or self.base_tag(nearest_python(spec.python)),
            _definition_bytes("env"),
            "\n".join(spec.packages),
            *spec.conda_env_files,
            self.settings.packages_as_of,
            task.environment_setup_commit or task.created_at,
            task.repo,
            task.base_commit,
            _install_script(spec),
            *(_definition_bytes(kind) for kind in ("repo", "pack", "snapshot", "instance")),
            LAYOUT,
            Path(installs.__file__).read_bytes(),
            str(self.packages_min_bytes),
            *task.peers.chain,
            "\0",
            *task.peers.env,
            "\0",
            *task.peers.env_setup,
            *_hub_parts(task),
        )
        return f"swe-runner-instance:{task.instance_id[:100].lower()}-{key}"

    def delta_tag(self, parent: str, spec: EnvSpec, plan: EnvPlan) -> str:
        """The tag of ``plan``'s environment stored as a delta on ``parent`` (the hub
        environment with the packs above it): a digest of both."""
        fresh = self.env_tag(spec, plan)
        how = Path(pool.__file__).read_bytes()  # a change in how deltas are made rebuilds
        key = _digest(parent, fresh, _definition_bytes("delta"), how)
        return f"swe-runner-env:py{plan.python}-{key}"

    def packages_tag(self, env: str, commit: str, script: str, repo_name: str) -> str:
        """The tag of the packages layer (:mod:`installs`) on ``env``: what the setup
        ``script`` (:func:`packages_script`) adds to the venv at ``commit``, G (the newest
        commit every instance on the environment descends from)."""
        key = _digest(
            env,
            commit,
            script,
            _definition_bytes("instance"),
            _definition_bytes("delta"),
            Path(pool.__file__).read_bytes(),
            Path(installs.__file__).read_bytes(),
            str(self.packages_min_bytes),
        )
        return f"swe-runner-packages:{repo_name[:80]}-{commit[:12]}-{key}"

    def _debian_suite(self, python: str) -> str:
        suite = AVAILABLE_PYTHONS.get(python)
        if suite is None:
            raise ImageError(
                f"Python {python} is not available offline (Debian ships "
                f"{', '.join(AVAILABLE_PYTHONS)}): set the spec's base_image to an image "
                "with that Python, or pass --python"
            )
        return suite

    # -- ensure -------------------------------------------------------------------------
    def exists(self, tag: str) -> bool:
        try:
            self.client.images.get(tag)
        except docker.errors.ImageNotFound:
            return False
        return True

    def size(self, tag: str) -> int:
        """The image's size in bytes (its layers shared with others included)."""
        return int(self.client.images.get(tag).attrs.get("Size") or 0)

    def build_seconds(self, tag: str) -> float | None:
        """How long building ``tag`` took, from its build log (None: not built here)."""
        try:
            text = self._log_path(tag).read_text()
        except OSError:
            return None
        # the last: an instance on a packages layer logs its delta's build, then its own
        found = re.findall(r"^swe-runner: build took (\d+) s$", text, re.MULTILINE)
        return float(found[-1]) if found else None

    def _log_path(self, tag: str) -> Path:
        return self.settings.cache_dir / "logs" / f"{tag.replace(':', '_')}.log"

    def ensure_base(self, python: str) -> str:
        tag = self.base_tag(python)
        with _tag_lock(tag):
            if not self.exists(tag):
                self._make_base(tag, self._debian_suite(python))
        return tag

    def ensure_env(self, spec: EnvSpec, plan: EnvPlan, parent: str | None = None) -> str:
        """The environment image of ``plan`` (or of its fallback: see :meth:`build_env`),
        on ``parent`` (default: the base image)."""
        return self.build_env(spec, plan, parent).tag

    def build_env(self, spec: EnvSpec, plan: EnvPlan, parent: str | None = None) -> EnvBuild:
        """Make sure ``plan``'s environment image exists; says which plan it holds.

        A plan with a fallback (a compiled project pinned to a release with no wheel for
        the Python used) is built as the fallback, whose notes say what it changed: such
        a pin would be compiled from source, which for the official specs' old numpy and
        scipy takes the better part of an hour and then fails (no BLAS, today's compilers).

        Raises:
            ImageError: the build failed.
        """
        chosen = plan.fallback or plan
        tag = self.env_tag(spec, chosen, parent)
        with _tag_lock(tag):
            if self.exists(tag):
                return EnvBuild(tag, chosen, built=False)
            if plan.fallback is not None:
                swaps = [n for n in plan.fallback.notes if n not in plan.notes]
                self.notify(f"{tag}: no wheel for Python {chosen.python}: {'; '.join(swaps)}")
            if not chosen.repo_requirements:
                self._make_env(spec, chosen, tag, parent)
                return EnvBuild(tag, chosen, built=True)
            bare = self.env_tag(spec, replace(chosen, repo_requirements=()), parent)
            with _tag_lock(bare):
                if not self.exists(bare):
                    self._make_env(spec, chosen, bare, parent)
            self._add_repo_requirements(chosen, bare, tag)
        return EnvBuild(tag, chosen, built=True)

    def _add_repo_requirements(self, plan: EnvPlan, env: str, tag: str) -> None:
        """``env`` with the repository's requirements file installed (containers/reqs)."""
        with _context("reqs") as ctx:
            (ctx / "repo-requirements.txt").write_text("\n".join(plan.repo_requirements) + "\n")
            (ctx / "requirements.txt").write_text("\n".join(plan.packages) + "\n")
            self._write_ca(ctx)
            self.notify(f"building environment image {tag}: the repository's requirements")
            self._build(ctx, tag, "env", {"PARENT": env})

    def _make_env(self, spec: EnvSpec, plan: EnvPlan, tag: str, parent: str | None = None) -> None:
        base = parent or self._system_base(spec, plan)
        with _context("env") as ctx:
            (ctx / "requirements.txt").write_text("\n".join(plan.packages) + "\n")
            (ctx / "conda.txt").write_text("\n".join(plan.conda_packages) + "\n")
            self._write_ca(ctx)
            when = f", packages as of {plan.as_of}" if plan.as_of else ""
            self.notify(f"building environment image {tag} (Python {plan.python}{when})")
            for note in plan.notes:
                self.notify(f"{tag}: {note}")
            args = {"BASE_IMAGE": base, "UPLOADED_PRIOR_TO": plan.as_of or ""}
            self._build(ctx, tag, "env", args)

    def _system_base(self, spec: EnvSpec, plan: EnvPlan) -> str:
        """The base image with the plan's Debian packages, when it has some."""
        base = spec.base_image or self.ensure_base(plan.python)
        if plan.system_packages:
            base = self._ensure_system(base, plan.system_packages)
        return base

    def _ensure_system(self, base: str, packages: tuple[str, ...]) -> str:
        tag = self.system_tag(base, packages)
        with _tag_lock(tag):
            if not self.exists(tag):
                self.notify(f"building {tag}: {base} with Debian's {' '.join(packages)}")
                with _context("system") as ctx:
                    args = {"BASE_IMAGE": base, "PACKAGES": " ".join(packages)}
                    self._build(ctx, tag, "base", args)
        return tag

    def plan(self, task: Task, spec: EnvSpec, local: Path | None) -> EnvPlan:
        """What ``task``'s environment installs and as of when (see :mod:`plan`);
        ``local`` is its repository, None when it is not at hand."""
        s = self.settings
        cache = s.cache_dir / "pypi-upload-dates.json"

        def date_pins(
            wanted: list[tuple[str, str]],
        ) -> tuple[dict[tuple[str, str], Any], list[str]]:
            return asof.pypi_upload_dates(wanted, cache, s.ca_bundle)

        def releases_of(name: str) -> wheels.Releases:
            return wheels.pypi_releases(name, s.cache_dir, s.ca_bundle)

        plan = plan_environment(
            task, spec, local, date_pins if s.packages_as_of == "task" else None, releases_of
        )
        return self._with_hub_system(task, spec, plan, local)

    def _with_hub_system(
        self, task: Task, spec: EnvSpec, plan: EnvPlan, local: Path | None
    ) -> EnvPlan:
        """``plan`` on its hub's Debian packages when its own are some of them: its
        environment then stands on the hub's system image, stored as a delta on the hub's
        (:mod:`pool`), where it would otherwise be a full image of its own. The packages
        it gains are libraries and tools no package it installs was built to need (its own
        conda file does not name them); its notes say which."""
        hub = task.peers.hub
        if hub is None or hub.env_spec is None or _same_setup(hub, task):
            return plan
        hub_plan = self.plan(hub, hub.env_spec, local)
        if (hub.env_spec.base_image, hub_plan.python) != (spec.base_image, plan.python):
            return plan
        theirs, mine = hub_plan.system_packages, plan.system_packages
        if not set(mine) < set(theirs):  # a subset of the hub's, not all of them
            return plan
        gained = sorted(set(theirs) - set(mine))
        note = (
            f"Debian packages of the environment of {hub.instance_id} used, of which "
            f"its own are some (also: {' '.join(gained)})"
        )
        fallback = plan.fallback and replace(
            plan.fallback, system_packages=theirs, notes=(*plan.fallback.notes, note)
        )
        return replace(plan, system_packages=theirs, notes=(*plan.notes, note), fallback=fallback)

    def ensure_instance(self, task: Task, source: Path | None) -> str:
        """The instance image of ``task``; ``source`` is its repository (a clone or series).

        ``source`` is the suite's own source of the repository, if any; an explicit
        ``repo_sources`` setting, then ``mirror_dir``, then GitHub are used otherwise
        (:func:`repo.locate`).

        Raises:
            ImageError: the task has no environment spec, or a build failed.
            RepoError: the repository is unreachable or lacks the base commit.
        """
        spec = task.env_spec
        if spec is None:
            raise ImageError(
                f"no environment spec for {task.repo} version {task.version!r}: give one "
                "with --specs FILE (YAML/JSON), or install the official swebench package"
            )
        tag = self.instance_tag(task, spec)
        digest = tag.rsplit("-", 1)[-1]
        with _tag_lock(digest):  # instances at one commit share an image: build it once
            if self.exists(tag):
                return tag
            twin = self.client.images.list(filters={"label": [f"{HASH_LABEL}={digest}"]})
            if twin:
                twin[0].tag(*tag.split(":"))
                return tag
            s = self.settings
            where = repo.locate(task.repo, s.repo_sources, s.mirror_dir, source)
            local = repo.obtain(where, task.base_commit, s.cache_dir)
            self._build_instance(task, spec, local, tag)
        return tag

    def _build_instance(self, task: Task, spec: EnvSpec, local: Path, tag: str) -> None:
        """Build ``tag`` on its shared layers (:mod:`swe_runner.images.history`): the
        repository's yearly packs, the environment, its packages layer, the chain of
        snapshots."""
        layers, stack = self._stack(task, local)
        plan = self.plan(task, spec, local)
        env, packages, snapshot = self._shared_tags(task, layers, stack, spec, plan)
        if not self.exists(snapshot):  # the chain's first instance here: its shared layers
            env = self.build_env_for(task, spec, plan, local).tag
            packages = self._ensure_packages(layers, stack, packages_script(task, spec), env)
            below = stack.below_env[-1] if stack.below_env else None
            over = layers.packs(packages, stack.above_env, below)
            top = stack.above_env[-1] if stack.above_env else below
            snapshot = layers.snapshots(over, stack.anchors, top)
        with _context("instance") as ctx:
            layers.instance_context(ctx, stack)
            (ctx / "install.sh").write_text(_install_script(spec))
            self._write_ca(ctx)
            self.notify(f"building instance image {tag}")
            # the snapshot carries the packages layer's label (an image inherits its labels)
            on = (env, packages) if self._packages_held(snapshot) else None
            self._instance_step(ctx, tag, snapshot, stack.commit, on)

    def _packages_held(self, image: str) -> int:
        """The bytes of the packages layer under ``image`` (0: none, or an empty one)."""
        return int(self.client.images.get(image).labels.get(PACKAGES_LABEL) or 0)

    def _ensure_packages(self, layers: RepoLayers, stack: Stack, script: str, env: str) -> str:
        """The packages layer on ``env`` (:mod:`installs`), built unless it exists: the
        setup ``script`` run at the environment's commit (G, which every instance on it
        descends from), then what it added to the venv stored as a delta on the
        environment's, when that is at least ``packages_min_bytes``; else an image with no
        layer of its own."""
        commit = stack.env_base
        tag = self.packages_tag(env, commit, script, layers.name)
        with _tag_lock(tag):
            if self.exists(tag):
                if PACKAGES_FAILED not in self.client.images.get(tag).labels:
                    return tag
                if tag in self._packages_tried:
                    return tag  # failed in this builder's time already: once is enough
                # the setup failed there before (the network, maybe): try again; what
                # already stands on the empty layer keeps it, an image inherits its labels
                self.client.images.remove(tag)
            self._packages_tried.add(tag)
            with _context("instance") as ctx:
                below = stack.below_env[-1] if stack.below_env else None
                layers.pack_into(commit, below, ctx)  # the history the environment lacks
                (ctx / "packed-refs").write_text("")
                (ctx / "install.sh").write_text(script)
                self._write_ca(ctx)
                self.notify(f"installing the project at {commit[:12]} on {env}")
                log_path = self._log_path(f"{tag}-setup")  # the layer's build logs its own
                log_path.parent.mkdir(parents=True, exist_ok=True)
                with installs.run_setup(self.client, env, ctx, commit, log_path) as setup:
                    failed = setup.failure(tag)
                    if failed:  # an old commit may not install: no layer
                        self.notify(f"no packages layer for {env}: {failed}")
                    self._make_packages(None if failed else setup.container, env, tag, failed[:200])
        return tag

    def _make_packages(self, source: Any, env: str, tag: str, failed: str) -> None:
        """``tag``: what the setup's container ``source`` (None: it failed) added to
        ``env``'s venv, as a layer on ``env``, or an image with no layer of its own."""
        with _context("delta") as ctx:
            under = pool.manifest(self.client, env)
            want, held = (under, 0)
            if source is not None:
                want, held = pool.write_delta(self.client, source, under, ctx)
            if held < self.packages_min_bytes:  # an image with no layer of its own
                want, held = under, 0
                (ctx / "Dockerfile").write_text("ARG PARENT\nFROM ${PARENT}\n")
            self.notify(f"building packages layer {tag}: {held / 1e6:,.0f} MB on {env}")
            labels = {PACKAGES_LABEL: str(held), **({PACKAGES_FAILED: failed} if failed else {})}
            self._build(ctx, tag, "env", {"PARENT": env}, labels)
        self._check_venv(tag, want, f"the setup's venv on {env}" if source else env)

    def _check_venv(self, tag: str, want: pool.Manifest, fresh: str) -> None:
        """Remove ``tag`` and fail unless its venv is ``want`` (``fresh``'s), file for file."""
        got = pool.manifest(self.client, tag)
        if got != want:
            self.client.images.remove(tag, force=True)
            wrong = "; ".join(pool.differences(want, got))
            raise ImageError(f"{tag}: its /opt/venv is not the one of {fresh}: {wrong}")

    def _instance_step(
        self, ctx: Path, tag: str, snapshot: str, commit: str, on: tuple[str, str] | None
    ) -> None:
        """Build ``tag`` on ``snapshot``: the instance's step run at ``commit`` in a
        container, committed as one layer (:mod:`installs`). ``on``: the environment and
        the packages layer on it that ``snapshot`` stands on; the step then runs with the
        environment's venv, the venv a build without the packages layer makes, which
        becomes a delta on the packages layer's, checked file for file."""
        log_path = self._log_path(tag)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        env, packages = on or (None, "")
        with installs.run_setup(self.client, snapshot, ctx, commit, log_path, env) as setup:
            if setup.status != 0:
                raise ImageError(setup.failure(tag))
            digest = tag.rsplit("-", 1)[-1]
            labels = {KIND_LABEL: "instance", HASH_LABEL: f"{digest}-setup" if on else digest}
            first = installs.committed(self.client, setup, snapshot, labels)
            if on is None:
                self.client.images.get(first).tag(*tag.rsplit(":", 1))
            else:
                ran = log_path.read_text()
                try:
                    with _context("delta") as delta:
                        hub = self._venv_of(packages if self.exists(packages) else snapshot)
                        want, held = pool.write_delta(self.client, setup.container, hub, delta)
                        self._build(delta, tag, "instance", {"PARENT": first}, last=False)
                except BaseException:
                    self.client.images.remove(first, force=True)
                    raise
                finally:  # the delta's build log after the setup's
                    built = log_path.read_text() if log_path.exists() else ""
                    log_path.write_text(ran + built)
        own = ""
        if on is not None:
            self._check_venv(tag, want, f"the setup's venv on {env}")
            own = f"{held / 1e6:,.1f} MB of venv files"
            with log_path.open("a") as log:
                log.write(f"{own} on {packages}\n")
        took = time.monotonic() - started
        with log_path.open("a") as log:
            log.write(f"swe-runner: build took {took:.0f} s\n")
        self.notify(f"built {tag} in {took:.0f} s" + (f" ({own} its own)" if own else ""))

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one per builder, a packages layer each
    def _venv_of(self, image: str) -> pool.Manifest:
        return pool.manifest(self.client, image)

    def _system_base_tag(self, spec: EnvSpec, plan: EnvPlan) -> str:
        """The tag :meth:`_system_base` returns, worked out without the daemon."""
        base = spec.base_image or self.base_tag(plan.python)
        return self.system_tag(base, plan.system_packages) if plan.system_packages else base

    def _shared_tags(
        self, task: Task, layers: RepoLayers, stack: Stack, spec: EnvSpec, plan: EnvPlan
    ) -> tuple[str, str, str]:
        """The tags of the environment, the packages layer on it and the snapshot an
        instance image stands on, worked out without the daemon (as :meth:`build_env_for`,
        :meth:`_ensure_packages` and :class:`RepoLayers` build them)."""
        base = self._system_base_tag(spec, plan)
        chosen = plan.fallback or plan
        hub = self._hub(task, layers, stack, spec, plan)
        if hub is None:
            under = layers.packs_tag(layers.root_tag(base), stack.below_env)
            env = self.env_tag(spec, chosen, parent=under)
        else:
            under = layers.packs_tag(layers.root_tag(base), hub.stack.below_env)
            hub_env = self.env_tag(hub.spec, hub.plan.fallback or hub.plan, parent=under)
            env = layers.packs_tag(hub_env, stack.below_env[len(hub.stack.below_env) :])
            if not hub.same(self, spec, chosen):
                env = self.delta_tag(env, spec, chosen)
        script = packages_script(task, spec)
        packages = self.packages_tag(env, stack.env_base, script, layers.name)
        snapshot = layers.snapshots_tag(layers.packs_tag(packages, stack.above_env), stack.anchors)
        return env, packages, snapshot

    def build_env_for(self, task: Task, spec: EnvSpec, plan: EnvPlan, local: Path) -> EnvBuild:
        """``task``'s environment image where its instance image stands on it: on the
        repository's history up to the environment's yearly point (``local``: the clone);
        for a task with a hub (:mod:`pool`), the hub's environment there, the history up
        to the task's own point above it, then the task's environment as a delta."""
        layers, stack = self._stack(task, local)
        root = layers.root(self._system_base(spec, plan))
        hub = self._hub(task, layers, stack, spec, plan)
        if hub is None:
            return self.build_env(spec, plan, parent=layers.packs(root, stack.below_env, None))
        below = hub.stack.below_env
        made = self.build_env(hub.spec, hub.plan, parent=layers.packs(root, below, None))
        over = layers.packs(made.tag, stack.below_env[len(below) :], below[-1] if below else None)
        chosen = plan.fallback or plan
        if hub.same(self, spec, chosen):
            return EnvBuild(over, chosen, built=made.built)
        tag = self.delta_tag(over, spec, chosen)
        with _tag_lock(tag):
            if self.exists(tag):
                return EnvBuild(tag, chosen, built=False)
            # What a fresh build makes: the environment where it stood before it had a hub
            # when it is there, else built on the base image alone (and removed after).
            mine = layers.packs_tag(
                layers.root_tag(self._system_base_tag(spec, plan)), stack.below_env
            )
            there = self.env_tag(spec, chosen, parent=mine)
            fresh = (
                EnvBuild(there, chosen, False) if self.exists(there) else self.build_env(spec, plan)
            )
            self._make_delta(fresh.tag, made.tag, over, tag)
            if fresh.built:  # its files are in the delta now
                self.client.images.remove(fresh.tag)
        return EnvBuild(tag, chosen, built=True)

    def _make_delta(self, fresh: str, hub: str, parent: str, tag: str) -> None:
        """Build ``tag`` on ``parent``: ``fresh``'s venv as what differs from ``hub``'s;
        then check that its venv is ``fresh``'s, file for file."""
        with _context("delta") as ctx:
            want, held = pool.write_delta(self.client, fresh, pool.manifest(self.client, hub), ctx)
            self.notify(
                f"building environment image {tag}: {fresh} as {held / 1e6:,.0f} MB of "
                f"files on {hub}"
            )
            self._build(ctx, tag, "env", {"PARENT": parent}, {DELTA_LABEL: hub})
        self._check_venv(tag, want, fresh)

    def _hub(
        self, task: Task, layers: RepoLayers, stack: Stack, spec: EnvSpec, plan: EnvPlan
    ) -> _Hub | None:
        """The hub ``task``'s environment is stored on (``stack``: its layers), when it has
        one on the same Python, base image and Debian packages, whose history lies below
        its own."""
        hub = task.peers.hub
        if hub is None or hub.env_spec is None:
            return None
        hub_plan = self.plan(hub, hub.env_spec, layers.local)
        mine, theirs = plan.fallback or plan, hub_plan.fallback or hub_plan
        if (mine.python, mine.system_packages, spec.base_image) != (
            theirs.python,
            theirs.system_packages,
            hub.env_spec.base_image,
        ):
            return None
        try:
            full = repo.git_in(layers.local, "rev-parse", f"{hub.base_commit}^{{commit}}")
        except RepoError:
            return None
        hub_stack = layers.plan(full.strip(), self._chain_peers(hub, layers.local))
        if stack.below_env[: len(hub_stack.below_env)] != hub_stack.below_env:
            return None
        return _Hub(hub.env_spec, hub_plan, hub_stack)

    def _stack(self, task: Task, local: Path) -> tuple[RepoLayers, Stack]:
        layers = self._repo_layers(task.repo, local)
        full = repo.git_in(local, "rev-parse", f"{task.base_commit}^{{commit}}")
        return layers, layers.plan(full, self._chain_peers(task, local))

    def _chain_peers(self, task: Task, local: Path) -> Peers:
        """``task``'s peers, its chain narrowed to the tasks whose environment image is
        its own (a chain stands on one environment image)."""
        peers, spec = task.peers, task.env_spec
        if not peers.chain_setups or spec is None:
            return peers
        mine = self._env_of(task, spec, local)
        kept = []
        for commit, setup, created in peers.chain_setups:
            peer = task.model_copy(
                update={
                    "base_commit": commit,
                    "environment_setup_commit": setup or None,
                    "created_at": created,
                }
            )
            if commit == task.base_commit or self._env_of(peer, spec, local) == mine:
                kept.append((commit, setup, created))
        return peers.model_copy(update={"chain_setups": tuple(kept)})

    def _env_of(self, task: Task, spec: EnvSpec, local: Path) -> str:
        """The tag of the environment image ``task``'s plan makes (on the base image),
        for each environment commit and date planned once."""
        setup = task.environment_setup_commit
        key = (task.repo, spec, setup, "" if setup else task.created_at)
        with _locks_guard:
            if key in self._envs_of:
                return self._envs_of[key]
        plan = self.plan(task, spec, local)
        tag = self.env_tag(spec, plan.fallback or plan)
        with _locks_guard:
            self._envs_of[key] = tag
        return tag

    def _repo_layers(self, name: str, local: Path) -> RepoLayers:
        with _locks_guard:
            key = (name, str(local))
            if key not in self._layers:
                self._layers[key] = RepoLayers(self, name, local)
            return self._layers[key]

    # -- shared layers (the LayerMaker of images/stack.py) ------------------------------
    def layer_tag(self, kind: str, name: str, *parts: str | bytes) -> str:
        """A layer image's tag: ``name`` and a digest of ``parts`` and its definition."""
        return f"swe-runner-{kind}:{name[:100].lower()}-{_digest(*parts, _definition_bytes(kind))}"

    def ensure_built(
        self, kind: str, tag: str, args: dict[str, str], fill: Callable[[Path], None] | None
    ) -> str:
        """``tag`` built from ``containers/<kind>/`` with ``args`` unless it exists;
        ``fill`` adds the rest of the build context."""
        with _tag_lock(tag):
            if self.exists(tag):
                return tag
            with _context(kind) as ctx:
                if fill is not None:
                    fill(ctx)
                self._build(ctx, tag, LAYER_KINDS.get(kind, kind), args)
        return tag

    # -- builds -------------------------------------------------------------------------
    def _write_ca(self, ctx: Path) -> None:
        """The user's extra CA bundle (empty when none), trusted by this build only."""
        ca = self.settings.ca_bundle
        (ctx / "extra-ca.pem").write_bytes(ca.read_bytes() if ca else b"")

    def _build(
        self,
        ctx: Path,
        tag: str,
        kind: str,
        args: dict[str, str],
        labels: dict[str, str] | None = None,
        *,
        last: bool = True,
    ) -> None:
        """Build ``tag`` from ``ctx``, its output in its build log; ``last``: the image is
        done (said so), not a step of its build."""
        log_path = self._log_path(tag)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        lines: list[str] = []
        error = None
        started = time.monotonic()
        try:
            stream = self.client.api.build(
                path=str(ctx),
                tag=tag,
                buildargs=args,
                rm=True,
                forcerm=True,
                nocache=self.no_cache,
                decode=True,
                labels={KIND_LABEL: kind, HASH_LABEL: tag.rsplit("-", 1)[-1], **(labels or {})},
            )
            for chunk in stream:
                lines.append(chunk.get("stream", ""))
                error = chunk.get("error") or error
        except docker.errors.APIError as exc:
            error = str(exc.explanation)
        took = time.monotonic() - started
        log_path.write_text(
            "".join(lines)
            + (f"\nERROR: {error}\n" if error else "")
            + f"\nswe-runner: build took {took:.0f} s\n"
        )
        if error:
            raise ImageError(failure_message(tag, error, "".join(lines), log_path))
        if last:
            self.notify(f"built {tag} in {took:.0f} s")

    def _make_base(self, tag: str, suite: str) -> None:
        source = self.settings.base_source
        if source in ("auto", "pull"):
            upstream = self.settings.base_upstream.replace("bookworm", suite)
            try:
                self.client.images.pull(upstream)
            except docker.errors.APIError as exc:
                if source == "pull":
                    raise ImageError(f"cannot pull {upstream}: {exc.explanation}") from None
                self.notify(
                    f"no registry reachable for {upstream}; bootstrapping the base "
                    f"image offline with debootstrap (about a minute)"
                )
            else:
                self.notify(f"building base image {tag} from {upstream}")
                with tempfile.TemporaryDirectory(prefix="swe-runner-base-") as tmp:
                    shutil.copytree(CONTAINERS_DIR / "base", tmp, dirs_exist_ok=True)
                    self._build(Path(tmp), tag, "base", {"UPSTREAM": upstream})
                return
        else:
            self.notify(f"bootstrapping base image {tag} offline with debootstrap")
        self._bootstrap(tag, suite)

    def _bootstrap(self, tag: str, suite: str) -> None:
        if shutil.which("debootstrap") is None:
            raise ImageError(
                "no registry and no debootstrap: install it (apt-get install "
                "debootstrap) or make a registry reachable"
            )
        if os.geteuid() != 0:
            raise ImageError("bootstrapping the base image with debootstrap needs root")
        self.settings.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.settings.cache_dir, prefix=".rootfs-") as tmp:
            rootfs, archive = Path(tmp) / "rootfs", Path(tmp) / "rootfs.tar"
            cmd = [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(_base_packages())}",
                suite,
                str(rootfs),
                self.settings.debian_mirror,
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
                raise ImageError(f"debootstrap failed: {' | '.join(tail)}")
            shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
            slim.slim_rootfs(rootfs, (CONTAINERS_DIR / "base" / "dpkg-excludes").read_text())
            subprocess.run(
                ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(archive), "."], check=True
            )
            repository, _, version = tag.partition(":")
            changes = [
                'CMD ["bash"]',
                "ENV LANG=C.UTF-8",
                f"LABEL {KIND_LABEL}=base {HASH_LABEL}={version.rsplit('-', 1)[-1]}",
            ]
            self.client.api.import_image_from_file(
                str(archive), repository=repository, tag=version, changes=changes
            )
        if not self.exists(tag):
            raise ImageError(f"importing the bootstrapped base image as {tag} failed")


@dataclass(frozen=True)
class _Hub:
    """The hub environment a task's environment is stored on as a delta (:mod:`pool`)."""

    spec: EnvSpec
    plan: EnvPlan
    stack: Stack  # the hub task's own

    def same(self, builder: ImageBuilder, spec: EnvSpec, plan: EnvPlan) -> bool:
        """Whether ``plan``'s environment is the hub's, whatever it stands on."""
        return builder.env_tag(spec, plan) == builder.env_tag(
            self.spec, self.plan.fallback or self.plan
        )


def _same_setup(one: Task, other: Task) -> bool:
    """Whether two tasks plan their environments from the same commits (the hub itself, or
    a peer of a chain standing for it)."""
    return (one.base_commit, one.environment_setup_commit) == (
        other.base_commit,
        other.environment_setup_commit,
    )


def _hub_parts(task: Task) -> tuple[str, ...]:
    """What of ``task``'s hub its instance image's tag digests (:mod:`pool`)."""
    hub = task.peers.hub
    if hub is None:
        return ()
    spec = hub.env_spec
    return (
        "\0hub",
        _definition_bytes("delta").decode(),
        hub.base_commit,
        hub.environment_setup_commit or hub.created_at,
        spec.model_dump_json() if spec is not None else "",
        *hub.peers.chain,
        "\0",
        *hub.peers.env,
    )


def _install_script(spec: EnvSpec) -> str:
    return _script([*spec.pre_install, *spec.install])


def _script(steps: list[str]) -> str:
    return "\n".join(["set -euxo pipefail", *(steps or [":"])]) + "\n"


def packages_script(task: Task, spec: EnvSpec) -> str:
    """The setup that ``task``'s packages layer runs: its environment's oldest task's
    (:class:`~swe_runner.task.Peers`), one layer for every setup on the environment (an
    instance's own setup runs exactly whatever the layer holds), else its own."""
    if task.peers.env_setup:
        return _script(list(task.peers.env_setup))
    return _install_script(spec)


def removable_name(info: ImageInfo) -> str:
    """What names ``info``'s image to the daemon: its tag, or its id when it has none (an
    image whose tag a rebuild moved on)."""
    return info.image_id if info.tag == UNTAGGED else info.tag


def prune_images(
    kinds: tuple[str, ...], dry_run: bool = False, since: str | None = None
) -> list[ImageInfo]:
    """Remove swe-runner images of ``kinds`` and those built on them (children first: a
    snapshot or a pack layer above a removed environment goes with it); returns what was
    removed. ``since`` ("YYYY-MM-DD HH:MM:SS", UTC): only images of ``kinds`` made then or
    later (what one session built)."""
    client: Any = connect()
    every = list_images(KINDS)
    layers = {
        image.short_id.removeprefix("sha256:"): tuple(image.attrs["RootFS"].get("Layers") or ())
        for image in client.images.list(filters={"label": KIND_LABEL})
    }
    chosen = {i for i in every if i.kind in kinds and (since is None or i.created >= since)}
    roots = [(layers.get(i.image_id, ()), i.created) for i in chosen]

    def on_a_root(info: ImageInfo) -> bool:
        """Built on a chosen image: its layers start with the root's, and it was made no
        earlier (an image with no layer of its own, an empty packages layer, has its
        parent's layers: what stood on that parent before it is not on it)."""
        mine = layers.get(info.image_id, ())
        return any(
            root and mine[: len(root)] == root and info.created >= made for root, made in roots
        )

    doomed = sorted(
        (i for i in every if i in chosen or on_a_root(i)),
        key=lambda i: -len(layers.get(i.image_id, ())),
    )
    removed = []
    for info in doomed:
        if not dry_run:
            try:
                client.images.remove(removable_name(info), force=True)
            except docker.errors.NotFound:
                continue
            except docker.errors.APIError as exc:
                raise ImageError(f"cannot remove {info.tag}: {exc.explanation}") from None
        removed.append(info)
    return removed
