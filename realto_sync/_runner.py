"""One event loop per blocking client, run by the thread that waits for it.

A blocking call does not hand its coroutine to another thread: the calling thread runs the
client's loop itself until the coroutine ends, as ``asyncio.run`` would, but on a loop that lives
as long as the client (its connection pool, its token). Another thread's call made meanwhile
runs on the same loop (whichever thread runs it runs that call too).

Measured here (benchmarks/bench_sync_facade.py): handing a call to a loop thread and back costs
two thread wake-ups and a loop iteration, 55-90 us a call on this VM; running the loop in the
caller's thread costs about 40 us more than the same awaited call. A helper daemon thread runs
the loop instead when the waiting thread cannot (it runs an event loop already, as in Jupyter),
and while work should go on without the caller: a listing's next page, a bulk run between its
batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType
from typing import Any, TypeVar

from realto_async.errors import RealtoError

__all__ = ["INHERITED_LOOPS", "LoopRunner"]

T = TypeVar("T")
# How often a waiting thread wakes to let Ctrl+C through (a finished call returns at once).
INTERRUPT_CHECK_SECONDS = 0.25
# After this long without a thread running the loop, a call first lets the loop take in what
# came meanwhile (connections the server closed, keep-alive timers), so it is not sent on a
# pooled connection that is already dead; one loop iteration more.
IDLE_CATCH_UP_SECONDS = 1.0
# The helper thread goes on running the loop this long after the last call it ran for a thread
# that could not (Jupyter runs cell after cell): such calls in a row then cost one hand-off each.
HELPER_LINGER_SECONDS = 0.5
# After this long a call run in the main thread gets a Ctrl+C handler (see _guard_ctrl_c).
CTRL_C_GUARD_AFTER_SECONDS = 0.02
JOIN_TIMEOUT = 10.0
# A forked child's loops from its parent, kept alive so no destructor reaches shared epoll state.
INHERITED_LOOPS: list[object] = []

_MAIN_THREAD = threading.main_thread()
_REENTRY = (
    "a blocking realto client was called from inside its own event loop (for example from an "
    "on_retry hook); that would deadlock. Use the async client there, or make the hook not call the API"
)


class _Loop:
    """The loop of one process and who runs it; every field but ``loop`` is guarded by ``cond``."""

    __slots__ = (
        "closing",
        "cond",
        "driver",
        "helper",
        "holds",
        "idle_since",
        "last_proxied",
        "lingering",
        "loop",
        "pid",
        "proxied",
        "waiting",
    )

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        self.cond = threading.Condition()
        self.driver: int | None = None  # the thread running the loop now
        self.waiting = 0  # threads waiting on cond for a call or for the loop
        self.proxied = 0  # unfinished calls whose waiters cannot run the loop themselves
        self.holds = 0  # bulk runs and prefetched pages that want progress without a caller
        self.helper: threading.Thread | None = None
        self.closing = False
        self.idle_since = time.monotonic()  # when a thread last stopped running the loop
        self.last_proxied = 0.0  # when the last call of a thread that could not run the loop ended
        self.lingering = False  # a timer will look again whether the helper may stop

    def wanted_by_helper(self) -> bool:
        return self.proxied > 0 or self.holds > 0

    def stop_helper_if_idle(self) -> None:
        """On the loop: end the helper's run when nothing needs it any more (see
        HELPER_LINGER_SECONDS)."""
        helper = self.helper
        if helper is None or self.driver != helper.ident or self.wanted_by_helper():
            return
        wait = self.last_proxied + HELPER_LINGER_SECONDS - time.monotonic()
        if wait <= 0:
            self.loop.stop()
        elif not self.lingering:
            self.lingering = True
            self.loop.call_later(wait, self._linger_over)

    def _linger_over(self) -> None:
        self.lingering = False
        self.stop_helper_if_idle()


class _Call:
    """One coroutine run on the loop for a waiting thread; ``finished`` once it has ended."""

    __slots__ = (
        "background",
        "cancelled",
        "driven",
        "error",
        "finished",
        "in_background",
        "interrupted",
        "proxied",
        "result",
        "sigint_before",
        "state",
        "task",
    )

    def __init__(self, state: _Loop) -> None:
        self.state = state
        self.task: asyncio.Task[Any] | None = None
        self.cancelled = False
        self.interrupted = False  # Ctrl+C while its own thread ran the loop
        self.finished = False
        self.driven = False  # its waiter runs the loop until it finishes
        self.proxied = False  # counted in state.proxied
        self.background = False  # counted in state.holds until it finishes
        self.in_background = False  # submitted with submit_in_background
        self.result: Any = None
        self.error: BaseException | None = None
        self.sigint_before: Any = None  # the SIGINT handler to put back (see _guard_ctrl_c)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.state.loop

    def start(
        self, func: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """On the loop (handed over by another thread): start the coroutine unless cancelled."""
        if self.cancelled:
            self._finish()
            return
        self.task = self.state.loop.create_task(self.run(func, args, kwargs))

    async def run(
        self, func: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        try:
            self.result = await func(*args, **kwargs)
        except asyncio.CancelledError as err:
            self.error = err
            raise  # a cancelled task ends cancelled
        except BaseException as err:  # handed to the waiting thread, which raises it
            self.error = err
        finally:
            self._finish()

    def _finish(self) -> None:
        state = self.state
        with state.cond:
            self.finished = True
            if self.driven:  # its waiter runs the loop: let it return after this iteration
                state.loop.stop()
            if self.proxied:
                state.proxied -= 1
                state.last_proxied = time.monotonic()
            if self.background:
                self.background = False
                state.holds -= 1
            state.stop_helper_if_idle()
            if state.waiting:
                state.cond.notify_all()

    def cancel_task(self) -> None:
        """On the loop, or while no thread runs it: cancel the coroutine; a call cancelled before
        its first step still finishes."""
        task = self.task
        if task is not None and task.cancel():
            task.add_done_callback(self._finish_unless_finished)

    def _finish_unless_finished(self, _task: object) -> None:
        if not self.finished:  # cancelled before its first step: run() never ran to finish
            self._finish()


class LoopRunner:
    """Runs coroutines for blocking callers on one event loop, created on first use.

    The waiting thread runs the loop (see the module docstring). After ``os.fork()`` the child
    gets a fresh loop on first use.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: _Loop | None = None

    @property
    def driver_ident(self) -> int | None:
        """The thread running the loop right now (None: no thread does)."""
        state = self._state
        return state.driver if state is not None and state.pid == os.getpid() else None

    @property
    def running(self) -> bool:
        """Whether this process has a loop that has not been stopped."""
        state = self._state
        return state is not None and state.pid == os.getpid()

    def _loop_state(self) -> _Loop:
        state = self._state
        if state is not None and state.pid == os.getpid():
            return state
        with self._lock:
            state = self._state
            if state is None or state.pid != os.getpid():
                if state is not None:  # inherited through fork: keep it, never touch it
                    INHERITED_LOOPS.append((state.loop, state.helper))
                state = self._state = _Loop()
            return state

    def run(self, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """Run ``func(*args, **kwargs)`` on the loop and wait for its result; Ctrl+C cancels it."""
        result: T = self.result(self.submit(func, *args, **kwargs))
        return result

    def submit(self, func: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> _Call:
        """Start ``func(*args, **kwargs)`` on the loop and return at once; :meth:`result` waits.

        The coroutine makes progress while some thread runs the loop: one waiting in
        :meth:`result` (for any call), or the helper thread.
        """
        state = self._loop_state()
        call = _Call(state)
        with state.cond:
            driver = state.driver
            if driver is None:  # no thread runs the loop: nothing else touches it now
                if time.monotonic() - state.idle_since < IDLE_CATCH_UP_SECONDS:
                    call.task = state.loop.create_task(call.run(func, args, kwargs))
                else:  # started after one iteration, in which the loop sees what came meanwhile
                    state.loop.call_soon(call.start, func, args, kwargs)
                return call
            if driver == threading.get_ident():
                raise RealtoError(_REENTRY)
        state.loop.call_soon_threadsafe(call.start, func, args, kwargs)
        return call

    def submit_in_background(self, func: Callable[..., Awaitable[Any]], /, *args: Any) -> _Call:
        """:meth:`submit`, and the helper thread runs the loop until the call has finished
        unless a caller does: it progresses while the caller works on something else."""
        call = self.submit(func, *args)
        call.in_background = True
        state = call.state
        with state.cond:
            if not call.finished:
                call.background = True
                state.holds += 1
                self._wake_helper(state)
        return call

    def result(self, call: _Call) -> Any:
        """Wait for a submitted call and return its result (or raise its error); Ctrl+C cancels it."""
        if call.state.pid != os.getpid():
            raise RealtoError(
                "this call was started before os.fork(), by the parent process, whose event loop the "
                "child must not touch; make the call again in the child"
            )
        try:
            self._wait(call)
        except BaseException:  # Ctrl+C (or anything raised while waiting): cancel the coroutine
            self._cancel(call)
            raise
        if call.interrupted:
            raise KeyboardInterrupt
        if call.error is not None:
            raise call.error
        if call.task is None:  # pragma: no cover - cancelled before it started
            raise RealtoError("the call was cancelled")
        return call.result

    def cancel(self, call: _Call) -> None:
        """Cancel a submitted call and wait until it has stopped (its result or error is dropped).

        Only for a call whose :meth:`result` was not taken.
        """
        if call.state.pid != os.getpid():  # the parent's: its loop is not this process's to touch
            return
        self._cancel(call)
        if call.state.driver != threading.get_ident():  # else: it stops once this thread's run goes on
            self._wait(call)

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        """While the block runs, the helper thread runs the loop whenever no caller does, so
        tasks (a bulk run's workers) progress between the caller's calls."""
        state = self._loop_state()
        with state.cond:
            state.holds += 1
            self._wake_helper(state)
        try:
            yield
        finally:
            with state.cond:
                state.holds -= 1
            if not state.loop.is_closed():
                with contextlib.suppress(RuntimeError):  # closed meanwhile
                    state.loop.call_soon_threadsafe(state.stop_helper_if_idle)

    def _wait(self, call: _Call) -> None:
        state = call.state
        me = threading.get_ident()
        can_run_loop = asyncio._get_running_loop() is None
        while True:
            with state.cond:
                if call.finished:
                    return
                if state.driver == me:
                    raise RealtoError(_REENTRY)
                if state.driver is None and can_run_loop:
                    state.driver = me
                    call.driven = True
                else:
                    if not can_run_loop and not call.proxied:
                        call.proxied = True
                        state.proxied += 1
                        self._wake_helper(state)
                    state.waiting += 1
                    try:
                        state.cond.wait(INTERRUPT_CHECK_SECONDS)
                    finally:
                        state.waiting -= 1
                    continue
            self._run_loop_for(call)

    def _run_loop_for(self, call: _Call) -> None:
        """Run the loop in this thread until ``call`` finishes (or the loop is stopped)."""
        state = call.state
        loop = state.loop
        guard = None
        if threading.current_thread() is _MAIN_THREAD:
            guard = loop.call_later(CTRL_C_GUARD_AFTER_SECONDS, _guard_ctrl_c, call)
        try:
            loop.run_forever()
        except BaseException:  # raised by code on the loop (Ctrl+C early in a call): stop the call
            call.cancelled = True
            call.cancel_task()
            raise
        finally:
            if guard is not None:
                guard.cancel()
                if call.sigint_before is not None:
                    signal.signal(signal.SIGINT, call.sigint_before)
                    call.sigint_before = None
            with state.cond:
                call.driven = False
                state.driver = None
                state.idle_since = time.monotonic()
                if state.waiting or state.wanted_by_helper():
                    state.cond.notify_all()

    def _release_loop(self, state: _Loop) -> None:
        with state.cond:
            state.driver = None
            state.idle_since = time.monotonic()
            if state.waiting or state.wanted_by_helper():
                state.cond.notify_all()

    def _wake_helper(self, state: _Loop) -> None:
        """Under ``state.cond``: make sure the helper thread exists and looks at the work."""
        if state.helper is None and not state.closing:
            state.helper = threading.Thread(
                target=self._helper_main, args=(state,), name="realto-sync-loop", daemon=True
            )
            state.helper.start()
        state.cond.notify_all()

    def _helper_main(self, state: _Loop) -> None:
        me = threading.get_ident()
        try:
            while True:
                with state.cond:
                    while not state.closing and (state.driver is not None or not state.wanted_by_helper()):
                        state.cond.wait()
                    if state.closing:
                        return
                    state.driver = me
                try:
                    state.loop.run_forever()
                finally:
                    self._release_loop(state)
        finally:
            with state.cond:  # a new helper is started when needed (after SystemExit in a hook)
                state.helper = None

    def _cancel(self, call: _Call) -> None:
        call.cancelled = True
        state = call.state
        with state.cond:
            if state.driver is None or state.driver == threading.get_ident():
                call.cancel_task()  # no other thread runs the loop: cancel it right here
                return
        with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
            state.loop.call_soon_threadsafe(call.cancel_task)

    def stop(self, before: Callable[[], Awaitable[None]] | None = None) -> None:
        """Run ``before`` (closing the client), then close the loop and end the helper thread."""
        state = self._state
        if state is not None and state.driver == threading.get_ident():
            raise RealtoError("close() was called from inside the client's own event loop")
        try:
            if before is not None and self.running and not _finalizing_with_other_driver(state):
                self.run(before)
            if self.running and not _finalizing_with_other_driver(state):
                assert state is not None
                self.run(state.loop.shutdown_asyncgens)
        finally:
            with self._lock:
                state, self._state = self._state, None
            if state is not None and state.pid == os.getpid():
                _close(state)


def _finalizing_with_other_driver(state: _Loop | None) -> bool:
    """At interpreter exit a daemon thread running the loop may never run again."""
    return sys.is_finalizing() and state is not None and state.driver not in (None, threading.get_ident())


def _close(state: _Loop) -> None:
    with state.cond:
        state.closing = True
        state.cond.notify_all()
        helper, driver = state.helper, state.driver
    if helper is not None and driver == helper.ident:
        state.loop.call_soon_threadsafe(state.loop.stop)
    if helper is not None and not sys.is_finalizing():
        helper.join(timeout=JOIN_TIMEOUT)
    with state.cond:
        if state.driver is None and not state.loop.is_closed():
            state.loop.close()


def _guard_ctrl_c(call: _Call) -> None:
    """On the loop, in the main thread, once a call has run a while: while Python's default SIGINT
    handler is in place, Ctrl+C cancels the call instead (its waiter then raises
    KeyboardInterrupt), so no code on the loop is interrupted halfway; a second Ctrl+C raises
    KeyboardInterrupt at once. Swapping handlers costs 10-20 us, so short calls go without: a
    Ctrl+C then raises where the loop is, almost always its wait for I/O, and cancels the call."""
    with contextlib.suppress(ValueError, TypeError):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            call.sigint_before = signal.signal(signal.SIGINT, functools.partial(_on_ctrl_c, call))


def _on_ctrl_c(call: _Call, signum: int, frame: FrameType | None) -> None:
    if call.interrupted:
        raise KeyboardInterrupt
    call.interrupted = True
    if not call.finished:
        call.cancelled = True
        call.cancel_task()
        call.loop.call_soon_threadsafe(_nothing)  # wakes the loop if it waits for I/O


def _nothing() -> None:
    return None
