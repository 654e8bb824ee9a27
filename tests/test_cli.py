"""The ``realto`` command as a user runs it: a subprocess against the emulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from realto_async import __version__
from realto_async.export import table_of
from realto_async.export._writers import text_value
from realto_async.testing import FakeRealto
from realto_sync import RealtoClient

from .cli_helpers import Cli, serve_env, serve_for_cli


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeRealto, Cli]]:
    yield from serve_for_cli(seed=5, entities=8, consent_after=0.3)


@pytest.fixture(scope="module")
def cli(served: tuple[FakeRealto, Cli]) -> Cli:
    return served[1]


@pytest.fixture(scope="module")
def sdk(served: tuple[FakeRealto, Cli]) -> Iterator[RealtoClient]:
    with served[0].sync_client() as client:
        yield client


def test_version_and_completion(cli: Cli) -> None:
    version = cli("--version")
    assert (version.code, version.out.strip()) == (0, f"realto {__version__}")
    for shell, marker in (
        ("bash", "complete -o"),
        ("zsh", "compdef"),
        ("fish", "complete --no-files --command realto"),
    ):
        script = cli("completion", shell)
        assert script.code == 0
        assert "_REALTO_COMPLETE" in script.out
        assert marker in script.out
    env = cli.env | {"_REALTO_COMPLETE": "bash_complete", "COMP_WORDS": "realto ent", "COMP_CWORD": "1"}
    assert cli(env=env).out.splitlines() == ["plain,entities"]
    env |= {"COMP_WORDS": "realto entities list --format j", "COMP_CWORD": "4"}
    assert cli(env=env).out.splitlines() == ["plain,json", "plain,jsonl"]


def test_help_documents_exit_codes_and_credentials(cli: Cli) -> None:
    shown = cli("--help")
    assert shown.code == 0
    assert "REALTO_CLIENT_SECRET" in shown.out
    assert "5 not found" in shown.out
    assert "7 export finished with failed entities" in shown.out


def test_entities_list_in_every_format_matches_the_sdk(cli: Cli, sdk: RealtoClient) -> None:
    expected = [entity.to_dict() for entity in sdk.entities.list()]
    ids = [entity["id"] for entity in expected]

    as_json = cli("entities", "list", "--format", "json")
    assert as_json.code == 0, as_json.err
    assert json.loads(as_json.out) == expected

    as_jsonl = cli("--format", "jsonl", "entities", "list")
    assert [json.loads(line) for line in as_jsonl.out.splitlines()] == expected

    as_csv = cli("entities", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    reference = table_of(list(sdk.entities.list()))
    assert [row["id"] for row in rows] == ids
    assert list(rows[0]) == [name for name, _ in reference.columns]
    assert rows[0]["information_vin"] == expected[0]["information"]["vin"]

    as_table = cli("entities", "list").out.splitlines()
    assert as_table[0].split()[:2] == ["ID", "TYPE"]
    assert [line.split()[0] for line in as_table[1:]] == ids


def test_entities_list_filters_by_type(cli: Cli, sdk: RealtoClient) -> None:
    for entity_type in ("EV", "HeatPump"):
        expected = [entity.id for entity in sdk.entities.list(type=entity_type)]
        shown = cli("entities", "list", "--type", entity_type, "--format", "jsonl")
        assert [json.loads(line)["id"] for line in shown.out.splitlines()] == expected
    bad = cli("entities", "list", "--type", "Toaster")
    assert bad.code == 1  # the SDK warns about the unknown type, sends it, and the server refuses it
    last = bad.err.splitlines()[-1]
    assert last.startswith("error: ")
    assert "Toaster" in last


def test_entities_get_and_readings_last(cli: Cli, sdk: RealtoClient) -> None:
    ev = next(iter(sdk.entities.list(type="EV")))
    shown = cli("entities", "get", ev.id, "--format", "json")
    assert json.loads(shown.out) == sdk.entities.retrieve(ev.id).to_dict()

    reading = cli("readings", "last", ev.id, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(reading.out)))
    last = sdk.readings.last(ev.id)
    assert row["id"] == last.id
    assert row["measured"] == text_value(table_of([last]).rows[0]["measured"])
    assert float(row["state_of_charge_pct"]) == last.data.state_of_charge.value  # type: ignore[union-attr]
    table = cli("readings", "last", ev.id).out
    assert last.id in table
    assert "STATE_OF_CHARGE_PCT" in table


def test_commands_trigger_wait_list_and_cooldown(cli: Cli, sdk: RealtoClient) -> None:
    ev = list(sdk.entities.list(type="EV"))[1]
    sent = cli("commands", "trigger", ev.id, "StartCharging", "--wait", "--format", "json")
    assert sent.code == 0, sent.err
    command = json.loads(sent.out)
    assert (command["type"], command["status"]) == ("StartCharging", "Succeeded")

    listed = cli("commands", "list", ev.id, "--since", "1d", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in listed.out.splitlines()] == [command["id"]]
    assert (
        cli(
            "commands", "list", ev.id, "--since", "2020-01-01", "--until", "2020-01-02", "--format", "json"
        ).out.strip()
        == "[]"
    )

    again = cli("commands", "trigger", ev.id, "StopCharging")
    assert again.code == 1
    assert again.err.startswith("error: ")
    assert again.err.count("\n") == 1
    assert "10 minutes" in again.err
    assert "Traceback" not in again.err


def test_onboard_ev_prints_the_consent_link_and_waits(cli: Cli, sdk: RealtoClient) -> None:
    shown = cli("onboard", "ev", "--manufacturer", "Tesla", "--vin", "5YJ3E1EA7KF317000", "--wait")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[0].startswith("consent link: http")
    assert "Succeeded" in lines[2]
    entity_id = lines[2].split()[-1]
    assert sdk.entities.retrieve(entity_id).type == "EV"

    as_json = cli("onboard", "ev", "--manufacturer", "Kia", "--vin", "KNDC3DLC5N5000001", "--format", "json")
    assert as_json.err.startswith("consent link: http")
    assert json.loads(as_json.out)["status"] in ("Pending", "InProgress")


def test_offboard_waits_for_the_outcome(cli: Cli, sdk: RealtoClient) -> None:
    victim = list(sdk.entities.list())[-1]
    shown = cli("offboard", victim.id, "--wait", "--format", "json")
    assert shown.code == 0, shown.err
    request = json.loads(shown.out)
    assert request["status"] == "Succeeded"
    assert request["data"]["entityId"] == victim.id


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("entities", "get", "00000000-0000-0000-0000-000000000000"), 5, "was not found"),
        (("entities", "get", "not-a-uuid"), 2, "entity_id"),
        (("readings", "last", "00000000-0000-0000-0000-000000000000"), 5, "not found"),
        (("commands", "list", "00000000-0000-0000-0000-000000000000", "--since", "yesterday"), 2, "30d"),
        (("--timeout", "0", "entities", "list"), 2, "--timeout"),
        (("--format", "xml", "entities", "list"), 2, "xml"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(
    cli: Cli, args: tuple[str, ...], code: int, needle: str
) -> None:
    shown = cli(*args)
    assert shown.code == code
    assert needle in shown.err
    assert "Traceback" not in shown.err


@pytest.mark.parametrize("missing", [("REALTO_CLIENT_ID", "REALTO_CLIENT_SECRET"), ("REALTO_CLIENT_SECRET",)])
def test_missing_credentials(cli: Cli, missing: tuple[str, ...]) -> None:
    for args in (("entities", "list"), ("readings", "last", "00000000-0000-0000-0000-000000000000")):
        shown = cli(*args, env=cli.without(*missing))
        assert shown.code == 3
        assert shown.err == (
            "error: no credentials: set REALTO_CLIENT_ID and REALTO_CLIENT_SECRET in the environment "
            "(the CLI never takes secrets as options)\n"
        )


def test_wrong_base_url(cli: Cli) -> None:
    for url in ("http://127.0.0.1:9/api", "http://127.0.0.1:1/api"):
        shown = cli("--base-url", url, "entities", "list")
        assert shown.code == 6
        assert shown.err.startswith(f"error: cannot reach {url}") or url in shown.err
        assert "REALTO_BASE_URL" in shown.err or "--base-url" in shown.err
        assert shown.err.count("\n") == 1
    for url in ("nope", "ftp://example.com"):
        shown = cli("entities", "list", env=cli.env | {"REALTO_BASE_URL": url})
        assert shown.code == 3
        assert "base_url must be an absolute http(s) URL" in shown.err


def test_debug_shows_the_traceback(cli: Cli) -> None:
    shown = cli("--debug", "entities", "get", "00000000-0000-0000-0000-000000000000")
    assert shown.code == 5
    assert "Traceback (most recent call last)" in shown.err
    assert shown.err.rstrip().splitlines()[-1].startswith("error: ")


def test_emulator_forwards_its_arguments(cli: Cli) -> None:
    shown = cli("emulator", "--help")
    assert shown.code == 0
    assert "--consent-after" in shown.out
    refused = cli("emulator", "--no-such-flag")
    assert refused.code == 2
    assert "--no-such-flag" in refused.err


def test_the_traxes_dialect() -> None:
    with FakeRealto(seed=2, entities=4, flavor="traxes").serve_in_thread() as server:
        env = serve_env(server) | {"REALTO_TOKEN_URL": server.token_url}
        cli = Cli(env)
        shown = cli("--flavor", "traxes", "entities", "list", "--format", "jsonl")
        assert shown.code == 0, shown.err
        rows = [json.loads(line) for line in shown.out.splitlines()]
        assert len(rows) == 4
        assert all("brand" in row["information"] for row in rows)
        wrong = cli("entities", "list")  # the re.alto dialect's token call fails on a Traxes server
        assert wrong.code != 0
        assert wrong.err.startswith("error: ")
        unnamed = Cli(serve_env(server))("--flavor", "traxes", "entities", "list")  # no REALTO_TOKEN_URL
        assert unnamed.code != 0
        assert "REALTO_TOKEN_URL" in unnamed.err
        assert "signin.energy" not in unnamed.err + unnamed.out
