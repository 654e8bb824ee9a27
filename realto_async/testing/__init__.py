"""realto_async.testing: an emulator of the whole re.alto / Traxes platform API.

::

    from realto_async.testing import FakeClock, FakeRealto

    async with FakeRealto(seed=1, clock=FakeClock()).serve() as server:
        async with server.client() as client:
            async for entity in client.entities.list():
                ...
        server.clock.advance(timedelta(minutes=10))

Run it from a shell with ``python -m realto_async.testing --port 8080``; pytest users get the
``realto_server`` and ``realto_client`` fixtures.
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
