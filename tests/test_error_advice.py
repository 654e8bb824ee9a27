"""The advice at the end of an error message fits the error: its code, then its endpoint, then its status."""

from __future__ import annotations

from typing import Any

import pytest

from realto_async import AsyncRealtoClient, BadRequestError, ConflictError, CooldownActiveError, NotFoundError
from realto_async._errors import status_advice
from realto_async._http import status_error
from realto_async.testing import FakeClock, FakeRealto

ENTITY = "6a1f1f4e-2b7c-4c1e-9d3a-1f2e3d4c5b6a"
BASE = "https://platform.realto.io/api"


def advice_for(method: str, path: str, status: int, body: bytes = b"") -> str:
    return str(status_error(method, BASE + path, status, "", {}, body, None))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/v1/onboarding/entities",
            b'{"errors": [{"code": "VinAlreadyOnboarded", "message": "taken"}]}',
        ),
        ("POST", "/v1/guided-onboarding-sessions", b'{"errors": [{"code": "VinAlreadyOnboarded"}]}'),
        ("POST", "/v1/onboarding/entities", b""),  # a 409 without a code, off the command endpoints
        ("DELETE", f"/v1/entities/{ENTITY}", b'{"errors": [{"code": "SomethingElse", "message": "x"}]}'),
        (
            "POST",
            f"/v1/entities/{ENTITY}/commands",
            b'{"errors": [{"code": "InvalidState", "message": "x"}]}',
        ),
    ],
)
def test_a_conflict_that_is_no_cooldown_does_not_speak_of_one(method: str, path: str, body: bytes) -> None:
    message = advice_for(method, path, 409, body)
    assert "cooldown" not in message
    assert "ignore_cooldown" not in message


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/v1/entities/{ENTITY}/commands", b'{"errors": [{"code": "CooldownActive", "message": "wait"}]}'),
        (f"/v1/entities/{ENTITY}/commands", b""),  # the command endpoints' one documented 409
        (f"/v1/collectives/{ENTITY}/commands/", b"busy"),
        ("/v1/commands", b'{"errors": [{"code": "CooldownActive"}]}'),
    ],
)
def test_the_command_cooldown_says_wait_or_ignore_cooldown(path: str, body: bytes) -> None:
    message = advice_for("POST", path, 409, body)
    assert "ignore_cooldown=True" in message
    assert "10 minutes" in message


def test_the_vin_conflict_says_what_to_do_about_the_vin() -> None:
    message = advice_for(
        "POST",
        "/v1/onboarding/entities",
        409,
        b'{"errors": [{"code": "VinAlreadyOnboarded", "message": "x"}]}',
    )
    assert "VIN is onboarded already" in message


def test_a_404_names_the_id_only_when_the_path_has_one() -> None:
    assert "check the id" in advice_for("GET", f"/v1/entities/{ENTITY}", 404)
    assert "check the id" in advice_for("GET", f"/v1/entities/{ENTITY}/readings", 404)
    for path in ("/v1/entities", "/v2/nothing-here", "/"):
        message = advice_for("GET", path, 404)
        assert "check the id" not in message
        assert "base_url" in message


def test_each_status_keeps_its_own_advice_without_a_code() -> None:
    assert "client id and secret" in status_advice(401)
    assert "permission level" in status_advice(403)
    assert "retry later" in status_advice(503)
    assert "slow down" in status_advice(429)
    assert status_advice(418) == "unexpected status"
    assert "UnsupportedCommand" not in status_advice(400)
    assert "EVs and charge points" in status_advice(400, codes=["UnsupportedCommand"])
    assert "EVs and charge points" in status_advice(400, codes=[None, "UnsupportedCommand"])


@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_the_emulators_conflicts_carry_the_right_advice(flavor: str) -> None:
    async with (
        FakeRealto(seed=1, flavor=flavor, clock=FakeClock()).serve() as server,
        server.client() as client,
    ):
        assert isinstance(client, AsyncRealtoClient)
        ev = (await client.entities.list(type="EV", page_size=1)).data[0]
        vin = "KNAC381AFN5012345"
        names: dict[str, Any] = (
            {"brand": "Kia", "identifier": vin} if flavor == "traxes" else {"manufacturer": "Kia", "vin": vin}
        )
        await client.onboarding.entities.create(type="EV", **names)
        with pytest.raises(ConflictError) as taken:
            await client.onboarding.entities.create(type="EV", **names)
        assert not isinstance(taken.value, CooldownActiveError)
        assert "cooldown" not in str(taken.value)
        assert "VIN is onboarded already" in str(taken.value)
        await client.commands.trigger(ev.id, type="StartCharging")
        with pytest.raises(CooldownActiveError) as busy:
            await client.commands.trigger(ev.id, type="StopCharging")
        assert "ignore_cooldown=True" in str(busy.value)
        with pytest.raises(BadRequestError) as unsupported:
            await client.commands.trigger(ev.id, type="LimitFeedIn", value="3000", ignore_cooldown=True)
        assert "solar plants and inverters" in str(unsupported.value)
        with pytest.raises(NotFoundError) as missing:
            await client.entities.retrieve("00000000-0000-4000-8000-000000000000")
        assert "check the id" in str(missing.value)
