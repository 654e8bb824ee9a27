"""Pages decoded by msgspec give exactly what the general way gives, or are left to it.

Every comparison decodes the same body twice through ``parse_page``: once as users get it (the
msgspec fast path first) and once with the fast path turned off; the pages, or the errors, must
be the same, down to int-versus-float and enum-versus-string, and nested models read later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import json
import pickle
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

import realto_async._attempt as attempt
import realto_async._fast_pages as fast_pages
import realto_async._pagination as pagination
from realto_async import (
    Aggregation,
    ChargingRecord,
    Collective,
    Command,
    CommandType,
    Entity,
    Reading,
)
from realto_async._http import Response
from realto_async._pagination import Page, parse_page
from realto_async.models._base import RealtoModel
from realto_async.models._base import model as realto_model
from realto_async.testing import FakeClock, FakeRealto, Fleet
from tests.helpers import charge_record_payload

HEADERS = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))
END = datetime(2024, 6, 1, tzinfo=timezone.utc)  # the emulator's FakeClock starts the day after


@pytest.fixture(autouse=True)
def fresh_decoders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with untried decoders that never pause (pausing would make the
    comparisons below compare the general way with itself)."""
    monkeypatch.setattr(fast_pages, "MISSES_BEFORE_PAUSE", 10**9)
    fast_pages._decoders.clear()
    yield
    fast_pages._decoders.clear()


def answer(body: bytes) -> Response:
    return Response(status=200, headers=HEADERS, url="http://127.0.0.1/api/v1/x", method="GET", body=body)


def general_way(body: bytes, model: type[Any]) -> Page[Any]:
    """The page as decoded without msgspec."""
    saved = getattr(pagination, "decode_page")  # noqa: B009 - not re-exported, on purpose
    setattr(pagination, "decode_page", lambda body, model: None)  # noqa: B010
    try:
        return parse_page(answer(body), model, None)
    finally:
        setattr(pagination, "decode_page", saved)  # noqa: B010


