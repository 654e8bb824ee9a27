"""Exactly-once building blocks: part files, the output built from them, BulkRun frames,
progress views and the CLI's time and duration parsing."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import rich.console
import rich.progress

from realto_async import AsyncRealtoClient
from realto_async.bulk import BulkProgress
from realto_async.cli import _progress
from realto_async.cli._durations import parse_duration
from realto_async.cli._times import parse_instant
from realto_async.export import AGGREGATIONS, CHARGE_SESSIONS, READINGS
from realto_async.export._bulk import bulk_frame, model_of_listing
from realto_async.export._parts import PartStore, build_output, identity

T0 = datetime(2024, 6, 1, tzinfo=timezone.utc)


def session(number: int, entity: str = "e1") -> dict[str, Any]:
    start = T0 + timedelta(hours=number)
    return {
        "id": f"s{number}",
        "entityId": entity,
        "created": (start + timedelta(hours=3)).isoformat(),
        "data": {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
    }


def test_a_batch_written_twice_under_different_names_is_in_the_output_once(tmp_path: Path) -> None:
    parts = PartStore(tmp_path / "parts")
    old_window = parts.name("e1", T0, T0 + timedelta(days=1), 0)
    new_window = parts.name("e1", T0, T0 + timedelta(days=2), 0)
    parts.write(old_window, "e1", [session(1), session(2)])  # written, then killed before the ack
    parts.write(new_window, "e1", [session(1), session(2), session(3)])  # the resumed run
    parts.write(parts.name("e2", T0, T0 + timedelta(days=2), 0), "e2", [session(4, "e2")])
    parts.write(new_window, "e1", [session(1), session(2), session(3)])  # redelivered: same name
    for format in ("csv", "jsonl", "parquet"):
        output = tmp_path / f"out.{format}"
        assert build_output(parts, CHARGE_SESSIONS, output, format) == 4
    assert sorted(pq.read_table(tmp_path / "out.parquet").column("id").to_pylist()) == [
        "s1",
        "s2",
        "s3",
        "s4",
    ]
    assert [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()] == [
        "s1",
        "s2",
        "s3",
        "s4",
    ]
    assert pd.read_csv(tmp_path / "out.csv")["id"].tolist() == ["s1", "s2", "s3", "s4"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_part_names_sort_by_entity_window_and_page(tmp_path: Path) -> None:
    parts = PartStore(tmp_path)
    names = [
        parts.name("a/b", T0, T0 + timedelta(days=1), 2),
        parts.name("a/b", T0, T0 + timedelta(days=1), 10),
        parts.name("a/b", T0 + timedelta(days=1), T0 + timedelta(days=2), 0),
        parts.name("c", None, None, 0),
    ]
    assert sorted(names) == names
    assert "/" not in names[0]


def test_interrupted_part_writes_are_discarded(tmp_path: Path) -> None:
    (tmp_path / ".e1__x.jsonl.tmp").write_text('{"entity_id": "e1", "record": {"id": "half')
    parts = PartStore(tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))
    assert parts.parts() == []
    assert build_output(parts, READINGS, tmp_path / "r.csv", "csv") == 0
    assert (tmp_path / "r.csv").read_text().splitlines() == [",".join(READINGS.names)]


def test_identity_of_records_with_and_without_ids() -> None:
    assert identity("e1", {"id": "r1"}) == "r1"
    aggregation = {"start": "2024-06-01T00:00:00Z", "end": "2024-06-01T01:00:00Z"}
    assert identity("e1", aggregation) != identity("e2", aggregation)
    assert identity("e1", aggregation) == identity("e1", dict(aggregation))


def test_aggregation_parts_keep_their_entity(tmp_path: Path) -> None:
    parts = PartStore(tmp_path / "p")
    record = {"start": "2024-06-01T00:00:00Z", "end": "2024-06-01T01:00:00Z", "data": {}}
    parts.write("e1.jsonl", "e1", [record])
    parts.write("e2.jsonl", "e2", [record])
    assert build_output(parts, AGGREGATIONS, tmp_path / "a.parquet", "parquet") == 2
    assert pq.read_table(tmp_path / "a.parquet").column("entity_id").to_pylist() == ["e1", "e2"]


@pytest.mark.realto(seed=4, entities=6)
async def test_bulk_runs_give_frames_in_the_export_schema(realto_client: AsyncRealtoClient) -> None:
    client = realto_client
    evs = [entity.id async for entity in client.entities.list(type="EV")]
    frame = await bulk_frame(client.bulk.charge_sessions(evs, start=timedelta(days=10)), "pandas")
    expected = sorted(
        record.id for record in await client.bulk.charge_sessions(evs, start=timedelta(days=10)).collect()
    )
    assert list(frame.columns) == CHARGE_SESSIONS.names
    assert sorted(frame["id"]) == expected
    table = await bulk_frame(client.bulk.aggregations(evs[:2], start=timedelta(hours=6)), "arrow")
    assert table.schema.names == AGGREGATIONS.names
    assert set(table.column("entity_id").to_pylist()) == set(evs[:2])
    empty = await bulk_frame(client.bulk.readings([], start=timedelta(hours=1)), "polars")
    assert (empty.height, empty.columns) == (0, READINGS.names)
    commands = await bulk_frame(client.bulk.commands(evs[:1], start=timedelta(days=1)), "arrow")
    assert commands.num_rows == 0
    assert model_of_listing("aggregations/PT15M") is not None


def _progress_at(done: int, total: int | None) -> BulkProgress:
    return BulkProgress(
        entities_total=total,
        entities_done=done,
        entities_failed=1,
        entities_skipped=0,
        records=40,
        requests=20,
        retries=0,
        seconds_throttled=1.5,
        elapsed=2.0,
        estimated_remaining=None if total is None else 3.0,
        concurrency=4,
    )


def test_plain_progress_lines_are_periodic_and_end_with_the_last_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    view = _progress.PlainLines("x export", interval=3600)
    view.update(_progress_at(1, None))
    view.update(_progress_at(2, 8))
    view.update(_progress_at(3, 8))
    view.close()
    lines = capsys.readouterr().err.splitlines()
    rest = "40 records, 10.0 req/s, 1.5 s throttled, elapsed 2.0 s"
    assert lines == [
        f"x export: entities 2/? (1 failed, 0 skipped), {rest}, ETA ?",
        f"x export: entities 4/8 (1 failed, 0 skipped), {rest}, ETA 3 s",
    ]


def test_a_terminal_gets_a_rich_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert isinstance(_progress.progress_view("x", 1.0), _progress.RichBar)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(_progress.progress_view("x", 1.0), _progress.PlainLines)
    screen = io.StringIO()
    bar = _progress.RichBar("sessions export", rich.progress, rich.console.Console(file=screen, width=150))
    bar.update(_progress_at(5, 8))
    bar.close()
    shown = screen.getvalue()
    assert "sessions export" in shown
    assert "6/8" in shown
    assert "40 records" in shown
    assert "1.5 s throttled" in shown


def test_instants_and_durations() -> None:
    now = datetime(2024, 6, 30, 12, tzinfo=timezone.utc)
    assert parse_instant("30d", now) == now - timedelta(days=30)
    assert parse_instant("12h", now) == now - timedelta(hours=12)
    assert parse_instant("90m", now) == now - timedelta(minutes=90)
    assert parse_instant("2024-06-01") == datetime(2024, 6, 1, tzinfo=timezone.utc)
    assert parse_instant("2024-06-01T14:00:00+02:00") == datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    assert parse_instant("2024-06-01T12:00:00Z") == datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    for bad in ("yesterday", "30 days", "-3d", "2024-13-01", "", "\uff13\uff10d"):
        with pytest.raises(ValueError, match="30d"):
            parse_instant(bad)
    assert parse_duration("PT15M") == timedelta(minutes=15)
    assert parse_duration("pt1h") == timedelta(hours=1)
    assert parse_duration("P1DT2H") == timedelta(days=1, hours=2)
    assert parse_duration("PT1H30M15S") == timedelta(hours=1, minutes=30, seconds=15)
    for bad in ("P", "PT", "1H", "PT1.5H", "P1DT", "hourly", "PT\uff11H"):
        with pytest.raises(ValueError, match="PT15M"):
            parse_duration(bad)
