"""The aiohttp session manager: one attempt, error mapping, retries and the call deadline."""

from __future__ import annotations

import asyncio
import inspect
import logging
import platform
import warnings
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDictProxy

from ._auth import (
    AccessToken,
    TokenProvider,
    make_token_provider,
    read_token_answer,
    token_connection_error,
    token_request,
    token_status_error,
)
from ._clock import Clock, SystemClock
from ._config import ClientConfig, RedactedStr, Timeout
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ErrorDetail,
    EventLoopMismatchError,
    RateLimitError,
    RealtoError,
    ResponseTooLargeError,
    ResponseValidationError,
    status_advice,
    status_error_class,
)
from ._json import JSONError, loads
from ._retry import RetryEvent, RetryHook, RetryPolicy, parse_retry_after
from ._version import __version__

__all__ = ["RequestOptions", "Response", "ResponseInfo", "Transport"]

logger = logging.getLogger("realto")

USER_AGENT = (
    f"realto-python/{__version__} aiohttp/{aiohttp.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)
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
class RequestOptions:
    """Per-client-view settings that shape each call."""

    timeout: Timeout
    retry: RetryPolicy
    headers: Mapping[str, str]
    on_retry: RetryHook | None = None
    # Sent with every call: computed once here rather than per request.
    base_headers: Mapping[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        merged = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers}
        object.__setattr__(self, "base_headers", merged)


@attrs.define(frozen=True, slots=True)
class ResponseInfo:
    """What is kept of an answer once its body has been decoded: status, headers, request id."""

    status: int
    headers: CIMultiDictProxy[str]
    url: str
    method: str

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
        return ResponseInfo(self.status, self.headers, self.url, self.method)

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
                f"({err}); it may have been cut off on the way: {_snippet(self.body)!r}",
                body=self.body.decode("utf-8", "replace"),
                path=path,
                request_id=self.request_id,
            ) from None
        object.__setattr__(self, "_decoded", decoded)
        return decoded


def request_id_of(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-request-id") or headers.get("request-id")


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + "..."


def parse_error_details(body: bytes) -> list[ErrorDetail]:
    """The ``errors`` of an error body: the API's list, a problem-details map, or a message."""
    try:
        payload = loads(body)
    except ValueError:
        return []
    if not isinstance(payload, dict):
        return []
    errors = payload.get("errors")
    details: list[ErrorDetail] = []
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                details.append(
                    ErrorDetail(
                        code=_opt_str(item.get("code")),
                        description=_opt_str(item.get("description")),
                        message=_opt_str(item.get("message") or item.get("title")),
                    )
                )
            elif isinstance(item, str):
                details.append(ErrorDetail(message=item))
    elif isinstance(errors, dict):  # ASP.NET validation problem details: {field: [messages]}
        for field, messages in errors.items():
            text = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
            details.append(ErrorDetail(code=str(field), message=text))
    if not details:
        message = payload.get("message") or payload.get("title") or payload.get("error")
        if isinstance(message, str):
            details.append(ErrorDetail(code=_opt_str(payload.get("code")), message=message))
    return details


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None if value is None else str(value)


def status_error(
    method: str,
    url: str,
    status: int,
    reason: str,
    headers: Mapping[str, str],
    body: bytes,
    retry_after: float | None,
    write: bool = False,
) -> APIStatusError:
    """The typed error for a failure status (``write``: a method that is not safe to repeat)."""
    details = parse_error_details(body)
    said = "; ".join(str(d) for d in details) if details else _snippet(body, 120)
    message = f"{method} {url} failed: HTTP {status} {reason}".rstrip()
    if said:
        message += f": {said}"
    if write and status >= 500:
        message += (
            f" (the server failed, but the {method} may still have been carried out: check before "
            "sending it again)"
        )
    else:
        codes = [detail.code for detail in details]
        message += f" ({status_advice(status, codes=codes, method=method, url=url)})"
    rid = request_id_of(headers)
    if rid:
        message += f" [request id {rid}]"
    cls = status_error_class(status)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "method": method,
        "url": url,
        "request_id": rid,
        "errors": details,
        "body": body.decode("utf-8", "replace"),
        "headers": headers,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)