def deep(value: Any) -> Any:
    """Everything a user can read of ``value``, nested models built, types kept."""
    if isinstance(value, RealtoModel):
        fields = {field.name: deep(getattr(value, field.name)) for field in attrs.fields(type(value))}
        return (type(value).__name__, fields)
    if isinstance(value, list):
        return [deep(item) for item in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {key: deep(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, repr(value))


def outcome(decode: Any, body: bytes, model: type[Any]) -> Any:
    try:
        page = decode(body, model)
    except Exception as err:  # the errors must be the same too
        return ("error", type(err).__name__, str(err))
    return (
        [deep(item) for item in page.data],
        [json.dumps(item.to_dict(), sort_keys=True) for item in page.data],
        page.continuation_token,
        page.next_url,
        page.page_size,
    )


def users_way(body: bytes, model: type[Any]) -> Page[Any]:
    return parse_page(answer(body), model, None)


def assert_same(body: bytes, model: type[Any]) -> None:
    assert outcome(users_way, body, model) == outcome(general_way, body, model)


# ------------------------------------------------------------------------ realistic records


async def _seed_records() -> dict[type[Any], list[dict[str, Any]]]:
    server = FakeRealto(
        seed=5,
        fleet=Fleet(evs=2, charge_points=1, solar=1, batteries=1, heat_pumps=1, smart_meters=1),
        clock=FakeClock(),
    )
    records: dict[type[Any], list[dict[str, Any]]] = {}
    async with server.serve(), server.client() as client:
        entities = [entity async for entity in client.entities.list()]
        records[Entity] = [entity.to_dict() for entity in entities]
        ev = next(entity for entity in entities if str(entity.type) == "EV")
        meter = next(entity for entity in entities if str(entity.type) == "SmartMeter")
        start = END - timedelta(days=20)
        await client.commands.trigger(ev.id, type=CommandType.START_CHARGING)
        listings: list[tuple[type[Any], Any]] = [
            (ChargingRecord, client.charge_sessions.list(ev.id, start, END)),
            (Reading, client.readings.list(meter.id, END - timedelta(hours=2), END)),
            (
                Aggregation,
                client.readings.aggregations(
                    meter.id, END - timedelta(days=2), END, resolution=timedelta(hours=1)
                ),
            ),
            (Command, client.commands.list(ev.id, start)),
            (Collective, client.collectives.list()),
        ]
        for model, listing in listings:
            records[model] = [item.to_dict() async for item in listing][:5]
    records[ChargingRecord].append(charge_record_payload(1))  # integers where numbers may be floats
    return {model: found for model, found in records.items() if found}


@pytest.fixture(scope="module")
def seeds() -> dict[type[Any], list[dict[str, Any]]]:
    return asyncio.run(_seed_records())


def test_every_listing_model_has_realistic_records_and_a_fast_decoder(
    seeds: dict[type[Any], list[dict[str, Any]]],
) -> None:
    assert {ChargingRecord, Reading, Aggregation, Command, Entity} <= set(seeds)
    for model, records in seeds.items():
        body = json.dumps({"data": records, "meta": {"continuationToken": "t", "pageSize": 5}}).encode()
        assert fast_pages.decode_page(body, model) is not None, model
        assert_same(body, model)


# ------------------------------------------------------------------------------- mutations

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(
        [
            "2024-05-27T13:00:00Z",
            "2024-05-27 13:00:00Z",
            "2024-05-27T13:00:00.1234567Z",
            "2024-05-27T13:00:00.9999999+02:00",
            "2024-05-27t13:00z",
            "2024-05-27T13:00:00",
            "2024-05-27T13:00:00+0200",
            " 2024-05-27T13:00:00Z",
            "2024-02-30T00:00:00Z",
            "StartCharging",
            "EV",
            "Pending",
            "kWh",
        ]
    )
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


@st.composite
def mutated(draw: st.DrawFn, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    page = copy.deepcopy(records)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        places = [place for place in _places(page) if place]
        place = draw(st.sampled_from(places))
        *parents, last = place
        holder: Any = page
        for step in parents:
            holder = holder[step]
        action = draw(st.sampled_from(["set", "delete", "unknown key", "null", "retype"]))
        if action == "retype":  # the same number as an int, a float or a bool
            current = holder[last]
            holder[last] = (
                int(current)
                if isinstance(current, float) and abs(current) < 1e18
                else float(current)
                if isinstance(current, int) and not isinstance(current, bool)
                else draw(st.booleans())
            )
        elif action == "set":
            holder[last] = draw(JSON_VALUES)
        elif action == "null":
            holder[last] = None
        elif action == "delete" and isinstance(holder, dict):
            del holder[last]
        elif action == "unknown key" and isinstance(holder[last], dict):
            holder[last][draw(st.text(min_size=1, max_size=6))] = draw(JSON_VALUES)
    return page


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_pages_decode_the_same_either_way(
    seeds: dict[type[Any], list[dict[str, Any]]], data: st.DataObject
) -> None:
    model = data.draw(st.sampled_from(sorted(seeds, key=lambda model: model.__name__)))
    records = data.draw(mutated(seeds[model]))
    envelope: dict[str, Any] = {"data": records}
    envelope.update(
        data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "meta": st.just({"continuationToken": "abc", "pageSize": 5}) | JSON_VALUES,
                    "links": st.just({"next": "http://x/y?continuationToken=abc"}) | JSON_VALUES,
                },
            )
        )
    )
    body = json.dumps(envelope).encode()
    assert_same(body, model)
    if records == seeds[model] and envelope.get("meta", {}) in (
        {},
        {"continuationToken": "abc", "pageSize": 5},
    ):
        assert fast_pages.decode_page(body, model) is not None  # the comparison was not vacuous


@pytest.mark.parametrize(
    "body",
    [
        b'\xef\xbb\xbf{"data": []}',
        b'{"data": [{"id": NaN}]}',
        b'{"data": [], "meta": {"pageSize": 1e400}}',
        b'{"data": [], "meta": {"pageSize": 123456789012345678901234567890}}',
        b'{"data": [], "meta": {"continuationToken": "\\ud800"}}',
        b'{"data": null}',
        b'{"data": {}}',
        b"[]",
        b'{"meta": {}}',
        b'{"data": [], "data": null}',
        b'{"data": [], "links": {"next": "http://x/y"}}',
        b'{"data": [], "meta": {"continuationToken": ""}, "links": {"next": "http://x/y?continuationToken=z"}}',
        b'{"data": [1',
    ],
)
def test_odd_bodies_decode_the_same_either_way(body: bytes) -> None:
    for model in (ChargingRecord, Entity):
        assert_same(body, model)


