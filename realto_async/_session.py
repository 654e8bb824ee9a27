"""The aiohttp session: created on first use inside the running loop, bound to it, closed once.

It also tells how far a failed request got (by aiohttp trace hooks) and holds the connection
slots that make waiting for a free connection the SDK's own (``Timeout(pool=)``).
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import aiohttp

from ._config import ClientConfig
from ._errors import EventLoopMismatchError, RealtoError

__all__ = ["Progress", "SessionOwner"]


class Progress:
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
    if isinstance(progress, Progress):
        progress.started = True


async def _on_connected(session: aiohttp.ClientSession, context: Any, params: Any) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, Progress):
        progress.connected = True


def _tracing() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_on_request_start)
    trace.on_connection_create_end.append(_on_connected)
    trace.on_connection_reuseconn.append(_on_connected)
    return trace


class SessionOwner:
    """Owns (or borrows) one aiohttp session and the event loop it belongs to."""

    def __init__(self, session: aiohttp.ClientSession | None, config: ClientConfig) -> None:
        self._session_config = config
        self._session = session
        self._owns_session = session is None
        # Our own session tells (by tracing) whether a failed request's headers went out.
        self._traced = session is None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

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
            config = self._session_config
            limit = config.connector_limit
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit, ssl=config.ssl),
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

    @property
    def slots(self) -> asyncio.Semaphore | None:
        """One per connection the pool may open (None: unlimited); set with the session."""
        return self._slots

    @property
    def owns_session(self) -> bool:
        return self._owns_session

    @property
    def traced(self) -> bool:
        """Whether the session's trace hooks tell how far a request got."""
        return self._traced

    async def aclose(self) -> None:
        """Close the session if this owner created it; an injected one is left open."""
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
