"""The transport seam: what sends one attempt of a call, and a stand-in for tests.

``AsyncRealtoClient(transport=...)`` takes any async callable ``(HTTPRequest) -> Response``;
the client's retry loop, auth, deadline, hooks and tracing run around it unchanged, so retry
behaviour can be tested without sockets::

    def answer(request: HTTPRequest) -> Response:
        return MockTransport.json_response(request, 200, {"data": [], "meta": {}})

    client = AsyncRealtoClient(token="t", transport=MockTransport(answer))

Raise ``APIConnectionError`` from the handler to act out a dropped connection.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from ._attempt import HTTPRequest, Response, ResponseInfo, SendAttempt, TransportFunction, headers_proxy
from ._errors import RealtoError
from ._json import dumps

__all__ = ["HTTPRequest", "MockTransport", "Response", "ResponseInfo", "SendAttempt", "TransportFunction"]

Handler = TransportFunction


class MockTransport:
    """A sender answering every attempt from ``handler`` (sync or async); ``requests`` lists
    the attempts it was given, in order."""

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError("MockTransport needs a callable taking an HTTPRequest")
        self._handler = handler
        self.requests: list[HTTPRequest] = []

    async def __call__(self, request: HTTPRequest) -> Response:
        self.requests.append(request)
        outcome = self._handler(request)
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if not isinstance(outcome, Response):
            raise RealtoError(
                f"the MockTransport handler returned {type(outcome).__name__}, not a Response; "
                "build one with MockTransport.json_response()"
            )
        return outcome

    @staticmethod
    def json_response(
        request: HTTPRequest,
        status: int = 200,
        json: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        """An answer to ``request``: ``json`` encoded as the body (or raw ``body`` bytes)."""
        content = body if body is not None else (b"" if json is None else dumps(json))
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return Response(
            status=status,
            headers=headers_proxy(all_headers),
            url=request.url,
            method=request.method,
            body=content,
        )
