"""Which commits a thin instance image stacks, and what each layer's pack holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from swe_runner.errors import RepoError
from swe_runner.images import history
from swe_runner.images.repo import kept_tags
from tests.images.dated_repo import DatedRepo, git, years_of_history


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[DatedRepo, dict[str, str]]:
    return years_of_history(tmp_path_factory.mktemp("history") / "repo")


def _is_ancestor(repo: DatedRepo, older: str, newer: str) -> bool:
    done = subprocess.run(
        ["git", "merge-base", "--is-ancestor", older, newer], cwd=repo.path, check=False
    )
    return done.returncode == 0


def test_yearly_points_are_the_last_first_parent_commit_before_each_new_year(
    project: tuple[DatedRepo, dict[str, str]],
) -> None:
    repo, c = project
    points = [sha for sha, _ in history.yearly_points(repo.path, c["2022c"])]
    # before 2022: the merge's first parent line ends 2021 with 2021b; before 2021: 2020b
    # (the side branch's commit of 20 December is not on the first-parent line)
    assert points == [c["2020b"], c["2021b"]]
    assert history.yearly_points(repo.path, c["2020b"]) == ()


def test_the_anchors_are_the_versions_chain_and_the_environment_sits_below_every_peer(
    project: tuple[DatedRepo, dict[str, str]],
) -> None:
    repo, c = project
    version = (c["2022b"], c["2022c"])
    env = (c["2021b"], c["2022b"], c["2022c"])
    stack = history.plan_stack(repo.path, c["2022c"], version, env)
    assert stack.anchors == (c["2022b"], c["2022c"])  # the peer's snapshot, then its own
    assert stack.below_env == (c["2020b"],)  # below 2021b, the environment's merge-base
    assert stack.above_env == (c["2021b"],)
    assert stack.tags == ("refs/tags/v1.0",)  # v2.0 was made the day after 2022c
    for commit in (*stack.below_env, *stack.above_env, *stack.anchors):
        assert _is_ancestor(repo, commit, c["2022c"])
    earlier = history.plan_stack(repo.path, c["2022b"], version, env)
    assert earlier.anchors == (c["2022b"],)  # shared with 2022c's image, nothing later


def test_a_peer_off_the_first_parent_line_stands_on_where_it_left_it(
    project: tuple[DatedRepo, dict[str, str]],
) -> None:
    """The side branch's commit (merged later) is no point of the line: its chain ends at
    the newest commit of the line it descends from, which every peer's chain starts with."""
    repo, c = project
    version = (c["side"], c["2021a"], c["2022b"])
    chains = history.fork_points(repo.path, version)
    assert chains[c["side"]] == (c["2020b"],)
    assert chains[c["2021a"]] == (c["2020b"], c["2021a"])
    assert chains[c["2022b"]] == (c["2020b"], c["2021a"], c["2022b"])
    stack = history.plan_stack(repo.path, c["side"], version, ())
    assert stack.anchors == (c["2020b"],) and stack.commit == c["side"]


def test_a_long_chain_keeps_evenly_spaced_points_its_ends_included() -> None:
    chain = [f"c{n}" for n in range(40)]
    kept = history.thinned(chain, most=5)
    assert kept == ["c0", "c10", "c20", "c29", "c39"]
    assert history.thinned(chain[:5], most=5) == chain[:5]


def test_a_peer_the_clone_lacks_is_ignored_and_alone_the_task_is_its_own_anchor(
    project: tuple[DatedRepo, dict[str, str]],
) -> None:
    repo, c = project
    stack = history.plan_stack(repo.path, c["2022b"], ("f" * 40, c["2022b"]), ())
    assert stack.anchors == (c["2022b"],) and stack.tags == ("refs/tags/v1.0",)


@pytest.mark.parametrize("later", ["2023a", "2022c"])
def test_no_layer_of_an_image_holds_a_later_commit_or_tag(
    project: tuple[DatedRepo, dict[str, str]], later: str
) -> None:
    """The version's peers include a later commit: nothing of it reaches the earlier
    task's layers (the anchor is below both)."""
    repo, c = project
    stack = history.plan_stack(repo.path, c["2022b"], (c["2022b"], c[later]), (c[later],))
    held = repo.objects(*stack.below_env, *stack.above_env, *stack.anchors, stack.commit)
    assert c[later] not in held
    assert held == repo.objects(c["2022b"])
    assert "refs/tags/v2.0" not in stack.tags


def test_each_pack_holds_what_its_commit_adds_and_the_stack_holds_the_whole_history(
    project: tuple[DatedRepo, dict[str, str]], tmp_path: Path
) -> None:
    repo, c = project
    stack = history.plan_stack(repo.path, c["2022c"], (c["2022b"], c["2022c"]), ())
    below: list[str] = []
    seen: set[str] = set()
    for n, commit in enumerate((*stack.below_env, *stack.above_env, *stack.anchors)):
        pack = history.write_pack(repo.path, [commit], below[-1:], tmp_path / str(n))
        assert pack is not None
        seen |= _pack_objects(pack)
        below.append(commit)
    tags = history.write_pack(
        repo.path, [stack.commit, *stack.tags], [stack.anchor], tmp_path / "top"
    )
    assert tags is not None
    seen |= _pack_objects(tags)
    annotated = {git(repo.path, "rev-parse", t) for t in stack.tags}
    assert seen == repo.objects(c["2022c"]) | annotated


