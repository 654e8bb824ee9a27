"""Issue 8 §4: every public resource method, fuzzed. Each call either raises a typed error before
any request, or sends exactly the intended path and query (nothing can change the URL)."""

from __future__ import annotations

import asyncio
import inspect
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yarl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from realto_async import (
    AsyncPaginator,
    AsyncRealtoClient,
    Flavor,
    InvalidArgumentError,
    RealtoError,
    ScheduledCommand,
)
from realto_async.bulk import BulkRun, MemoryStateStore
from realto_async.resources._base import Resource
from tests.helpers import ENTITY_ID

BASE = "http://127.0.0.1:9/api"
_scheduled: Any = ScheduledCommand  # built by keyword (attrs), which mypy does not see through @model
TEMPLATE = re.compile(r"``(GET|POST|PUT|PATCH|DELETE) (/v1/[^`]+)``")
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NAME_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
UTC = timezone.utc
BRUSSELS = ZoneInfo("Europe/Brussels")

# Path-changing strings: dot segments (plain and encoded), query and fragment starters, slashes,
# CR/LF, NUL, spaces, non-ASCII, percent escapes.
HOSTILE_STRINGS = [
    "%2e%2e",
    "..",
    ".",
    "a?b=c",
    "x#y",
    "a/b",
    "../../tenants",
    "ok\r\nX-Injected: 1",
    "line\nbreak",
    "\x00",
    "",
    " ",
    "a b",
    "%2F",
    "ü",
]
GOOD_STRINGS = [
    "CaptureChargeSessions",
    "EVCharging",
    "Audi",
    "EV",
    "StartCharging",
    "LimitFeedIn",
    "Viewer",
    "north",
    "kWh",
    "WA1DMAFE0D0000000",
    "https://example.com/back?x=1#top",
]
UUIDS: list[Any] = [
    ENTITY_ID,
    uuid.UUID(ENTITY_ID),
    ENTITY_ID.upper(),
    "{" + ENTITY_ID + "}",
    ENTITY_ID.replace("-", ""),
]
NUMBERS: list[Any] = [
    0,
    1,
    -1,
    2.5,
    11000,
    -0.5,
    math.nan,
    math.inf,
    -math.inf,
    True,
    10**30,
    10**400,
    "5",
    1e308,
]
TIMES: list[Any] = [
    datetime(2024, 5, 1, tzinfo=UTC),
    datetime(2024, 5, 2, tzinfo=UTC),
    datetime(2024, 5, 1),  # naive
    "2024-05-01T00:00:00Z",
    # A DST fold: 02:30 fold=1 (CET) is an hour after 02:30 fold=0 (CEST), though equal on the wall.
    datetime(2024, 10, 27, 2, 30, tzinfo=BRUSSELS, fold=0),
    datetime(2024, 10, 27, 2, 30, tzinfo=BRUSSELS, fold=1),
    datetime(2024, 5, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
]
OTHERS: list[Any] = [
    None,
    set(),
    {1, 2},
    b"bytes",
    object(),
    {1: "int key"},
    {"a": {1}},
    {"ok": [1, "x", None, 2.5]},
    {"bad": math.nan},
    [],
    [1],
    lambda state: None,
    print,
    5,
    timedelta(minutes=15),
    timedelta(seconds=1.5),
    timedelta(days=-1),
    [_scheduled(trigger_time=datetime(2024, 5, 1, tzinfo=UTC), type="StartCharging")],
    [_scheduled(trigger_time=datetime(2024, 5, 1), type="StartCharging")],
    _scheduled(trigger_time=datetime(2024, 5, 1, tzinfo=UTC), type="StartCharging"),
    False,
]
EVERYTHING = UUIDS + HOSTILE_STRINGS + GOOD_STRINGS + NUMBERS + TIMES + OTHERS


async def _per_entity(entity_id: str) -> str:
    return entity_id


# client.bulk.*: which entities (lists of ids, good and hostile, or None for the fleet listing),
# and the run's options.
BULK_VALUES: dict[str, list[Any]] = {
    "entity_ids": [None, *([value] for value in UUIDS + HOSTILE_STRINGS), ENTITY_ID, 5],
    "fn": [_per_entity, print],
    "fail_fast": [True, False],
    "state": [None, MemoryStateStore()],
    "lookback": [None, timedelta(hours=1), timedelta(0), timedelta(days=-1)],
    "on_progress": [None, lambda progress: None],
    "gc": ["default", "throughput"],
}


NUMERIC = {"value", "latitude", "longitude", "radius", "timeout", "poll_interval", "page_size"}
NUMERIC |= {"concurrency", "rate", "entity_retries"}  # client.bulk.*


def _values_for(name: str) -> st.SearchStrategy[Any]:
    """Valid-looking values for this parameter first (so requests do get sent), then anything."""
    likely: list[Any]
    if name in BULK_VALUES:
        likely = BULK_VALUES[name]
    elif name.endswith("_id") or name == "owner":
        likely = UUIDS
    elif name == "commands":
        likely = [OTHERS[-4]]
    elif name in ("enabled", "ignore_cooldown"):
        likely = [True, False]
    elif name == "properties":
        likely = [{"ok": [1, "x", None, 2.5]}]
    elif name == "resolution":
        likely = [timedelta(minutes=15)]
    elif name in ("start", "end"):
        likely = TIMES
    elif name in NUMERIC:
        likely = NUMBERS
    else:
        likely = GOOD_STRINGS
    return st.sampled_from(likely) | st.sampled_from(EVERYTHING)


class Sent(Exception):
    """Stops a call at the moment it would have sent its request."""


def _public_methods() -> Iterator[tuple[str, Callable[[AsyncRealtoClient], Any]]]:
    client = AsyncRealtoClient(token="t", base_url=BASE)

    def walk(obj: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Callable[[AsyncRealtoClient], Any]]]:
        for name in dir(type(obj)):
            if name.startswith("_"):
                continue
            attr = getattr(obj, name)
            if inspect.ismethod(attr):
                yield ".".join((*path, name)), _getter((*path, name))
            elif isinstance(attr, Resource) or type(attr).__name__ in ("Settings", "Onboarding"):
                yield from walk(attr, (*path, name))

    for namespace in AsyncRealtoClient.__annotations__:
        yield from walk(getattr(client, namespace), (namespace,))


