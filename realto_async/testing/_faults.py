"""Fault injection: answer chosen requests with failures instead of the real thing."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
from typing import Literal

import attrs
from aiohttp import web

__all__ = ["Fault", "Faults"]

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


@attrs.define
class Fault:
    """One rule. ``route`` is ``"METHOD /path"`` with ``*`` wildcards, paths relative to the base URL
    (``"GET /v1/entities/*/charge-sessions"``, ``"* *"`` for everything).

    It applies to matching requests after the first ``after`` of them, to ``times`` of them
    (None: every one), each with ``probability`` (drawn from the seeded generator).
    """

    route: str = "* *"
    status: int | None = None
    retry_after: str | float | None = None
    latency: float = 0.0
    drop: Literal["before", "during"] | None = None
    truncate: bool = False
    html_502: bool = False
    expire_tokens: bool = False
    times: int | None = None
    after: int = 0
    probability: float | None = None
    seen: int = 0
    applied: int = 0

    def matches(self, method: str, path: str) -> bool:
        wanted_method, _, wanted_path = self.route.partition(" ")
        return fnmatch.fnmatchcase(method, wanted_method or "*") and fnmatch.fnmatchcase(
            path, wanted_path or "*"
        )

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.applied >= self.times


class Faults:
    """The emulator's fault rules (``server.faults``)."""

    def __init__(self, seed: int | str) -> None:
        self.rules: list[Fault] = []
        self._rng = random.Random(f"{seed}:faults")

    def add(self, route: str = "* *", **options: object) -> Fault:
        """Add a rule; see :class:`Fault` for the options. Returns it (``.applied`` counts hits)."""
        fault = Fault(route, **options)  # type: ignore[arg-type]
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        """The first rule that fires for this request, if any (counting it)."""
        for fault in self.rules:
            if fault.exhausted or not fault.matches(method, path):
                continue
            fault.seen += 1
            if fault.seen <= fault.after:
                continue
            if fault.probability is not None and self._rng.random() >= fault.probability:
                continue
            fault.applied += 1
            return fault
        return None


async def apply(
    fault: Fault, request: web.Request, answer: web.StreamResponse | None
) -> web.StreamResponse | None:
    """The failure to send for ``fault``; None to let the request through (after any latency)."""
    if fault.latency:
        await asyncio.sleep(fault.latency)
    transport = request.transport
    if fault.drop == "before" and transport is not None:
        transport.close()
        raise asyncio.CancelledError  # aiohttp drops the request without writing anything
    if fault.html_502:
        return web.Response(status=502, body=HTML_502, content_type="text/html")
    if fault.status is not None:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        text = json.dumps({"errors": [{"code": f"Injected{fault.status}", "message": "Injected fault."}]})
        return web.Response(status=fault.status, text=text, content_type="application/json", headers=headers)
    if answer is None or not (fault.truncate or fault.drop == "during"):
        return None
    body = answer.body if isinstance(answer, web.Response) and isinstance(answer.body, bytes) else b"{}"
    cut = body[: max(1, len(body) // 2)]
    if fault.truncate:
        return web.Response(status=answer.status, body=cut, content_type="application/json")
    stream = web.StreamResponse(status=answer.status, headers={"Content-Type": "application/json"})
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(cut)
    if transport is not None:
        transport.close()
    return stream
