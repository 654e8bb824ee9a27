"""The emulator's command line: fleet sizing per entity type, --fault rules, and what it prints."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter

import aiohttp
import pytest

from realto_async import AsyncRealtoClient
from realto_async.testing import FakeClock, Fault, RealClock
from realto_async.testing.__main__ import build
from realto_async.testing._fault_rules import parse_rule


def test_each_entity_type_has_its_flag_and_the_rest_are_zero() -> None:
    server = build(
        ["--evs", "7", "--charge-points", "2", "--pv", "3", "--inverters", "1", "--smart-meters", "1"]
    )
    assert Counter(e.type for e in server.store.entities.values()) == {
        "EV": 7,
        "ChargePole": 2,
        "PV": 3,
        "Inverter": 1,
        "SmartMeter": 1,
    }
    only = build(
        ["--batteries", "2", "--heat-pumps", "1", "--retrofit-meters", "1", "--boilers", "4", "--solar", "1"]
    )
    assert Counter(e.type for e in only.store.entities.values()) == {
        "Battery": 2,
        "HeatPump": 1,
        "RetrofitMeter": 1,
        "Boiler": 4,
        "PV": 1,
    }
    assert len(build(["--entities", "30"]).store.entities) == 30
    assert len(build([]).store.entities) == 40  # the default fleet is unchanged


def test_seed_frozen_flavor_and_control_flags() -> None:
    server = build(["--seed", "9", "--frozen", "--flavor", "traxes", "--port", "0"])
    assert (server.seed, server.flavor, server.control) == ("9", "traxes", True)
    assert isinstance(server.clock, FakeClock)
    assert server.client_id == "emulator-client-9"
    live = build(["--no-control"])
    assert isinstance(live.clock, RealClock)
    assert live.control is False


def test_fault_rules_are_repeatable_and_mean_what_fault_means() -> None:
    server = build(
        [
            "--fault",
            "GET /v1/entities/*/charge-sessions status=503 probability=0.1",
            "--fault",
            "PATCH /v1/entities/* drop=during times=1 after=2 latency=0.5",
            "--fault",
            "* * html_502 expire-tokens retry_after=30",
        ]
    )
    assert server.faults.rules == [
        Fault("GET /v1/entities/*/charge-sessions", status=503, probability=0.1),
        Fault("PATCH /v1/entities/*", drop="during", times=1, after=2, latency=0.5),
        Fault("* *", html_502=True, expire_tokens=True, retry_after=30.0),
    ]
    assert parse_rule("GET /x truncate=false").truncate is False
    assert parse_rule("GET /x retry_after=soon").retry_after == "soon"


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--evs", "-1"], "expected a number >= 0"),
        (["--charge-points", "many"], "expected a whole number"),
        (["--entities", "10", "--evs", "3"], "not both"),
        (["--fault", "status=503"], "start with the route"),
        (["--fault", "GET /x status=soon"], "status must be a number"),
        (["--fault", "GET /x status=700"], "status must be an HTTP status"),
        (["--fault", "GET /x bogus=1"], "unknown option 'bogus'"),
        (["--fault", "GET /x latency"], "needs a value"),
        (["--fault", "GET /x truncate=perhaps"], "true or false"),
        (["--fault", "GET /x drop=later"], "drop must be"),
        (["--fault", "GET /x times=-2"], "times must be a number >= 0"),
        (["--flavor", "other"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        build(argv)
    assert info.value.code == 2
    assert complaint in capsys.readouterr().err


async def test_it_prints_its_address_and_credentials_and_serves_the_fleet_and_faults_asked_for() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realto_async.testing",
        "--port",
        "0",
        "--frozen",
        "--evs",
        "4",
        "--pv",
        "1",
        "--fault",
        "GET /v1/collectives status=503",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = {}
        for _ in range(4):
            key, value = (await process.stdout.readline()).decode().strip().split(": ", 1)
            lines[key] = value
        assert list(lines) == ["url", "client_id", "client_secret", "control"]
        assert lines["control"] == lines["url"].replace("/api", "/_emulator")
        async with AsyncRealtoClient(
            base_url=lines["url"],
            client_id=lines["client_id"],
            client_secret=lines["client_secret"],
            max_retries=0,
        ) as client:
            assert Counter(str(e.type) for e in [e async for e in client.entities.list()]) == {
                "EV": 4,
                "PV": 1,
            }
        async with aiohttp.ClientSession() as session, session.get(lines["control"] + "/faults") as resp:
            rules = (await resp.json())["data"]
        assert [(r["route"], r["status"]) for r in rules] == [("GET /v1/collectives", 503)]
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)
