"""Facts both the SDK and the emulator encode, compared so they cannot drift apart silently.

The emulator keeps its side in ``realto_async.testing._facts`` and imports nothing from the SDK;
the SDK's side is read through its public names and behaviour.
"""

from __future__ import annotations

import enum
import random
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest

from realto_async import AsyncRealtoClient, InvalidArgumentError
from realto_async.models import enums as sdk_enums
from realto_async.testing import FakeClock, FakeRealto
from realto_async.testing._facts import (
    ENUMS,
    FIELD_TO_TRAXES,
    MAX_PAGE_SIZE,
    TYPE_TO_TRAXES,
    VIN_RE,
)
from realto_async.testing._timeparse import TimeSyntaxError, parse_api_time
from tests.emulator_helpers import Raw


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_each_enum_has_the_same_values(name: str) -> None:
    sdk_enum = getattr(sdk_enums, name)
    assert issubclass(sdk_enum, enum.Enum)
    emulator_values = ENUMS[name]["realto"] | ENUMS[name]["traxes"]
    assert {member.value for member in sdk_enum} == emulator_values


def test_every_sdk_enum_the_emulator_checks_is_compared() -> None:
    checked_by_the_sdk = set(sdk_enums.__all__)
    # The emulator does not validate these: they only ever come from the server.
    answered_only = {"OnboardingRequestType", "OffboardingStatus"}
    assert checked_by_the_sdk - answered_only == set(ENUMS)


def test_the_entity_type_renames_agree() -> None:
    from realto_async.models.enums import DIALECT_RENAMES

    assert DIALECT_RENAMES == TYPE_TO_TRAXES
    for realto_name in ENUMS["EntityType"]["realto"]:
        assert TYPE_TO_TRAXES.get(realto_name, realto_name) in ENUMS["EntityType"]["traxes"] or (
            realto_name == "Boiler"  # re.alto only
        )


@pytest.fixture(params=["realto", "traxes"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=6, flavor=request.param, clock=FakeClock())
    async with server.serve(), server.client(max_retries=0) as client:
        yield server, client


ONBOARDING_KWARGS = {  # an SDK keyword in re.alto's name -> (entity type, value)
    "manufacturer": ("HeatPump", "Daikin"),
    "vin": ("EV", "KNAC381AFN5012345"),
    "ean": ("SmartMeter", "541400000000000123"),
    "uuid": ("Battery", "b7c1d2e3f4a5"),
    "reference": ("Battery", "ref-77"),
    "code": ("RetrofitMeter", "AB12CD34"),
    "email": ("HeatPump", "someone@example.com"),
    "model": ("HeatPump", "Altherma 3"),
}


async def test_the_field_renames_agree(pair: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    """The SDK sends each field under the name the emulator reads in the client's dialect (the
    emulator refuses any other name), and the emulator files it under the same re.alto field."""
    server, client = pair
    assert set(ONBOARDING_KWARGS) == set(FIELD_TO_TRAXES)
    one_identifier = {"uuid": "uuid", "reference": "uuid"}  # Traxes' one identifier, read back
    for realto_name, (entity_type, value) in ONBOARDING_KWARGS.items():
        kwargs: dict[str, Any] = {"manufacturer": "Daikin", realto_name: value}
        request = await client.onboarding.entities.create(type=entity_type, **kwargs)
        stored = server.store.onboardings[str(request.id)].body
        field = one_identifier.get(realto_name, realto_name) if server.flavor == "traxes" else realto_name
        assert stored[field] == value, (realto_name, stored)


def vin_candidates() -> list[str]:
    """Well-formed VINs and VINs broken in one way each (length, a forbidden letter, case...)."""
    rng = random.Random(11)
    good = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    found = ["WA1DMAFE0D0123456", "WA1DMAFE0D012345", "WA1DMAFE0D01234567", "WA1DMAFE0D012345 "]
    for _ in range(80):
        vin = [rng.choice(good) for _ in range(17)]
        breakage = rng.choice(["none", "none", "short", "long", "letter", "lower", "symbol"])
        spot = rng.randrange(17)
        if breakage == "short":
            del vin[spot]
        elif breakage == "long":
            vin.insert(spot, rng.choice(good))
        elif breakage == "letter":
            vin[spot] = rng.choice("IOQ")
        elif breakage == "lower":
            vin[spot] = rng.choice("abcxyz")
        elif breakage == "symbol":
            vin[spot] = rng.choice(" -_.é")
        found.append("".join(vin))
    return found


async def test_the_vin_rule_agrees(pair: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    client = pair[1]
    accepted = refused = 0
    for candidate in dict.fromkeys(vin_candidates()):
        emulator_accepts = VIN_RE.fullmatch(candidate) is not None
        try:
            await client.onboarding.entities.create(type="EV", manufacturer="Kia", vin=candidate)
        except InvalidArgumentError:
            assert not emulator_accepts, candidate
            refused += 1
        else:
            assert emulator_accepts, candidate  # and the emulator answered 201
            accepted += 1
    assert accepted > 10
    assert refused > 10


async def test_the_page_size_limits_agree(pair: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = pair
    async with aiohttp.ClientSession() as session:
        raw = Raw(server, session)
        await raw.login()
        for size in (-1, 0, 1, 2, MAX_PAGE_SIZE - 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1, 5000):
            try:
                await client.collectives.list(page_size=size)
            except InvalidArgumentError:
                sdk_accepts = False
            else:
                sdk_accepts = True
            status, _ = await raw.call("GET", "/v1/collectives", params={"pageSize": str(size)})
            assert sdk_accepts == (status == 200), size


def test_the_emulator_reads_the_times_the_sdk_writes() -> None:
    from realto_async._convert import format_datetime

    rng = random.Random(5)
    for _ in range(300):
        moment = datetime(2000, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(10**9))
        zone = timezone(timedelta(minutes=rng.randrange(-14 * 60, 14 * 60 + 1, 15)))
        shown = moment.astimezone(zone)
        assert parse_api_time(format_datetime(shown)) == moment
    for naive in ("2024-05-01T00:00:00", "2024-05-01", "yesterday"):
        with pytest.raises(TimeSyntaxError):
            parse_api_time(naive)
