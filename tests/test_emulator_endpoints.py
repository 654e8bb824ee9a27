"""The emulator answers every endpoint of endpoints.md, in both dialects (raw HTTP)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from realto_async.testing import FakeClock
from tests.emulator_helpers import Raw

ENDPOINTS = Path(__file__).parent / "data" / "endpoints.md"
NOWHERE = "00000000-0000-4000-8000-000000000000"


def table_rows() -> set[str]:
    """Every row id (E1, K7, ...) of the endpoint tables."""
    return set(re.findall(r"^\| ([A-Z]\d) \|", ENDPOINTS.read_text(), flags=re.MULTILINE))


def first(raw: Raw, entities: list[dict[str, Any]], realto_type: str) -> dict[str, Any]:
    wanted = {"ChargePole": "ChargePoint", "PV": "SolarPlant", "SmartMeter": "Meter"}.get(
        realto_type, realto_type
    )
    return next(
        e for e in entities if e["type"] == (wanted if raw.server.flavor == "traxes" else realto_type)
    )


async def test_every_endpoint_answers(emu: Raw) -> None:
    server, clock = emu.server, emu.server.clock
    assert isinstance(clock, FakeClock)
    traxes = server.flavor == "traxes"
    walked: set[str] = {"A2" if traxes else "A1"}
    now = clock.now()
    since = {"start": (now - timedelta(days=3)).isoformat()}

    entities = (await emu.ok("GET", "/v1/entities", params={"pageSize": "1000"}))["data"]
    walked.add("E1")
    ev, pv, meter = first(emu, entities, "EV"), first(emu, entities, "PV"), first(emu, entities, "SmartMeter")
    evs = await emu.ok("GET", "/v1/entities", params={"type": ev["type"]})
    assert {e["type"] for e in evs["data"]} == {ev["type"]}
    assert (await emu.ok("GET", f"/v1/entities/{ev['id']}"))["id"] == ev["id"]
    walked.add("E2")
    patched = await emu.ok("PATCH", f"/v1/entities/{ev['id']}", body={"properties": {"depot": "north"}})
    assert patched["properties"] == {"depot": "north"}
    walked.add("E3")
    if traxes:
        assert "brand" in ev["information"]
        assert "tenantId" not in ev
    else:
        assert "manufacturer" in ev["information"]
        assert "tenantId" in ev

    other = "5f0c2a7e-7b3a-4c55-9a61-3b8f6f1d2e10"
    await emu.ok(
        "POST",
        f"/v1/entities/{ev['id']}/permissions",
        body={"permissionLevel": "Viewer", "principalId": other},
    )
    walked.add("P2")
    permissions = (await emu.ok("GET", f"/v1/entities/{ev['id']}/permissions"))["data"]
    assert {p["principalId"]: p["permissionLevels"] for p in permissions}[other] == ["Viewer"]
    walked.add("P1")
    await emu.ok(
        "DELETE",
        f"/v1/entities/{ev['id']}/permissions/principals/{other}",
        params={"permissionLevel": "Viewer"},
    )
    walked.add("P3")

    collectives = (await emu.ok("GET", "/v1/collectives"))["data"]
    walked.add("C1")
    home = next(c for c in collectives if c["type"] == "Household")
    assert (await emu.ok("GET", f"/v1/collectives/{home['id']}"))["name"] == home["name"]
    walked.add("C2")
    renamed = await emu.ok(
        "PATCH", f"/v1/collectives/{home['id']}", body={"name": "Home sweet home", "type": "Household"}
    )
    assert renamed["name"] == "Home sweet home"
    walked.add("C3")
    added = await emu.ok("POST", f"/v1/collectives/{home['id']}/entities", body={"entityId": pv["id"]})
    assert pv["id"] in added["entities"]
    walked.add("C4")
    removed = await emu.ok("DELETE", f"/v1/collectives/{home['id']}/entities/{pv['id']}")
    assert pv["id"] not in removed["entities"]
    walked.add("C5")

    tenants = (await emu.ok("GET", "/v1/tenants"))["data"]
    walked.add("T1")
    tenant = await emu.ok("GET", f"/v1/tenants/{tenants[0]['id']}")
    assert ev["id"] in tenant["entities"]
    walked.add("T2")
    assert (
        other
        in (await emu.ok("POST", f"/v1/tenants/{tenant['id']}/administrators", body={"id": other}))[
            "administrators"
        ]
    )
    walked.add("T3")
    assert (
        other
        not in (await emu.ok("DELETE", f"/v1/tenants/{tenant['id']}/administrators/{other}"))[
            "administrators"
        ]
    )
    walked.add("T4")

    types = await emu.ok("GET", "/v1/onboarding/types")
    ev_type = next(t for t in types if t["type"] == "EV")
    assert ev_type["brands"][0]["requiredFields"] == (["identifier"] if traxes else ["vin"])
    walked.add("O1")
    maker_key, id_key = ("brand", "identifier") if traxes else ("manufacturer", "vin")
    request = await emu.ok(
        "POST",
        "/v1/onboarding/entities",
        201,
        body={"type": "EV", maker_key: "Audi", id_key: "WA1DMAFE0D0123456"},
    )
    assert request["status"] == "Pending"
    assert request["action"]["type"] == "Consent"
    walked.add("O2")
    listed = await emu.ok("GET", "/v1/onboarding/entities", params={maker_key: "Audi", "status": "Pending"})
    assert [r["id"] for r in listed["data"]] == [request["id"]]
    walked.add("O3")
    assert (await emu.ok("GET", f"/v1/onboarding/entities/{request['id']}"))["id"] == request["id"]
    walked.add("O4")
    assert (await emu.ok("PATCH", f"/v1/onboarding/entities/{request['id']}/cancel"))["status"] == "Canceled"
    walked.add("O5")
    group = await emu.ok(
        "POST", "/v1/onboarding/collectives", 201, body={"name": "New fleet", "type": "Fleet"}
    )
    assert group["requestType"] == "Collective"
    walked.add("O6")
    assert [r["id"] for r in (await emu.ok("GET", "/v1/onboarding/collectives"))["data"]] == [group["id"]]
    walked.add("O7")
    assert (await emu.ok("GET", f"/v1/onboarding/collectives/{group['id']}"))["status"] == "InProgress"
    walked.add("O8")
    assert (await emu.ok("PATCH", f"/v1/onboarding/collectives/{group['id']}/cancel"))["status"] == "Canceled"
    walked.add("O9")
    guided = await emu.ok(
        "POST", "/v1/guided-onboarding-sessions", 201, body={"manufacturer": "Tesla", "companyName": "ACME"}
    )
    assert guided["url"].startswith(server.root)
    walked.add("G1")
    assert [s["id"] for s in (await emu.ok("GET", "/v1/guided-onboarding-sessions"))["data"]] == [
        guided["id"]
    ]
    walked.add("G2")
    assert (await emu.ok("GET", f"/v1/guided-onboarding-sessions/{guided['id']}"))["onboardingRequest"][
        "status"
    ] == "Pending"
    walked.add("G3")

    readings = await emu.ok("GET", f"/v1/entities/{meter['id']}/readings", params={**since, "pageSize": "10"})
    assert len(readings["data"]) == 10
    assert readings["meta"]["continuationToken"]
    walked.add("R1")
    last = await emu.ok("GET", f"/v1/entities/{ev['id']}/readings/last")
    assert last["data"]["stateOfCharge"]["unit"] == "%"
    walked.add("R2")
    buckets = await emu.ok(
        "GET", f"/v1/entities/{pv['id']}/aggregations", params={**since, "resolution": "P1D"}
    )
    assert len(buckets["data"]) == 3
    walked.add("R3")

    command = await emu.ok("POST", f"/v1/entities/{ev['id']}/commands", 201, body={"type": "StartCharging"})
    assert command["status"] == "Triggered"
    walked.add("K1")
    later = (now + timedelta(hours=2)).isoformat()
    batch = await emu.ok(
        "POST",
        f"/v1/entities/{ev['id']}/commands/schedule",
        201,
        params={"ignoreCooldown": "true"},
        body=[{"triggerTime": later, "type": "StopCharging"}],
    )
    assert batch["commands"][0]["status"] == "Pending"
    walked.add("K2")
    fleet = next(c for c in collectives if c["type"] == "Fleet")
    group_batch = await emu.ok(
        "POST",
        f"/v1/collectives/{fleet['id']}/commands",
        201,
        params={"ignoreCooldown": "true"},
        body={"type": "StopCharging"},
    )
    assert len(group_batch["commands"]) == len(fleet["entities"])
    walked.add("K3")
    scheduled = await emu.ok(
        "POST",
        f"/v1/collectives/{fleet['id']}/commands/schedule",
        201,
        params={"ignoreCooldown": "true"},
        body=[{"triggerTime": later, "type": "StartCharging"}],
    )
    assert {c["status"] for c in scheduled["commands"]} == {"Pending"}
    walked.add("K4")
    assert (await emu.ok("GET", f"/v1/entities/{ev['id']}/commands/{command['id']}"))[
        "type"
    ] == "StartCharging"
    walked.add("K5")
    window = {
        "start": (now - timedelta(minutes=1)).isoformat(),
        "end": (now + timedelta(hours=3)).isoformat(),
    }
    assert len((await emu.ok("GET", f"/v1/entities/{ev['id']}/commands", params=window))["data"]) == 2
    walked.add("K6")
    pending = batch["commands"][0]["id"]
    assert (await emu.ok("PATCH", f"/v1/entities/{ev['id']}/commands/{pending}/cancel"))[
        "status"
    ] == "Canceled"
    walked.add("K7")

    sessions = await emu.ok(
        "GET",
        f"/v1/entities/{ev['id']}/charge-sessions",
        params={"start": (now - timedelta(days=30)).isoformat()},
    )
    assert sessions["data"]
    walked.add("S1")

    features = await emu.ok("GET", f"/v1/entities/{ev['id']}/features")
    assert {"name": "CaptureChargeSessions", "enabled": True} in features
    walked.add("F1")
    assert (await emu.ok("PUT", f"/v1/entities/{ev['id']}/features/SmartCharging", body={"enabled": True}))[
        "enabled"
    ] is True
    walked.add("F2")
    location = await emu.ok(
        "POST",
        f"/v1/entities/{ev['id']}/locations",
        201,
        body={"label": "Depot", "latitude": 51.0, "longitude": 3.7},
    )
    walked.add("L2")
    assert [loc["label"] for loc in await emu.ok("GET", f"/v1/entities/{ev['id']}/locations")] == ["Depot"]
    walked.add("L1")
    await emu.ok("DELETE", f"/v1/entities/{ev['id']}/locations/{location['id']}", 204)
    walked.add("L3")
    for row, path, unit in (
        ("B1", "battery-capacity", "kWh"),
        ("N1", "nominal-power", "kW"),
        ("H1", "heated-area", "m2"),
    ):
        await emu.ok("PUT", f"/v1/entities/{pv['id']}/{path}", body={"unit": unit, "value": 12.5})
        assert await emu.ok("GET", f"/v1/entities/{pv['id']}/{path}") == {"unit": unit, "value": 12.5}
        walked.add(row)
    assert await emu.ok("GET", f"/v1/entities/{meter['id']}/disaggregators")
    walked.add("D1")
    assert (
        await emu.ok("PUT", f"/v1/entities/{meter['id']}/disaggregators/HeatPump", body={"enabled": True})
    )["enabled"]
    walked.add("D2")
    await emu.error("GET", f"/v1/entities/{ev['id']}/properties", 404)
    assert await emu.ok("PUT", f"/v1/entities/{ev['id']}/properties", body={"colour": "red"}) == {
        "colour": "red"
    }
    assert await emu.ok("GET", f"/v1/entities/{ev['id']}/properties") == {"colour": "red"}
    walked.add("X1")

    offboarding = await emu.ok("POST", "/v1/offboarding/entities", 201, body={"entityId": meter["id"]})
    assert offboarding["status"] == "Pending"
    walked.add("Q1")
    assert (await emu.ok("GET", f"/v1/offboarding/entities/{offboarding['id']}"))["id"] == offboarding["id"]
    walked.add("Q2")
    assert (await emu.ok("PATCH", f"/v1/offboarding/entities/{offboarding['id']}/cancel"))[
        "status"
    ] == "Canceled"
    walked.add("Q3")

    other_token_row = "A1" if traxes else "A2"  # the other dialect's run walks it
    assert walked == table_rows() - {other_token_row}


async def test_unknown_ids_answer_404(emu: Raw) -> None:
    for path in (
        f"/v1/entities/{NOWHERE}",
        f"/v1/collectives/{NOWHERE}",
        f"/v1/tenants/{NOWHERE}",
        f"/v1/onboarding/entities/{NOWHERE}",
        f"/v1/onboarding/collectives/{NOWHERE}",
        f"/v1/guided-onboarding-sessions/{NOWHERE}",
        f"/v1/offboarding/entities/{NOWHERE}",
        f"/v1/entities/{NOWHERE}/charge-sessions?start=2024-01-01T00:00:00Z",
    ):
        body = await emu.error("GET", path, 404)
        assert body["errors"][0]["code"] == "NotFound"
    await emu.error("GET", "/v1/no-such-thing", 404)
