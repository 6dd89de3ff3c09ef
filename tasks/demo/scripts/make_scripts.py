"""Write the scripted demo agent's tool-call scripts (one JSON file per instance).

    python tasks/demo/scripts/make_scripts.py

Each script explores like an agent would (list the repository, read the file, run the
tests), then edits with ``str_replace`` and reruns the tests. The edits come from the gold
fix, hunk by hunk, and the mix is deliberate, so the demo shows both outcomes: most tasks
are fixed, one hard task gets only half its fix (unresolved), and one the agent gives up on
(empty patch). The scripts are data: review them as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from unidiff import PatchSet

HERE = Path(__file__).parent
INSTANCES = HERE.parent / "instances"
WORKDIR = "/testbed"
PARTIAL = {"textkit-4"}  # only the first hunk: the hard parser rewrite is half done
GIVE_UP = {"confparse-3"}  # explores, then stops without a change


def text(message: str) -> dict[str, str]:
    return {"type": "text", "text": message}


def tool(name: str, **arguments: object) -> dict[str, object]:
    return {"type": "tool_use", "name": name, "input": arguments}


def hunk_edit(path: str, hunk: object) -> dict[str, object]:
    old = "".join(line.value for line in hunk if not line.is_added)  # type: ignore[attr-defined]
    new = "".join(line.value for line in hunk if not line.is_removed)  # type: ignore[attr-defined]
    return tool(
        "str_replace_based_edit_tool",
        command="str_replace",
        path=f"{WORKDIR}/{path}",
        old_str=old,
        new_str=new,
    )


def script(instance: Path) -> list[dict[str, object]]:
    gold = PatchSet((instance / "gold.diff").read_text())
    source = gold[0].path
    turns: list[dict[str, object]] = [
        {
            "content": [
                text("Let me look at the repository first."),
                tool("bash", command=f"cd {WORKDIR} && git log --oneline | head -5 && ls"),
            ]
        },
        {
            "content": [
                text(f"The issue points at {source}; reading it."),
                tool("str_replace_based_edit_tool", command="view", path=f"{WORKDIR}/{source}"),
            ]
        },
        {
            "content": [
                text("Running the existing tests to see where we stand."),
                tool("bash", command="python -m pytest -q -p no:cacheprovider 2>&1 | tail -3"),
            ]
        },
    ]
    if instance.name in GIVE_UP:
        turns.append(
            {
                "content": [
                    text(
                        "I could not pin down the cause with confidence, so I "
                        "am leaving the code unchanged."
                    )
                ]
            }
        )
        return turns
    hunks = [(f.path, h) for f in gold for h in f]
    if instance.name in PARTIAL:
        hunks = hunks[:1]
    for path, hunk in hunks:
        turns.append({"content": [text("Applying the fix."), hunk_edit(path, hunk)]})
    turns.append(
        {
            "content": [
                text("Rerunning the tests."),
                tool("bash", command="python -m pytest -q -p no:cacheprovider 2>&1 | tail -3"),
            ]
        }
    )
    turns.append({"content": [text("The fix is in place and the tests pass.")]})
    return turns


def main() -> None:
    for instance in sorted(p for p in INSTANCES.iterdir() if p.is_dir()):
        out = HERE / f"{instance.name}.json"
        out.write_text(json.dumps({"turns": script(instance)}, indent=1, ensure_ascii=False) + "\n")
        print(out)


if __name__ == "__main__":
    main()
