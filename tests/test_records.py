"""Report records: the agent phase's fields, shared by run_agent and ``report --regrade``."""

from __future__ import annotations

from swe_runner.records import AGENT_FIELDS, EvalReport


def test_agent_fields_are_report_fields() -> None:
    # model_copy(update=...) does not validate: a misspelt name would be silently added.
    assert set(AGENT_FIELDS) <= set(EvalReport.model_fields)
    assert len(set(AGENT_FIELDS)) == len(AGENT_FIELDS)
