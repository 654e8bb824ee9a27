"""One background thread with an event loop, reached through an anyio blocking portal."""

from __future__ import annotations

import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from realto_async.errors import RealtoError

__all__ = ["LoopThread"]

T = TypeVar("T")
# How often a blocked caller wakes to let Ctrl+C through (a completed call returns at once).
INTERRUPT_CHECK_SECONDS = 0.25
# A forked child's portals from its parent, kept alive so no destructor reaches shared epoll state.
INHERITED_PORTALS: list[tuple[object, object]] = []


class LoopThread:
    """Runs coroutines for blocking callers on a loop in a daemon thread, started on first use.

    The thread is a daemon so that a client nobody closed cannot keep the interpreter from
    exiting (anyio's ``start_blocking_portal`` runs its loop in a non-daemon pool thread, which
    would). After ``os.fork()`` the child gets a fresh thread on first use.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._portal: BlockingPortal | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    @property
    def thread_ident(self) -> int | None:
        return self._thread.ident if self._thread is not None and self._pid == os.getpid() else None

    @property
    def running(self) -> bool:
        return self._portal is not None and self._pid == os.getpid()

    def _portal_now(self) -> BlockingPortal:
        with self._lock:
            if self._portal is None or self._pid != os.getpid():
                if self._portal is not None:  # inherited through fork: keep it, never touch it
                    INHERITED_PORTALS.append((self._portal, self._thread))
                self._start()
            assert self._portal is not None
            return self._portal

    def _start(self) -> None:
        ready = threading.Event()
        found: list[BlockingPortal | BaseException] = []

        async def serve() -> None:
            async with BlockingPortal() as portal:
                found.append(portal)
                ready.set()
                await portal.sleep_until_stopped()

        def main() -> None:
            try:
                anyio.run(serve)
            except BaseException as err:  # pragma: no cover - reported to the starting thread
                found.append(err)
                ready.set()

        thread = threading.Thread(target=main, name="realto-sync-loop", daemon=True)
        thread.start()
        ready.wait()
        if not isinstance(found[0], BlockingPortal):  # pragma: no cover
            raise RealtoError(f"could not start the background event loop: {found[0]!r}")
        self._portal, self._thread, self._pid = found[0], thread, os.getpid()

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``func(*args)`` on the loop and wait for its result; Ctrl+C cancels it."""
        if threading.get_ident() == self.thread_ident:
            raise RealtoError(
                "a blocking realto client was called from its own event loop thread (for example from "
                "an on_retry hook); that would deadlock. Use the async client there, or make the hook "
                "not call the API"
            )
        future: Future[T] = self._portal_now().start_task_soon(func, *args)
        try:
            while True:
                try:
                    return future.result(timeout=INTERRUPT_CHECK_SECONDS)
                except TimeoutError:
                    if future.done():
                        raise  # the call itself raised a TimeoutError
        except BaseException:
            if not future.done():
                future.cancel()  # anyio cancels the task behind the future
            raise

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the loop thread."""
        return self._portal_now().call(func, *args)

    def stop(self, before: Callable[[], Awaitable[None]] | None = None) -> None:
        """Run ``before`` (closing the client), stop the loop and join its thread."""
        with self._lock:
            portal, thread, pid = self._portal, self._thread, self._pid
            self._portal = self._thread = self._pid = None
        if portal is None or thread is None or pid != os.getpid():
            return
        if threading.get_ident() == thread.ident:
            raise RealtoError("close() was called from the client's own event loop thread")
        try:
            if before is not None:
                portal.call(before)
        finally:
            portal.call(portal.stop)
            thread.join()
