"""BulkRun.to_pandas/to_arrow/to_polars: the same frames as the paginators' for the same records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone

import attrs
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from realto_async import AsyncRealtoClient, RealtoError
from realto_async.export import CHARGE_SESSIONS, READINGS
from realto_async.testing import FakeClock, FakeRealto, Fleet

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=10)
READINGS_END = FakeClock().now()  # readings are kept for the last days only
READINGS_START = READINGS_END - timedelta(hours=3)


@pytest.fixture
async def fleet() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=6, fleet=Fleet(evs=3, heat_pumps=1), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


async def _ev_ids(client: AsyncRealtoClient) -> list[str]:
    return [entity.id async for entity in client.entities.list(type="EV")]


async def test_each_frame_of_a_run_equals_the_paginators_frame(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ev = (await _ev_ids(client))[0]
    sessions = client.charge_sessions.list(ev, START, END)
    run = client.bulk.charge_sessions([ev], start=START, end=END, page_size=2)
    assert run.listing == "charge_sessions"
    frame: pd.DataFrame = await run.to_pandas()
    expected: pd.DataFrame = await sessions.to_pandas()
    assert len(frame) > 2  # several pages of the run
    pd.testing.assert_frame_equal(frame, expected)
    assert run.report.entities_done == 1

    table: pa.Table = await client.bulk.readings([ev], start=READINGS_START, end=READINGS_END).to_arrow()
    assert table.num_rows > 0
    assert table.equals(await client.readings.list(ev, READINGS_START, READINGS_END).to_arrow())
    assert table.schema.names == READINGS.names

    polars_frame: pl.DataFrame = await client.bulk.readings(
        [ev], start=READINGS_START, end=READINGS_END
    ).to_polars()
    assert polars_frame.equals(await client.readings.list(ev, READINGS_START, READINGS_END).to_polars())


async def test_a_run_over_several_entities_gives_every_record_once(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    evs = await _ev_ids(client)
    frame: pd.DataFrame = await client.bulk.charge_sessions(evs, start=START, end=END).to_pandas()
    parts = [await client.charge_sessions.list(ev, START, END).to_pandas() for ev in evs]
    expected = pd.concat(parts, ignore_index=True).sort_values("id", ignore_index=True)
    pd.testing.assert_frame_equal(frame.sort_values("id", ignore_index=True), expected)
    assert set(frame["entity_id"]) == set(evs)


async def test_an_empty_run_gives_the_schemas_columns_and_a_run_is_framed_once(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    empty = await client.bulk.charge_sessions([], start=START, end=END).to_pandas()
    assert (len(empty), list(empty.columns)) == (0, CHARGE_SESSIONS.names)
    table = await client.bulk.readings([], start=READINGS_START, end=READINGS_END).to_arrow()
    assert (table.num_rows, table.schema.names) == (0, READINGS.names)
    polars_frame = await client.bulk.readings([], start=READINGS_START, end=READINGS_END).to_polars()
    assert (polars_frame.height, polars_frame.columns) == (0, READINGS.names)
    ev = (await _ev_ids(client))[0]
    aggregations = client.bulk.aggregations([ev], start=READINGS_START, end=READINGS_END)
    assert aggregations.listing == "aggregations/PT1H"
    await aggregations.collect()
    with pytest.raises(RealtoError, match="already iterated"):
        await aggregations.to_pandas()


@pytest.fixture
def served() -> Iterator[FakeRealto]:
    fleet = attrs.evolve(Fleet.only_evs(2), heat_pumps=1)
    with FakeRealto(seed=6, fleet=fleet, clock=FakeClock()).serve_in_thread() as server:
        yield server


def test_the_blocking_run_gives_the_same_frames(served: FakeRealto) -> None:
    with served.sync_client() as client:
        ev = next(iter(client.entities.list(type="EV"))).id
        run = client.bulk.charge_sessions([ev], start=START, end=END, page_size=2)
        assert run.listing == "charge_sessions"
        pd.testing.assert_frame_equal(
            run.to_pandas(), client.charge_sessions.list(ev, START, END).to_pandas()
        )
        assert run.done
        readings = client.readings.list(ev, READINGS_START, READINGS_END)
        table = client.bulk.readings([ev], start=READINGS_START, end=READINGS_END).to_arrow()
        assert table.num_rows > 0
        assert table.equals(readings.to_arrow())
        polars_frame = client.bulk.readings([ev], start=READINGS_START, end=READINGS_END).to_polars()
        assert polars_frame.equals(readings.to_polars())
        empty = client.bulk.readings([], start=READINGS_START, end=READINGS_END).to_polars()
        assert (empty.height, empty.columns) == (0, READINGS.names)
