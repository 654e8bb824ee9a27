"""DataFrames and files in the export schema: pandas, Arrow, polars, Parquet; to_json on models."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realto_async import AsyncRealtoClient
from realto_async.export import CHARGE_SESSIONS, READINGS, MissingDependencyError, table_of, write_table
from realto_async.models import ChargingRecord
from realto_async.testing import FakeRealto
from realto_sync import RealtoClient

SINCE = timedelta(days=20)


async def _sessions(client: AsyncRealtoClient) -> tuple[str, list[ChargingRecord]]:
    ev = await anext_ev(client)
    start = client_now(client) - SINCE
    return ev, await client.charge_sessions.list(ev, start).to_list()


async def anext_ev(client: AsyncRealtoClient) -> str:
    page = await client.entities.list(type="EV")
    return page.data[0].id


def client_now(client: AsyncRealtoClient) -> datetime:
    return datetime.fromtimestamp(client._clock.time(), timezone.utc)


@pytest.mark.realto(seed=3, entities=6)
async def test_paginator_frames_have_the_documented_schema(realto_client: AsyncRealtoClient) -> None:
    ev, sessions = await _sessions(realto_client)
    assert len(sessions) > 3
    start = client_now(realto_client) - SINCE
    listing = realto_client.charge_sessions.list(ev, start, page_size=2)

    arrow = await listing.to_arrow()
    assert arrow.schema.names == CHARGE_SESSIONS.names
    assert arrow.schema.field("start").type == pa.timestamp("us", tz="UTC")
    assert arrow.schema.field("charge_total_kwh").type == pa.float64()
    assert arrow.schema.field("id").type == pa.string()
    assert arrow.column("id").to_pylist() == [session.id for session in sessions]

    frame = await listing.to_pandas()
    assert list(frame.columns) == CHARGE_SESSIONS.names
    assert str(frame["start"].dtype) == "datetime64[us, UTC]"
    assert frame["charge_total_kwh"].tolist() == [s.data.charge.total.total for s in sessions]  # type: ignore[union-attr]
    assert frame["start"].tolist() == [pd.Timestamp(s.data.start) for s in sessions]

    polars_frame = await listing.to_polars()
    assert polars_frame.columns == CHARGE_SESSIONS.names
    assert polars_frame.schema["end"] == pl.Datetime("us", "UTC")
    assert polars_frame["id"].to_list() == [session.id for session in sessions]


@pytest.mark.realto(seed=3, entities=6)
async def test_an_empty_listing_gives_an_empty_frame_with_the_schema(
    realto_client: AsyncRealtoClient,
) -> None:
    ev = await anext_ev(realto_client)
    old = datetime(2001, 1, 1, tzinfo=timezone.utc)
    frame = await realto_client.readings.list(ev, old, old + timedelta(hours=1)).to_pandas()
    assert (len(frame), list(frame.columns)) == (0, READINGS.names)


def test_the_blocking_paginator_has_the_same_frames() -> None:
    with FakeRealto(seed=3, entities=6).serve_in_thread() as server, server.sync_client() as client:
        assert isinstance(client, RealtoClient)
        ev = next(iter(client.entities.list(type="EV"))).id
        start = datetime.now(timezone.utc) - timedelta(hours=3)
        readings = client.readings.list(ev, start).to_list()
        frame = client.readings.list(ev, start).to_pandas()
        assert frame["id"].tolist() == [reading.id for reading in readings]
        assert client.readings.list(ev, start).to_arrow().num_rows == len(readings)
        assert client.readings.list(ev, start).to_polars()["state_of_charge_pct"].to_list() == [
            reading.data.state_of_charge.value  # type: ignore[union-attr]
            for reading in readings
        ]


@pytest.mark.realto(seed=3, entities=6)
async def test_files_read_back_unchanged(realto_client: AsyncRealtoClient, tmp_path: Path) -> None:
    _, sessions = await _sessions(realto_client)
    table = table_of(sessions)
    for format in ("csv", "jsonl", "parquet"):
        write_table(table, str(tmp_path / f"out.{format}"), format)

    parquet = pq.read_table(tmp_path / "out.parquet")
    assert parquet.schema.field("created").type == pa.timestamp("us", tz="UTC")
    assert parquet.to_pylist() == table.rows
    assert pd.read_parquet(tmp_path / "out.parquet")["id"].tolist() == [s.id for s in sessions]

    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert list(first) == CHARGE_SESSIONS.names
    assert first["start"] == sessions[0].to_dict()["data"]["start"]
    assert len(lines) == len(sessions)

    csv_frame = pd.read_csv(tmp_path / "out.csv")
    assert list(csv_frame.columns) == CHARGE_SESSIONS.names
    assert csv_frame["charge_total_kwh"].tolist() == [row["charge_total_kwh"] for row in table.rows]


def test_models_offer_to_json_with_wire_names() -> None:
    record = ChargingRecord.from_dict(
        {
            "id": "s1",
            "entityId": "e1",
            "created": "2024-06-02T02:00:00Z",
            "data": {"start": "2024-06-01T21:20:00Z", "end": "2024-06-01T22:00:00Z", "futureField": 1},
        }
    )
    text = record.to_json()
    assert json.loads(text) == record.to_dict()
    assert '"entityId": "e1"' in text
    assert json.loads(text)["data"]["futureField"] == 1
    assert record.to_json(indent=2).startswith('{\n  "id"')


@pytest.mark.parametrize(
    ("blocked", "call", "extra"),
    [
        ("pyarrow", "to_arrow", "realto[arrow]"),
        ("pandas", "to_pandas", "realto[pandas]"),
        ("pyarrow", "to_pandas", "realto[pandas]"),
        ("polars", "to_polars", "realto[polars]"),
        ("pyarrow", "to_polars", "realto[polars]"),
    ],
)
async def test_a_missing_library_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, blocked: str, call: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, blocked, None)
    from realto_async.export import _frames

    with pytest.raises(MissingDependencyError) as info:
        getattr(_frames, call)(table_of([], ChargingRecord))
    assert f"pip install '{extra}'" in str(info.value)
    assert "realto[data]" in str(info.value)
    assert isinstance(info.value, ImportError)


def test_parquet_without_pyarrow_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match=r"realto\[arrow\]"):
        write_table(table_of([], ChargingRecord), str(tmp_path / "x.parquet"), "parquet")
    assert not (tmp_path / "x.parquet").exists()
