"""``run --attempts K``: K independent attempts at every task, kept apart.

``results/<run_id>/run.json`` records ``attempts: K``; attempt ``n`` is an ordinary run in
``results/<run_id>/attempt-<n>/`` (so each can be reported, exported or reproduced on its
own), run one after another, each resumable like any run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from swe_runner.errors import InputError
from swe_runner.manifest import AgentInfo, RunManifest
from swe_runner.reporting.summary import Summary
from swe_runner.run.batch import Events, new_manifest
from swe_runner.run.pipeline import run_agent
from swe_runner.run.request import AgentRequest
from swe_runner.run.resume import check_resume
from swe_runner.rundir import RunDir

__all__ = ["run_attempts"]


def run_attempts(req: AgentRequest, attempts: int, events: Events | None = None) -> list[Summary]:
    """Run ``req`` ``attempts`` times; one summary per attempt (one plain run when K = 1).

    Raises:
        InputError: ``attempts`` < 1, or the run id exists with another attempt count, or
            (unless ``req.force``) for another agent or dataset.
    """
    if attempts < 1:
        raise InputError(f"--attempts must be at least 1 (got {attempts})")
    if attempts == 1:
        return [run_agent(req, events)]
    events = events or Events()
    top = RunDir(req.settings.results_dir, req.run_id)
    manifest = _open(top, req, attempts)
    summaries = []
    for n in range(1, attempts + 1):
        events.on_message(f"attempt {n} of {attempts}")
        settings = req.settings.model_copy(update={"results_dir": top.path})
        summaries.append(run_agent(replace(req, run_id=f"attempt-{n}", settings=settings), events))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    finished = manifest.model_copy(update={"finished_at": now})
    top.write_json("run.json", finished.model_dump(mode="json"))
    return summaries


def _open(top: RunDir, req: AgentRequest, attempts: int) -> RunManifest:
    """The top run.json: written when new, checked against ``req`` when resuming."""
    agent = AgentInfo(name=req.agent.name, model=req.model_name)
    manifest = new_manifest(
        req.run_id, req.dataset, req.settings, None, "n/a", agent, req.exclusion
    )
    manifest = manifest.model_copy(update={"attempts": attempts})
    if top.exists():
        old = RunManifest.model_validate(top.read_json("run.json"))
        if old.attempts != attempts:
            raise InputError(
                f"run {top.run_id} was made with {old.attempts} attempt(s), not {attempts}: "
                "use the same --attempts to resume, or a new --run-id"
            )
        check_resume(top, manifest, req.force)
        return old.model_copy(update={"exclude": req.exclusion})
    top.write_json("run.json", manifest.model_dump(mode="json"))
    return manifest
