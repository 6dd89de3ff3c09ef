import pytest

from swe_runner.records import EvalReport, Outcome
from swe_runner.reporting.stats import wilson_interval
from swe_runner.reporting.summary import summarize


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [  # reference: scipy.stats.binomtest(k, n).proportion_ci(method="wilson")
        (64, 100, 0.5424, 0.7273),
        (38, 100, 0.2910, 0.4779),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_reference(k: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_pass_rate_counts_every_task_including_errors() -> None:
    reports = [
        EvalReport(instance_id="a", outcome=Outcome.RESOLVED, resolved=True),
        EvalReport(instance_id="b", outcome=Outcome.ERROR, error="daemon gone"),
        EvalReport(instance_id="c", outcome=Outcome.EMPTY_PATCH, patch_exists=False),
        EvalReport(instance_id="d", outcome=Outcome.UNRESOLVED),
    ]
    summary = summarize("r", reports, 1.5)
    assert summary.total == 4
    assert summary.pass_rate == 0.25
    assert summary.counts[Outcome.ERROR] == 1
    assert summary.counts[Outcome.PATCH_FAILED] == 0
    assert [r.instance_id for r in summary.instances] == ["a", "b", "c", "d"]
