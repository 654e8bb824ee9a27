"""One HTTP attempt: the request the retry loop makes, the answer it gets, and the aiohttp sender.

This is the seam hooks, tracing and tests wrap: a sender is any async callable taking an
:class:`HTTPRequest` and returning a :class:`Response` (or raising ``APIConnectionError``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from ._clock import Clock
from ._config import ClientConfig, Timeout
from ._error_mapping import map_client_error, snippet
from ._errors import APITimeoutError, RealtoError, ResponseTooLargeError, ResponseValidationError
from ._json import JSONError, loads
from ._redact import redact_headers
from ._session import Progress, SessionOwner

__all__ = [
    "HTTPRequest",
    "Response",
    "ResponseInfo",
    "AiohttpSender",
    "SendAttempt",
    "TransportFunction",
    "checked_sender",
    "headers_proxy",
    "request_id_of",
]

# Bodies up to this size are read in one go when their length is announced.
READ_CHUNK = 64 * 1024
_NOT_DECODED: Any = object()
RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
)


@attrs.define(frozen=True, slots=True)
class HTTPRequest:
    """One attempt of a call, as handed to the sender.

    ``remaining`` is the seconds left of the call's deadline (None: no deadline); ``attempt``
    counts from 1 (retries and the replay after a 401 count). The repr hides credentials.
    """

    method: str
    url: str
    params: Mapping[str, str] | None
    headers: Mapping[str, str] = attrs.field(repr=lambda headers: repr(redact_headers(headers)))
    body: bytes | None = attrs.field(repr=lambda body: "None" if body is None else f"<{len(body)} bytes>")
    timeout: Timeout
    remaining: float | None
    attempt: int = 1


def request_id_of(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-request-id") or headers.get("request-id")


def headers_proxy(headers: Mapping[str, str] | None) -> CIMultiDictProxy[str]:
    """Case-insensitive, read-only headers as aiohttp gives them."""
    if isinstance(headers, CIMultiDictProxy):
        return headers
    return CIMultiDictProxy(CIMultiDict(headers or {}))


@attrs.define(frozen=True, slots=True)
class ResponseInfo:
    """What is kept of an answer once its body has been decoded: status, headers, request id.

    ``elapsed`` is the seconds the whole call took (every attempt and wait) and ``retries`` how
    many times it was resent; both are 0 on an answer a sender has just returned.
    """

    status: int
    headers: CIMultiDictProxy[str]
    url: str
    method: str
    elapsed: float = attrs.field(default=0.0, kw_only=True)
    retries: int = attrs.field(default=0, kw_only=True)

    @property
    def request_id(self) -> str | None:
        """The server's id for this request (``x-request-id`` or ``request-id``)."""
        return request_id_of(self.headers)

    @property
    def rate_limit(self) -> dict[str, str]:
        """The rate-limit headers of the answer, if the server sent any."""
        return {name: self.headers[name] for name in RATE_LIMIT_HEADERS if name in self.headers}


@attrs.define(frozen=True, slots=True)
class Response(ResponseInfo):
    """A successful answer, read in full."""

    body: bytes = attrs.field(repr=False)
    # The decoded body, once the transport or json() has decoded it.
    _decoded: Any = attrs.field(default=_NOT_DECODED, repr=False, eq=False, alias="decoded")

    def info(self) -> ResponseInfo:
        """The answer without its body."""
        return ResponseInfo(
            self.status,
            self.headers,
            self.url,
            self.method,
            elapsed=self.elapsed,
            retries=self.retries,
        )

    def json(self) -> Any:
        """The body decoded as JSON; a body that is not JSON raises ResponseValidationError."""
        if self._decoded is not _NOT_DECODED:
            return self._decoded
        try:
            decoded = loads(self.body)
        except ValueError as err:
            path = err.path if isinstance(err, JSONError) else ""
            where = f" at {path}" if path else ""
            raise ResponseValidationError(
                f"{self.method} {self.url} answered {self.status} with a body that is not JSON{where} "
                f"({err}); it may have been cut off on the way: {snippet(self.body)!r}",
                body=self.body.decode("utf-8", "replace"),
                path=path,
                request_id=self.request_id,
            ) from None
        object.__setattr__(self, "_decoded", decoded)
        return decoded


SendAttempt = Callable[[HTTPRequest], Awaitable[Response]]
# What ``transport=`` takes: a sender, or a plain function answering at once.
TransportFunction = Callable[[HTTPRequest], Response | Awaitable[Response]]


