"""The parts of realto_async.bulk.dask that run without a cluster: one shard run in this
process against the emulator, the hidden client options, shard assignment, limits, reports and
argument checks."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dask.base
import pyarrow.parquet as pq
import pytest

from realto_async import AsyncRealtoClient
from realto_async._dask._result import PortableError, ShardResult, combine
from realto_async._dask._run import _limits
from realto_async._dask._shard import run_shard
from realto_async._dask._shards import ShardSpec, check_layout, split, write_layout
from realto_async.bulk import BulkReport
from realto_async.bulk.dask import ClientOptions, DaskBulkResult, run_on_dask
from realto_async.errors import InvalidArgumentError, InvalidCredentialsError, RealtoError
from realto_async.export import AGGREGATIONS, READINGS, MissingDependencyError
from realto_async.testing import FakeRealto

pytestmark = pytest.mark.cluster

END = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
START = END - timedelta(hours=12)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeRealto]:
    with FakeRealto(seed=15, entities=6).serve_in_thread() as served:
        yield served


@pytest.fixture(scope="module")
def entity_ids(server: FakeRealto) -> list[str]:
    with server.sync_client() as client:
        return [entity.id for entity in client.entities.list()][:3]


def options_of(server: FakeRealto) -> ClientOptions:
    return ClientOptions(
        {"base_url": server.url, "client_id": server.client_id, "client_secret": server.client_secret}
    )


def spec(server: FakeRealto, listing: str, entities: list[str], **changes: Any) -> ShardSpec:
    values: dict[str, Any] = {
        "index": 0, "shards": 1, "listing": listing, "entities": tuple(entities), "start": START,
        "end": END, "resolution": None, "page_size": 50, "concurrency": 4, "rate": None,
        "state_dir": None, "output": None, "options": options_of(server),
    }  # fmt: skip
    return ShardSpec(**(values | changes))


def test_a_shard_writes_each_record_once_and_a_rerun_does_nothing(
    server: FakeRealto, entity_ids: list[str], tmp_path: Path
) -> None:
    with server.sync_client() as client:
        expected = sorted(r.id for e in entity_ids for r in client.readings.list(e, START, END))
    shard = spec(server, "readings", entity_ids, state_dir=str(tmp_path / "s"), output=str(tmp_path / "o"))
    first = run_shard(shard)
    assert first.file == str(tmp_path / "o" / "part-00000.parquet")
    assert first.report.records == len(expected) > 50
    table = pq.read_table(first.file)
    assert table.column_names == READINGS.names
    assert sorted(table.column("id").to_pylist()) == expected
    written = Path(first.file).stat().st_mtime_ns

    again = run_shard(shard)
    assert again.finished_before
    assert again.report.requests == 0
    assert again.report.records == first.report.records  # what the file holds, no request made
    assert again.report.entities_done == first.report.entities_done == len(entity_ids)
    assert Path(first.file).stat().st_mtime_ns == written

    later = run_shard(spec(server, "readings", entity_ids, end=END + timedelta(minutes=30),
                           state_dir=str(tmp_path / "s"), output=str(tmp_path / "o")))  # fmt: skip
    assert not later.finished_before
    assert later.report.requests > 0
    ids = pq.read_table(first.file).column("id").to_pylist()
    assert len(ids) == len(set(ids)) >= len(expected)

    same_state_no_output = run_shard(spec(server, "readings", entity_ids, end=END + timedelta(minutes=30),
                                          state_dir=str(tmp_path / "s")))  # fmt: skip
    assert not same_state_no_output.finished_before
    assert same_state_no_output.file is None
    assert sorted(same_state_no_output.table.column("id").to_pylist()) == sorted(ids)
    assert not list((tmp_path / "s").glob(".shard-*.parquet"))  # the scratch table is gone


def test_a_rerun_with_an_earlier_start_fetches_the_earlier_window(
    server: FakeRealto, entity_ids: list[str], tmp_path: Path
) -> None:
    with server.sync_client() as client:
        expected = sorted(r.id for e in entity_ids for r in client.readings.list(e, START, END))
    dirs = {"state_dir": str(tmp_path / "s"), "output": str(tmp_path / "o")}
    late = run_shard(spec(server, "readings", entity_ids, start=START + timedelta(hours=8), **dirs))
    assert 0 < late.report.records < len(expected)
    for earlier in (START + timedelta(hours=4), START):  # earlier and earlier again
        run_shard(spec(server, "readings", entity_ids, start=earlier, **dirs))
    assert late.file is not None
    assert sorted(pq.read_table(late.file).column("id").to_pylist()) == expected  # each once


def test_a_shard_killed_before_its_done_marker_reports_the_records_its_output_holds(
    server: FakeRealto, entity_ids: list[str], tmp_path: Path
) -> None:
    shard = spec(server, "readings", entity_ids, state_dir=str(tmp_path / "s"), output=str(tmp_path / "o"))
    first = run_shard(shard)
    assert first.report.records > 50
    for marker in (tmp_path / "s").rglob("*.done.json"):  # as if the worker died right before it
        marker.unlink()
    again = run_shard(shard)
    assert not again.finished_before
    assert again.file is not None
    assert again.report.records == pq.read_table(again.file).num_rows == first.report.records


def test_a_shard_without_state_dir_or_output_sends_its_table_back(
    server: FakeRealto, entity_ids: list[str]
) -> None:
    shard = spec(server, "aggregations", entity_ids, resolution=timedelta(hours=1))
    assert shard.label == "aggregations-PT1H"
    result = run_shard(shard)
    assert result.file is None
    assert result.table.column_names == AGGREGATIONS.names
    assert result.table.num_rows == result.report.records == 12 * len(entity_ids)
    assert set(result.table.column("entity_id").to_pylist()) == set(entity_ids)
    frame = DaskBulkResult(result.report, (), (result,)).to_dask_dataframe().compute()
    assert len(frame) == result.table.num_rows


def test_commands_keep_their_wire_json_in_extras(server: FakeRealto, entity_ids: list[str]) -> None:
    result = run_shard(spec(server, "commands", entity_ids))
    assert result.table.column_names == ["entity_id", "extras"]
    assert result.report.entities_done == len(entity_ids)


def test_failures_come_back_as_the_sdks_typed_errors(server: FakeRealto, entity_ids: list[str]) -> None:
    wrong = ClientOptions({"base_url": server.url, "client_id": server.client_id, "client_secret": "nope"})
    result = run_shard(spec(server, "readings", entity_ids[:2], options=wrong))
    travelled: ShardResult = pickle.loads(pickle.dumps(result))
    assert sorted(travelled.report.failed) == sorted(entity_ids[:2])
    for error in travelled.report.failed.values():
        assert isinstance(error, InvalidCredentialsError)
        assert error.status_code == 401
        assert "nope" not in str(error)


def test_portable_errors_keep_class_message_and_fields() -> None:
    error = InvalidCredentialsError("refused", status_code=401, url="http://x/token", headers={"A": "1"})
    rebuilt = pickle.loads(pickle.dumps(PortableError.of(error))).rebuild()
    assert type(rebuilt) is InvalidCredentialsError
    assert str(rebuilt) == "refused"
    assert (rebuilt.status_code, rebuilt.url, dict(rebuilt.headers)) == (401, "http://x/token", {"A": "1"})


def test_client_options_hide_their_values_everywhere() -> None:
    options = ClientOptions({"client_id": "the-id", "client_secret": "the-secret", "base_url": "http://h"})
    shown = [repr(options), str(options), repr(dask.base.tokenize(options)), repr(ShardSpec(
        index=2, shards=5, listing="readings", entities=("a",), start=START, end=END, resolution=None,
        page_size=None, concurrency=1, rate=None, state_dir=None, output=None, options=options,
    ))]  # fmt: skip
    for text in shown:
        assert "the-secret" not in text
        assert "the-id" not in text
    assert repr(options) == "ClientOptions(base_url=***, client_id=***, client_secret=***)"
    assert "shard 3/5 of readings: 1 entities" in shown[-1]
    client = pickle.loads(pickle.dumps(options)).client()
    assert isinstance(client, AsyncRealtoClient)
    assert client.config.base_url.startswith("http://h")


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"session": object()}, "each worker opens its own client"),
        ({"clock": object()}, "each worker opens its own client"),
        ({"client_secrett": "x"}, "unknown argument 'client_secrett'"),
        ({"default_headers": {"X": (lambda: 1)}}, "does not pickle"),
        ("client_id=x", "must be a dict"),
    ],
)
def test_client_options_refuse_what_cannot_reach_a_worker(values: Any, complaint: str) -> None:
    with pytest.raises(InvalidArgumentError, match=complaint):
        ClientOptions(values)


def test_an_entity_stays_in_its_shard_when_the_fleet_grows() -> None:
    fleet = [f"00000000-0000-0000-0000-{n:012d}" for n in range(40)]
    before = split(fleet, 4)
    after = split([*fleet, *(f"10000000-0000-0000-0000-{n:012d}" for n in range(40))], 4)
    assert sorted(str(e) for group in before for e in group) == sorted(fleet)
    for old, new in zip(before, after, strict=True):
        assert set(old) <= set(new)
    assert all(before)  # a hash spreads 40 ids over every shard


def test_a_state_dir_remembers_its_shard_count(tmp_path: Path) -> None:
    assert check_layout(tmp_path, "readings", 8) is None
    write_layout(tmp_path, "readings", 8)
    assert check_layout(tmp_path, "readings", None) == 8
    assert check_layout(tmp_path, "readings", 8) == 8
    with pytest.raises(InvalidArgumentError, match="holds the state of 8 shards of readings; pass shards=8"):
        check_layout(tmp_path, "readings", 3)
    with pytest.raises(InvalidArgumentError, match="pass shards=8"):
        run_on_dask(None, "readings", entity_ids=[], start=START, end=END, state_dir=tmp_path, shards=2)


def test_limits_are_shared_by_the_shards_that_run_at_once() -> None:
    assert _limits(None, None, shards=8, threads=2) == (2, 16, None)
    assert _limits(10, 30.0, shards=8, threads=2) == (2, 5, 15.0)
    assert _limits(3, 30.0, shards=8, threads=4) == (3, 1, 10.0)
    assert _limits(100, None, shards=2, threads=16) == (2, 50, None)


def _report(**values: Any) -> BulkReport:
    counts: dict[str, Any] = {
        "entities_done": 1, "entities_failed": 0, "entities_skipped": 0, "failed": {}, "skipped": (),
        "records": 10, "requests": 2, "retries": 0, "seconds_throttled": 0.5, "elapsed": 3.0,
    }  # fmt: skip
    return BulkReport(**(counts | values))


def test_reports_of_shards_add_up() -> None:
    error = RealtoError("boom")
    total = combine(
        [_report(), _report(entities_failed=1, failed={"b": error}, skipped=("c",), entities_skipped=1)],
        elapsed=4.0,
    )
    assert (total.entities_done, total.entities_failed, total.entities_skipped) == (2, 1, 1)
    assert (total.records, total.requests, total.seconds_throttled, total.elapsed) == (20, 4, 1.0, 4.0)
    assert total.failed == {"b": error}
    assert total.skipped == ("c",)
    assert not total.ok


def test_a_result_without_records_has_no_dataframe() -> None:
    with pytest.raises(RealtoError, match="no records"):
        DaskBulkResult(_report(records=0), (), ()).to_dask_dataframe()


class NoWorkers:
    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {}}


def test_a_cluster_without_workers_is_named() -> None:
    with pytest.raises(RealtoError, match="has no workers"):
        run_on_dask(NoWorkers(), "readings", entity_ids=["x"], start=START, end=END)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"listing": "sessions"}, "listing must be one of charge_sessions, readings, aggregations, commands"),
        ({"start": datetime(2024, 1, 1)}, "start is a naive datetime"),
        ({"end": datetime(2024, 1, 1)}, "end is a naive datetime"),
        ({"end": "2024-01-01"}, "end must be a datetime"),
        ({"start": "2024-01-01"}, "start must be a datetime or a timedelta"),
        ({"start": timedelta(0)}, "must be positive"),
        ({"start": END + timedelta(hours=1)}, "is before start"),
        ({"start": timedelta(days=1), "end": datetime(2020, 1, 1, tzinfo=timezone.utc)}, "is before start"),
        (
            {"start": timedelta(hours=2), "end": datetime.now(timezone.utc) - timedelta(hours=3)},
            "before start",
        ),
        ({"shards": 0}, "shards must be an int >= 1"),
        ({"shards": True}, "shards must be an int >= 1"),
        ({"rate": 0}, "rate must be a number"),
        ({"rate": "fast"}, "rate must be a number"),
        ({"retries": -1}, "retries must be an int >= 0"),
        ({"resolution": 60}, "resolution must be a timedelta"),
        ({"page_size": 0}, "page_size"),
        ({"client_options": {"sesion": 1}}, "unknown argument 'sesion'"),
        ({"entity_type": "EV"}, "not both"),
        ({"entity_ids": "0000"}, "must be a list of entity ids"),
        ({"entity_ids": 5}, "must be a list of entity ids"),
        ({"concurrency": 0}, "concurrency must be an int >= 1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(arguments: dict[str, Any], complaint: str) -> None:
    values: dict[str, Any] = {"listing": "readings", "entity_ids": ["x"], "start": START, "end": END}
    values |= arguments
    with pytest.raises(InvalidArgumentError, match=complaint):
        run_on_dask(FakeCluster(), **values)


class FakeCluster(NoWorkers):
    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {"w": {"nthreads": 2}}}


def test_no_entities_make_an_empty_run() -> None:
    result = run_on_dask(FakeCluster(), "readings", entity_ids=[], start=timedelta(hours=2))
    assert result.shards == ()
    assert result.files == ()
    assert (result.report.entities_done, result.report.requests, result.report.ok) == (0, 0, True)


def test_without_the_dask_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'realto\[dask\]'"):
        run_on_dask(FakeCluster(), "readings", entity_ids=["x"], start=START, end=END)
