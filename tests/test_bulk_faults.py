"""client.bulk under faults, throttling, slow consumers and kills."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest

from realto_async import AsyncRealtoClient, BulkProgress, BulkRun, SQLiteStateStore
from realto_async.bulk._limits import AdaptiveLimit, RunGate
from realto_async.testing import FakeClock, FakeRealto, Fleet

ROOT = Path(__file__).resolve().parent.parent


def _end_of(clock: FakeClock) -> datetime:
    # A day back, so no session still running at the end can be published during the run.
    return clock.now().replace(microsecond=0) - timedelta(days=1)


async def test_default_settings_deliver_every_record_exactly_once_under_realistic_faults() -> None:
    clock = FakeClock()
    server = FakeRealto(seed=11, fleet=Fleet.only_evs(1000), clock=clock)
    async with server.serve(), server.client() as client:
        end = _end_of(clock)
        start = end - timedelta(days=7)
        clean = await client.bulk.charge_sessions(entity_type="EV", start=start, end=end).collect()
        server.log_requests = False
        for status, probability in ((500, 0.04), (502, 0.03), (503, 0.03)):
            server.faults.add("GET *", status=status, probability=probability)
        dropped = [server.faults.add("GET *", drop=when, probability=0.01) for when in ("before", "during")]
        truncated = server.faults.add("GET *", truncate=True, probability=0.01)
        storm = server.faults.add("GET *", status=429, retry_after=2, after=400, times=200)
        with anyio.fail_after(120):
            run = client.bulk.charge_sessions(entity_type="EV", start=start, end=end)
            faulty = await run.collect()
    assert len(clean) > 5_000
    assert Counter(r.id for r in faulty) == Counter(r.id for r in clean)  # each exactly once
    assert {r.id: r for r in faulty} == {r.id: r for r in clean}
    report = run.report
    assert report.failed == {}
    assert report.entities_done == 1000
    assert report.ok
    assert storm.applied == 200
    assert all(fault.applied > 5 for fault in [*dropped, truncated])
    assert report.retries > 200 + 100
    assert report.seconds_throttled >= 2


@pytest.fixture
async def evs() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient, list[str]]]:
    server = FakeRealto(seed=4, fleet=Fleet.only_evs(40), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client, [ev.id async for ev in client.entities.list()]


async def test_a_429_pauses_the_whole_run_and_halves_the_concurrency_which_then_grows_back() -> None:
    clock = FakeClock()
    server = FakeRealto(seed=4, fleet=Fleet.only_evs(40), clock=clock)
    events: list[tuple[str, int, float]] = []  # ("sent" | "answered", status, fake time), in order

    # Requests in flight at once, counting only those sent after the 429 came back, and the
    # run's concurrency limit at each such send.
    after_429: list[tuple[int, int]] = []
    in_flight = [0]
    runs: list[BulkRun[Any]] = []

    async def on_start(_: object, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        events.append(("sent", 0, clock.monotonic()))
        context.counted = any(status == 429 for _, status, _ in events)
        if context.counted:
            in_flight[0] += 1
            after_429.append((in_flight[0], runs[0].progress.concurrency))

    async def on_end(_: object, context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        events.append(("answered", params.response.status, clock.monotonic()))
        if context.counted:
            in_flight[0] -= 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    trace.on_request_end.append(on_end)
    async with (
        server.serve(),
        aiohttp.ClientSession(trace_configs=[trace]) as session,
        server.client(session=session) as client,
    ):
        ids = [ev.id async for ev in client.entities.list()]
        end = _end_of(clock)
        route = "GET /v1/entities/*/charge-sessions"
        storm = server.faults.add(route, status=429, retry_after=30, after=20, times=1)
        run = client.bulk.charge_sessions(ids, start=end - timedelta(days=30), end=end, page_size=2)
        runs.append(run)
        concurrency: list[int] = []
        async for _ in run:
            concurrency.append(run.progress.concurrency)
    assert storm.applied == 1
    assert run.report.seconds_throttled == 30
    assert concurrency[-1] == 16  # grown back, one step per window of successes
    assert run.report.failed == {}
    assert run.report.retries == 1  # the 429 is not counted against the entity's retries
    throttled = next(i for i, (kind, status, _) in enumerate(events) if status == 429)
    at = events[throttled][2]
    sent_after = [when for kind, _, when in events[throttled:] if kind == "sent"]
    # No request of the run went out after the 429 came back until its Retry-After had passed.
    assert len(sent_after) > len(ids)
    assert all(when >= at + 30 for when in sent_after)
    # Halved to 8 (the 15 requests already in flight when the 429 came back may add one step),
    # never more in flight than the limit, and grown back one step per window of successes.
    assert after_429[0][1] <= 9
    assert all(count <= limit for count, limit in after_429)
    assert max(count for count, _ in after_429[:20]) <= 10


def test_pauses_of_requests_in_flight_together_merge_into_one() -> None:
    clock = FakeClock()
    limit = AdaptiveLimit(16)
    gate = RunGate(clock, limit, None)
    gate.pause(30)
    clock.advance(1)
    gate.pause(30)  # a second 429 of the same burst: extends the pause, no second halving
    gate.pause(10)  # inside the pause: nothing changes
    assert gate.seconds_throttled == 31
    assert limit.current == 8
    assert limit.decreases == 1
    clock.advance(40)
    gate.pause(5)  # a new burst after the pause ended halves again
    assert limit.current == 4
    assert gate.seconds_throttled == 36
    for _ in range(4 + 5):
        limit.succeeded()
    assert limit.current == 6  # +1 after 4 successes at 4, +1 after 5 at 5


async def test_rate_caps_requests_per_second(evs: tuple[FakeRealto, AsyncRealtoClient, list[str]]) -> None:
    server, client, ids = evs
    clock = server.clock
    assert isinstance(clock, FakeClock)
    end = _end_of(clock)
    began = clock.monotonic()
    run = client.bulk.charge_sessions(ids[:10], start=end - timedelta(days=5), end=end, rate=4.0, page_size=2)
    await run.collect()
    took = clock.monotonic() - began
    assert run.report.requests > 10
    assert took >= (run.report.requests - 1) / 4.0  # one every 0.25 s from the first: no burst


async def test_a_slow_consumer_holds_the_fetching_back(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    run = client.bulk.charge_sessions(
        ids, start=end - timedelta(days=30), end=end, page_size=1, concurrency=3
    )
    pages = [r for r in server.requests if r.path.endswith("/charge-sessions")]
    async with run:
        async for _ in run:
            await anyio.sleep(0.2)  # the consumer is busy; the run must not run ahead
            pages = [r for r in server.requests if r.path.endswith("/charge-sessions")]
            break
    # 3 buffered + 3 held by workers waiting to hand theirs over + 1 delivered
    assert 1 <= len(pages) <= 3 + 3 + 1
    assert run.report.cancelled


async def test_leaving_a_run_leaves_no_task_behind(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    await client.entities.retrieve(ids[0])  # the session and its token exist before counting

    def ours() -> set[asyncio.Task[object]]:  # the emulator's own handlers aside
        return {t for t in asyncio.all_tasks() if "RequestHandler" not in repr(t.get_coro())}

    before = ours()
    run = client.bulk.charge_sessions(ids, start=end - timedelta(days=30), end=end, page_size=1)
    async with run:
        async for _ in run:
            assert len(ours()) > len(before)
            break
    await asyncio.sleep(0)  # the loop finalizes the abandoned iterator on its next turn
    assert ours() == before


async def test_progress_comes_at_most_every_half_second_and_once_at_the_end(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    server.faults.add("GET /v1/entities/*/charge-sessions", latency=0.1)  # real seconds
    seen: list[BulkProgress] = []
    started = anyio.current_time()
    run = client.bulk.charge_sessions(
        ids[:20], start=end - timedelta(days=3), end=end, on_progress=seen.append, concurrency=2
    )
    async for _ in run:
        pass
    took = anyio.current_time() - started
    assert took > 0.5
    assert 2 <= len(seen) <= took / 0.5 + 1
    assert seen[-1].entities_done == 20
    assert seen[-1].entities_total == 20
    assert seen[-1].estimated_remaining == 0
    assert [p.records for p in seen] == sorted(p.records for p in seen)


async def test_a_run_killed_with_sigkill_resumes_with_every_record_and_none_acknowledged_twice(
    tmp_path: Path,
) -> None:
    server = FakeRealto(seed=6, fleet=Fleet.only_evs(30))  # real time: the child has its own clock
    async with server.serve(), server.client() as client:
        end = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
        start = end - timedelta(days=20)
        ids = [ev.id async for ev in client.entities.list()]
        expected = [r.id for ev in ids async for r in client.charge_sessions.list(ev, start, end)]
        state_path, out_path = tmp_path / "state.db", tmp_path / "out.txt"
        args = [server.url, server.client_id, server.client_secret, str(state_path), str(out_path)]
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bulk_child", *args, start.isoformat(), end.isoformat(), cwd=ROOT
        )
        with anyio.fail_after(60):
            while not out_path.exists() or len(out_path.read_text().splitlines()) < 25:
                assert child.returncode is None, "the child ended before it could be killed"
                await anyio.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
        lines = out_path.read_text().splitlines()
        with SQLiteStateStore(state_path) as state:
            rest = client.bulk.charge_sessions(ids, start=start, end=end, state=state, page_size=3)
            resumed = await rest.collect()
    before = [record for line in lines for record in line.split("\t")[1].split(",") if record]
    assert len(before) < len(expected)  # killed part way
    everything = Counter(before + [r.id for r in resumed])
    assert set(everything) == set(expected)
    twice = {record for record, count in everything.items() if count > 1}
    last_batch = set(lines[-1].split("\t")[1].split(","))
    assert twice <= last_batch  # only the batch in hand at the kill, never acknowledged, comes again
    assert max(everything.values()) <= 2
