"""The repository layers of thin instance images, built on the daemon.

:mod:`swe_runner.images.history` says which commits an instance image stacks; this module
makes each layer an image of its own (tagged by a digest of its parent and its commit, so
every instance whose stack passes through it shares it): the repository's root, one image
per yearly pack, the chain of snapshots at the anchors, on top of which the instance image
is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from swe_runner.images import history
from swe_runner.images.history import Stack
from swe_runner.task import Peers

__all__ = ["LayerMaker", "RepoLayers"]


class LayerMaker(Protocol):
    """What :class:`RepoLayers` needs of the image builder."""

    def layer_tag(self, kind: str, name: str, *parts: str | bytes) -> str: ...

    def ensure_built(
        self, kind: str, tag: str, args: dict[str, str], fill: Callable[[Path], None] | None
    ) -> str: ...


class RepoLayers:
    """The layers one repository's instance images share, built on demand and reused.

    Safe to share between worker threads (the maker serialises builds of one tag).
    """

    def __init__(self, maker: LayerMaker, repo: str, local: Path) -> None:
        self.maker = maker
        self.name = repo.replace("/", "__").lower()
        self.local = local

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one per builder, a handful of repos
    def plan(self, commit: str, peers: Peers) -> Stack:
        return history.plan_stack(self.local, commit, peers.chain, peers.env)

    def root_tag(self, parent: str) -> str:
        return self.maker.layer_tag("repo", self.name, parent)

    def pack_tag(self, parent: str, commit: str) -> str:
        name = f"{self.name}-{commit[:12]}"
        return self.maker.layer_tag("pack", name, parent, commit, *history.THOROUGH)

    def snapshot_tag(self, parent: str, anchor: str) -> str:
        return self.maker.layer_tag("snapshot", f"{self.name}-{anchor[:12]}", parent, anchor)

    def snapshots_tag(self, parent: str, anchors: Sequence[str]) -> str:
        """The tag :meth:`snapshots` returns, worked out without the daemon."""
        for anchor in anchors:
            parent = self.snapshot_tag(parent, anchor)
        return parent

    def packs_tag(self, parent: str, commits: Sequence[str]) -> str:
        """The tag :meth:`packs` returns, worked out without the daemon."""
        for commit in commits:
            parent = self.pack_tag(parent, commit)
        return parent

    def root(self, parent: str) -> str:
        """An empty repository at /testbed on ``parent``."""
        return self.maker.ensure_built("repo", self.root_tag(parent), {"PARENT": parent}, None)

    def packs(self, parent: str, commits: Sequence[str], below: str | None) -> str:
        """``parent`` with one pack layer per commit of ``commits`` (oldest first), each
        holding what its commit adds to the one before (``below``: the commit under the
        first). Returns the top image."""
        for commit in commits:
            fill = functools.partial(self.pack_into, commit, below, thorough=True)
            tag = self.pack_tag(parent, commit)
            parent = self.maker.ensure_built("pack", tag, {"PARENT": parent}, fill)
            below = commit
        return parent

    def snapshots(self, parent: str, anchors: Sequence[str], below: str | None) -> str:
        """``parent`` with one snapshot layer per anchor (oldest first): the pack of what
        its anchor's history adds to the one before (``below``: the commit under the
        first). Returns the top image."""
        for anchor in anchors:
            tag = self.snapshot_tag(parent, anchor)
            fill = functools.partial(self.pack_into, anchor, below)
            parent = self.maker.ensure_built("snapshot", tag, {"PARENT": parent}, fill)
            below = anchor
        return parent

    def instance_context(self, ctx: Path, stack: Stack) -> None:
        """Write the git part of an instance build's context: the pack of what the base
        commit (and its kept tags) add to the anchor, and the ``packed-refs`` file."""
        tips = [stack.commit, *stack.tags]
        history.write_pack(self.local, tips, [stack.anchor], ctx / "pack", window=5)
        (ctx / "pack").mkdir(exist_ok=True)
        (ctx / "packed-refs").write_text(history.packed_refs(self.local, stack.tags))

    def pack_into(
        self, commit: str, below: str | None, ctx: Path, *, thorough: bool = False
    ) -> None:
        """Write ``ctx/pack``: what ``commit``'s history adds to ``below``'s (``thorough``:
        compressed as the shared yearly packs are, :data:`history.THOROUGH`)."""
        below_ids = [below] if below else []
        history.write_pack(self.local, [commit], below_ids, ctx / "pack", thorough=thorough)
        (ctx / "pack").mkdir(exist_ok=True)
