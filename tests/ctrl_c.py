"""Pressing Ctrl+C in a test: SIGINT to the main thread, once the emulator holds a request."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from realto_async.testing import FakeRealto


@contextmanager
def ctrl_c_once_held(
    server: FakeRealto, delay: float = 0.0, before: Callable[[], None] | None = None
) -> Iterator[None]:
    """While the block runs: Ctrl+C comes ``delay`` seconds after the server starts holding a
    request (a fault with ``latency``), however slowly the machine gets there, handled by Python's
    default handler whatever an earlier test installed; ``before`` is called right before it."""
    in_flight = threading.Event()
    hold = server.faults.sleep

    async def held(seconds: float) -> None:
        in_flight.set()
        await hold(seconds)

    main = threading.main_thread().ident
    assert main is not None

    def press_ctrl_c() -> None:
        if in_flight.wait(timeout=60):
            time.sleep(delay)
            if before is not None:
                before()
            signal.pthread_kill(main, signal.SIGINT)

    server.faults.sleep = held
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    try:
        yield
    finally:
        presser.join(timeout=60)
        signal.signal(signal.SIGINT, previous)
        server.faults.sleep = hold
