"""The engine's retry loop: auth, retries and one deadline per call, around one-attempt senders."""

from __future__ import annotations

import inspect
import logging
import platform
from collections.abc import Mapping, Sequence

import aiohttp
import attrs

from ._attempt import HTTPRequest, Response, ResponseInfo, SendAttempt, aiohttp_sender, request_id_of
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
from ._error_mapping import parse_error_details, reason, snippet, status_error
from ._errors import APIConnectionError, APITimeoutError, RealtoError
from ._hooks import EventHook, with_event_hooks
from ._otel import call_span, record_retry
from ._retry import RetryEvent, RetryHook, RetryPolicy, parse_retry_after
from ._session import SessionOwner
from ._version import __version__

# Response, ResponseInfo and the error mapping live in their own modules; named here too so
# that older imports keep working.
__all__ = [
    "RequestOptions",
    "Response",
    "ResponseInfo",
    "Transport",
    "parse_error_details",
    "request_id_of",
    "status_error",
]

logger = logging.getLogger("realto")

USER_AGENT = (
    f"realto-python/{__version__} aiohttp/{aiohttp.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
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


class Transport(SessionOwner):
    """The session, the token provider and the retry loop; shared by client views."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Clock | None = None,
        sender: SendAttempt | None = None,
        event_hooks: Mapping[str, Sequence[EventHook]] | None = None,
    ) -> None:
        super().__init__(session, config.connector_limit)
        self.config = config
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.auth: TokenProvider = make_token_provider(config, self._fetch_token, self.clock)
        base = sender if sender is not None else aiohttp_sender(self.session)
        self._sender: SendAttempt = with_event_hooks(base, event_hooks, self.clock)

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
            raise token_status_error(raw.status, snippet(raw.body), url)
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
        attempt: int = 1,
    ) -> Response:
        request = HTTPRequest(method, url, params, headers, body, timeout, remaining, attempt)
        return await self._sender(request)

    async def send(
        self,
        method: str,
        path: str,
        options: RequestOptions,
        *,
        params: Mapping[str, str] | None = None,
        json: bytes | None = None,
    ) -> Response:
        """Send one API call with auth, retries and one deadline across every attempt, traced
        as one span when OpenTelemetry is installed."""
        with call_span(method, self.url_for(path), params) as span:
            response = await self._send_with_retries(method, path, options, params=params, json=json)
            span.answered(response)
            return response

    async def _send_with_retries(
        self,
        method: str,
        path: str,
        options: RequestOptions,
        *,
        params: Mapping[str, str] | None = None,
        json: bytes | None = None,
    ) -> Response:
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
                attempt = retries + 1 + replayed_after_401
                response = await self._attempt(
                    method, url, params, json, headers, options.timeout, remaining, attempt
                )
            except APIConnectionError as err:
                error: RealtoError = err
                may_retry = idempotent or not err.may_have_reached_server
            else:
                status = response.status
                self._log(response, retries, started)
                if 200 <= status < 300:
                    return attrs.evolve(response, elapsed=clock.monotonic() - started, retries=retries)
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
                    reason(status),
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
            record_retry(retries, delay, error)
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
