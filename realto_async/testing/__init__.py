"""realto_async.testing: an emulator of the whole re.alto / Traxes platform API.

::

    from realto_async.testing import FakeClock, FakeRealto

    async with FakeRealto(seed=1, clock=FakeClock()).serve() as server:
        async with server.client() as client:
            async for entity in client.entities.list():
                ...
        server.clock.advance(timedelta(minutes=10))

Blocking tests start it on a background thread: ``server = FakeRealto(...).start()`` ...
``server.stop()`` (or ``with FakeRealto(...) as server:``). Run it from a shell with
``realto emulator --evs 500 --frozen`` (``python -m realto_async.testing``); with ``control=True``
(on for the command line and the fixtures) ``/_emulator/...`` steers it over HTTP: faults, the
clock, the request log, a reset. pytest users get the ``realto_server`` and ``realto_client``
fixtures.
"""

from ._clock import DEFAULT_START, FakeClock, RealClock
from ._faults import Fault, Faults
from ._fleet import Fleet
from ._server import FakeRealto, LoggedRequest

__all__ = [
    "DEFAULT_START",
    "FakeClock",
    "FakeRealto",
    "Fault",
    "Faults",
    "Fleet",
    "LoggedRequest",
    "RealClock",
]
