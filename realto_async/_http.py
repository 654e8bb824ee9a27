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
from ._config import ClientConfig, Timeout
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ErrorDetail,
    EventLoopMismatchError,
    RateLimitError,
    RealtoError,
    ResponseValidationError,
    status_advice,
    status_error_class,
)
from ._json import loads
from ._retry import RetryEvent, RetryHook, RetryPolicy, parse_retry_after
from ._version import __version__

__all__ = ["RequestOptions", "Response", "ResponseInfo", "Transport"]

logger = logging.getLogger("realto")

USER_AGENT = (
    f"realto-python/{__version__} aiohttp/{aiohttp.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)
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

    body: bytes

    def info(self) -> ResponseInfo:
        """The answer without its body."""
        return ResponseInfo(self.status, self.headers, self.url, self.method)

    def json(self) -> Any:
        """The body decoded as JSON; a body that is not JSON raises ResponseValidationError."""
        try:
            return loads(self.body)
        except ValueError:
            raise ResponseValidationError(
                f"{self.method} {self.url} answered {self.status} with a body that is not JSON: "
                f"{_snippet(self.body)!r}",
                body=self.body.decode("utf-8", "replace"),
                request_id=self.request_id,
            ) from None


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
) -> APIStatusError:
    """The typed error for a failure status."""
    details = parse_error_details(body)
    said = "; ".join(str(d) for d in details) if details else _snippet(body, 120)
    message = f"{method} {url} failed: HTTP {status} {reason}".rstrip()
    if said:
        message += f": {said}"
    message += f" ({status_advice(status)})"
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


def _map_client_error(err: BaseException, method: str, url: str) -> APIConnectionError:
    """An aiohttp or timeout exception as the SDK's connection error."""
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
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                raise_for_status=False,
            )
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
            raise token_connection_error(err, url) from None
        if raw.status >= 300:
            raise token_status_error(raw.status, _snippet(raw.body), url)
        logger.debug("fetched an access token from %s", url)
        return read_token_answer(raw.json(), self.clock.monotonic())

    # -------------------------------------------------------------------- requests

    def url_for(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.config.base_url + path

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
        client_timeout = aiohttp.ClientTimeout(
            total=remaining, sock_connect=timeout.connect, sock_read=timeout.read
        )
        try:
            async with session.request(
                method,
                url,
                params=params,
                data=body,
                headers=headers,
                timeout=client_timeout,
                allow_redirects=False,
            ) as resp:
                data = await resp.read()
                return Response(status=resp.status, headers=resp.headers, url=url, method=method, body=data)
        except (aiohttp.ClientError, TimeoutError, asyncio.TimeoutError) as err:
            raise _map_client_error(err, method, url) from err

    async def send(
        self,
        method: str,
        path: str,
        options: RequestOptions,
        *,
        params: Mapping[str, str] | None = None,
        json: bytes | None = None,
    ) -> Response:
        """Send one API call with auth, retries and one deadline across every attempt."""
        clock = self.clock
        policy = options.retry
        url = self.url_for(path)
        started = clock.monotonic()
        deadline = None if options.timeout.total is None else started + options.timeout.total
        idempotent = policy.method_is_idempotent(method)
        base_headers = options.base_headers
        retries = 0
        replayed_after_401 = False
        while True:
            remaining = None if deadline is None else deadline - clock.monotonic()
            if remaining is not None and remaining <= 0:
                raise APITimeoutError(
                    f"{method} {url}: the call's deadline of {options.timeout.total:g}s ran out "
                    f"after {retries + 1} attempt(s); raise timeout= to allow more",
                    method=method,
                    url=url,
                    may_have_reached_server=retries > 0 or replayed_after_401,
                )
            headers = dict(base_headers)
            if json is not None:
                headers["Content-Type"] = "application/json"
            if retries:
                headers["X-Retry-Count"] = str(retries)
            retry_after: float | None = None
            token: str | None = None
            try:
                token = self.auth.current() or await self.auth.get(remaining)
                headers["Authorization"] = "Bearer " + token
                response = await self._attempt(method, url, params, json, headers, options.timeout, remaining)
            except APIConnectionError as err:
                error: RealtoError = err
                may_retry = idempotent or not err.may_have_reached_server
            else:
                status = response.status
                self._log(response, retries, started)
                if 200 <= status < 300:
                    return response
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
                )
                may_retry = idempotent and policy.retries_status(status)
            if not may_retry or retries >= policy.max_retries:
                raise error
            delay = retry_after if retry_after is not None else policy.backoff(retries + 1)
            if deadline is not None and clock.monotonic() + delay >= deadline:
                logger.info("%s %s: a retry in %.2fs would pass the deadline; giving up", method, url, delay)
                raise error
            retries += 1
            logger.info(
                "%s %s: retry %d in %.2fs after %s",
                method,
                url,
                retries,
                delay,
                type(error).__name__,
            )
            if options.on_retry is not None:
                outcome = options.on_retry(RetryEvent(attempt=retries, delay=delay, error=error))
                if inspect.isawaitable(outcome):
                    await outcome
            await clock.sleep(delay)

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


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
