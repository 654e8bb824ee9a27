"""The engine's retry loop: auth, retries and one deadline per call, around one-attempt senders."""

from __future__ import annotations

import inspect
import logging
import platform
from collections.abc import Callable, Mapping, Sequence
from typing import TypeAlias

import aiohttp
import attrs

from ._attempt import (
    AiohttpSender,
    HTTPRequest,
    Response,
    ResponseInfo,
    SendAttempt,
    TransportFunction,
    checked_sender,
    request_id_of,
)
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
from ._error_mapping import parse_error_details, reason, snippet, status_error
from ._errors import APIConnectionError, APITimeoutError, RealtoError, ResponseValidationError
from ._hooks import EventHook, with_event_hooks
from ._otel import active_tracer, call_span, record_retry
from ._retry import RetryEvent, RetryHook, RetryPolicy, parse_retry_after
from ._session import SessionOwner
from ._version import __version__

# Response, ResponseInfo and the error mapping live in their own modules; named here too so
# that older imports keep working.
__all__ = [
    "BodyReader",
    "RequestOptions",
    "Response",
    "ResponseInfo",
    "Transport",
    "parse_error_details",
    "request_id_of",
    "status_error",
]

logger = logging.getLogger("realto")
# Reads a success answer's body inside the retry loop (a listing page, decoded at once); True
# when it did, False to let the transport check that the body is JSON.
BodyReader: TypeAlias = Callable[[Response], bool]

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
        sender: TransportFunction | None = None,
        event_hooks: Mapping[str, Sequence[EventHook]] | None = None,
    ) -> None:
        super().__init__(session, config)
        self.config = config
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.auth: TokenProvider = make_token_provider(config, self._fetch_token, self.clock)
        base = checked_sender(sender) if sender is not None else AiohttpSender(self, config, self.clock)
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
            raise token_connection_error(err, url) from err
        if raw.status >= 300:
            raise token_status_error(raw.status, snippet(raw.body), url, config.flavor)
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
        expect_json: bool | BodyReader = True,
    ) -> Response:
        """Send one API call with auth, retries and one deadline across every attempt, traced as
        one span when OpenTelemetry is installed.

        Retried (up to ``max_retries``): failures before the request was sent (any method), and
        for idempotent methods 5xx/408/425, dropped connections and success answers whose body
        is cut off or not JSON (when ``expect_json``; a function given there reads a success
        answer's body first, and when it says it did, the JSON check is skipped). A 429 whose
        ``Retry-After`` fits the deadline is waited out apart from that budget
        (``max_rate_limit_waits``), any method: the server did not act on it.
        """
        tracer = active_tracer()
        if tracer is None:
            return await self._send_with_retries(
                method, path, options, params=params, json=json, expect_json=expect_json
            )
        with call_span(tracer, method, self.url_for(path), params) as span:
            response = await self._send_with_retries(
                method, path, options, params=params, json=json, expect_json=expect_json
            )
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
        expect_json: bool | BodyReader = True,
    ) -> Response:
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
                attempt = attempts + 1 + replayed_after_401
                response = await self._attempt(
                    method, url, params, json, headers, options.timeout, remaining, attempt
                )
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
                        return self._finished(response, started, attempts)
                    try:
                        if expect_json is True or not expect_json(response):
                            response.json()
                        return self._finished(response, started, attempts)
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
                    reason(status),
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

    def _finished(self, response: Response, started: float, retries: int) -> Response:
        """The answer, told the call's elapsed seconds and retry count (set in place: the answer
        is this call's own, and copying it would cost more than the rest of the call)."""
        object.__setattr__(response, "elapsed", self.clock.monotonic() - started)
        object.__setattr__(response, "retries", retries)
        return response

    async def _before_retry(
        self, options: RequestOptions, method: str, url: str, attempt: int, delay: float, error: RealtoError
    ) -> None:
        logger.info("%s %s: retry %d in %.2fs after %s", method, url, attempt, delay, type(error).__name__)
        record_retry(attempt, delay, error)
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
