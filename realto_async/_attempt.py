"""One HTTP attempt: the request the retry loop makes, the answer it gets, and the aiohttp sender.

This is the seam hooks, tracing and tests wrap: a sender is any async callable taking an
:class:`HTTPRequest` and returning a :class:`Response` (or raising ``APIConnectionError``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from ._config import Timeout
from ._error_mapping import map_client_error, snippet
from ._errors import ResponseValidationError
from ._json import loads
from ._redact import redact_headers

__all__ = [
    "HTTPRequest",
    "Response",
    "ResponseInfo",
    "SendAttempt",
    "aiohttp_sender",
    "headers_proxy",
    "request_id_of",
]

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

    body: bytes

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
        try:
            return loads(self.body)
        except ValueError:
            raise ResponseValidationError(
                f"{self.method} {self.url} answered {self.status} with a body that is not JSON: "
                f"{snippet(self.body)!r}",
                body=self.body.decode("utf-8", "replace"),
                request_id=self.request_id,
            ) from None


SendAttempt = Callable[[HTTPRequest], Awaitable[Response]]


def aiohttp_sender(session: Callable[[], aiohttp.ClientSession]) -> SendAttempt:
    """The real sender: one request through the aiohttp session ``session()`` returns."""

    async def send(request: HTTPRequest) -> Response:
        timeout = request.timeout
        client_timeout = aiohttp.ClientTimeout(
            total=request.remaining, sock_connect=timeout.connect, sock_read=timeout.read
        )
        method, url = request.method, request.url
        try:
            async with session().request(
                method,
                url,
                params=request.params,
                data=request.body,
                headers=request.headers,
                timeout=client_timeout,
                allow_redirects=False,
            ) as resp:
                data = await resp.read()
                return Response(status=resp.status, headers=resp.headers, url=url, method=method, body=data)
        except (aiohttp.ClientError, TimeoutError, asyncio.TimeoutError) as err:
            raise map_client_error(err, method, url) from err

    return send
