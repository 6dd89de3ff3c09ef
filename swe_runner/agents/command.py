"""Bring your own agent: run a user's command inside the sandbox.

The command runs in the repository with the problem statement on stdin and in
``$PROBLEM_STATEMENT_FILE``; ``--agent-files`` are copied to ``/agent`` first. Whatever it
leaves in the work tree is the patch. Secrets given with ``run --env`` reach this command's
environment only (see :mod:`swe_runner.secret_env`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.records import StopReason, TrajectoryStep
from swe_runner.tools.base import clip

__all__ = ["AGENT_FILES_DIR", "CommandAgent"]

AGENT_FILES_DIR = "/agent"
PROBLEM_FILE = "/tmp/swe-runner/problem_statement.md"


class CommandAgent:
    """Runs ``command`` once per instance; its exit status is recorded, its edits graded."""

    name = "command"

    def __init__(
        self,
        command: str,
        files: Path | None = None,
        timeout: float = 1800.0,
        secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.command = command
        self.files = files
        self.timeout = timeout
        self.secrets = dict(secrets or {})  # this command's environment only (--env)

    def _copy_files(self, session: Session) -> None:
        if self.files is None:
            return
        root = self.files.parent if self.files.is_file() else self.files
        paths = [self.files] if self.files.is_file() else sorted(self.files.rglob("*"))
        for path in paths:
            if path.is_file():
                session.sandbox.write_file(
                    f"{AGENT_FILES_DIR}/{path.relative_to(root)}", path.read_bytes()
                )
        session.sandbox.exec(f"chmod -R a+rx {AGENT_FILES_DIR}", timeout=30)

    def solve(self, problem: Problem, session: Session) -> AgentRun:
        self._copy_files(session)
        session.sandbox.write_file(PROBLEM_FILE, problem.problem_statement.encode())
        env = {
            "PROBLEM_STATEMENT_FILE": PROBLEM_FILE,
            "INSTANCE_ID": problem.instance_id,
            "REPO": problem.repo,
            "REPO_DIR": problem.workdir,
            "AGENT_DIR": AGENT_FILES_DIR,
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        left = session.time_left()
        timeout = self.timeout if left is None else max(1.0, min(self.timeout, left))
        result = session.sandbox.exec(
            f"export {exports}; {self.command}",
            timeout=timeout,
            stdin=problem.problem_statement.encode(),
            env=self.secrets,
        )
        session.record(
            TrajectoryStep(
                kind="tool",
                name="command",
                input={"command": self.command},
                output=clip(result.text, 100_000),
                is_error=result.exit_code != 0,
                detail=f"exit code {result.exit_code}",
            )
        )
        if result.timed_out:
            return AgentRun(
                StopReason.MAX_TIME,
                f"the command ran past the agent's --timeout {self.timeout:g} s",
            )
        if result.exit_code != 0:
            return AgentRun(StopReason.AGENT_ERROR, f"the command exited {result.exit_code}")
        return AgentRun()
