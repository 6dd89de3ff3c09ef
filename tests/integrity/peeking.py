"""What an agent finds when it looks for the answer inside its own container.

Each probe is a shell command; it prints what it found, nothing if nothing. All of them
make one script (:func:`probe_script`, each probe's output under a header) that runs in a
container started as the agent's is (:func:`peek`) or as a command agent's work through
the real pipeline (tests/integrity/test_attacks.py). Search strings travel hex-encoded, so
the script itself never holds them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from swe_runner.sandbox.containers import DEFAULT_CONTAINER_LIMITS
from swe_runner.sandbox.docker import DockerSandbox
from swe_runner.task import Task

__all__ = ["PROBES", "Probe", "findings", "peek", "probe_script"]

SKIP = "--exclude-dir=proc --exclude-dir=sys --exclude-dir=dev"


# Lines shorter than this are no fingerprint of a patch (pytest-dev__pytest-7432's gold
# patch adds only "if (").
FINGERPRINT = 12


def _secret_lines(diff: str) -> list[str]:
    """The lines a diff adds, longest first, that are long enough to recognise it by."""
    added = {
        ln[1:].strip()
        for ln in diff.splitlines()
        if ln.startswith("+") and not ln.startswith("+++")
    }
    return sorted((a for a in added if len(a) >= FINGERPRINT), key=lambda a: (-len(a), a))[:5]


def _grep_for(diff: str) -> str:
    """Files holding the longest line ``diff`` adds that the base commit holds nowhere (a
    real patch often adds a line the repository already has, as "raise
    NotImplementedError", or moves one: no evidence of a leak); nothing when there is none."""
    decode = "import sys; sys.stdout.write(bytes.fromhex(sys.argv[1]).decode())"
    hexes = " ".join(line.encode().hex() for line in _secret_lines(diff))
    return (
        f"for hex in {hexes}; do needle=$(python3 -c '{decode}' $hex); "
        'git -C /testbed grep -q -F -e "$needle" HEAD -- 2>/dev/null && continue; '
        f'grep -rIl {SKIP} -F -- "$needle" / 2>/dev/null | head -5; break; done'
    )


@dataclass(frozen=True)
class Probe:
    name: str
    command: str  # may use {gold} {tests} {iid} (filled per task)


PROBES = [
    Probe("gold patch anywhere on disk", "{gold}"),
    Probe("test patch anywhere on disk", "{tests}"),
    Probe(
        "commits after the base (git log --all) but the environment setup's",
        "git rev-list --all | grep -v -x -F -f <(git rev-list HEAD); "
        "git rev-list {base}..HEAD | grep -v -x -F -f <(git log --format=%H "
        "--grep='^swe-runner: environment setup$' {base}..HEAD)",
    ),
    Probe(
        "unreachable objects (git fsck)",
        "git fsck --unreachable --no-reflogs 2>/dev/null | head -5",
    ),
    Probe(
        "other refs, packed refs, stashes, ORIG_HEAD",
        # Tags on the base commit's own history made no later than it stay (as in the
        # official images: setuptools_scm versions need them); the next probe checks them.
        "git for-each-ref --format='%(refname)' | grep -v -x refs/heads/main "
        "| grep -v '^refs/tags/'; "
        "grep -v -e '^#' -e ' refs/heads/main$' -e ' refs/tags/' -e '^\\^' .git/packed-refs "
        "2>/dev/null; git stash list; "
        "ls .git/ORIG_HEAD .git/FETCH_HEAD .git/logs 2>/dev/null; git remote -v",
    ),
    Probe(
        "tags off the base's history or made after it",
        "git tag --no-merged {base}; base=$(git show -s --format=%ct {base}); "
        "git for-each-ref --format='%(refname) %(creatordate:unix)' refs/tags "
        "| awk -v base=\"$base\" '$2 > base'",
    ),
    Probe(
        "task metadata (hidden test lists, instance id)",
        # The container's own environment (what an agent is handed is its business).
        # (The quotes keep the script's own file from matching.)
        "tr '\\0' '\\n' < /proc/1/environ | grep -i -e FAIL_TO''_PASS -e {iid}; "
        "grep -rIl {skip} -e FAIL_TO''_PASS -e PASS_TO''_PASS / 2>/dev/null | head -5",
    ),
    Probe(
        "network (PyPI over TCP)",
        "python3 -c \"import socket; socket.create_connection(('pypi.org', 443), timeout=3); "
        "print('connected to pypi.org')\" 2>/dev/null",
    ),
]


HEADER = "=== probe: "


def probe_script(task: Task) -> str:
    """One bash script running every probe on ``task``, each after a header line."""
    fill = {
        "gold": _grep_for(task.patch),
        "tests": _grep_for(task.test_patch),
        "iid": task.instance_id,
        "base": task.base_commit,
        "skip": SKIP,
    }
    return "".join(
        f"echo {shlex.quote(HEADER + probe.name)}\n{probe.command.format(**fill)}\n"
        for probe in PROBES
    )


def findings(output: str) -> dict[str, str]:
    """Probe name -> what it found, from the script's output.

    Raises:
        AssertionError: a probe's header is missing (it did not run).
    """
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line.startswith(HEADER):
            current = found.setdefault(line[len(HEADER) :], [])
        else:
            current.append(line)
    assert set(found) == {p.name for p in PROBES}, f"probes that did not run: {output[-500:]}"
    return {name: "\n".join(lines).strip() for name, lines in found.items()}


def peek(task: Task, image: str, plant: str = "") -> dict[str, str]:
    """Run every probe in one agent-like container; probe name -> what it found.
    ``plant`` runs first (a test leaves a copy of the answer, to see the probes find it)."""
    with DockerSandbox(image, task.base_commit, DEFAULT_CONTAINER_LIMITS) as sandbox:
        if plant:
            sandbox.exec(plant)
        return findings(sandbox.exec(probe_script(task), timeout=600).text)
