"""client.bulk on the blocking client: iterated without await, on the client's own loop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import attrs
import pytest

from realto_async import ChargingRecord, MemoryStateStore, RealtoError
from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_sync import RealtoClient, SyncBulkRun
from tests.ctrl_c import ctrl_c_once_held

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=10)


@pytest.fixture
def served() -> Iterator[FakeRealto]:
    fleet = attrs.evolve(Fleet.only_evs(6), heat_pumps=1)
    with FakeRealto(seed=8, fleet=fleet, clock=FakeClock()).serve_in_thread() as server:
        yield server


def test_the_blocking_client_iterates_a_bulk_run_and_acknowledges_as_it_goes(served: FakeRealto) -> None:
    with served.sync_client() as client:
        assert isinstance(client, RealtoClient)
        ids = [ev.id for ev in client.entities.list(type="EV")]
        expected = sorted(r.id for ev in ids for r in client.charge_sessions.list(ev, START, END))
        state = MemoryStateStore()
        run = client.bulk.charge_sessions(
            client.entities.list(), start=START, end=END, state=state, page_size=4
        )
        assert isinstance(run, SyncBulkRun)
        got = [record.id for batch in run for record in batch.records]
        assert sorted(got) == expected
        assert run.report.entities_done == len(ids)
        assert run.report.entities_skipped == 1
        again = client.bulk.charge_sessions(ids, start=START, end=END, state=state)
        assert again.collect() == []
        assert again.report.requests == 0


def test_leaving_the_loop_early_stops_the_run_and_keeps_the_batch_unacknowledged(served: FakeRealto) -> None:
    with served.sync_client() as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]
        state = MemoryStateStore()
        with client.bulk.charge_sessions(ids[:1], start=START, end=END, state=state, page_size=1) as run:
            for batch in run:
                assert isinstance(batch.records[0], ChargingRecord)
                break
        assert run.done
        assert run.report.cancelled
        with pytest.raises(RealtoError, match="already iterated"):
            iter(run).__next__()
        rest = client.bulk.charge_sessions(ids[:1], start=START, end=END, state=state, page_size=1)
        first = next(iter(rest))
        assert first.page == 0  # the batch was never acknowledged, so it comes again
        rest.close()


def test_map_runs_a_blocking_call_in_worker_threads(served: FakeRealto) -> None:
    with served.sync_client() as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]
        run = client.bulk.map(client.readings.last, ids, concurrency=3)
        readings = run.collect()
        assert sorted(r.entity_id for r in readings) == sorted(ids)
        assert run.progress.entities_done == len(ids)


def test_ack_and_coroutine_functions_work_from_blocking_code(served: FakeRealto) -> None:
    with served.sync_client(connector_limit=4) as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]
        state = MemoryStateStore()
        run = client.bulk.charge_sessions(ids[:1], start=START, end=END, state=state, page_size=1)
        assert run.progress.concurrency == 4  # never more requests than connections
        with run:
            for batch in run:
                first_page = batch.page
                run.ack()  # acknowledged now, though the loop is left before the next batch
                break
        assert "ended" in repr(run)
        resumed = client.bulk.charge_sessions(ids[:1], start=START, end=END, state=state, page_size=1)
        assert next(iter(resumed)).page == first_page + 1
        resumed.close()

        async def entity_id(value: str) -> str:
            return value

        assert sorted(client.bulk.map(entity_id, ids).collect()) == sorted(ids)


def test_a_caller_slower_than_the_timeout_between_batches_gets_every_record_without_retries() -> None:
    # The real clock: the client's timeout runs while the caller is away from the loop.
    with FakeRealto(seed=9, fleet=Fleet.only_evs(4)).serve_in_thread() as server:
        with server.sync_client(timeout=0.5) as client:
            ids = [ev.id for ev in client.entities.list(type="EV")]
            end = datetime.now(timezone.utc).replace(microsecond=0)
            start = end - timedelta(days=20)
            expected = sorted(r.id for ev in ids for r in client.charge_sessions.list(ev, start, end))
            server.faults.add("GET /v1/entities/*/charge-sessions", latency=0.05)
            run = client.bulk.charge_sessions(ids, start=start, end=end, page_size=2, concurrency=4)
            got: list[str] = []
            for number, batch in enumerate(run):
                got.extend(record.id for record in batch.records)
                if number < 3:
                    time.sleep(0.8)  # requests of the other entities are in flight meanwhile
        assert len(expected) > 8
        assert sorted(got) == expected
        assert run.report.ok
        assert run.report.retries == 0


@pytest.mark.parametrize("after_batches", [0, 2])
def test_ctrl_c_while_waiting_for_the_next_batch_is_a_keyboard_interrupt_and_stops_the_run(
    served: FakeRealto, after_batches: int
) -> None:
    with served.sync_client() as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]
        # The first requests answer; then the server holds each one for a minute.
        served.faults.add("GET /v1/entities/*/charge-sessions", latency=60, after=after_batches)
        got: list[str] = []
        run = client.bulk.charge_sessions(ids, start=START, end=END, concurrency=1)
        # By 0.3 s after the server holds a request the caller is waiting for its next batch.
        with ctrl_c_once_held(served, delay=0.3), pytest.raises(KeyboardInterrupt):
            got.extend(batch.entity_id for batch in run)  # not a RuntimeError from closing the run
        assert run.done
        assert run.report.cancelled
        assert len(got) <= after_batches
        served.faults.reset()
        assert [ev.id for ev in client.entities.list(type="EV")] == ids  # the client still works


def test_a_generator_over_the_blocking_client_is_a_source_and_its_own_error_comes_out_as_itself(
    served: FakeRealto,
) -> None:
    with served.sync_client() as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]
        expected = sorted(r.id for ev in ids for r in client.charge_sessions.list(ev, START, END))
        # The generator calls the blocking client while the run reads it.
        evs = (entity.id for entity in client.entities.list(page_size=2) if str(entity.type) == "EV")
        run = client.bulk.charge_sessions(evs, start=START, end=END, concurrency=2)
        assert sorted(record.id for batch in run for record in batch.records) == expected
        assert run.report.entities_done == len(ids)

        def breaking() -> Iterator[str]:
            for number, entity in enumerate(client.entities.list(page_size=2)):
                if number == 3:
                    raise KeyError("the caller's own bug")
                yield entity.id

        with pytest.raises(KeyError, match="the caller's own bug"):
            client.bulk.charge_sessions(breaking(), start=START, end=END).collect()


def test_a_slow_generator_source_feeds_the_run_as_its_ids_come(served: FakeRealto) -> None:
    with served.sync_client() as client:
        ids = [ev.id for ev in client.entities.list(type="EV")]

        def slowly() -> Iterator[str]:
            for entity_id in ids:
                time.sleep(0.2)
                yield entity_id

        run = client.bulk.charge_sessions(slowly(), start=START, end=END)
        began = time.monotonic()
        arrivals = [time.monotonic() - began for _ in run]
        # The first batch came while the generator was still going (it takes 0.2 s an id).
        assert arrivals
        assert arrivals[0] < 0.2 * len(ids) - 0.4
