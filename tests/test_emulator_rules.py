"""The emulator behaves like a strict server: auth, validation, permissions, cooldown, paging, lifecycles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from realto_async.testing import FakeClock
from tests.emulator_helpers import Raw


async def an_entity(emu: Raw, realto_type: str = "EV") -> dict[str, Any]:
    names = {"PV": "SolarPlant", "SmartMeter": "Meter"} if emu.server.flavor == "traxes" else {}
    page = await emu.ok("GET", "/v1/entities", params={"type": names.get(realto_type, realto_type)})
    return page["data"][0]  # type: ignore[no-any-return]


def clock_of(emu: Raw) -> FakeClock:
    assert isinstance(emu.server.clock, FakeClock)
    return emu.server.clock


async def test_no_token_a_bad_token_and_an_expired_token_answer_401(emu: Raw) -> None:
    token = emu.token
    emu.token = None
    await emu.error("GET", "/v1/entities", 401)
    emu.token = "emu.not-a-token"
    await emu.error("GET", "/v1/entities", 401)
    emu.token = token
    await emu.ok("GET", "/v1/entities")
    clock_of(emu).advance(timedelta(seconds=3599))
    await emu.error("GET", "/v1/entities", 401)


async def test_token_endpoints_refuse_wrong_credentials(emu: Raw) -> None:
    with pytest.raises(AssertionError):
        await emu.login(client_secret="wrong")
    if emu.server.flavor == "traxes":
        bad_scope = {
            "grant_type": "client_credentials",
            "client_id": emu.server.client_id,
            "client_secret": emu.server.client_secret,
            "scope": "x",
        }
        async with emu.session.post(emu.server.token_url, data=bad_scope) as resp:
            assert resp.status == 400
            assert (await resp.json()) == {"error": "invalid_scope"}
    else:
        async with emu.session.post(emu.server.token_url, data=b"not json") as resp:
            assert resp.status == 400


async def test_bad_queries_and_bodies_answer_400(emu: Raw) -> None:
    ev = await an_entity(emu)
    base = f"/v1/entities/{ev['id']}"
    assert (await emu.error("GET", base + "/charge-sessions", 400))["errors"][0]["code"] == "MissingParameter"
    assert (await emu.error("GET", base + "/readings", 400, params={"start": "yesterday"}))["errors"][0][
        "code"
    ] == "InvalidDateTime"
    await emu.error("GET", base + "/readings", 400, params={"start": "2024-05-01T00:00:00"})  # no zone
    await emu.error(
        "GET",
        base + "/readings",
        400,
        params={"start": "2024-05-02T00:00:00Z", "end": "2024-05-01T00:00:00Z"},
    )
    assert (await emu.error("GET", "/v1/entities/not-a-uuid", 400))["errors"][0]["code"] == "InvalidId"
    assert (await emu.error("GET", "/v1/entities", 400, params={"type": "Spaceship"}))["errors"][0][
        "code"
    ] == "InvalidEnumValue"
    await emu.error("GET", "/v1/entities", 400, params={"pageSize": "1001"})
    await emu.error("GET", "/v1/entities", 400, params={"pageSize": "ten"})
    await emu.error("POST", base + "/commands", 400, raw_body=b"{not json")
    await emu.error("POST", base + "/commands", 400, body=["StartCharging"])
    await emu.error("POST", base + "/commands", 400, body={"type": "Teleport"})
    await emu.error("POST", base + "/commands", 400, body={"type": "LimitFeedIn"})
    await emu.error("POST", base + "/commands", 400, body={"type": "StartCharging", "value": "5"})
    await emu.error(
        "GET", base + "/aggregations", 400, params={"start": "2024-05-01T00:00:00Z", "resolution": "PT7M"}
    )
    await emu.error(
        "POST",
        "/v1/onboarding/entities",
        400,
        body={"type": "EV", ("brand" if emu.server.flavor == "traxes" else "manufacturer"): "Audi"},
    )
    await emu.error("GET", "/v1/entities", 400, params={"continuationToken": "garbage!"})


async def test_each_dialect_refuses_the_others_names(emu: Raw) -> None:
    traxes = emu.server.flavor == "traxes"
    foreign = (
        {"type": "EV", "manufacturer": "Audi", "vin": "WA1DMAFE0D0123456"}
        if traxes
        else {"type": "EV", "brand": "Audi", "identifier": "WA1DMAFE0D0123456"}
    )
    await emu.error("POST", "/v1/onboarding/entities", 400, body=foreign)
    await emu.error("GET", "/v1/entities", 400, params={"type": "ChargePole" if traxes else "ChargePoint"})
    pv = await an_entity(emu, "PV")
    status, _ = await emu.call("POST", f"/v1/entities/{pv['id']}/commands", body={"type": "Reset"})
    assert status == 201  # Reset is a solar command in both dialects


async def test_a_viewer_cannot_trigger_commands_or_manage_permissions(emu: Raw) -> None:
    ev = await an_entity(emu)
    client_id, secret = emu.server.add_principal("Viewer")
    await emu.login(client_id, secret)
    assert (await emu.ok("GET", f"/v1/entities/{ev['id']}"))["id"] == ev["id"]
    await emu.error("POST", f"/v1/entities/{ev['id']}/commands", 403, body={"type": "StartCharging"})
    await emu.error(
        "POST",
        f"/v1/entities/{ev['id']}/permissions",
        403,
        body={"permissionLevel": "Viewer", "principalId": ev["id"]},
    )
    contributor = emu.server.add_principal("Contributor")
    await emu.login(*contributor)
    await emu.ok("POST", f"/v1/entities/{ev['id']}/commands", 201, body={"type": "StartCharging"})


async def test_an_entity_without_permission_is_invisible(emu: Raw) -> None:
    ev = await an_entity(emu)
    stranger = emu.server.add_principal(None)
    await emu.login(*stranger)
    await emu.error("GET", f"/v1/entities/{ev['id']}", 404)
    assert (await emu.ok("GET", "/v1/entities"))["data"] == []


async def test_the_command_cooldown_answers_409_for_ten_minutes(emu: Raw) -> None:
    ev = await an_entity(emu)
    path = f"/v1/entities/{ev['id']}/commands"
    await emu.ok("POST", path, 201, body={"type": "StartCharging"})
    body = await emu.error("POST", path, 409, body={"type": "StopCharging"})
    assert body["errors"][0]["code"] == "CooldownActive"
    await emu.ok("POST", path, 201, params={"ignoreCooldown": "true"}, body={"type": "StopCharging"})
    clock_of(emu).advance(timedelta(minutes=9, seconds=59))
    await emu.error("POST", path, 409, body={"type": "StopCharging"})
    clock_of(emu).advance(timedelta(seconds=1))
    await emu.ok("POST", path, 201, body={"type": "StopCharging"})


async def test_pages_chain_with_opaque_tokens_and_absolute_next_links(emu: Raw) -> None:
    seen: list[str] = []
    params = {"pageSize": "7"}
    while True:
        page = await emu.ok("GET", "/v1/entities", params=params)
        assert page["meta"]["pageSize"] == 7
        seen += [e["id"] for e in page["data"]]
        token = page["meta"]["continuationToken"]
        if token is None:
            assert page["links"]["next"] is None
            break
        link = urlsplit(page["links"]["next"])
        assert f"{link.scheme}://{link.netloc}" == emu.server.root
        assert parse_qs(link.query)["continuationToken"] == [token]
        params = {"pageSize": "7", "continuationToken": token}
    everything = (await emu.ok("GET", "/v1/entities", params={"pageSize": "1000"}))["data"]
    assert seen == [e["id"] for e in everything]
    assert len(seen) == len(emu.server.store.entities) > 7


async def test_a_token_from_another_query_is_refused(emu: Raw) -> None:
    page = await emu.ok("GET", "/v1/entities", params={"pageSize": "2"})
    token = page["meta"]["continuationToken"]
    await emu.error("GET", "/v1/collectives", 400, params={"continuationToken": token})


async def test_onboarding_goes_pending_consent_in_progress_succeeded_and_creates_the_entity(emu: Raw) -> None:
    traxes = emu.server.flavor == "traxes"
    body = (
        {"type": "EV", "brand": "Kia", "identifier": "KNAC381AFN5012345"}
        if traxes
        else {"type": "EV", "manufacturer": "Kia", "vin": "KNAC381AFN5012345"}
    )
    request = await emu.ok("POST", "/v1/onboarding/entities", 201, body=body)
    path = f"/v1/onboarding/entities/{request['id']}"
    clock_of(emu).advance(timedelta(hours=1))
    await emu.login()  # the hour outlived the token
    assert (await emu.ok("GET", path))["status"] == "Pending"
    async with emu.session.get(request["action"]["redirectLink"]) as consent:  # the end user's browser
        assert consent.status == 200
        assert "Consent given" in await consent.text()
    progress = await emu.ok("GET", path)
    assert progress["status"] == "InProgress"
    assert [t["status"] for t in progress["transactions"]] == ["InProgress"] * 3
    clock_of(emu).advance(timedelta(seconds=1))
    assert [t["status"] for t in (await emu.ok("GET", path))["transactions"]] == [
        "Succeeded",
        "InProgress",
        "InProgress",
    ]
    clock_of(emu).advance(timedelta(seconds=2))
    done = await emu.ok("GET", path)
    assert done["status"] == "Succeeded"
    entity = await emu.ok("GET", f"/v1/entities/{done['data']['entity']['id']}")
    assert entity["information"]["brand" if traxes else "manufacturer"] == "Kia"
    await emu.error("PATCH", path + "/cancel", 400)


async def test_a_rejected_vin_fails_with_errors(emu: Raw) -> None:
    key = ("brand", "identifier") if emu.server.flavor == "traxes" else ("manufacturer", "vin")
    request = await emu.ok(
        "POST",
        "/v1/onboarding/entities",
        201,
        body={"type": "EV", key[0]: "BMW", key[1]: "WBA12345678000000"},
    )
    emu.server.consent(request["id"])
    clock_of(emu).advance(timedelta(seconds=3))
    failed = await emu.ok("GET", f"/v1/onboarding/entities/{request['id']}")
    assert failed["status"] == "Failed"
    assert failed["errors"][0]["code"] == "ManufacturerRejected"
    assert failed["transactions"][-1]["status"] == "Failed"


async def test_commands_move_triggered_sent_succeeded_and_scheduled_ones_wait(emu: Raw) -> None:
    ev = await an_entity(emu)
    base = f"/v1/entities/{ev['id']}/commands"
    command = await emu.ok("POST", base, 201, body={"type": "StartCharging"})
    statuses = []
    for _ in range(3):
        statuses.append((await emu.ok("GET", f"{base}/{command['id']}"))["status"])
        clock_of(emu).advance(timedelta(seconds=2.5))
    assert statuses == ["Triggered", "Sent", "Succeeded"]
    batch = await emu.ok(
        "POST",
        base + "/schedule",
        201,
        params={"ignoreCooldown": "true"},
        body=[
            {"triggerTime": (clock_of(emu).now() + timedelta(hours=1)).isoformat(), "type": "StopCharging"}
        ],
    )
    scheduled = f"{base}/{batch['commands'][0]['id']}"
    assert (await emu.ok("GET", scheduled))["status"] == "Pending"
    clock_of(emu).advance(timedelta(hours=1))
    await emu.login()
    assert (await emu.ok("GET", scheduled))["status"] == "Triggered"
    await emu.error("PATCH", scheduled + "/cancel", 400)


async def test_a_limit_above_the_nominal_power_fails_at_the_device(emu: Raw) -> None:
    pv = await an_entity(emu, "PV")
    nominal_w = (await emu.ok("GET", f"/v1/entities/{pv['id']}/nominal-power"))["value"] * 1000
    base = f"/v1/entities/{pv['id']}/commands"
    too_high = await emu.ok("POST", base, 201, body={"type": "LimitFeedIn", "value": str(int(nominal_w) + 1)})
    within = await emu.ok(
        "POST", base, 201, params={"ignoreCooldown": "true"}, body={"type": "LimitFeedIn", "value": "1000"}
    )
    clock_of(emu).advance(timedelta(seconds=6))
    failed = await emu.ok("GET", f"{base}/{too_high['id']}")
    assert failed["status"] == "Failed"
    assert failed["error"]["title"] == "LimitAboveNominalPower"
    assert (await emu.ok("GET", f"{base}/{within['id']}"))["status"] == "Succeeded"


async def test_offboarding_removes_the_entity_when_it_succeeds(emu: Raw) -> None:
    ev = await an_entity(emu)
    request = await emu.ok("POST", "/v1/offboarding/entities", 201, body={"entityId": ev["id"]})
    await emu.ok("GET", f"/v1/entities/{ev['id']}")
    clock_of(emu).advance(timedelta(seconds=5))
    assert (await emu.ok("GET", f"/v1/offboarding/entities/{request['id']}"))["status"] == "Succeeded"
    await emu.error("GET", f"/v1/entities/{ev['id']}", 404)
    await emu.error("PATCH", f"/v1/offboarding/entities/{request['id']}/cancel", 400)


async def test_charge_sessions_fit_the_battery_and_end_before_now(emu: Raw) -> None:
    ev = await an_entity(emu)
    capacity = (await emu.ok("GET", f"/v1/entities/{ev['id']}/battery-capacity"))["value"]
    now = clock_of(emu).now()
    sessions = (
        await emu.ok(
            "GET",
            f"/v1/entities/{ev['id']}/charge-sessions",
            params={"start": (now - timedelta(days=30)).isoformat(), "pageSize": "1000"},
        )
    )["data"]
    assert len(sessions) > 10
    starts = [s["data"]["start"] for s in sessions]
    assert starts == sorted(starts)
    for session in sessions:
        charge = session["data"]["charge"]
        soc_gain = charge["end"]["value"] - charge["start"]["value"]
        assert charge["total"]["total"] == pytest.approx(soc_gain / 100 * capacity, abs=0.02)
        assert charge["total"]["t1"] + charge["total"]["t2"] == pytest.approx(
            charge["total"]["total"], abs=0.002
        )
        assert session["data"]["end"] <= now.isoformat().replace("+00:00", "Z")


async def test_turning_off_capture_hides_charge_sessions(emu: Raw) -> None:
    ev = await an_entity(emu)
    now = clock_of(emu).now()
    path = f"/v1/entities/{ev['id']}/charge-sessions"
    params = {"start": (now - timedelta(days=10)).isoformat()}
    assert (await emu.ok("GET", path, params=params))["data"]
    await emu.ok("PUT", f"/v1/entities/{ev['id']}/features/CaptureChargeSessions", body={"enabled": False})
    assert (await emu.ok("GET", path, params=params))["data"] == []


async def test_meter_counters_only_grow_and_pv_follows_the_sun(emu: Raw) -> None:
    meter, pv = await an_entity(emu, "SmartMeter"), await an_entity(emu, "PV")
    start = (clock_of(emu).now() - timedelta(days=2)).replace(hour=0, minute=0, second=0)
    params = {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(), "pageSize": "1000"}
    readings = (await emu.ok("GET", f"/v1/entities/{meter['id']}/readings", params=params))["data"]
    assert len(readings) == 192
    totals = [r["data"]["positiveActiveEnergy"]["total"] for r in readings]
    gas = [r["data"]["positiveGasVolume"]["value"] for r in readings]
    assert totals == sorted(totals)
    assert totals[0] < totals[-1]
    assert gas == sorted(gas)
    solar = (await emu.ok("GET", f"/v1/entities/{pv['id']}/readings", params=params))["data"]
    power = {r["measured"][11:16]: r["data"]["negativeActiveInstantaneousPower"]["total"] for r in solar[:96]}
    assert power["02:00"] == 0
    assert power["13:00"] > power["08:00"] > 0


# The platform's compatibility table (README, "which entity accepts which command"), written out
# here rather than read from the emulator so that the two are checked against each other.
COMMAND_TYPES = ["StartCharging", "StopCharging", "Reset", "Disconnect", "LimitFeedIn", "StopFeedIn"]
ACCEPTED = {
    "EV": {"StartCharging", "StopCharging"},
    "ChargePole": {"StartCharging", "StopCharging"},
    "ChargePoint": {"StartCharging", "StopCharging"},
    "PV": {"Reset", "Disconnect", "LimitFeedIn", "StopFeedIn"},
    "SolarPlant": {"Reset", "Disconnect", "LimitFeedIn", "StopFeedIn"},
    "Inverter": {"Reset", "Disconnect", "LimitFeedIn", "StopFeedIn"},
}
ENTITY_TYPES = {
    "realto": ["Battery", "Boiler", "ChargePole", "EV", "HeatPump", "PV", "RetrofitMeter", "SmartMeter"],
    "traxes": [
        "Battery",
        "ChargePoint",
        "EV",
        "HeatPump",
        "Inverter",
        "Meter",
        "RetrofitMeter",
        "SolarPlant",
    ],
}


@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_every_command_type_on_every_entity_type_follows_the_compatibility_table(flavor: str) -> None:
    import aiohttp

    from realto_async.testing import FakeRealto, Fleet

    fleet = Fleet(
        evs=1,
        charge_points=1,
        solar=1,
        batteries=1,
        heat_pumps=1,
        smart_meters=1,
        retrofit_meters=1,
        boilers=1,
        inverters=1 if flavor == "traxes" else 0,
    )
    async with (
        FakeRealto(seed=1, flavor=flavor, clock=FakeClock(), fleet=fleet).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        emu = Raw(server, session)
        await emu.login()
        checked = 0
        for entity_type in ENTITY_TYPES[flavor]:
            page = await emu.ok("GET", "/v1/entities", params={"type": entity_type})
            assert page["data"], f"the fleet has no {entity_type}"
            path = f"/v1/entities/{page['data'][0]['id']}/commands"
            for command_type in COMMAND_TYPES:
                body: dict[str, str] = {"type": command_type}
                if command_type == "LimitFeedIn":
                    body["value"] = "3000"
                if command_type in ACCEPTED.get(entity_type, set()):
                    sent = await emu.ok("POST", path, 201, params={"ignoreCooldown": "true"}, body=body)
                    assert sent["type"] == command_type
                else:
                    refused = await emu.error("POST", path, 400, params={"ignoreCooldown": "true"}, body=body)
                    assert refused["errors"][0]["code"] == "UnsupportedCommand", (entity_type, refused)
                checked += 1
        assert checked == len(COMMAND_TYPES) * len(ENTITY_TYPES[flavor])
