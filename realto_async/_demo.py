"""The demo: the SDK end to end, on the embedded emulator (or read-only on the real API)."""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any, TextIO

import attrs

from ._client import AsyncRealtoClient
from ._errors import RealtoError
from ._types import finite_number
from .bulk import BulkReport
from .models.charge_sessions import ChargingRecord
from .models.entities import Entity
from .models.enums import EntityType

__all__ = ["DemoOptions", "run_demo"]


@attrs.define(frozen=True)
class DemoOptions:
    evs: int = 300
    days: int = 30
    concurrency: int = 50
    seed: int = 1
    page_size: int = 100


@attrs.define
class FleetStats:
    requests: int = 0
    sessions: int = 0
    kwh: float = 0.0
    per_ev: dict[str, float] = attrs.Factory(dict)


def _say(out: TextIO) -> Callable[[str], None]:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    return say


async def _poll_sessions(
    client: AsyncRealtoClient, entities: list[Entity], options: DemoOptions, stats: FleetStats
) -> BulkReport:
    """Every EV's charge sessions with client.bulk; the other entities are skipped by type."""
    run = client.bulk.charge_sessions(
        entities,
        start=timedelta(days=options.days),
        concurrency=options.concurrency,
        page_size=options.page_size,
    )
    async for batch in run:
        for record in batch.records:
            energy = _energy(record)
            stats.sessions += 1
            stats.kwh += energy
            stats.per_ev[batch.entity_id] = stats.per_ev.get(batch.entity_id, 0.0) + energy
    stats.requests = run.report.requests
    return run.report


def _energy(record: ChargingRecord) -> float:
    charge = record.data.charge
    total = charge.total.total if charge is not None and charge.total is not None else None
    return finite_number(total) or 0.0


def _label(entity: Entity) -> str:
    info = entity.information
    maker = info.maker if info is not None else None
    model = (info.model or info.name) if info is not None else None
    tag = entity.properties.get("label") if isinstance(entity.properties, dict) else None
    name = " ".join(part for part in (maker, model) if part) or entity.id
    return f"{name} ({tag})" if tag else name


async def _read_only_part(
    client: AsyncRealtoClient, options: DemoOptions, say: Callable[[str], None]
) -> list[Entity]:
    say("1. The fleet")
    entities = [entity async for entity in client.entities.list(page_size=options.page_size)]
    by_type = Counter(str(entity.type) for entity in entities)
    say(
        f"   {len(entities)} entities: "
        + ", ".join(f"{count} {kind}" for kind, count in by_type.most_common())
    )
    evs = [entity for entity in entities if str(entity.type) == EntityType.EV.value]

    bound = options.concurrency
    say(f"2. Charge sessions of the last {options.days} days for {len(evs)} EVs, {bound} at a time")
    stats = FleetStats()
    started = time.perf_counter()
    report = await _poll_sessions(client, entities, options, stats)
    elapsed = time.perf_counter() - started
    say(
        f"   {report.entities_done} EVs done, {report.entities_skipped} skipped (no charge sessions), "
        f"{report.entities_failed} failed"
    )
    for entity_id, error in report.failed.items():
        say(f"     {entity_id}: {type(error).__name__}: {error}")
    say(f"   {stats.sessions} sessions, {stats.kwh:,.1f} kWh charged in all")
    if stats.sessions:
        per_ev = stats.sessions / max(len(evs), 1)
        say(f"   {stats.kwh / stats.sessions:.1f} kWh per session, {per_ev:.1f} sessions per EV")
    say(f"   {stats.requests} requests in {elapsed:.2f} s: {stats.requests / elapsed:,.0f} requests/s")
    names = {ev.id: _label(ev) for ev in evs}
    busiest = sorted(stats.per_ev.items(), key=lambda item: item[1], reverse=True)[:5]
    if busiest:
        say("   busiest EVs:")
        for ev_id, kwh in busiest:
            say(f"     {names[ev_id]:<38} {kwh:8.1f} kWh")
    return entities


def _vin(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return "WAU" + "".join(rng.choice(letters) for _ in range(8)) + f"{rng.randrange(1, 999999):06d}"


async def _write_part(client: AsyncRealtoClient, options: DemoOptions, say: Callable[[str], None]) -> None:
    say("3. Onboarding a new EV")
    request = await client.onboarding.entities.create(
        type="EV", manufacturer="Audi", vin=_vin(random.Random(options.seed))
    )
    if request.action is not None and request.action.redirect_link:
        say(f"   the driver consents at {request.action.redirect_link}")

    def progress(update: Any) -> None:
        say(f"   onboarding {update.status}")

    done = await client.onboarding.entities.wait(
        request.id, timeout=60, poll_interval=0.5, on_update=progress
    )
    entity_id = done.entity_id
    if entity_id is None:
        raise RealtoError("the onboarding succeeded without naming the new entity")
    say(f"   new entity {entity_id}")

    say("4. StartCharging")
    command = await client.commands.trigger(entity_id, type="StartCharging")

    def command_progress(update: Any) -> None:
        say(f"   command {update.status}")

    final = await client.commands.wait(
        entity_id, command.id, timeout=60, poll_interval=0.5, on_update=command_progress
    )
    if str(final.status) != "Succeeded":
        raise RealtoError(f"StartCharging ended {final.status}")


async def run_demo(options: DemoOptions, out: TextIO = sys.stdout, clock: Any = None) -> int:
    """Run the demo; 0 on success. Real credentials in the environment mean read-only, real API.

    ``clock`` (a FakeClock) runs the emulated part without real waiting, for tests.
    """
    say = _say(out)
    real = bool(os.environ.get("REALTO_CLIENT_ID") and os.environ.get("REALTO_CLIENT_SECRET"))
    async with AsyncExitStack() as stack:
        if real:
            client = await stack.enter_async_context(AsyncRealtoClient())
            say(f"REALTO_CLIENT_ID is set: running the read-only part against {client.base_url}")
        else:
            from .testing import FakeRealto, Fleet

            server = FakeRealto(
                seed=options.seed, fleet=Fleet(evs=options.evs), consent_after=1.0, clock=clock
            )
            await stack.enter_async_context(server.serve())
            say(f"No REALTO_CLIENT_ID set: using the embedded emulator at {server.url}")
            client = await stack.enter_async_context(server.client(connector_limit=options.concurrency))
        try:
            await _read_only_part(client, options, say)
            if not real:
                await _write_part(client, options, say)
        except RealtoError as err:
            say(f"demo failed: {type(err).__name__}: {err}")
            return 1
    say("done")
    return 0
