"""The run's adaptive rate limit: its rules on their own, then four workers sharing one client
through the real ``openai`` SDK against a fake server that goes through a 429 storm."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from swe_runner.agents.base import AgentRun, Problem, Session
from swe_runner.agents.loop import ModelAgent
from swe_runner.models.openai import OpenAIClient
from swe_runner.models.ratelimit import AdaptiveLimit
from swe_runner.models.retry import RetryPolicy
from swe_runner.records import StopReason
from swe_runner.sandbox.fake import FakeSandbox
from swe_runner.tools.bash import BashTool
from tests.fakes.http import turn_of
from tests.fakes.openai_server import Error, FakeOpenAI, Hang, Reply, Response, call


def test_a_rate_limit_cuts_by_half_once_per_burst_and_grows_back_by_one() -> None:
    limit = AdaptiveLimit(8)
    seen = threading.Barrier(3)

    def refused() -> None:
        with limit.slot():
            seen.wait()  # all three in flight before any is refused: one burst
            limit.on_rate_limited(None)

    threads = [threading.Thread(target=refused) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limit.limit == 4 and limit.cuts == 1  # three refusals of one burst: one cut
    with limit.slot():
        limit.on_rate_limited(None)  # a request started after the cut cuts again
    assert limit.limit == 2
    for _ in range(2):
        with limit.slot():
            limit.on_success()
    assert limit.limit == 3  # a full limit's worth of successes: one more
    for _ in range(100):
        with limit.slot():
            limit.on_success()
    assert limit.limit == 8  # never past the ceiling


def test_retry_after_pauses_every_caller_and_the_limit_bounds_concurrency() -> None:
    limit = AdaptiveLimit(2)
    with limit.slot():
        limit.on_rate_limited(0.3)
    assert limit.limit == 1
    began = time.monotonic()
    with limit.slot():  # another worker: waits out the pause
        waited = time.monotonic() - began
    assert 0.25 <= waited < 1.0
    inside, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with limit.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1


class Storm:
    """Normal service, then every request refused with 429 for ``length`` seconds from the
    ``after``-th request on, then normal again."""

    def __init__(self, after: int, length: float, turns: int) -> None:
        self.after, self.length, self.turns = after, length, turns
        self.count = 0
        self.began: float | None = None

    def __call__(self, body: dict[str, Any]) -> Response:
        self.count += 1
        now = time.monotonic()
        if self.began is None and self.count > self.after:
            self.began = now
        if self.began is not None and now < self.began + self.length:
            return Error(429, {"retry-after": "0.2"}, "rate_limit_exceeded")
        turn = turn_of(body)
        if turn >= self.turns:
            return Hang(0.05, Reply("done"))
        return Hang(0.05, Reply(None, [call("bash", {"command": "echo hi"}, f"c{turn}")]))


def test_four_workers_slow_down_together_in_a_429_storm_and_all_finish(tmp_path: Path) -> None:
    storm = Storm(after=12, length=1.2, turns=8)
    api = FakeOpenAI(storm)
    results: dict[int, AgentRun] = {}
    with api.running():
        client = OpenAIClient(
            "gpt-4o",
            RetryPolicy(attempts=8, base=0.05, ceiling=1.0),
            base_url=api.url,
            api_key="k",
            limit=AdaptiveLimit(4),
        )
        agent = ModelAgent("model", "gpt-4o", lambda _: client)

        def worker(n: int) -> None:
            (tmp_path / str(n)).mkdir()
            sandbox = FakeSandbox(tmp_path / str(n), "HEAD")
            problem = Problem(f"i-{n}", "a/b", "HEAD", "say hi", "", sandbox.workdir)
            session = Session(sandbox, [BashTool(sandbox)])
            try:
                results[n] = agent.solve(problem, session)
            finally:
                session.close()
                sandbox.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # The server recovered within the retry budget: every worker finished its conversation.
    assert [results[n].stop_reason for n in range(4)] == [StopReason.SUBMITTED] * 4
    assert all(r.turns == 9 for r in results.values())
    # The request rate at the server dropped during the storm: once the first refusals were
    # back, every worker waited out each retry-after, one request at a time (without the
    # shared limit, each of the four workers would send one per retry-after: ~20 a second).
    assert storm.began is not None
    start, end = api.requests[0].at, storm.began + storm.length
    before = [r for r in api.requests if r.at < storm.began]
    during = [r for r in api.requests if storm.began <= r.at < end]
    after = [r for r in api.requests if r.at >= end]
    rate_before = len(before) / (storm.began - start)
    assert max(r.concurrent for r in before) == 4
    assert all(r.status == 429 for r in during)
    assert len(during) <= 4 + storm.length / 0.2, len(during)  # the first burst, then 1 a pause
    assert len(during) / storm.length < rate_before / 2
    # The first burst (4 in flight) cut the limit to 2, the next (at most 2) to 1: from then
    # on, one request at a time, however slowly the refusals came back.
    settled = sorted(during, key=lambda r: r.at)[4 + 2 :]
    assert settled and max(r.concurrent for r in settled) == 1
    # After the storm the limit grows back slowly: one at first, then two, ...
    assert after[0].concurrent == 1 and max(r.concurrent for r in after[:3]) <= 2
