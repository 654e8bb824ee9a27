"""Waiting on operations, write safety for commands, error paths and input checks (against the emulator)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from realto_async import (
    AsyncRealtoClient,
    BadRequestError,
    CommandOutcomeUnknownError,
    ConflictError,
    CooldownActiveError,
    Entity,
    InvalidArgumentError,
    NotFoundError,
    OnboardingFailedError,
    OnboardingRequest,
    OperationTimeoutError,
    PermissionDeniedError,
    ScheduledCommand,
)
from realto_async.resources.readings import iso_duration
from realto_async.testing import FakeClock, FakeRealto

VIN = "WA1DMAFE0D0123456"


async def an_ev(client: AsyncRealtoClient) -> Entity:
    return (await client.entities.list(type="EV", page_size=1)).data[0]


def last_body(server: FakeRealto) -> dict[str, Any]:
    return server.requests[-1].query  # query only; bodies are checked through the emulator's state


async def test_onboarding_wait_follows_the_consent_flow_and_reports_progress(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    request = await client.onboarding.entities.create(type="EV", brand="Kia", identifier=VIN)
    seen: list[str] = []

    async def progress(update: OnboardingRequest) -> None:
        seen.append(str(update.status))
        if update.status == "Pending":
            server.consent(update.id)  # the end user consents while we wait

    done = await client.onboarding.entities.wait(request.id, timeout=120, poll_interval=1, on_update=progress)
    assert done.status == "Succeeded"
    assert seen == ["Pending", "InProgress", "Succeeded"]
    assert done.entity_id is not None
    entity = await client.entities.retrieve(done.entity_id)
    assert entity.information is not None
    assert entity.information.maker == "Kia"


async def test_a_failed_onboarding_raises_with_its_errors(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    request = await client.onboarding.entities.create(type="EV", manufacturer="BMW", vin="WBA12345678000000")
    server.consent(request.id)
    with pytest.raises(OnboardingFailedError, match="ManufacturerRejected") as info:
        await client.onboarding.entities.wait(request.id, timeout=60)
    assert info.value.errors[0].code == "ManufacturerRejected"
    assert info.value.request is not None
    assert info.value.request.status == "Failed"


async def test_wait_times_out_with_the_last_state(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    request = await client.onboarding.entities.create(type="EV", manufacturer="Audi", vin=VIN)
    updates: list[str] = []
    with pytest.raises(OperationTimeoutError) as info:
        await client.onboarding.entities.wait(
            request.id,
            timeout=timedelta(seconds=30),
            poll_interval=2,
            on_update=lambda r: updates.append(str(r.status)),
        )
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value.last_state, OnboardingRequest)
    assert info.value.last_state.status == "Pending"
    assert updates == ["Pending"]  # called on each new status, not on every poll
    assert isinstance(server.clock, FakeClock)
    assert 1 < len(server.clock.sleeps) < 15  # backed off rather than polling every 2 s
    assert sum(server.clock.sleeps) == pytest.approx(30)


async def test_collective_onboarding_and_offboarding_wait(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    client = served[1]
    group = await client.onboarding.collectives.create(name="Solar park", type="SolarFarm")
    done = await client.onboarding.collectives.wait(group.id, timeout=30, poll_interval=0.5)
    assert done.status == "Succeeded"
    ev = await an_ev(client)
    offboarding = await client.offboarding.create(ev.id)
    assert (await client.offboarding.wait(offboarding.id, timeout=60)).status == "Succeeded"
    with pytest.raises(NotFoundError):
        await client.entities.retrieve(ev.id)


async def test_command_wait_returns_the_final_state(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    client = served[1]
    ev = await an_ev(client)
    command = await client.commands.trigger(ev.id, type="StartCharging")
    statuses: list[str] = []
    final = await client.commands.wait(
        ev.id, command.id, timeout=60, poll_interval=1, on_update=lambda c: statuses.append(str(c.status))
    )
    assert final.status == "Succeeded"
    assert statuses[-1] == "Succeeded"
    assert statuses[0] == "Triggered"


async def test_a_409_during_the_cooldown_is_cooldown_active(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = served
    ev = await an_ev(client)
    await client.commands.trigger(ev.id, type="StartCharging")
    with pytest.raises(CooldownActiveError) as info:
        await client.commands.trigger(ev.id, type="StopCharging")
    assert isinstance(info.value, ConflictError)
    assert info.value.status_code == 409
    assert "ignoreCooldown" in str(info.value)
    with pytest.raises(CooldownActiveError):
        await client.commands.schedule(
            ev.id, commands=[ScheduledCommand(trigger_time=datetime.now(timezone.utc), type="StopCharging")]
        )
    assert (
        await client.commands.trigger(ev.id, type="StopCharging", ignore_cooldown=True)
    ).type == "StopCharging"


async def test_a_lost_answer_is_outcome_unknown_and_reconcile_finds_the_command(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    ev = await an_ev(client)
    server.faults.add("POST /v1/entities/*/commands", drop="during", times=1)
    with pytest.raises(CommandOutcomeUnknownError) as info:
        await client.commands.trigger(ev.id, type="StartCharging")
    err = info.value
    assert (err.entity_id, err.command_type) == (ev.id, "StartCharging")
    assert err.sent_at.tzinfo is not None
    posts = [r for r in server.requests if r.method == "POST" and r.path.endswith("/commands")]
    assert len(posts) == 1  # never sent twice
    landed = await err.reconcile(client)
    assert landed is not None
    assert landed.type == "StartCharging"
    assert landed.entity_id == ev.id


async def test_reconcile_says_none_when_nothing_landed(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    ev = await an_ev(client)
    server.faults.add("POST /v1/entities/*/commands", status=503, times=1)
    with pytest.raises(CommandOutcomeUnknownError) as info:
        await client.commands.trigger(ev.id, type="StopCharging")
    assert await info.value.reconcile(client) is None
    resent = await client.commands.trigger(ev.id, type="StopCharging")
    assert resent.status == "Triggered"


async def test_limit_feed_in_needs_a_value_before_anything_is_sent(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    ev = await an_ev(client)
    sent = len(server.requests)
    with pytest.raises(InvalidArgumentError, match="LimitFeedIn needs value"):
        await client.commands.trigger(ev.id, type="LimitFeedIn")
    with pytest.raises(InvalidArgumentError, match="LimitFeedIn needs value"):
        await client.commands.schedule(
            ev.id, commands=[ScheduledCommand(trigger_time=datetime.now(timezone.utc), type="LimitFeedIn")]
        )
    assert len(server.requests) == sent
    pv = (await client.entities.list(type="PV", page_size=1)).data[0]
    limited = await client.commands.trigger(pv.id, type="LimitFeedIn", value=2500)
    assert limited.value == "2500"


async def test_server_refusals_surface_as_typed_errors(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    ev = await an_ev(client)
    with pytest.raises(BadRequestError, match="InvalidState"):
        await client.commands.cancel(ev.id, (await client.commands.trigger(ev.id, type="StartCharging")).id)
    with pytest.raises(NotFoundError):
        await client.collectives.retrieve("00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError):
        await client.settings.custom_properties.retrieve(ev.id)
    viewer_id, viewer_secret = server.add_principal("Viewer")
    async with server.client(client_id=viewer_id, client_secret=viewer_secret) as viewer:
        with pytest.raises(PermissionDeniedError):
            await viewer.commands.trigger(ev.id, type="StopCharging", ignore_cooldown=True)
    with pytest.raises(BadRequestError, match="UnsupportedCommand"):
        await client.commands.trigger(ev.id, type="Reset", ignore_cooldown=True)  # a solar command


async def test_unknown_enum_values_are_sent_with_a_warning(
    served: tuple[FakeRealto, AsyncRealtoClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = served
    with pytest.raises(BadRequestError):
        await client.onboarding.entities.create(type="Hovercraft", manufacturer="X")
    assert "Hovercraft" in caplog.text


async def test_onboarding_keywords_of_either_dialect_become_the_clients_wire_names(flavor: str) -> None:
    async with (
        FakeRealto(seed=4, flavor=flavor, clock=FakeClock()).serve() as server,
        server.client() as client,
    ):
        request = await client.onboarding.entities.create(
            type="EV",
            brand="Audi",
            identifier=VIN,
            associated_email="a@b.c",
            name="Q4",
            properties={"x": 1},
        )
        stored = server.store.onboardings[request.id].body
        assert (stored["manufacturer"], stored["vin"], stored["email"], stored["model"]) == (
            "Audi",
            VIN,
            "a@b.c",
            "Q4",
        )
        meter = await client.onboarding.entities.create(
            type="SmartMeter", manufacturer="Fluvius", ean="541400000000000001"
        )
        assert server.store.onboardings[meter.id].body["ean"] == "541400000000000001"
        assert meter.data is not None
        assert meter.data.entity is not None
        shown = "Meter" if flavor == "traxes" else "SmartMeter"
        assert meter.data.entity.type == shown


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "EV", "manufacturer": "Audi"}, "VIN"),
        ({"type": "EV", "manufacturer": "Audi", "vin": "TOO-SHORT"}, "is not a VIN"),
        ({"type": "EV", "vin": VIN}, r"manufacturer= .* is required"),
        ({"type": "EV", "manufacturer": "Audi", "brand": "BMW", "vin": VIN}, "name the same field"),
        (
            {"type": "EV", "manufacturer": "Audi", "vin": VIN, "identifier": "WA1DMAFE0D0999999"},
            "same field|one identifier",
        ),
        (
            {"type": "EV", "manufacturer": "Audi", "vin": VIN, "collective_id": "nope"},
            "collective_id must be",
        ),
    ],
)
async def test_onboarding_arguments_are_checked_before_sending(
    served: tuple[FakeRealto, AsyncRealtoClient], kwargs: dict[str, Any], message: str
) -> None:
    server, client = served
    sent = len(server.requests)
    with pytest.raises(InvalidArgumentError, match=message):
        await client.onboarding.entities.create(**kwargs)
    assert len(server.requests) == sent


async def test_other_arguments_are_checked_before_sending(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    ev = await an_ev(client)
    sent = len(server.requests)
    now = datetime.now(timezone.utc)
    checks: list[Callable[[], Awaitable[object]]] = [
        lambda: client.commands.schedule(ev.id, commands=[]),
        lambda: client.commands.schedule(
            ev.id, commands=[ScheduledCommand(trigger_time=datetime(2030, 1, 1), type="StopCharging")]
        ),
        lambda: client.commands.trigger(ev.id, type="StartCharging", ignore_cooldown="yes"),  # type: ignore[arg-type]
        lambda: client.settings.locations.create(ev.id, label="x", latitude=95, longitude=0),
        lambda: client.settings.features.update(ev.id, "../../admin", enabled=True),
        lambda: client.settings.features.update(ev.id, "SmartCharging", enabled="on"),  # type: ignore[arg-type]
        lambda: client.settings.custom_properties.update(ev.id, ["not", "a", "dict"]),  # type: ignore[arg-type]
        lambda: client.collectives.update(ev.id),
        lambda: client.onboarding.collectives.create(name=""),
        lambda: client.onboarding.guided_sessions.create(manufacturer="Tesla", vin="bad"),
    ]
    for check in checks:
        with pytest.raises(InvalidArgumentError):
            await check()
    with pytest.raises(InvalidArgumentError, match="before start"):
        client.readings.list(ev.id, now, now - timedelta(hours=1))
    with pytest.raises(InvalidArgumentError, match="whole number of minutes"):
        client.readings.aggregations(ev.id, now - timedelta(days=1), resolution=timedelta(seconds=90))
    assert len(server.requests) == sent


def test_iso_durations() -> None:
    assert iso_duration(timedelta(minutes=15)) == "PT15M"
    assert iso_duration(timedelta(hours=1)) == "PT1H"
    assert iso_duration(timedelta(days=1)) == "P1D"
    assert iso_duration(timedelta(days=1, hours=2, minutes=30)) == "P1DT2H30M"


async def test_traxes_refuses_re_alto_only_fields() -> None:
    async with (
        FakeRealto(seed=4, flavor="traxes", clock=FakeClock()).serve() as server,
        server.client() as client,
    ):
        with pytest.raises(InvalidArgumentError, match=r"re\.alto field"):
            await client.onboarding.entities.create(
                type="EV", brand="Audi", vin=VIN, tenant_id="5f0c2a7e-7b3a-4c55-9a61-3b8f6f1d2e10"
            )


async def test_the_request_bodies_use_camel_case(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    ev = await an_ev(client)
    server.log_requests = True
    later = datetime.now(timezone.utc) + timedelta(days=1)
    batch = await client.commands.schedule(
        ev.id, commands=[ScheduledCommand(trigger_time=later, type="StopCharging")], ignore_cooldown=True
    )
    command = server.store.commands[batch.commands[0].id]
    assert command.trigger_time == later.replace(microsecond=later.microsecond)
    assert server.requests[-1].query == {"ignoreCooldown": "true"}
    assert json.loads(json.dumps(ScheduledCommand(trigger_time=later, type="StopCharging").to_dict()))[
        "triggerTime"
    ].endswith("Z")
