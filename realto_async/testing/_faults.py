"""Fault injection: answer chosen requests with failures instead of the real thing."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
from collections.abc import Awaitable, Callable
from typing import Literal

import attrs
from aiohttp import web

__all__ = ["Fault", "Faults"]

Sleep = Callable[[float], Awaitable[None]]
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

    def __attrs_post_init__(self) -> None:
        problem = _problem(self)
        if problem is not None:
            raise ValueError(f"Fault({self.route!r}): {problem}")

    def matches(self, method: str, path: str) -> bool:
        wanted_method, _, wanted_path = self.route.partition(" ")
        return fnmatch.fnmatchcase(method, wanted_method or "*") and fnmatch.fnmatchcase(
            path, wanted_path or "*"
        )

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.applied >= self.times


def _problem(fault: Fault) -> str | None:
    """What is wrong with a rule's options, if anything."""
    if not isinstance(fault.route, str) or len(fault.route.split(" ")) != 2:
        return "route must be 'METHOD /path' (wildcards allowed, e.g. 'GET /v1/entities/*')"
    if fault.status is not None and (
        isinstance(fault.status, bool) or not isinstance(fault.status, int) or not 100 <= fault.status <= 599
    ):
        return f"status must be an HTTP status from 100 to 599, got {fault.status!r}"
    numbers = {"latency": fault.latency, "after": fault.after, "times": fault.times}
    for name, value in numbers.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            return f"{name} must be a number >= 0, got {value!r}"
    if fault.probability is not None and (
        isinstance(fault.probability, bool)
        or not isinstance(fault.probability, (int, float))
        or not 0 <= fault.probability <= 1
    ):
        return f"probability must be from 0 to 1, got {fault.probability!r}"
    for name in ("truncate", "html_502", "expire_tokens"):
        if not isinstance(getattr(fault, name), bool):
            return f"{name} must be true or false, got {getattr(fault, name)!r}"
    if fault.drop not in (None, "before", "during"):
        return f"drop must be 'before' or 'during', got {fault.drop!r}"
    return None


class Faults:
    """The emulator's fault rules (``server.faults``)."""

    def __init__(self, seed: int | str) -> None:
        self.rules: list[Fault] = []
        # How latency is waited for; tests may swap in a recorder.
        self.sleep: Sleep = asyncio.sleep
        self._rng = random.Random(f"{seed}:faults")
        self._seed = seed
        self._numbers: dict[int, int] = {}
        self._next_number = 0

    def reset(self) -> None:
        """No rules, and the probability draws start over as on a new emulator."""
        self.clear()
        self._next_number = 0
        self._rng = random.Random(f"{self._seed}:faults")

    def add(self, route: str = "* *", **options: object) -> Fault:
        """Add a rule; see :class:`Fault` for the options. Returns it (``.applied`` counts hits)."""
        fault = Fault(route, **options)  # type: ignore[arg-type]
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        self.rules.clear()
        self._numbers.clear()

    def numbered(self) -> list[tuple[int, Fault]]:
        """The rules in order, each with a number that stays its own (the control API's id)."""
        for fault in self.rules:
            if id(fault) not in self._numbers:
                self._next_number += 1
                self._numbers[id(fault)] = self._next_number
        return [(self._numbers[id(fault)], fault) for fault in self.rules]

    def remove(self, number: int) -> bool:
        """Drop the rule with this number; False when there is none."""
        for index, (known, fault) in enumerate(self.numbered()):
            if known == number:
                del self.rules[index]
                del self._numbers[id(fault)]
                return True
        return False

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


async def fail_before(fault: Fault, request: web.Request, sleep: Sleep) -> web.StreamResponse | None:
    """Wait the fault's latency (once), then the failure to send instead of handling the
    request; None to handle it."""
    if fault.latency:
        await sleep(fault.latency)
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
    return None


async def fail_after(
    fault: Fault, request: web.Request, answer: web.StreamResponse
) -> web.StreamResponse | None:
    """The handled answer broken as the fault says; None to send it whole."""
    if not (fault.truncate or fault.drop == "during"):
        return None
    body = answer.body if isinstance(answer, web.Response) and isinstance(answer.body, bytes) else b"{}"
    cut = body[: max(1, len(body) // 2)]
    if fault.truncate:
        return web.Response(status=answer.status, body=cut, content_type="application/json")
    stream = web.StreamResponse(status=answer.status, headers={"Content-Type": "application/json"})
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(cut)
    transport = request.transport
    if transport is not None:
        transport.close()
    return stream
