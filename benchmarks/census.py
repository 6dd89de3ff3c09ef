"""The gold census: every record of a dataset whose repository is at hand, graded with its
gold patch and with no patch, repository by repository (each a resumable run), then one
line per instance: its class, both outcomes, the cause of anything not valid, and what the
shipped known-broken list (the official harness's) says of it.

    python benchmarks/census.py --dataset verified.jsonl --mirror-dir DIR --results-dir DIR
        [--workers 2] [--report-only] [--known-bad FILE]

Classes, as ``tasks validate`` gives them: ``valid`` (gold resolves, no patch does not),
``broken`` (gold does not resolve, or no patch resolves too), ``unbuildable`` (the image
could not be made), ``error`` (the harness failed). Prints a Markdown table (for
docs/validation.md), the counts, the runs' wall time and the disk of every swe-runner image;
``--known-bad FILE`` writes the instances found not valid as a known-bad list (the gate's
format, for ``--exclude``).
Each run id is ``census-<gold|empty>-<repository name>`` under ``--results-dir``: run it
again to go on where it stopped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swe_runner import __version__
from swe_runner.images.disk import images_on_disk
from swe_runner.inputs.dataset import load_dataset
from swe_runner.inputs.known_bad import SHIPPED, GateClass, KnownBad, KnownBadList

ORDER = ["requests", "pylint", "seaborn", "pytest", "sympy", "sphinx", "astropy", "xarray"]


def _run(args: argparse.Namespace, repo: str, kind: str) -> None:
    name = repo.split("/")[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "swe_runner",
            "evaluate",
            "--dataset",
            args.dataset,
            "--mirror-dir",
            str(args.mirror_dir),
            "--repo",
            repo,
            "--predictions",
            kind,
            "--workers",
            str(args.workers),
            "--run-id",
            f"census-{kind}-{name}",
            "--results-dir",
            str(args.results_dir),
        ],
        check=False,
    )


def _reports(results: Path, kind: str, name: str) -> dict[str, dict[str, Any]]:
    out = {}
    for path in (results / f"census-{kind}-{name}").glob("*/report.json"):
        out.update(json.loads(path.read_text()))
    return out


OFFLINE = ("Name or service not known", "Temporary failure in name resolution")


def _cause(report: dict[str, Any], log: str = "") -> str:
    offline = sum(log.count(text) for text in OFFLINE)
    if offline:
        return f"needs the internet: {offline} lines of its test log cannot resolve a host"
    if report.get("error"):
        return str(report["error"]).splitlines()[0][:160]
    failing = [
        t
        for group in ("FAIL_TO_PASS", "PASS_TO_PASS")
        for t in report.get("tests_status", {}).get(group, {}).get("failure", [])
    ]
    if failing:
        more = f" (+{len(failing) - 3} more)" if len(failing) > 3 else ""
        return "failing: " + ", ".join(failing[:3]) + more
    return str(report.get("invalid_reason") or report.get("outcome"))


def classify(
    gold: dict[str, Any] | None, empty: dict[str, Any] | None, log: str = ""
) -> tuple[str, str]:
    """(class, cause) of one instance from its two reports (None: not run yet) and its
    gold run's test log."""
    if gold is None or empty is None:
        return "not run", ""
    if gold["outcome"] == "error":
        unbuildable = "build" in str(gold.get("error", "")).lower()
        return ("unbuildable" if unbuildable else "error"), _cause(gold)
    if gold["outcome"] != "resolved":
        return "broken", "gold: " + _cause(gold, log)
    if empty["outcome"] == "resolved":
        return "broken", "no patch resolves it too"
    return "valid", ""


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
            for kind in ("gold", "empty"):
                _run(args, repo, kind)
    shipped = SHIPPED / "known-bad-swe-bench-verified.json"
    listed_bad = KnownBadList.model_validate_json(shipped.read_text()).instances
    known = {k.instance_id: k for k in listed_bad}
    rows: list[tuple[str, ...]] = []
    classes: Counter[str] = Counter()
    wall = 0.0
    for repo in repos:
        name = repo.split("/")[1]
        gold, empty = (
            _reports(args.results_dir, "gold", name),
            _reports(args.results_dir, "empty", name),
        )
        for kind in ("gold", "empty"):
            summary = args.results_dir / f"census-{kind}-{name}" / "summary.json"
            if summary.exists():
                wall += json.loads(summary.read_text()).get("wall_time_s") or 0.0
        for task in (t for t in data.tasks if t.repo == repo):
            iid = task.instance_id
            log_path = args.results_dir / f"census-gold-{name}" / iid / "test_output.txt"
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            cls, cause = classify(gold.get(iid), empty.get(iid), log)
            classes[cls] += 1
            listed = known.get(iid)
            official = f"{listed.cls}: {listed.reason}" if listed else ""
            rows.append(
                (
                    iid,
                    task.version,
                    cls,
                    _outcome(gold.get(iid)),
                    _outcome(empty.get(iid)),
                    cause,
                    official,
                )
            )
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
        f"wall time of the runs: {wall / 60:,.0f} min; every swe-runner image here: "
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


def _outcome(report: dict[str, Any] | None) -> str:
    return report["outcome"] if report else ""


if __name__ == "__main__":
    main()
