"""The control API (/_emulator/...), driven with plain aiohttp, and the blocking start()/stop()."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from realto_async.testing import FakeClock, FakeRealto, RealClock
from tests.emulator_helpers import Raw


class Control:
    """A plain aiohttp caller of one emulator's control API."""

    def __init__(self, server: FakeRealto, session: aiohttp.ClientSession) -> None:
        self.root = server.control_url
        self.session = session

    async def call(self, method: str, path: str, body: Any = None, **params: str) -> tuple[int, Any]:
        async with self.session.request(method, self.root + path, json=body, params=params) as resp:
            return resp.status, await resp.json()

    async def ok(self, method: str, path: str, body: Any = None, status: int = 200, **params: str) -> Any:
        got, payload = await self.call(method, path, body, **params)
        assert got == status, (method, path, got, payload)
        return payload


@pytest.fixture
async def steered() -> AsyncIterator[tuple[FakeRealto, Control, Raw]]:
    async with (
        FakeRealto(seed=4, clock=FakeClock(), control=True).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        raw = Raw(server, session)
        await raw.login()
        yield server, Control(server, session), raw


async def test_faults_are_added_listed_counted_and_removed(steered: tuple[FakeRealto, Control, Raw]) -> None:
    server, control, raw = steered
    added = await control.ok(
        "POST", "/faults", {"rule": "GET /v1/collectives status=503 times=2"}, status=201
    )
    assert (added["route"], added["status"], added["times"], added["applied"]) == (
        "GET /v1/collectives",
        503,
        2,
        0,
    )
    second = await control.ok(
        "POST", "/faults", {"route": "GET /v1/tenants", "status": 429, "retry_after": 7}, status=201
    )
    assert second["id"] != added["id"]
    assert [(await raw.call("GET", "/v1/collectives"))[0] for _ in range(3)] == [503, 503, 200]
    status, _ = await raw.call("GET", "/v1/tenants")
    assert status == 429
    listed = (await control.ok("GET", "/faults"))["data"]
    assert [(f["id"], f["applied"]) for f in listed] == [(added["id"], 2), (second["id"], 1)]
    assert len(server.faults.rules) == 2  # the same rules Python sees
    remaining = (await control.ok("DELETE", f"/faults/{added['id']}"))["data"]
    assert [f["id"] for f in remaining] == [second["id"]]
    await control.ok("DELETE", f"/faults/{added['id']}", status=404)
    await control.ok("DELETE", "/faults/x", status=404)
    assert (await control.ok("DELETE", "/faults"))["data"] == []
    assert (await raw.call("GET", "/v1/tenants"))[0] == 200


@pytest.mark.parametrize(
    "body",
    [
        {"rule": "GET"},
        {"rule": "GET /v1/entities status=abc"},
        {"rule": "GET /v1/entities bogus=1"},
        {"rule": "GET /v1/entities probability=2"},
        {"rule": "GET /v1/entities latency"},
        {"rule": 5},
        {"rule": "GET /x", "status": 500},
        {"route": "GET /x", "status": 99},
        {"route": "GET /x", "status": [503]},
        {"route": "GET /x", "drop": "sometimes"},
        {"route": "GET /x", "truncate": "maybe"},
        {"route": "GET /x", "times": -1},
        {"route": 7},
        {"route": "nospace"},
        ["GET /x"],
    ],
)
async def test_a_bad_fault_rule_is_a_400_naming_the_problem(
    steered: tuple[FakeRealto, Control, Raw], body: Any
) -> None:
    server, control, _ = steered
    answer = await control.ok("POST", "/faults", body, status=400)
    assert answer["errors"][0]["code"] == "InvalidFault"
    assert answer["errors"][0]["message"]
    assert server.faults.rules == []


async def test_the_clock_is_read_and_advanced(steered: tuple[FakeRealto, Control, Raw]) -> None:
    server, control, raw = steered
    assert await control.ok("GET", "/clock") == {"now": "2024-06-01T12:00:00Z", "frozen": True}
    ev = next(e for e in server.store.entities.values() if e.type == "EV")
    await raw.ok("POST", f"/v1/entities/{ev.id}/commands", 201, body={"type": "StartCharging"})
    await raw.error("POST", f"/v1/entities/{ev.id}/commands", 409, body={"type": "StopCharging"})
    moved = await control.ok("POST", "/clock/advance", {"seconds": 600})
    assert moved["now"] == "2024-06-01T12:10:00Z"
    assert server.clock.now().isoformat() == "2024-06-01T12:10:00+00:00"
    await raw.ok("POST", f"/v1/entities/{ev.id}/commands", 201, body={"type": "StopCharging"})
    for bad in ({"seconds": -1}, {"seconds": "10"}, {"seconds": True}, {}, [600], None):
        answer = await control.ok("POST", "/clock/advance", bad, status=400)
        assert answer["errors"][0]["code"] == "InvalidBody"
    assert (await control.ok("GET", "/clock"))["now"] == "2024-06-01T12:10:00Z"


async def test_a_real_clock_is_shown_but_not_moved() -> None:
    async with (
        FakeRealto(seed=1, clock=RealClock(), control=True).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        control = Control(server, session)
        shown = await control.ok("GET", "/clock")
        assert shown["frozen"] is False
        assert shown["now"][:4] >= "2025"
        answer = await control.ok("POST", "/clock/advance", {"seconds": 60}, status=400)
        assert answer["errors"][0]["code"] == "ClockNotFrozen"


async def test_the_request_log_is_read_from_an_offset(steered: tuple[FakeRealto, Control, Raw]) -> None:
    _, control, raw = steered
    await raw.ok("GET", "/v1/entities", params={"type": "EV", "pageSize": "2"})
    await raw.ok("GET", "/v1/collectives")
    log = await control.ok("GET", "/requests")
    assert log["total"] == 3  # the token request, then the two calls; control calls are not logged
    assert [(r["method"], r["path"]) for r in log["data"]] == [
        ("POST", "/v1/authentication"),
        ("GET", "/v1/entities"),
        ("GET", "/v1/collectives"),
    ]
    assert log["data"][1]["query"] == {"type": "EV", "pageSize": "2"}
    assert all("Authorization" not in r["headers"] for r in log["data"])
    later = await control.ok("GET", "/requests", since="2")
    assert [r["path"] for r in later["data"]] == ["/v1/collectives"]
    assert (await control.ok("GET", "/requests", since="9"))["data"] == []
    for bad in ("-1", "x", "1.5"):
        await control.ok("GET", "/requests", status=400, since=bad)


async def test_reset_gives_a_fresh_emulator(steered: tuple[FakeRealto, Control, Raw]) -> None:
    server, control, raw = steered
    before = await raw.ok("GET", "/v1/entities", params={"pageSize": "1000"})
    ev = before["data"][0]
    await raw.ok("PATCH", f"/v1/entities/{ev['id']}", body={"name": "renamed"})
    await control.ok("POST", "/clock/advance", {"seconds": 3600})
    await control.ok("POST", "/faults", {"rule": "GET /v1/tenants status=500"}, status=201)
    assert await control.ok("POST", "/reset") == {"now": "2024-06-01T12:00:00Z", "frozen": True}
    assert server.faults.rules == []
    assert (await control.ok("GET", "/requests"))["total"] == 0
    await raw.error("GET", "/v1/entities", 401)  # tokens of the old state are gone
    await raw.login()
    assert await raw.ok("GET", "/v1/entities", params={"pageSize": "1000"}) == before
    assert (await raw.call("GET", "/v1/tenants"))[0] == 200


async def test_control_is_refused_unless_enabled_and_unreachable_from_the_api_prefix() -> None:
    async with FakeRealto(seed=1).serve() as server, aiohttp.ClientSession() as session:
        control = Control(server, session)
        for method, path in [("GET", "/faults"), ("POST", "/reset"), ("GET", "/clock"), ("GET", "/requests")]:
            answer = await control.ok(method, path, status=403)
            assert answer["errors"][0]["code"] == "ControlDisabled"
            assert "control=True" in answer["errors"][0]["message"]
        raw = Raw(server, session)
        await raw.login()
        for path in ("/_emulator/faults", "/_emulator/reset"):
            status, _ = await raw.call("GET", path)  # under the API's base path: no such route
            assert status == 404


async def test_control_answers_loopback_callers_only() -> None:
    from realto_async.testing._control import _is_loopback

    assert _is_loopback("127.0.0.1")
    assert _is_loopback("::1")
    assert not _is_loopback("10.0.0.7")
    assert not _is_loopback(None)
    assert not _is_loopback("not-an-address")


async def test_the_fixture_turns_control_on(realto_server: FakeRealto) -> None:
    async with aiohttp.ClientSession() as session:
        assert (await Control(realto_server, session).ok("GET", "/clock"))["frozen"] is True


# ------------------------------------------------------------------------------ start / stop


def blocking_get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_start_and_stop_serve_from_a_thread() -> None:
    server = FakeRealto(seed=1, clock=FakeClock(), control=True).start()
    try:
        assert blocking_get(server.control_url + "/clock") == (
            200,
            {"now": "2024-06-01T12:00:00Z", "frozen": True},
        )
        with pytest.raises(RuntimeError, match="already serving"):
            server.start()
    finally:
        server.stop()
    with pytest.raises(RuntimeError, match="not serving"):
        server.url  # noqa: B018
    server.stop()  # stopping twice is harmless
    with server as again:  # and it can serve again, as a context manager
        assert blocking_get(again.control_url + "/clock")[0] == 200
    with pytest.raises(RuntimeError, match="not serving"):
        server.url  # noqa: B018


def test_start_reports_a_port_in_use() -> None:
    with FakeRealto(seed=1) as first:
        taken = int(first.root.rsplit(":", 1)[1])
        with pytest.raises(OSError, match=r"(?i)in use"):
            FakeRealto(seed=1, port=taken).start()


def test_a_sync_client_runs_against_a_started_emulator() -> None:
    with FakeRealto(seed=1, clock=FakeClock()) as server, server.sync_client() as client:
        assert len(list(client.entities.list(page_size=5, max_items=7))) == 7


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
async def test_a_control_body_with_a_number_json_has_not_is_a_400(
    steered: tuple[FakeRealto, Control, Raw], number: str
) -> None:
    server, control, _ = steered
    raw = f'{{"route": "GET *", "latency": {number}}}'.encode()
    async with control.session.post(
        control.root + "/faults", data=raw, headers={"Content-Type": "application/json"}
    ) as resp:
        status, answer = resp.status, await resp.json()
    assert status == 400
    assert answer["errors"][0]["code"] == "InvalidBody"
    assert number.lstrip("-") in answer["errors"][0]["message"]
    assert server.faults.rules == []
