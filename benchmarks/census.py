"""The gold census: every record of a dataset whose repository is at hand, through the gold
gate (``swe-runner tasks validate``: the hidden tests with the gold patch and without any
patch, each in a fresh container), repository by repository; then one line per instance:
its class, both outcomes, the cause of anything not valid, and what the shipped
known-broken list (the official harness's) says of it.

    python benchmarks/census.py --dataset verified.jsonl --mirror-dir DIR --results-dir DIR
        [--workers 2] [--report-only] [--known-bad FILE]

Classes are the gate's: ``valid`` (gold resolves, no patch does not), ``flaky``,
``broken`` (gold does not resolve, or no patch resolves too), ``unbuildable`` (the image or
the environment keeps the tests from running). Prints a Markdown table (for
docs/validation.md), the counts, the gate's wall time and the disk of every swe-runner
image; ``--known-bad FILE`` writes the instances found not valid as a known-bad list (the
gate's format, for ``--exclude``). Each repository's verdicts are kept in
``census-gate-<repository name>.json`` under ``--results-dir``: a repository whose file is
there is not gated again (delete the file to redo it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner import __version__
from swe_runner.grading import record
from swe_runner.images.disk import images_on_disk
from swe_runner.inputs.dataset import load_dataset
from swe_runner.inputs.known_bad import SHIPPED, GateClass, KnownBad, KnownBadList

ORDER = ["requests", "pylint", "seaborn", "pytest", "sphinx", "astropy", "sympy", "xarray"]


def _gate(args: argparse.Namespace, repo: str) -> None:
    """Gate ``repo``'s tasks unless its verdicts are kept already; keep them, timed."""
    out = _kept(args.results_dir, repo)
    if out.exists():
        return
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "swe_runner",
            "tasks",
            "validate",
            "--dataset",
            args.dataset,
            "--mirror-dir",
            str(args.mirror_dir),
            "--repo",
            repo,
            "--workers",
            str(args.workers),
            "--results-dir",
            str(args.results_dir),
            "--known-bad",
            str(out.with_suffix(".known-bad.json")),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: some task is not valid
        print(f"{repo}: the gate failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return
    report = json.loads(done.stdout)
    report["wall_time_s"] = round(time.monotonic() - started, 1)
    out.write_text(json.dumps(report, indent=1) + "\n")


def _kept(results: Path, repo: str) -> Path:
    return results / f"census-gate-{repo.split('/')[1]}.json"


def _verdicts(results: Path, repo: str) -> tuple[dict[str, dict[str, Any]], float]:
    """The gate's verdicts on ``repo``'s tasks by instance id, and its wall time."""
    path = _kept(results, repo)
    if not path.exists():
        return {}, 0.0
    report = json.loads(path.read_text())
    return {v["instance_id"]: v for v in report["instances"]}, report.get("wall_time_s", 0.0)


OFFLINE = ("Name or service not known", "Temporary failure in name resolution")
NO_MODULE = re.compile(r"^SKIPPED \[\d+\] \S+: could not import '([^']+)'", re.MULTILINE)


def _cause(verdict: dict[str, Any], results: Path) -> str:
    """The gate's reason and notes; for a gold run that failed, whether its test log shows
    it needed the internet, and which of its failing tests were skipped here and for want
    of which modules (the gate keeps its takes under ``validate/``)."""
    notes = "; ".join(verdict.get("notes") or [])
    reason = str(verdict.get("reason") or "")
    iid = verdict["instance_id"]
    logs = results.glob(f"validate/*/gold-1/{iid}/test_output.txt")
    for log in logs if verdict["class"] != "valid" else ():
        text = log.read_text(errors="replace")
        offline = sum(text.count(t) for t in OFFLINE)
        if offline:
            lines = f"{offline} lines of its test log cannot resolve a host"
            reason = f"needs the internet ({lines}): {reason}"
        skipped = _skipped(text, verdict.get("tests") or [])
        if skipped:
            modules = sorted(set(NO_MODULE.findall(text)))
            missing = f", its log skipping for want of {', '.join(modules)}" if modules else ""
            reason += f" (skipped here: {', '.join(skipped)}{missing})"
    return "; ".join(x for x in (reason, notes) if x)


def _skipped(log: str, tests: list[str]) -> list[str]:
    """Which of ``tests`` the harness's record of the run saw skipped."""
    seen = record.read(log)
    if seen is None:
        return []
    return [
        test
        for test in tests
        if any(
            (call := seen.calls.get(node)) is not None and call.raised in record.SKIPS
            for node in seen.node_ids(test)
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--mirror-dir", type=Path, required=True)
    parser.add_argument("--results-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--known-bad", type=Path, help="write the instances not valid here")
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    repos = sorted(
        {t.repo for t in data.tasks if (args.mirror_dir / t.repo.replace("/", "__")).exists()},
        key=lambda r: ORDER.index(r.split("/")[1]) if r.split("/")[1] in ORDER else 99,
    )
    if not args.report_only:
        for repo in repos:
            _gate(args, repo)
    shipped = SHIPPED / "known-bad-swe-bench-verified.json"
    listed_bad = KnownBadList.model_validate_json(shipped.read_text()).instances
    known = {k.instance_id: k for k in listed_bad}
    rows: list[tuple[str, ...]] = []
    classes: Counter[str] = Counter()
    wall = 0.0
    for repo in repos:
        verdicts, took = _verdicts(args.results_dir, repo)
        wall += took
        for task in (t for t in data.tasks if t.repo == repo):
            iid = task.instance_id
            verdict = verdicts.get(iid)
            cls = verdict["class"] if verdict else "not run"
            classes[cls] += 1
            listed = known.get(iid)
            official = f"{listed.cls}: {listed.reason}" if listed else ""
            gold = ", ".join(verdict["gold"]) if verdict else ""
            empty = (verdict.get("empty") or "") if verdict else ""
            cause = _cause(verdict, args.results_dir) if verdict else ""
            rows.append((iid, task.version or "", cls, gold, empty, cause, official))
    if args.known_bad:
        _known_bad(rows, data.fingerprint, args.known_bad)
    print("| instance | version | class | gold | no patch | cause | official known-broken list |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    _, disk = images_on_disk()
    print(
        f"\n{sum(classes.values())} instances: "
        + ", ".join(f"{n} {c}" for c, n in classes.most_common())
    )
    print(
        f"wall time of the gate: {wall / 60:,.0f} min; every swe-runner image here: "
        f"{disk.total_mb / 1e3:,.1f} GB on disk ({disk.images} images)"
    )


def _known_bad(rows: list[tuple[str, ...]], fingerprint: str, path: Path) -> None:
    """The census's own known-bad list: each instance graded and found not valid."""
    graded = [r for r in rows if r[2] != "not run"]
    KnownBadList(
        dataset={"name": "SWE-bench Verified (census)", "fingerprint": fingerprint},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        swe_runner=__version__,
        repeat=1,
        validated=len(graded),
        instances=[
            KnownBad(instance_id=r[0], cls=GateClass(r[2]), reason=r[5])
            for r in sorted(graded)
            if r[2] in ("broken", "unbuildable", "flaky")
        ],
    ).write(path)


if __name__ == "__main__":
    main()