def _getter(path: tuple[str, ...]) -> Callable[[AsyncRealtoClient], Any]:
    def get(client: AsyncRealtoClient) -> Any:
        found: Any = client
        for name in path:
            found = getattr(found, name)
        return found

    return get


METHODS = dict(_public_methods())


def _check_path(template: str, path: str) -> None:
    wanted, sent = template.split("/"), path.split("/")
    assert len(sent) == len(wanted), (template, path)
    for want, got in zip(wanted, sent, strict=False):
        if want.startswith(("{", "<")):
            assert CANONICAL_UUID.fullmatch(got) or NAME_SEGMENT.fullmatch(got), (template, path)
        else:
            assert got == want, (template, path)
    url = yarl.URL(BASE + path)
    assert url.raw_path == "/api" + path  # nothing in it is a dot segment, a query or a fragment
    assert url.query_string == ""
    assert url.fragment == ""


async def _call(client: AsyncRealtoClient, method: Any, kwargs: dict[str, Any]) -> list[Any]:
    sent: list[Any] = []

    async def record(verb: str, path: str, *args: Any, params: Any = None, **kwargs: Any) -> Any:
        sent.append((verb, path, dict(params or {})))
        raise Sent

    # The transport, shared by the client's views (a bulk run sends through one); a body the
    # client cannot encode is refused before it gets there, so before any request.
    client._transport.send = record  # type: ignore[method-assign, assignment]
    try:
        result = method(**kwargs)
        if isinstance(result, AsyncPaginator):
            await result.first_page()
        elif isinstance(result, BulkRun):  # sends nothing before it is iterated
            await result.collect()
        elif inspect.isawaitable(result):
            await result
    except Sent:
        pass
    except RealtoError:
        assert sent == [], "a typed error after a request was sent"
    return sent