def _map_client_error(err: BaseException, method: str, url: str, sent: bool | None) -> APIConnectionError:
    """An aiohttp or timeout exception as the SDK's connection error.

    ``sent`` is False when the request's headers provably were never written (the failure came
    while waiting for, or opening, a connection), None when that is not known.
    """
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(
            f"{method} {url}: timed out connecting ({err or 'connect timeout'}); the request was not sent",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if isinstance(err, aiohttp.ClientConnectorError):
        return APIConnectionError(
            f"{method} {url}: cannot connect ({err.os_error or err}); check base_url and the network",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if sent is False:
        cls = APITimeoutError if isinstance(err, (TimeoutError, asyncio.TimeoutError)) else APIConnectionError
        return cls(
            f"{method} {url}: failed before the request was sent ({type(err).__name__}: "
            f"{err or 'timed out'}); it was not sent, so it is safe to send again",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if isinstance(err, (TimeoutError, asyncio.TimeoutError)):
        return APITimeoutError(
            f"{method} {url}: timed out waiting for the answer; raise timeout= if the call is slow",
            method=method,
            url=url,
        )
    return APIConnectionError(
        f"{method} {url}: the connection failed before a full answer arrived ({type(err).__name__}: {err})",
        method=method,
        url=url,
    )


class _Progress:
    """How far one attempt got, set by the session's trace hooks: the request started, and it
    got a connection (before that, nothing of it can have been written)."""

    __slots__ = ("connected", "started")

    def __init__(self) -> None:
        self.started = False
        self.connected = False

    @property
    def sent(self) -> bool | None:
        """False when provably nothing was written; None when the hooks did not run (a mocked
        session), so it is not known."""
        if not self.started:
            return None
        return None if self.connected else False


async def _on_request_start(session: aiohttp.ClientSession, context: Any, params: Any) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.started = True


async def _on_connected(session: aiohttp.ClientSession, context: Any, params: Any) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.connected = True


def _tracing() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_on_request_start)
    trace.on_connection_create_end.append(_on_connected)
    trace.on_connection_reuseconn.append(_on_connected)
    return trace


class Transport:
    """Owns (or borrows) the aiohttp session and the token provider; shared by client views."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._session = session
        self._owns_session = session is None
        # Our own session tells (by tracing) whether a failed request's headers went out.
        self._traced = session is None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.auth: TokenProvider = make_token_provider(config, self._fetch_token, self.clock)

    # ------------------------------------------------------------------ lifecycle

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise EventLoopMismatchError(
                "this client was first used in another event loop"
                + (" (now closed)" if self._loop.is_closed() else "")
                + "; aiohttp sessions are bound to one loop. Create one client per event loop, "
                "or use realto_sync.RealtoClient from blocking code"
            )

    def session(self) -> aiohttp.ClientSession:
        """The session, created on first use inside the running loop."""
        if self._closed:
            raise RealtoError("the client is closed; create a new one")
        self._check_loop()
        if self._session is None:
            limit = self.config.connector_limit
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit, ssl=self.config.ssl),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                raise_for_status=False,
                trace_configs=[_tracing()],
            )
        if self._slots is None:
            limit = self._session.connector.limit if self._session.connector is not None else 0
            if limit:
                self._slots = asyncio.Semaphore(limit)
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it; an injected one is left open."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        session = getattr(self, "_session", None)
        if session is not None and getattr(self, "_owns_session", False) and not session.closed:
            _warn(
                "AsyncRealtoClient was not closed: use 'async with AsyncRealtoClient() as client' "
                "or await client.aclose()",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    # ---------------------------------------------------------------------- tokens

    async def _fetch_token(self, timeout: float | None) -> AccessToken:
        config = self.config
        headers, body = token_request(config)
        headers["User-Agent"] = USER_AGENT
        url = config.token_url
        try:
            raw = await self._attempt("POST", url, None, body, headers, config.timeout, timeout)
        except APIConnectionError as err:
            raise token_connection_error(err, url) from err
        if raw.status >= 300:
            raise token_status_error(raw.status, _snippet(raw.body), url, config.flavor)
        logger.debug("fetched an access token from %s", url)
        return read_token_answer(raw.json(), self.clock.monotonic())

    # -------------------------------------------------------------------- requests

    def url_for(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.config.base_url + path

    async def _acquire_slot(self, method: str, url: str, timeout: Timeout, remaining: float | None) -> float:
        """Wait for a free connection slot; the seconds waited. A request that never got one was
        never sent: that is said with ``may_have_reached_server=False``."""
        slots = self._slots
        if slots is None:
            return 0.0
        if not slots.locked():
            await slots.acquire()  # a free slot: taken without waiting
            return 0.0
        limits = [limit for limit in (timeout.pool, remaining) if limit is not None]
        wait = min(limits) if limits else None
        started = self.clock.monotonic()
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
            limit = self.config.connector_limit
            raise APITimeoutError(
                f"{method} {url}: no free connection within {wait:g}s (all {limit} of connector_limit "
                "busy); the request was not sent, so it is safe to send again. Raise Timeout(pool=) or "
                "connector_limit=, or send fewer calls at once",
                method=method,
                url=url,
                may_have_reached_server=False,
            )
        return self.clock.monotonic() - started

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: Timeout,
        remaining: float | None,
    ) -> Response:
        session = self.session()
        waited = await self._acquire_slot(method, url, timeout, remaining)
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
            return await self._exchange(session, method, url, params, body, headers, timeout, remaining)
        finally:
            if self._slots is not None:
                self._slots.release()

    async def _exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: Timeout,
        remaining: float | None,
    ) -> Response:
        config = self.config
        client_timeout = aiohttp.ClientTimeout(
            total=remaining, sock_connect=timeout.connect, sock_read=timeout.read
        )
        progress = _Progress()
        extra: dict[str, Any] = {}
        proxy = config.proxy_for(url)
        if proxy is not None:
            extra["proxy"] = proxy
        if config.ssl is not True and not self._owns_session:
            extra["ssl"] = config.ssl
        try:
            async with session.request(
                method,
                url,
                params=params,
                data=body,
                headers=headers,
                timeout=client_timeout,
                allow_redirects=False,
                trace_request_ctx=progress,
                **extra,
            ) as resp:
                data = await _read_limited(resp, config.max_response_bytes, method, url)
                return Response(status=resp.status, headers=resp.headers, url=url, method=method, body=data)
        except (aiohttp.ClientError, TimeoutError, asyncio.TimeoutError) as err:
            sent = progress.sent if self._traced else None
            raise _map_client_error(err, method, url, sent) from err

    async def send(
        self,
        method: str,
        path: str,
        options: RequestOptions,
        *,
        params: Mapping[str, str] | None = None,
        json: bytes | None = None,
        expect_json: bool = True,
    ) -> Response:
        """Send one API call with auth, retries and one deadline across every attempt.

        Retried (up to ``max_retries``): failures before the request was sent (any method), and
        for idempotent methods 5xx/408/425, dropped connections and success answers whose body
        is cut off or not JSON (when ``expect_json``). A 429 whose ``Retry-After`` fits the
        deadline is waited out apart from that budget (``max_rate_limit_waits``), any method:
        the server did not act on it.
        """
        clock = self.clock
        policy = options.retry
        url = self.url_for(path)
        started = clock.monotonic()
        deadline = None if options.timeout.total is None else started + options.timeout.total
        idempotent = policy.method_is_idempotent(method)
        base_headers = options.base_headers
        retries = 0
        rate_limit_waits = 0
        replayed_after_401 = False
        # Whether any attempt may have reached the server (for the deadline's error).
        reached = False
        while True:
            attempts = retries + rate_limit_waits
            remaining = None if deadline is None else deadline - clock.monotonic()
            if remaining is not None and remaining <= 0:
                raise APITimeoutError(
                    f"{method} {url}: the call's deadline of {options.timeout.total:g}s ran out "
                    f"after {attempts + 1} attempt(s); raise timeout= to allow more",
                    method=method,
                    url=url,
                    may_have_reached_server=reached or replayed_after_401,
                )
            headers = dict(base_headers)
            if json is not None:
                headers["Content-Type"] = "application/json"
            if attempts:
                headers["X-Retry-Count"] = str(attempts)
            retry_after: float | None = None
            try:
                token = self.auth.current() or await self.auth.get(remaining)
                headers["Authorization"] = RedactedStr("Bearer " + token.reveal())
                response = await self._attempt(method, url, params, json, headers, options.timeout, remaining)
            except APIConnectionError as err:
                error: RealtoError = err
                reached = reached or err.may_have_reached_server
                may_retry = idempotent or not err.may_have_reached_server
            else:
                reached = True
                status = response.status
                self._log(response, attempts, started)
                if 200 <= status < 300:
                    if not expect_json or status == 204:
                        return response
                    try:
                        response.json()
                        return response
                    except ResponseValidationError as unreadable:
                        if not idempotent:
                            raise ResponseValidationError(
                                f"{unreadable} -- the {method} itself succeeded (HTTP {status}), so what "
                                "it asked for was probably done: check before sending it again",
                                path=unreadable.path,
                                body=unreadable.body,
                                request_id=unreadable.request_id,
                            ) from None
                        error = unreadable
                    may_retry = True
                    if retries >= policy.max_retries:
                        raise error
                    delay = policy.backoff(retries + 1)
                    if deadline is not None and clock.monotonic() + delay >= deadline:
                        raise error
                    retries += 1
                    await self._before_retry(options, method, url, retries + rate_limit_waits, delay, error)
                    continue
                if status == 401 and not replayed_after_401 and self.auth.invalidate(token):
                    replayed_after_401 = True
                    logger.info("%s %s: 401, fetching a new token and replaying once", method, url)
                    continue
                if policy.respect_retry_after:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), clock.time())
                error = status_error(
                    method,
                    url,
                    status,
                    _reason(status),
                    response.headers,
                    response.body,
                    retry_after,
                    write=not idempotent,
                )
                if (
                    status == 429
                    and retry_after is not None
                    and policy.retries_status(429)
                    and rate_limit_waits < policy.max_rate_limit_waits
                    and (deadline is None or clock.monotonic() + retry_after < deadline)
                ):
                    rate_limit_waits += 1
                    await self._before_retry(
                        options, method, url, retries + rate_limit_waits, retry_after, error
                    )
                    continue
                may_retry = idempotent and policy.retries_status(status)
            if not may_retry or retries >= policy.max_retries:
                raise error
            delay = retry_after if retry_after is not None else policy.backoff(retries + 1)
            if deadline is not None and clock.monotonic() + delay >= deadline:
                logger.info("%s %s: a retry in %.2fs would pass the deadline; giving up", method, url, delay)
                raise error
            retries += 1
            await self._before_retry(options, method, url, retries + rate_limit_waits, delay, error)

    async def _before_retry(
        self, options: RequestOptions, method: str, url: str, attempt: int, delay: float, error: RealtoError
    ) -> None:
        logger.info("%s %s: retry %d in %.2fs after %s", method, url, attempt, delay, type(error).__name__)
        if options.on_retry is not None:
            outcome = options.on_retry(RetryEvent(attempt=attempt, delay=delay, error=error))
            if inspect.isawaitable(outcome):
                await outcome
        await self.clock.sleep(delay)

    def _log(self, response: Response, retries: int, started: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d in %.1f ms (retries %d, request id %s, rate limit %s)",
                response.method,
                response.url,
                response.status,
                (self.clock.monotonic() - started) * 1000,
                retries,
                response.request_id,
                response.rate_limit or "-",
            )


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


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