def test_a_record_field_msgspec_would_read_differently_is_left_to_the_general_way(
    seeds: dict[type[Any], list[dict[str, Any]]],
) -> None:
    record = copy.deepcopy(seeds[ChargingRecord][0])
    # msgspec rounds a seventh fractional digit; the SDK cuts it (and says so in its docs)
    record["created"] = "2024-05-27T13:00:00.9999999Z"
    record["data"]["start"] = "2024-05-27 13:00:00.1234567Z"
    body = json.dumps({"data": [record]}).encode()
    assert_same(body, ChargingRecord)
    (decoded,) = users_way(body, ChargingRecord).data
    assert decoded.created == datetime(2024, 5, 27, 13, 0, 0, 999999, tzinfo=timezone.utc)
    assert decoded.data.start.microsecond == 123456


def test_fast_decoded_models_behave_like_the_general_ones(
    seeds: dict[type[Any], list[dict[str, Any]]],
) -> None:
    body = json.dumps({"data": seeds[ChargingRecord]}).encode()
    fast = fast_pages.decode_page(body, ChargingRecord)
    assert fast is not None
    fast_records, general_records = fast[0], general_way(body, ChargingRecord).data
    for made, general in zip(fast_records, general_records, strict=True):
        assert made == general
        assert hash(made.data.charge) == hash(general.data.charge)  # (lists make a record unhashable)
        assert repr(made) == repr(general)
        assert pickle.loads(pickle.dumps(made)) == general
        assert copy.deepcopy(made) == general
        assert attrs.evolve(made, id="x").data == general.data
        assert made.to_dict() == general.to_dict()
        assert made.extras == {}
        assert not made.extras