@pytest.mark.parametrize("flavor", ["realto", "traxes"])
@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_call_either_refuses_its_arguments_or_sends_the_intended_path(name: str, flavor: Flavor) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE, flavor=flavor)
    method = METHODS[name](client)
    doc = inspect.getdoc(method) or ""
    verb, template = TEMPLATE.search(doc).groups()  # type: ignore[union-attr]
    # A bulk run without entity_ids lists the fleet first (the docstring names that call too).
    fleet = ("GET", "/v1/entities") if name.startswith("bulk.") else None
    assert fleet is None or fleet in TEMPLATE.findall(doc)
    parameters = list(inspect.signature(method).parameters.values())
    required = {p.name: _values_for(p.name) for p in parameters if p.default is inspect.Parameter.empty}
    # The per-call options (timeout=, extra_headers=, extra_query=) are fuzzed in test_call_options.py.
    per_call = {"extra_headers", "extra_query"} | (set() if name.endswith("wait") else {"timeout"})
    optional = {
        p.name: _values_for(p.name)
        for p in parameters
        if p.default is not inspect.Parameter.empty and p.name not in per_call
    }
    loop = asyncio.new_event_loop()
    outcomes: set[str] = set()

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(kwargs=st.fixed_dictionaries(required, optional=optional))
    def check(kwargs: dict[str, Any]) -> None:
        try:
            sent = loop.run_until_complete(_call(client, method, kwargs))
        except RealtoError:  # pragma: no cover - _call handles these
            raise
        if not sent:
            outcomes.add("refused")
            return
        outcomes.add("sent")
        (sent_verb, path, params) = sent[0]
        if fleet is not None and kwargs.get("entity_ids") is None:
            assert (sent_verb, path) == fleet
            assert params.get("type") == kwargs.get("entity_type", params.get("type"))
            return
        assert sent_verb == verb
        if "<setting>" not in template:
            _check_path(template, path)
        else:
            _check_path(template.replace("<setting>", "{setting}"), path)
        for key, value in params.items():
            assert isinstance(key, str)
            assert isinstance(value, str)
        with_query = yarl.URL(BASE + path).with_query(params)
        assert not any(c in str(with_query) for c in "\r\n #")  # every value encoded as a value
        assert dict(with_query.query) == params
        assert with_query.raw_path == "/api" + path

    if fleet is not None:  # a run with its defaults always among the examples: it lists the fleet
        defaults = {"fn": _per_entity, "start": TIMES[0]}
        check = example(kwargs={key: defaults[key] for key in required})(check)
    try:
        check()
    finally:
        loop.close()
    # Random arguments do reach the server for nearly every method (so the path checks above ran);
    # onboarding an entity needs too many consistent arguments (tests/test_sdk_endpoints.py sends it).
    assert "sent" in outcomes or name.endswith("wait") or name == "onboarding.entities.create"


# --------------------------------------------------------------------- the cases named in §4


@pytest.mark.parametrize("segment", ["%2e%2e", "..", ".", "a?b=c", "x#y", "a/b", "x\r\ny", "é", "", 5, None])
async def test_a_name_segment_that_could_change_the_url_is_refused(segment: Any) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    calls: list[Awaitable[Any]] = [
        client.settings.features.update(ENTITY_ID, segment, enabled=True),
        client.settings.disaggregators.update(ENTITY_ID, segment, enabled=True),
    ]
    for call in calls:
        with pytest.raises(InvalidArgumentError, match="letters, digits"):
            await call


@pytest.mark.parametrize("bad", [5, "soon", object(), [print]])
async def test_a_hook_that_is_not_callable_is_refused_before_polling(bad: Any) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    with pytest.raises(InvalidArgumentError, match="on_update"):
        await client.commands.wait(ENTITY_ID, ENTITY_ID, on_update=bad)
    with pytest.raises(InvalidArgumentError, match="on_update"):
        await client.onboarding.entities.wait(ENTITY_ID, on_update=bad)


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, 10**400, -1, -0.001, timedelta(seconds=-1), "5"]
)
@pytest.mark.parametrize("argument", ["timeout", "poll_interval"])
async def test_wait_refuses_durations_that_are_not_finite_and_non_negative(bad: Any, argument: str) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    with pytest.raises(InvalidArgumentError, match=argument):
        await client.commands.wait(ENTITY_ID, ENTITY_ID, **{argument: bad})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1, -0.5, "5", True, None])
