"""The aiohttp session: created on first use inside the running loop, bound to it, closed once."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import aiohttp

from ._errors import EventLoopMismatchError, RealtoError

__all__ = ["SessionOwner"]


class SessionOwner:
    """Owns (or borrows) one aiohttp session and the event loop it belongs to."""

    def __init__(self, session: aiohttp.ClientSession | None, connector_limit: int) -> None:
        self._session = session
        self._owns_session = session is None
        self._connector_limit = connector_limit
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
            limit = self._connector_limit
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                raise_for_status=False,
            )
        return self._session

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
