"""The SDK walks endpoints.md row by row against the emulator, in both dialects."""

from __future__ import annotations

from datetime import timedelta

from realto_async import (
    AsyncRealtoClient,
    Collective,
    CollectiveType,
    Command,
    CommandBatch,
    EntityType,
    OnboardingRequest,
    Permission,
    Quantity,
    ScheduledCommand,
)
from realto_async.testing import FakeClock, FakeRealto
from tests.test_emulator_endpoints import table_rows

OTHER_PRINCIPAL = "5f0c2a7e-7b3a-4c55-9a61-3b8f6f1d2e10"


async def test_every_row_through_the_sdk(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    assert isinstance(server.clock, FakeClock)
    traxes = server.flavor == "traxes"
    now = server.clock.now()
    rows: set[str] = {"A2" if traxes else "A1"}

    entities = [e async for e in client.entities.list()]
    rows.add("E1")
    ev = next(e for e in entities if e.type == EntityType.EV)
    pv_type = EntityType.SOLAR_PLANT if traxes else EntityType.PV
    pv = (await client.entities.list(type=EntityType.PV)).data[0]  # the type is translated to the dialect
    assert pv.type == pv_type
    meter = (await client.entities.list(type="SmartMeter")).data[0]
    assert (await client.entities.retrieve(ev.id)).id == ev.id
    rows.add("E2")
    assert (await client.entities.update(ev.id, properties={"depot": "n"})).properties == {"depot": "n"}
    rows.add("E3")

    await client.entities.permissions.add(ev.id, principal_id=OTHER_PRINCIPAL, permission_level="Viewer")
    rows.add("P2")
    permissions = [p async for p in client.entities.permissions.list(ev.id)]
    assert all(isinstance(p, Permission) for p in permissions)
    assert {p.principal_id: p.permission_levels for p in permissions}[OTHER_PRINCIPAL] == ["Viewer"]
    rows.add("P1")
    await client.entities.permissions.remove(ev.id, OTHER_PRINCIPAL)
    assert OTHER_PRINCIPAL not in {p.principal_id async for p in client.entities.permissions.list(ev.id)}
    rows.add("P3")

    collectives = [c async for c in client.collectives.list()]
    rows.add("C1")
    home = next(c for c in collectives if c.type == CollectiveType.HOUSEHOLD)
    assert isinstance(await client.collectives.retrieve(home.id), Collective)
    rows.add("C2")
    assert (await client.collectives.update(home.id, name="Villa")).name == "Villa"
    rows.add("C3")
    assert pv.id in ((await client.collectives.add_entity(home.id, pv.id)).entities or [])
    rows.add("C4")
    assert pv.id not in ((await client.collectives.remove_entity(home.id, pv.id)).entities or [])
    rows.add("C5")

    tenant = (await client.tenants.list()).data[0]
    rows.add("T1")
    assert ev.id in ((await client.tenants.retrieve(tenant.id)).entities or [])
    rows.add("T2")
    assert OTHER_PRINCIPAL in (
        (await client.tenants.add_administrator(tenant.id, OTHER_PRINCIPAL)).administrators or []
    )
    rows.add("T3")
    assert OTHER_PRINCIPAL not in (
        (await client.tenants.remove_administrator(tenant.id, OTHER_PRINCIPAL)).administrators or []
    )
    rows.add("T4")

    types = await client.onboarding.types.list()
    assert any(t.type == EntityType.EV for t in types)
    rows.add("O1")
    request = await client.onboarding.entities.create(type="EV", manufacturer="Audi", vin="WA1DMAFE0D0123456")
    assert isinstance(request, OnboardingRequest)
    assert request.status == "Pending"
    rows.add("O2")
    listed = [r.id async for r in client.onboarding.entities.list(manufacturer="Audi", status="Pending")]
    assert listed == [request.id]
    assert server.requests[-1].query.get("brand" if traxes else "manufacturer") == "Audi"
    rows.add("O3")
    assert (await client.onboarding.entities.retrieve(request.id)).id == request.id
    rows.add("O4")
    assert (await client.onboarding.entities.cancel(request.id)).status == "Canceled"
    rows.add("O5")
    group = await client.onboarding.collectives.create(name="Depot", type=CollectiveType.FLEET)
    rows.add("O6")
    assert [r.id async for r in client.onboarding.collectives.list()] == [group.id]
    rows.add("O7")
    assert (await client.onboarding.collectives.retrieve(group.id)).status == "InProgress"
    rows.add("O8")
    assert (await client.onboarding.collectives.cancel(group.id)).status == "Canceled"
    rows.add("O9")
    guided = await client.onboarding.guided_sessions.create(manufacturer="Tesla", company_name="ACME")
    assert guided.url.startswith(server.root)
    rows.add("G1")
    assert [s.id async for s in client.onboarding.guided_sessions.list()] == [guided.id]
    rows.add("G2")
    assert (await client.onboarding.guided_sessions.retrieve(guided.id)).manufacturer == "Tesla"
    rows.add("G3")

    readings = await client.readings.list(meter.id, now - timedelta(hours=2), page_size=4)
    assert len(readings.data) == 4
    assert readings.data[0].data.positive_active_energy is not None
    rows.add("R1")
    last = await client.readings.last(ev.id)
    assert last.data.state_of_charge is not None
    assert last.data.state_of_charge.unit == "%"
    rows.add("R2")
    buckets = [
        a
        async for a in client.readings.aggregations(
            pv.id, now - timedelta(days=2), resolution=timedelta(days=1)
        )
    ]
    assert len(buckets) == 2
    assert server.requests[-1].query["resolution"] == "P1D"
    rows.add("R3")

    command = await client.commands.trigger(ev.id, type="StartCharging")
    assert isinstance(command, Command)
    rows.add("K1")
    later = server.clock.now() + timedelta(hours=2)
    batch = await client.commands.schedule(
        ev.id, commands=[ScheduledCommand(trigger_time=later, type="StopCharging")], ignore_cooldown=True
    )
    assert isinstance(batch, CommandBatch)
    assert batch.commands[0].status == "Pending"
    rows.add("K2")
    fleet = next(c for c in collectives if c.type == CollectiveType.FLEET)
    group_batch = await client.commands.trigger_for_collective(
        fleet.id, type="StopCharging", ignore_cooldown=True
    )
    assert len(group_batch.commands) == len(fleet.entities or [])
    rows.add("K3")
    planned = await client.commands.schedule_for_collective(
        fleet.id, commands=[ScheduledCommand(trigger_time=later, type="StartCharging")], ignore_cooldown=True
    )
    assert {c.status for c in planned.commands} == {"Pending"}
    rows.add("K4")
    assert (await client.commands.retrieve(ev.id, command.id)).type == "StartCharging"
    rows.add("K5")
    window = [
        c.id
        async for c in client.commands.list(ev.id, now - timedelta(minutes=1), later + timedelta(minutes=1))
    ]
    assert command.id in window
    rows.add("K6")
    assert (await client.commands.cancel(ev.id, batch.commands[0].id)).status == "Canceled"
    rows.add("K7")

    sessions = [s async for s in client.charge_sessions.list(ev.id, now - timedelta(days=14))]
    assert sessions
    rows.add("S1")

    features = await client.settings.features.list(ev.id)
    assert any(f.name == "CaptureChargeSessions" and f.enabled for f in features)
    rows.add("F1")
    assert (await client.settings.features.update(ev.id, "SmartCharging", enabled=True)).enabled
    rows.add("F2")
    depot = await client.settings.locations.create(
        ev.id, label="Depot", latitude=51.0, longitude=3.7, radius=150
    )
    rows.add("L2")
    assert [loc.label for loc in await client.settings.locations.list(ev.id)] == ["Depot"]
    rows.add("L1")
    await client.settings.locations.delete(ev.id, depot.id)
    assert await client.settings.locations.list(ev.id) == []
    rows.add("L3")
    for row, setting in (
        ("B1", client.settings.battery_capacity),
        ("N1", client.settings.nominal_power),
        ("H1", client.settings.heated_area),
    ):
        updated = await setting.update(pv.id, value=9.5)
        assert isinstance(updated, Quantity)
        assert await setting.retrieve(pv.id) == updated
        rows.add(row)
    assert await client.settings.disaggregators.list(meter.id)
    rows.add("D1")
    assert (await client.settings.disaggregators.update(meter.id, "HeatPump", enabled=True)).enabled
    rows.add("D2")
    assert await client.settings.custom_properties.update(ev.id, {"colour": "red"}) == {"colour": "red"}
    assert await client.settings.custom_properties.retrieve(ev.id) == {"colour": "red"}
    rows.add("X1")

    offboarding = await client.offboarding.create(meter.id)
    assert offboarding.status == "Pending"
    assert offboarding.data is not None
    assert offboarding.data.target_id == meter.id
    rows.add("Q1")
    assert (await client.offboarding.retrieve(offboarding.id)).id == offboarding.id
    rows.add("Q2")
    assert (await client.offboarding.cancel(offboarding.id)).status == "Canceled"
    rows.add("Q3")

    assert rows == table_rows() - {"A1" if traxes else "A2"}
