"""``client.with_raw_response``: the same calls, answering a :class:`RawResponse` that carries the
HTTP answer (status, headers, request id, elapsed seconds, retries) beside the parsed result."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from multidict import CIMultiDictProxy

from ._attempt import Response
from ._errors import RealtoError, ResponseValidationError
from ._pagination import AsyncPaginator
from .resources._base import Resource

__all__ = ["AsyncRawResponseView", "RawResponse", "record_response"]

T = TypeVar("T")
U = TypeVar("U")

_RECORDER: ContextVar[list[Response] | None] = ContextVar("realto_raw_responses", default=None)


def record_response(response: Response) -> None:
    """Keep ``response`` for the ``with_raw_response`` call running in this context, if any."""
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.append(response)


@contextmanager
def _recording() -> Iterator[list[Response]]:
    seen: list[Response] = []
    token = _RECORDER.set(seen)
    try:
        yield seen
    finally:
        _RECORDER.reset(token)


class RawResponse(Generic[T]):
    """The HTTP answer of a call and, through :meth:`parse`, its usual result.

    When a call makes several requests (a ``wait()``), this is the last one's answer.
    """

    __slots__ = ("_error", "_parsed", "_response")

    def __init__(self, response: Response, parsed: T | None, error: ResponseValidationError | None) -> None:
        self._response = response
        self._parsed = parsed
        self._error = error

    @property
    def status_code(self) -> int:
        return self._response.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The answer's headers (case-insensitive)."""
        return self._response.headers

    @property
    def request_id(self) -> str | None:
        """The server's id of the request (``x-request-id``): quote it to support."""
        return self._response.request_id

    @property
    def elapsed(self) -> float:
        """Seconds the call took, every attempt and wait between them included."""
        return self._response.elapsed

    @property
    def retries(self) -> int:
        """How many times the call was resent before this answer."""
        return self._response.retries

    @property
    def method(self) -> str:
        return self._response.method

    @property
    def url(self) -> str:
        return self._response.url

    @property
    def content(self) -> bytes:
        """The body as received."""
        return self._response.body

    def parse(self) -> T:
        """The result the call returns without ``with_raw_response``; raises the
        ``ResponseValidationError`` the answer caused, if it could not be read."""
        if self._error is not None:
            raise self._error
        return self._parsed  # type: ignore[return-value]

    def _map(self, convert: Callable[[T], U]) -> RawResponse[U]:
        parsed = None if self._error is not None else convert(self._parsed)  # type: ignore[arg-type]
        return RawResponse(self._response, parsed, self._error)

    def __repr__(self) -> str:
        return (
            f"<RawResponse {self.method} {self.url} -> {self.status_code} "
            f"(request id {self.request_id}, {self.retries} retries, {self.elapsed:.3f}s)>"
        )


async def call_raw(method: Callable[..., Any], *args: Any, **kwargs: Any) -> RawResponse[Any]:
    """Call a public method, keep the answer it was parsed from; a listing gives its first page."""
    with _recording() as seen:
        try:
            outcome = method(*args, **kwargs)
            if isinstance(outcome, AsyncPaginator):
                outcome = outcome.first_page()
            elif not inspect.isawaitable(outcome):
                raise RealtoError(
                    f"{getattr(method, '__qualname__', method)} is not an API call; "
                    "with_raw_response wraps the namespaces' methods and request()"
                )
            parsed = await outcome
        except ResponseValidationError as err:
            if not seen:
                raise
            return RawResponse(seen[-1], None, err)
    if not seen:
        raise RealtoError(f"{getattr(method, '__qualname__', method)} sent no request to show")
    return RawResponse(seen[-1], parsed, None)


class AsyncRawResponseView:
    """The client's namespaces again, each method answering ``RawResponse[T]`` instead of ``T``
    (a listing answers ``RawResponse[Page[T]]`` for its first page)."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._target, name)
        if isinstance(value, Resource):
            return AsyncRawResponseView(value)
        if not callable(value):
            raise AttributeError(f"{name!r} is not a call; with_raw_response wraps calls only")

        async def raw(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return await call_raw(value, *args, **kwargs)

        raw.__name__ = name
        raw.__doc__ = getattr(value, "__doc__", None)
        return raw

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._target!r}>"
