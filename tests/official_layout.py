"""The official SWE-bench (5.x) evaluation script template, for test records.

The official images' tests need records carrying an ``eval_script`` the way the official
harness writes one (swebench 5.x, ``eval_script_gen/_swebench.py``): conda activation, the
spec's ``eval_commands``, informational git commands, activation again, the spec's
``install``, the test files put back, the test patch from a heredoc whose delimiter is a
digest of it, the test command between ``: '>>>>> Start Test Output'`` and
``: '>>>>> End Test Output'``, and the test files put back again.
``tests/grading/test_official_script.py`` checks this template against the real records'
scripts, byte for byte.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from hashlib import blake2b
from pathlib import Path

from unidiff import PatchSet


def _verified_dev() -> Path:
    """The development records (``../shared/verified-dev/``): beside this checkout, or where
    ``SWE_RUNNER_VERIFIED_DEV`` says, or in the workplace's shared folder (a clone elsewhere)."""
    candidates = [
        os.environ.get("SWE_RUNNER_VERIFIED_DEV", ""),
        Path(__file__).resolve().parents[2] / "shared" / "verified-dev" / "verified.jsonl",
        "/work/shared/verified-dev/verified.jsonl",
    ]
    found = [Path(c) for c in candidates if c and Path(c).is_file()]
    return found[0] if found else Path(candidates[1])


VERIFIED_DEV = _verified_dev()
# What the official harness leaves out of the test directives (constants.NON_TEST_EXTS).
NON_TEST_EXTS = [".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml"]
NON_TEST_EXTS += [".yaml", ".toml"]


def heredoc_delimiter(content: str) -> str:
    delimiter = f"EOF_{blake2b(content.encode()).hexdigest()[:12]}"
    while delimiter in content:
        delimiter = f"EOF_{blake2b(content.encode() + delimiter.encode()).hexdigest()[:12]}"
    return delimiter


def modified_files(patch: str) -> list[str]:
    """The files a patch changes, as the official ``get_modified_files`` lists them
    (source sides: files the patch creates are not among them)."""
    sources = [f.source_file for f in PatchSet(patch) if f.source_file != "/dev/null"]
    return [s[2:] for s in sources if s.startswith("a/")]


def test_directives(repo: str, test_patch: str) -> list[str]:
    found = re.findall(r"diff --git a/.* b/(.*)", test_patch)
    found = [d for d in found if not any(d.endswith(ext) for ext in NON_TEST_EXTS)]
    if repo == "django/django":
        found = [d.removesuffix(".py").removeprefix("tests/").replace("/", ".") for d in found]
    return found


def official_eval_script(
    repo: str,
    base_commit: str,
    test_patch: str,
    test_cmd: str,
    install: str | None = None,
    eval_commands: Sequence[str] = (),
) -> str:
    """The eval script the official harness writes for one instance."""
    delimiter = heredoc_delimiter(test_patch)
    reset = f"git checkout {base_commit} {' '.join(modified_files(test_patch))}"
    test = " ".join([test_cmd, *test_directives(repo, test_patch)])
    lines = [
        "source /opt/miniconda3/bin/activate",
        "conda activate testbed",
        "cd /testbed",
        *eval_commands,
        "git config --global --add safe.directory /testbed",
        "cd /testbed",
        "git status",
        "git show",
        f"git -c core.fileMode=false diff {base_commit}",
        "source /opt/miniconda3/bin/activate",
        "conda activate testbed",
        *([install] if install else []),
        reset,
        f"git apply -v - <<'{delimiter}'\n{test_patch}\n{delimiter}",
        ": '>>>>> Start Test Output'",
        test,
        ": '>>>>> End Test Output'",
        reset,
    ]
    return "\n".join(["#!/bin/bash", "set -uxo pipefail", *lines]) + "\n"