def test_a_model_whose_pages_keep_missing_the_fast_way_is_paused_then_tried_again(
    seeds: dict[type[Any], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast_pages, "PAUSE", 3)
    monkeypatch.setattr(fast_pages, "MISSES_BEFORE_PAUSE", 8)
    record = dict(seeds[Entity][0], addedByANewApiVersion=1)
    unknown = json.dumps({"data": [record]}).encode()
    known = json.dumps({"data": seeds[Entity][:1]}).encode()
    fast_pages._decoders.pop(Entity, None)
    tried: list[bool] = []
    real = fast_pages._page_decoder(Entity)
    assert real is not None
    decode_envelope = real.decode_envelope

    def counting(body: bytes) -> Any:
        tried.append(True)
        return decode_envelope(body)

    real.decode_envelope = counting
    fast_pages._decoders[Entity] = real
    try:
        for _ in range(fast_pages.MISSES_BEFORE_PAUSE):
            assert fast_pages.decode_page(unknown, Entity) is None
        assert len(tried) == fast_pages.MISSES_BEFORE_PAUSE
        for _ in range(3):  # paused: not even tried, the general way at once
            assert fast_pages.decode_page(known, Entity) is None
        assert len(tried) == fast_pages.MISSES_BEFORE_PAUSE
        assert fast_pages.decode_page(known, Entity) is not None  # tried again, and it fits
        assert general_way(unknown, Entity).data[0].extras == {"addedByANewApiVersion": 1}
    finally:
        fast_pages._decoders.pop(Entity, None)


def test_without_msgspec_every_page_goes_the_general_way(
    seeds: dict[type[Any], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast_pages, "msgspec", None)
    body = json.dumps({"data": seeds[ChargingRecord], "meta": {"continuationToken": "n"}}).encode()
    assert fast_pages.decode_page(body, ChargingRecord) is None
    page = users_way(body, ChargingRecord)
    assert page.continuation_token == "n"
    assert page.data == [ChargingRecord.from_dict(record) for record in seeds[ChargingRecord]]


@realto_model
class Moments(RealtoModel):
    """A model with a field the fast way leaves to the general way (a list of date-times)."""

    name: str
    times: list[datetime]


def test_a_model_the_schema_cannot_express_is_always_decoded_the_general_way() -> None:
    body = b'{"data": [{"name": "a", "times": ["2024-05-27T13:00:00Z"]}]}'
    assert fast_pages.decode_page(body, Moments) is None
    (decoded,) = users_way(body, Moments).data
    assert decoded.times == [datetime(2024, 5, 27, 13, tzinfo=timezone.utc)]


async def test_a_listing_page_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """msgspec's decoding inside the client's retry loop is also its check that the body is
    whole JSON: the page is not parsed a second time just to check it."""
    parsed: list[bytes] = []
    real_loads = getattr(attempt, "loads")  # noqa: B009 - not re-exported

    def counting(body: bytes) -> Any:
        parsed.append(body)
        return real_loads(body)

    monkeypatch.setattr(attempt, "loads", counting)
    server = FakeRealto(seed=5, fleet=Fleet(evs=1), clock=FakeClock())
    async with server.serve(), server.client() as client:
        (ev,) = [entity async for entity in client.entities.list(type="EV")]
        parsed.clear()
        pages = [
            page
            async for page in client.charge_sessions.list(
                ev.id, END - timedelta(days=40), END, page_size=3
            ).pages()
        ]
    assert len(pages) > 2
    assert sum(len(page.data) for page in pages) > 6
    assert parsed == []


@realto_model
class Visit(RealtoModel):
    at: datetime
    kind: CommandType | str | None = None


@realto_model
class Trip(RealtoModel):
    name: str
    visits: list[Visit] | None = None
    last: Visit | None = None


@pytest.mark.parametrize(
    "visit",
    [
        {"at": "2024-05-27T13:00:00Z", "kind": "StartCharging"},
        {"at": "2024-05-27 13:00:00.1234567+02:00", "kind": "SomethingNew"},
        {"at": "2024-05-27T13:00:00"},
        {"at": "2024-05-27T13:00:00Z", "kind": 3},
    ],
)
def test_date_times_and_enums_inside_lists_of_models_decode_the_same_either_way(
    visit: dict[str, Any],
) -> None:
    body = json.dumps({"data": [{"name": "a", "visits": [visit, visit], "last": visit}]}).encode()
    assert_same(body, Trip)


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def _deeper(frames: int, call: Any) -> Any:
    """``call()`` from ``frames`` Python frames further down (a bulk run's stack is deep)."""
    return call() if frames == 0 else _deeper(frames - 1, call)


@pytest.mark.parametrize("depth", [500, 990, 5000])
@pytest.mark.parametrize("frames", [0, 60])
def test_a_page_nested_deeper_than_msgspec_goes_decodes_the_general_way(
    seeds: dict[type[Any], list[dict[str, Any]]], depth: int, frames: int
) -> None:
    record = json.dumps(seeds[Entity][0])
    nested = record[:-1] + ', "properties": ' + _nested(depth) + "}"
    body = ('{"data": [' + nested + "]}").encode()

    def shape(decode: Any) -> Any:
        try:
            (entity,) = decode(body, Entity).data
        except Exception as err:
            return ("error", type(err).__name__, str(err))
        value, levels = entity.properties, 0
        while isinstance(value, dict):  # compared without recursion: it is too deep for that
            value, levels = value["a"], levels + 1
        return entity.id, levels, value

    users, general = _deeper(frames, lambda: shape(users_way)), _deeper(frames, lambda: shape(general_way))
    assert users == general
    assert users[0] != "error" or users[1] == "ResponseValidationError"
    if depth <= 500:
        assert users[1:] == (depth, 1)


def test_threads_decoding_a_model_first_all_get_the_fast_way_and_right_types(
    seeds: dict[type[Any], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocking client may be used from many threads: the first pages of a model decoded at
    once must each get datetimes (not strings), and the model must keep its fast decoder."""
    for cache in (fast_pages._decoders, fast_pages._structs, fast_pages._settles, fast_pages._builds):
        cache.clear()
    compile_generated = getattr(fast_pages, "_compile")  # noqa: B009 - not re-exported

    def slowly(*args: Any) -> Any:
        time.sleep(0.02)  # widens the window in which other threads arrive
        return compile_generated(*args)

    monkeypatch.setattr(fast_pages, "_compile", slowly)
    body = json.dumps({"data": seeds[ChargingRecord]}).encode()
    start = threading.Barrier(8)

    def decode() -> Any:
        start.wait()
        return fast_pages.decode_page(body, ChargingRecord)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: decode(), range(8)))
    assert all(result is not None for result in results)
    for records, _, _ in results:
        assert all(isinstance(record.created, datetime) for record in records)
        assert all(isinstance(record.data.start, datetime) for record in records)
    assert fast_pages._decoders[ChargingRecord] is not None
