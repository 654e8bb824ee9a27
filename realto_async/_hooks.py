"""Event hooks: callables that see every HTTP attempt (requests and their answers)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

from ._attempt import HTTPRequest, Response, SendAttempt
from ._clock import Clock
from ._errors import ConfigurationError, RealtoError
from ._redact import redact_headers, safe_url

__all__ = [
    "EventHook",
    "EventHookError",
    "EventHooks",
    "RequestEvent",
    "ResponseEvent",
    "check_event_hooks",
    "with_event_hooks",
]

HOOK_KINDS = ("request", "response")


@attrs.define(frozen=True, slots=True)
class RequestEvent:
    """An attempt about to be sent: ``url`` carries no credentials, ``headers`` are redacted,
    ``attempt`` counts from 1 (each retry, and the replay after a 401, is a new attempt)."""

    method: str
    url: str
    headers: Mapping[str, str]
    attempt: int


@attrs.define(frozen=True, slots=True)
class ResponseEvent:
    """The answer to one attempt: ``status``, ``elapsed`` seconds of this attempt, the
    server's ``request_id`` and (redacted) ``response_headers``, plus what the request had."""

    method: str
    url: str
    headers: Mapping[str, str]
    attempt: int
    status: int
    elapsed: float
    request_id: str | None
    response_headers: Mapping[str, str]


EventHook = Callable[[Any], Awaitable[None] | None]
EventHooks = Mapping[str, Sequence[EventHook]]  # keys: "request", "response"


class EventHookError(RealtoError):
    """An event hook raised; the exception it raised is the ``__cause__``."""


def check_event_hooks(hooks: object) -> dict[str, tuple[EventHook, ...]]:
    """``event_hooks`` as given to the client, checked: {"request": [...], "response": [...]}."""
    if hooks is None:
        return {}
    if not isinstance(hooks, Mapping):
        raise ConfigurationError(
            'event_hooks must be a dict like {"request": [callable], "response": [callable]}, '
            f"got {type(hooks).__name__}"
        )
    checked: dict[str, tuple[EventHook, ...]] = {}
    for kind, callables in hooks.items():
        if kind not in HOOK_KINDS:
            raise ConfigurationError(f'event_hooks keys are "request" and "response", got {kind!r}')
        if isinstance(callables, (str, bytes)) or not isinstance(callables, Sequence):
            raise ConfigurationError(f"event_hooks[{kind!r}] must be a list of callables")
        for hook in callables:
            if not callable(hook):
                raise ConfigurationError(f"event_hooks[{kind!r}] holds {hook!r}, which is not callable")
        if callables:
            checked[kind] = tuple(callables)
    return checked


async def _call(hooks: tuple[EventHook, ...], event: RequestEvent | ResponseEvent, what: str) -> None:
    kind = "request" if isinstance(event, RequestEvent) else "response"
    for hook in hooks:
        try:
            outcome = hook(event)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as err:
            name = getattr(hook, "__qualname__", repr(hook))
            raise EventHookError(
                f"the {kind} event hook {name} raised {type(err).__name__}: {err} "
                f"({event.method} {event.url}, attempt {event.attempt}; {what}); fix the hook"
            ) from err


def with_event_hooks(send: SendAttempt, hooks: object, clock: Clock) -> SendAttempt:
    """``send`` with the request hooks called before each attempt and the response hooks after
    each answer (none for an attempt that got no answer: that one raises or is retried)."""
    checked = check_event_hooks(hooks)
    if not checked:
        return send
    before = checked.get("request", ())
    after = checked.get("response", ())

    async def send_with_hooks(request: HTTPRequest) -> Response:
        url = safe_url(request.url, request.params)
        headers = redact_headers(request.headers)
        if before:
            await _call(before, RequestEvent(request.method, url, headers, request.attempt), "not sent")
        started = clock.monotonic()
        response = await send(request)
        if after:
            event = ResponseEvent(
                request.method,
                url,
                headers,
                request.attempt,
                response.status,
                clock.monotonic() - started,
                response.request_id,
                redact_headers(response.headers),
            )
            await _call(after, event, f"answered HTTP {response.status}")
        return response

    return send_with_hooks