def test_a_pack_of_nothing_new_is_none(
    project: tuple[DatedRepo, dict[str, str]], tmp_path: Path
) -> None:
    repo, c = project
    assert history.write_pack(repo.path, [c["2020a"]], [c["2021b"]], tmp_path) is None
    assert list(tmp_path.glob("pack-*")) == []


def test_packed_refs_name_the_kept_tags_peeled(project: tuple[DatedRepo, dict[str, str]]) -> None:
    repo, c = project
    text = history.packed_refs(repo.path, ["refs/tags/v1.0"])
    tag_object = git(repo.path, "rev-parse", "v1.0")
    assert text.splitlines()[1:] == [f"{tag_object} refs/tags/v1.0", f"^{c['2021b']}"]


def _pack_objects(pack: Path) -> set[str]:
    with pack.with_suffix(".idx").open("rb") as idx:
        out = subprocess.run(
            ["git", "show-index"], stdin=idx, capture_output=True, text=True, check=True
        ).stdout
    return {line.split()[1] for line in out.splitlines()}


def test_the_tags_kept_from_the_anchors_are_those_git_keeps(
    project: tuple[DatedRepo, dict[str, str]],
) -> None:
    repo, c = project
    repo.tag("light", c["2020b"], "2020-11-02T12:00:00Z", annotated=False)
    for name, commit in c.items():
        for anchor in {c["2020a"], commit}:
            if _is_ancestor(repo, anchor, commit):
                assert history.tags_kept(repo.path, commit, anchor) == tuple(
                    kept_tags(repo.path, commit)
                ), name


def test_a_repository_lacking_an_object_says_so_and_what_to_give(tmp_path: Path) -> None:
    repo, c = years_of_history(tmp_path / "repo")
    blob = git(repo.path, "rev-parse", f"{c['2022a']}:big.txt")
    git(repo.path, "repack", "-q", "-a", "-d")
    packs = repo.path / ".git" / "objects" / "pack"
    kept = "".join(f"{o}\n" for o in repo.objects(c["2023a"]) if o != blob)
    pruned = tmp_path / "pruned"  # every object but that blob, as a snapshot may lack one
    pruned.mkdir()
    subprocess.run(
        ["git", "-C", str(repo.path), "pack-objects", "-q", str(pruned / "pack")],
        input=kept, text=True, check=True, capture_output=True,
    )  # fmt: skip
    for old in packs.glob("pack-*"):
        old.unlink()
    for new in pruned.glob("pack-*"):
        new.rename(packs / new.name)
    with pytest.raises(RepoError, match=f"lacks object {blob}.*give a full clone"):
        history.write_pack(repo.path, [c["2022b"]], [c["2021b"]], tmp_path / "out")


def test_a_chain_leaves_room_for_the_yearly_packs_under_dockers_layer_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = DatedRepo(tmp_path / "repo")
    old = [repo.commit(f"{2010 + n}-06-01T00:00:00Z", {"a.py": f"{n}\n"}) for n in range(8)]
    new = [repo.commit(f"2019-0{n + 1}-01T00:00:00Z", {"b.py": f"{n}\n"}) for n in range(9)]
    whole = history.plan_stack(repo.path, new[-1], new, new)
    assert whole.anchors == tuple(new)  # within MAX_SNAPSHOTS: every point
    yearly = len(whole.below_env) + len(whole.above_env)
    assert yearly == len(old)  # one pack per year before 2019 (below the environment)
    monkeypatch.setattr(history, "CHAIN_LAYERS", yearly + 3)  # room for three links (a layer each)
    history._fork_points.cache_clear()
    thin = history.plan_stack(repo.path, new[-1], new, new)
    assert thin.anchors == (new[0], new[4], new[8])  # evenly spaced, both ends kept
    assert history.plan_stack(repo.path, new[5], new, new).anchors == (new[0], new[4])


def test_a_thorough_pack_holds_the_same_objects(
    project: tuple[DatedRepo, dict[str, str]], tmp_path: Path
) -> None:
    repo, c = project
    plain = history.write_pack(repo.path, [c["2022c"]], [c["2020b"]], tmp_path / "plain")
    thorough = history.write_pack(
        repo.path, [c["2022c"]], [c["2020b"]], tmp_path / "thorough", thorough=True
    )
    assert plain is not None and thorough is not None
    assert (
        _pack_objects(thorough)
        == _pack_objects(plain)
        == repo.objects(c["2022c"], but=(c["2020b"],))
    )
