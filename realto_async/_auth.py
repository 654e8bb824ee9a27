"""Access tokens: static, from an async callable, or by client credentials (both dialects).

Any number of concurrent requests on a cold client share one token fetch (single flight);
a token is refreshed ahead of ``expires_in``; a 401 drops the token that was refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlencode

import attrs

from ._clock import Clock
from ._config import ClientConfig, RedactedBytes, Secret
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    InvalidCredentialsError,
    RealtoError,
    ResponseValidationError,
    TokenEndpointUnreachableError,
    TokenTimeoutError,
)
from ._json import dumps

__all__ = ["AccessToken", "TokenFetcher", "TokenProvider", "make_token_provider"]

logger = logging.getLogger("realto")

# Refresh this long before expiry, but never more than this share of a token's lifetime.
REFRESH_AHEAD_SECONDS = 60.0
REFRESH_AHEAD_SHARE = 0.1


@attrs.define(frozen=True, slots=True)
class AccessToken:
    value: Secret
    refresh_at: float | None  # monotonic time after which a new token is fetched


class TokenFetcher(Protocol):
    """Sends the token request; the transport implements it."""

    async def __call__(self, timeout: float | None) -> AccessToken: ...


class TokenProvider(Protocol):
    def current(self) -> Secret | None:
        """The cached token if it is still good, without waiting (the fast path)."""
        ...

    async def get(self, timeout: float | None) -> Secret:
        """A token valid now, fetched if needed."""
        ...

    def invalidate(self, token: Secret) -> bool:
        """Drop ``token`` after a 401; True if asking again may give a different one."""
        ...


class StaticTokenProvider:
    """A token the caller handed over; a 401 cannot be repaired by asking again."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def current(self) -> Secret | None:
        return self._token

    async def get(self, timeout: float | None) -> Secret:
        return self._token

    def invalidate(self, token: Secret) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticTokenProvider(token='**********')"


class _SingleFlight:
    """At most one fetch at a time; every waiter gets its result or its error."""

    def __init__(self) -> None:
        self._task: asyncio.Future[AccessToken] | None = None

    async def run(self, fetch: Callable[[], Awaitable[AccessToken]]) -> AccessToken:
        task = self._task
        if task is None:
            task = self._task = asyncio.ensure_future(fetch())
            task.add_done_callback(self._done)
        # shield: a waiter that is cancelled does not cancel the fetch others wait on.
        return await asyncio.shield(task)

    def _done(self, task: asyncio.Future[AccessToken]) -> None:
        if self._task is task:
            self._task = None
        if not task.cancelled():
            task.exception()  # marks it retrieved even when every waiter went away


class CachingTokenProvider:
    """Caches a fetched token until it is due for refresh or refused."""

    def __init__(self, fetch: TokenFetcher, clock: Clock) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: AccessToken | None = None
        self._flight = _SingleFlight()

    def current(self) -> Secret | None:
        token = self._token
        if token is not None and (token.refresh_at is None or self._clock.monotonic() < token.refresh_at):
            return token.value
        return None

    async def get(self, timeout: float | None) -> Secret:
        cached = self.current()
        if cached is not None:
            return cached

        async def fetch() -> AccessToken:
            fresh = await self._fetch(timeout)
            self._token = fresh
            return fresh

        return (await self._flight.run(fetch)).value

    def invalidate(self, token: Secret) -> bool:
        if self._token is not None and self._token.value == token:
            self._token = None
        return True

    def __repr__(self) -> str:
        state = "cached" if self._token is not None else "empty"
        return f"CachingTokenProvider({state})"


def refresh_time(now: float, expires_in: float | None) -> float | None:
    """When to fetch the next token, ahead of expiry."""
    if expires_in is None:
        return None
    ahead = min(REFRESH_AHEAD_SECONDS, expires_in * REFRESH_AHEAD_SHARE)
    return now + max(0.0, expires_in - ahead)


def read_token_answer(payload: Any, now: float) -> AccessToken:
    """An AccessToken from the token endpoint's JSON answer."""
    if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
        raise ResponseValidationError(
            "the token endpoint answered without an 'access_token' string; check token_url",
            model="TokenResponse",
            path="access_token",
        )
    value = Secret(payload["access_token"])
    expires_in = payload.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
        expires_in = None
    return AccessToken(value=value, refresh_at=refresh_time(now, expires_in))


def token_request(config: ClientConfig) -> tuple[dict[str, str], RedactedBytes]:
    """Headers and body of the token request for the configured dialect (the body's repr is hidden)."""
    if config.client_id is None or config.client_secret is None:
        raise ConfigurationError("client credentials are needed to fetch a token")
    if config.dialect.token_request == "form":
        body = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret.reveal(),
                "scope": "esp",
            }
        ).encode()
        return {"Content-Type": "application/x-www-form-urlencoded"}, RedactedBytes(body)
    body = dumps({"clientId": config.client_id, "clientSecret": config.client_secret.reveal()})
    return {"Content-Type": "application/json"}, RedactedBytes(body)


# A token endpoint that does not exist at this URL, or does not take this kind of request: a wrong
# base_url / token_url / flavor, which asking again will not cure.
MISCONFIGURED_TOKEN_STATUSES = frozenset({404, 405, 501})


def token_status_error(status: int, body: str, token_url: str, flavor: str = "realto") -> RealtoError:
    """The error for a token endpoint that answered with a failure status."""
    if status in MISCONFIGURED_TOKEN_STATUSES:
        return ConfigurationError(
            f"the token endpoint answered HTTP {status} at {token_url} (flavor {flavor!r}): there is no "
            "token endpoint at that URL. Check base_url / token_url (REALTO_BASE_URL / REALTO_TOKEN_URL) "
            "and flavor (REALTO_FLAVOR)"
        )
    if status in (400, 401, 403):
        return InvalidCredentialsError(
            f"the token endpoint ({token_url}) refused the client id and secret (HTTP {status}); "
            "check REALTO_CLIENT_ID / REALTO_CLIENT_SECRET and the flavor",
            status_code=status,
            url=token_url,
            body=body,
        )
    return TokenEndpointUnreachableError(
        f"the token endpoint ({token_url}) failed with HTTP {status}; retry later",
        url=token_url,
        may_have_reached_server=False,
    )


def token_connection_error(err: APIConnectionError, token_url: str) -> TokenEndpointUnreachableError:
    """A connection failure while fetching a token, said as such (a timeout stays a TimeoutError)."""
    if isinstance(err, APITimeoutError):
        return TokenTimeoutError(
            f"ran out of time fetching a token from {token_url}: {err}; raise timeout= or check token_url",
            url=token_url,
            may_have_reached_server=False,
        )
    return TokenEndpointUnreachableError(
        f"could not reach the token endpoint ({token_url}): {err}; check token_url and the network",
        url=token_url,
        may_have_reached_server=False,
    )


def make_token_provider(config: ClientConfig, fetch: TokenFetcher, clock: Clock) -> TokenProvider:
    """The provider for the configured credentials."""
    token = config.token
    if isinstance(token, Secret):
        return StaticTokenProvider(token)
    if token is not None:
        source = token

        async def from_callable(timeout: float | None) -> AccessToken:
            value = await source()
            if not isinstance(value, str) or not value.strip():
                raise InvalidCredentialsError(
                    "the token callable returned no token (expected a non-empty str)",
                    status_code=401,
                )
            return AccessToken(value=Secret(value), refresh_at=None)

        return CachingTokenProvider(from_callable, clock)
    return CachingTokenProvider(fetch, clock)
