"""The control API: steer a running emulator over HTTP, from any language or process.

Served under ``/_emulator`` (outside the API's base path, so no API route or bearer token reaches
it), only to loopback callers, and only when the emulator was made with ``control=True`` (the
command line and the pytest fixtures do that). Errors have the API's ``{"errors": [...]}`` shape.

| call | does |
|---|---|
| ``GET /_emulator/faults`` | the fault rules with their ids and hit counters |
| ``POST /_emulator/faults`` | add one: ``{"rule": "GET /v1/entities/* status=503"}`` or ``{"route", ...}`` |
| ``DELETE /_emulator/faults`` / ``DELETE /_emulator/faults/{id}`` | drop all / one |
| ``GET /_emulator/clock`` | ``{"now", "frozen"}`` |
| ``POST /_emulator/clock/advance`` | ``{"seconds": 600}`` moves a frozen clock forward |
| ``GET /_emulator/requests`` | the request log; ``?since=N`` for the entries after the first N |
| ``POST /_emulator/reset`` | a fresh emulator: same seed, fleet and credentials, no faults, empty log |
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._clock import FakeClock
from ._errors import api_error, bad_request, not_found
from ._fault_rules import fault_from_json, fault_json
from ._ids import iso
from ._keys import SERVER_KEY
from ._strict_json import NotStrictJSON, strict_loads

if TYPE_CHECKING:
    from ._server import FakeRealto

__all__ = ["CONTROL_PREFIX", "routes"]

CONTROL_PREFIX = "/_emulator"
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _server(request: web.Request) -> FakeRealto:
    """The emulator, once the caller may steer it; 403 otherwise."""
    server: FakeRealto = request.app[SERVER_KEY]
    if not server.control:
        raise api_error(
            403,
            "ControlDisabled",
            "The control API is off: make the emulator with FakeRealto(control=True) "
            "(the command line and the pytest fixtures turn it on).",
        )
    if not _is_loopback(request.remote):
        raise api_error(403, "ControlNotLoopback", "The control API answers loopback callers only.")
    return server


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def _answer(payload: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(payload), status=status, content_type="application/json")


async def _body(request: web.Request) -> Any:
    try:
        return strict_loads(await request.read())
    except NotStrictJSON as err:
        raise bad_request("InvalidBody", f"The request body is not valid JSON: {err}.") from None
    except (ValueError, RecursionError):
        raise bad_request("InvalidBody", "The request body is not valid JSON.") from None


def _faults_json(server: FakeRealto) -> dict[str, Any]:
    return {"data": [fault_json(fault, number) for number, fault in server.faults.numbered()]}


async def list_faults(request: web.Request) -> web.Response:
    return _answer(_faults_json(_server(request)))


async def add_fault(request: web.Request) -> web.Response:
    server = _server(request)
    try:
        fault = fault_from_json(await _body(request))
    except (ValueError, TypeError) as err:
        raise bad_request("InvalidFault", str(err)) from None
    server.faults.rules.append(fault)
    server.forget()
    number = next(n for n, f in server.faults.numbered() if f is fault)
    return _answer(fault_json(fault, number), status=201)


async def clear_faults(request: web.Request) -> web.Response:
    server = _server(request)
    server.faults.clear()
    return _answer(_faults_json(server))


async def remove_fault(request: web.Request) -> web.Response:
    server = _server(request)
    text = request.match_info["faultId"]
    if not (text.isascii() and text.isdigit()) or not server.faults.remove(int(text)):
        raise not_found("Fault", text)
    return _answer(_faults_json(server))


def _clock_json(server: FakeRealto) -> dict[str, Any]:
    return {"now": iso(server.clock.now()), "frozen": isinstance(server.clock, FakeClock)}


async def get_clock(request: web.Request) -> web.Response:
    return _answer(_clock_json(_server(request)))


async def advance_clock(request: web.Request) -> web.Response:
    server = _server(request)
    body = await _body(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < 1e9:
        raise bad_request("InvalidBody", "Send {'seconds': N}: a number of seconds >= 0.")
    if not isinstance(server.clock, FakeClock):
        raise bad_request(
            "ClockNotFrozen", "This emulator runs on real time; start it frozen (--frozen) to move its clock."
        )
    server.clock.advance(float(seconds))
    return _answer(_clock_json(server))


async def list_requests(request: web.Request) -> web.Response:
    server = _server(request)
    since_text = request.query.get("since", "0")
    if not (since_text.isascii() and since_text.isdigit()):
        raise bad_request("InvalidParameter", f"since must be a whole number >= 0, got {since_text!r}.")
    total = server.requests_total
    first_kept = total - len(server.requests)
    skip = max(0, int(since_text) - first_kept)
    entries = [
        {"method": r.method, "path": r.path, "query": r.query, "headers": r.headers}
        for index, r in enumerate(server.requests)
        if index >= skip
    ]
    return _answer({"data": entries, "total": total})


async def reset(request: web.Request) -> web.Response:
    server = _server(request)
    server.reset()
    return _answer(_clock_json(server))


def routes() -> list[web.RouteDef]:
    p = CONTROL_PREFIX
    return [
        web.get(p + "/faults", list_faults),
        web.post(p + "/faults", add_fault),
        web.delete(p + "/faults", clear_faults),
        web.delete(p + "/faults/{faultId}", remove_fault),
        web.get(p + "/clock", get_clock),
        web.post(p + "/clock/advance", advance_clock),
        web.get(p + "/requests", list_requests),
        web.post(p + "/reset", reset),
    ]