def checked_sender(transport: TransportFunction) -> SendAttempt:
    """A user's ``transport=`` (sync or async), its answers checked to be :class:`Response`."""

    async def send(request: HTTPRequest) -> Response:
        outcome = transport(request)
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if not isinstance(outcome, Response):
            raise RealtoError(
                f"transport= returned {type(outcome).__name__}, not a realto_async.transport.Response "
                "(MockTransport.json_response() builds one)"
            )
        return outcome

    return send


class AiohttpSender:
    """The real sender: one request through the session of ``owner``, after a free connection
    slot (``Timeout(pool=)``), with the configured proxy, TLS and answer-size limit."""

    def __init__(self, owner: SessionOwner, config: ClientConfig, clock: Clock) -> None:
        self._owner = owner
        self._config = config
        self._clock = clock

    async def __call__(self, request: HTTPRequest) -> Response:
        method, url, remaining = request.method, request.url, request.remaining
        session = self._owner.session()
        slots = self._owner.slots
        waited = await self._acquire_slot(slots, method, url, request.timeout, remaining)
        try:
            if remaining is not None:
                remaining -= waited
                if remaining <= 0:
                    raise APITimeoutError(
                        f"{method} {url}: the deadline ran out while waiting for a free connection; "
                        "the request was not sent",
                        method=method,
                        url=url,
                        may_have_reached_server=False,
                    )
            return await self._exchange(session, request, remaining)
        finally:
            if slots is not None:
                slots.release()

    async def _acquire_slot(
        self,
        slots: asyncio.Semaphore | None,
        method: str,
        url: str,
        timeout: Timeout,
        remaining: float | None,
    ) -> float:
        """Wait for a free connection slot; the seconds waited. A request that never got one was
        never sent: that is said with ``may_have_reached_server=False``."""
        if slots is None:
            return 0.0
        if not slots.locked():
            await slots.acquire()  # a free slot: taken without waiting
            return 0.0
        limits = [limit for limit in (timeout.pool, remaining) if limit is not None]
        wait = min(limits) if limits else None
        started = self._clock.monotonic()
        waiter = asyncio.ensure_future(slots.acquire())
        try:
            done, _ = await asyncio.wait({waiter}, timeout=wait)
        except BaseException:  # cancelled while waiting: give the slot back if it was just granted
            if waiter.done() and not waiter.cancelled():
                slots.release()
            else:
                waiter.cancel()
            raise
        if not done:
            waiter.cancel()  # not granted yet, so cancelling it cannot lose a slot
            limit = self._config.connector_limit
            raise APITimeoutError(
                f"{method} {url}: no free connection within {wait:g}s (all {limit} of connector_limit "
                "busy); the request was not sent, so it is safe to send again. Raise Timeout(pool=) or "
                "connector_limit=, or send fewer calls at once",
                method=method,
                url=url,
                may_have_reached_server=False,
            )
        return self._clock.monotonic() - started

    async def _exchange(
        self, session: aiohttp.ClientSession, request: HTTPRequest, remaining: float | None
    ) -> Response:
        config = self._config
        method, url, timeout = request.method, request.url, request.timeout
        client_timeout = aiohttp.ClientTimeout(
            total=remaining, sock_connect=timeout.connect, sock_read=timeout.read
        )
        progress = Progress()
        extra: dict[str, Any] = {}
        proxy = config.proxy_for(url)
        if proxy is not None:
            extra["proxy"] = proxy
        if config.ssl is not True and not self._owner.owns_session:
            extra["ssl"] = config.ssl
        try:
            async with session.request(
                method,
                url,
                params=request.params,
                data=request.body,
                headers=request.headers,
                timeout=client_timeout,
                allow_redirects=False,
                trace_request_ctx=progress,
                **extra,
            ) as resp:
                data = await _read_limited(resp, config.max_response_bytes, method, url)
                return Response(status=resp.status, headers=resp.headers, url=url, method=method, body=data)
        except (aiohttp.ClientError, TimeoutError, asyncio.TimeoutError) as err:
            sent = progress.sent if self._owner.traced else None
            raise map_client_error(err, method, url, sent) from err


async def _read_limited(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    """The whole body, refused (without reading the rest) once it passes ``limit`` bytes."""
    announced = resp.content_length
    if announced is not None and announced <= limit:
        return await resp.read()
    if announced is None:
        data = bytearray()
        async for chunk in resp.content.iter_chunked(READ_CHUNK):
            data += chunk
            if len(data) > limit:
                break
        else:
            return bytes(data)
    raise ResponseTooLargeError(
        f"{method} {url} answered {resp.status} with a body of more than {limit} bytes "
        f"({announced if announced is not None else 'unannounced'} bytes); it was not read. Raise "
        "max_response_bytes= if answers this large are expected, or ask for smaller pages (page_size=)",
        request_id=request_id_of(resp.headers),
    )