async def test_numbers_the_api_needs_finite_and_non_negative(bad: Any) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    if bad is not None:
        with pytest.raises(InvalidArgumentError, match="radius"):
            await client.settings.locations.create(
                ENTITY_ID, label="Home", latitude=1, longitude=1, radius=bad
            )
    with pytest.raises(InvalidArgumentError, match="value"):
        await client.settings.battery_capacity.update(ENTITY_ID, value=bad)


@pytest.mark.parametrize("bad", ["-5", "1.5e3", "nan", "inf", "eleven", "", -5])
async def test_limit_feed_in_needs_whole_non_negative_watts(bad: Any) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    with pytest.raises(InvalidArgumentError, match="LimitFeedIn"):
        await client.commands.trigger(ENTITY_ID, type="LimitFeedIn", value=bad)


@pytest.mark.parametrize(
    ("argument", "call"),
    [
        (
            "company_name",
            lambda c, v: c.onboarding.guided_sessions.create(manufacturer="Audi", company_name=v),
        ),
        ("return_url", lambda c, v: c.onboarding.guided_sessions.create(manufacturer="Audi", return_url=v)),
        (
            "return_url",
            lambda c, v: c.onboarding.entities.create(type="EV", brand="Audi", vin=VIN, return_url=v),
        ),
        ("track", lambda c, v: c.onboarding.entities.create(type="EV", brand="Audi", vin=VIN, track=v)),
        ("unit", lambda c, v: c.settings.nominal_power.update(ENTITY_ID, value=3, unit=v)),
        ("vin", lambda c, v: c.onboarding.guided_sessions.create(manufacturer="Audi", vin=v)),
        ("vin", lambda c, v: c.onboarding.entities.create(type="EV", brand="Audi", vin=v)),
    ],
)
@pytest.mark.parametrize("bad", [5, 2.5, b"bytes", ["x"], {"x": 1}, object()])
async def test_strings_where_strings_are_required(argument: str, call: Any, bad: Any) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    with pytest.raises(InvalidArgumentError, match=argument):
        await call(client, bad)


VIN = "WA1DMAFE0D0000000"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # end after start as instants, though "before" it on the wall clock (DST fold, mixed offsets)
        (
            datetime(2024, 10, 27, 2, 45, tzinfo=BRUSSELS, fold=0),
            datetime(2024, 10, 27, 2, 15, tzinfo=BRUSSELS, fold=1),
        ),
        (
            datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 5, 1, 11, 0, tzinfo=UTC),
        ),
    ],
)
async def test_time_windows_compare_instants(start: datetime, end: datetime) -> None:
    client = AsyncRealtoClient(token="t", base_url=BASE)
    sent = await _call(
        client, client.charge_sessions.list, {"entity_id": ENTITY_ID, "start": start, "end": end}
    )
    assert len(sent) == 1
    with pytest.raises(InvalidArgumentError, match="before start"):
        client.charge_sessions.list(ENTITY_ID, end, start)


@pytest.mark.parametrize("flavor", ["realto", "traxes"])
@pytest.mark.parametrize("name", sorted(n for n in METHODS if n.startswith("bulk.") and n != "bulk.map"))
async def test_a_bulk_run_sends_each_entitys_path_and_nothing_for_a_hostile_id(
    name: str, flavor: Flavor
) -> None:
    """The fuzz above mostly reaches the fleet listing; here every id form goes through a run."""
    client = AsyncRealtoClient(token="t", base_url=BASE, flavor=flavor)
    method = METHODS[name](client)
    verb, template = TEMPLATE.search(inspect.getdoc(method) or "").groups()  # type: ignore[union-attr]
    start = datetime(2024, 5, 1, tzinfo=UTC)
    for entity_id in UUIDS:
        sent = await _call(client, method, {"entity_ids": [entity_id], "start": start})
        assert [(sent_verb, path.split("/")[3]) for sent_verb, path, _ in sent] == [(verb, ENTITY_ID)]
        _check_path(template, sent[0][1])
    for hostile in HOSTILE_STRINGS:
        run = method([hostile], start=start)
        assert await _call(client, lambda bound=run: bound, {}) == []
        assert isinstance(run.report.failed[hostile], InvalidArgumentError)
