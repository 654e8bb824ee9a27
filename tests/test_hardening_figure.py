"""Issue 8 §1's figure: 300 EVs' charge sessions through 10% 5xx, 2% dropped connections (half
before the answer, half in the middle of its body), 1% cut-off bodies and a 3 s 429 storm, with
max_retries=5, yield every record exactly once.

The emulator runs on a FakeClock (sleeps return at once), so the 3 s storm costs no real time:
StormClock ends it once 3 s of fake time have passed since its first 429."""

from __future__ import annotations

from datetime import timedelta

from realto_async import AsyncRealtoClient
from realto_async.testing import FakeClock, FakeRealto
from realto_async.testing._clock import DEFAULT_START
from realto_async.testing._faults import Fault
from realto_async.testing._fleet import Fleet

SEED = 8
EVS = 300
ROUTE = "GET /v1/entities/*/charge-sessions"
# A window that ended before the emulator's clock starts: its records do not depend on "now".
END = DEFAULT_START - timedelta(days=1)
START = END - timedelta(days=14)
STORM_SECONDS = 3.0


class StormClock(FakeClock):
    """Ends a 429 storm once STORM_SECONDS of (fake) time have passed since its first 429."""

    def __init__(self) -> None:
        super().__init__()
        self.storm: Fault | None = None
        self.storm_began: float | None = None

    async def sleep(self, seconds: float) -> None:
        storm = self.storm
        if storm is not None and storm.applied and self.storm_began is None:
            self.storm_began = self.monotonic()
        await super().sleep(seconds)
        began = self.storm_began
        if storm is not None and began is not None and self.monotonic() - began >= STORM_SECONDS:
            storm.times = storm.applied  # the storm is over


async def _every_record(client: AsyncRealtoClient, entity_ids: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entity_id in entity_ids:
        async for record in client.charge_sessions.list(entity_id, START, END, page_size=10):
            found.append((entity_id, record.id))
    return found


async def _ev_ids(client: AsyncRealtoClient) -> list[str]:
    return [entity.id async for entity in client.entities.list(type="EV", page_size=1000)]


async def test_300_evs_through_every_transport_fault_yield_every_record_once() -> None:
    clean = FakeRealto(seed=SEED, fleet=Fleet.only_evs(EVS), clock=FakeClock())
    async with clean.serve(), clean.client() as client:
        ids = await _ev_ids(client)
        expected = await _every_record(client, ids)

    clock = StormClock()
    async with FakeRealto(seed=SEED, fleet=Fleet.only_evs(EVS), clock=clock).serve() as server:
        storm = server.faults.add(ROUTE, status=429, retry_after=1, after=200)
        clock.storm = storm
        errors = server.faults.add(ROUTE, status=503, probability=0.10)
        drops = server.faults.add(ROUTE, drop="before", probability=0.01)
        drops_mid_body = server.faults.add(ROUTE, drop="during", probability=0.01)
        cut = server.faults.add(ROUTE, truncate=True, probability=0.01)
        async with server.client(max_retries=5, timeout=3600) as client:
            assert await _ev_ids(client) == ids
            got = await _every_record(client, ids)

    assert len(ids) == EVS
    assert len(expected) > EVS  # several sessions per EV, over several pages
    assert got == expected  # every record, once, in order
    assert len(set(got)) == len(got)
    # Every kind of fault really happened, the storm lasted its 3 s and then ended.
    assert errors.applied > 20
    assert drops.applied > 1
    assert drops_mid_body.applied > 1
    assert cut.applied > 1
    assert storm.applied >= 3
    assert storm.times == storm.applied
    assert clock.storm_began is not None
