"""Faults a new user met in ``realto``: exports that ignored the run's selection, ``-o -`` and
``/dev/stdout``, tracebacks for bad option values, concurrent runs on one ``--state``, SDK hints a
shell user cannot follow, ids that are not UUIDs, the token fetch's deadline."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from realto_async import ConfigurationError, RealtoError
from realto_async._filelock import StateInUseError, StateLock
from realto_async._outcome import CommandOutcomeUnknownError
from realto_async.cli import main
from realto_async.cli._errors import ExitCode, describe
from realto_async.testing import FakeRealto
from realto_sync import RealtoClient

from .cli_helpers import Cli, serve_env, serve_for_cli

NOW = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
UUID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeRealto, Cli]]:
    yield from serve_for_cli(seed=5, entities=10)


@pytest.fixture(scope="module")
def cli(served: tuple[FakeRealto, Cli]) -> Cli:
    return served[1]


@pytest.fixture(scope="module")
def sdk(served: tuple[FakeRealto, Cli]) -> Iterator[RealtoClient]:
    with served[0].sync_client() as client:
        yield client


@pytest.fixture(scope="module")
def evs(sdk: RealtoClient) -> list[str]:
    return [entity.id for entity in sdk.entities.list(type="EV")]


@pytest.fixture
def env(served: tuple[FakeRealto, Cli], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in serve_env(served[0]).items():
        if name.startswith("REALTO_"):
            monkeypatch.setenv(name, value)


def session_ids(sdk: RealtoClient, ids: list[str], since: datetime, until: datetime) -> list[str]:
    return sorted(record.id for ev in ids for record in sdk.charge_sessions.list(ev, since, until))


# 1. the output holds exactly the run's selection, whatever the parts folder holds


def test_an_export_on_a_used_state_holds_only_the_selected_entities_and_window(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    state = str(tmp_path / "st.db")
    fleet_since, until = NOW - timedelta(days=20), NOW - timedelta(hours=1)
    whole = cli(
        "sessions",
        "export",
        "--type",
        "EV",
        "--since",
        iso(fleet_since),
        "--until",
        iso(until),
        "-o",
        str(tmp_path / "all.csv"),
        "--state",
        state,
    )
    assert whole.code == 0, whole.err
    with open(tmp_path / "all.csv") as stream:
        assert sorted(row["id"] for row in csv.DictReader(stream)) == session_ids(
            sdk, evs, fleet_since, until
        )
    for chosen, since in (([evs[0]], NOW - timedelta(days=5)), (evs[1:3], NOW - timedelta(days=12))):
        output = tmp_path / "some.csv"
        entity_options = [part for ev in chosen for part in ("--entity", ev)]
        done = cli(
            "sessions",
            "export",
            *entity_options,
            "--since",
            iso(since),
            "--until",
            iso(until),
            "-o",
            str(output),
            "--state",
            state,
        )
        assert done.code == 0, done.err
        with open(output) as stream:
            rows = list(csv.DictReader(stream))
        assert {row["entity_id"] for row in rows} <= set(chosen)
        assert sorted(row["id"] for row in rows) == session_ids(sdk, chosen, since, until)  # each once
        assert f"wrote {len(rows)} records" in done.err


def test_a_readings_export_of_one_type_leaves_out_other_types_in_the_parts(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    state = str(tmp_path / "r.db")
    since, until = NOW - timedelta(hours=6), NOW - timedelta(hours=1)
    window = ["--since", iso(since), "--until", iso(until), "--state", state]
    assert cli("readings", "export", *window, "-o", str(tmp_path / "all.jsonl")).code == 0
    done = cli("readings", "export", "--type", "EV", *window, "-o", str(tmp_path / "ev.jsonl"))
    assert done.code == 0, done.err
    rows = [json.loads(line) for line in (tmp_path / "ev.jsonl").read_text().splitlines()]
    assert rows
    assert {row["entity_id"] for row in rows} <= set(evs)
    expected = sum(len(sdk.readings.list(ev, since, until).to_list()) for ev in evs)
    assert len(rows) == expected
    everything = (tmp_path / "all.jsonl").read_text().splitlines()
    assert len(everything) > len(rows)  # the other types were in the parts folder


# 2. -o - and /dev/stdout stream to stdout; a non-regular target is never replaced


def test_dash_streams_csv_jsonl_and_parquet_to_stdout(cli: Cli, sdk: RealtoClient, evs: list[str]) -> None:
    since, until = NOW - timedelta(days=10), NOW - timedelta(hours=1)
    expected = session_ids(sdk, evs[:2], since, until)
    selection = ["--entity", evs[0], "--entity", evs[1], "--since", iso(since), "--until", iso(until)]
    done = cli("sessions", "export", *selection, "-o", "-", "--format", "csv")
    assert done.code == 0, done.err
    assert sorted(row["id"] for row in csv.DictReader(io.StringIO(done.out))) == expected
    assert "wrote" in done.err
    assert "wrote" not in done.out
    done = cli("sessions", "export", *selection, "-o", "-", "--format", "jsonl")
    assert sorted(json.loads(line)["id"] for line in done.out.splitlines()) == expected
    binary = subprocess.run(
        [
            sys.executable,
            "-m",
            "realto_async",
            "sessions",
            "export",
            *selection,
            "-o",
            "-",
            "--format",
            "parquet",
        ],
        env=cli.env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert binary.returncode == 0, binary.stderr
    assert sorted(pq.read_table(io.BytesIO(binary.stdout)).column("id").to_pylist()) == expected
    assert not Path("-").exists()
    refused = cli("sessions", "export", *selection, "-o", "-")
    assert refused.code == ExitCode.USAGE
    assert "--format" in refused.err


def test_dev_stdout_and_a_fifo_are_written_in_place(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    since, until = NOW - timedelta(days=10), NOW - timedelta(hours=1)
    expected = session_ids(sdk, evs[:1], since, until)
    selection = ["--entity", evs[0], "--since", iso(since), "--until", iso(until), "--format", "jsonl"]
    was_link = os.path.islink("/dev/stdout")
    done = cli("sessions", "export", *selection, "-o", "/dev/stdout")
    assert done.code == 0, done.err
    assert sorted(json.loads(line)["id"] for line in done.out.splitlines()) == expected
    assert os.path.islink("/dev/stdout") == was_link
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = cli("sessions", "export", *selection, "-o", str(fifo))
    reader.join(timeout=60)
    assert done.code == 0, done.err
    assert sorted(json.loads(line)["id"] for line in received[0].decode().splitlines()) == expected
    assert fifo.is_fifo()


# 3 and 6. bad option values: one line and exit 2, before any request


BAD_EXPORT_OPTIONS = [
    (["--since", "99999999d"], "--since"),
    (["--since", "9999999999999999999999m"], "--since"),
    (["--progress-interval", "nan"], "--progress-interval"),
    (["--progress-interval", "inf"], "--progress-interval"),
    (["--progress-interval", "-1"], "--progress-interval"),
    (["--rate", "1e-9"], "--rate"),
    (["--rate", "nan"], "--rate"),
    (["--rate", "0"], "--rate"),
    (["--concurrency", "100000000"], "--concurrency"),
    (["--entity", "bad"], "--entity"),
    (["--entity", UUID, "--entity", "3c90c3cc-0d44"], "--entity"),
]


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(("options", "named"), BAD_EXPORT_OPTIONS)
def test_bad_export_options_are_usage_errors(
    served: tuple[FakeRealto, Cli],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    named: str,
) -> None:
    before = served[0].requests_total
    base = ["sessions", "export", "--since", "2d", "-o", str(tmp_path / "o.csv")]
    assert main([*base, *options]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
    assert served[0].requests_total == before


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["aggregations", "export", "--resolution", "PT0S"], "--resolution"),
        (["aggregations", "export", "--resolution", "P0D"], "--resolution"),
        (["aggregations", "export", "--resolution", "P99999999999D"], "--resolution"),
        (["--timeout", "nan", "sessions", "export"], "--timeout"),
        (["--timeout", "0", "sessions", "export"], "--timeout"),
        (["--timeout", "inf", "sessions", "export"], "--timeout"),
    ],
)
def test_zero_huge_and_nan_durations_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    assert main([*args, "--since", "2d", "-o", str(tmp_path / "o.csv")]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("value", ["nan", "-5", "0", "inf"])
def test_wait_timeouts_must_be_finite_and_positive(capsys: pytest.CaptureFixture[str], value: str) -> None:
    for args in (["commands", "trigger", UUID, "StartCharging"], ["offboard", UUID], ["onboard", "ev"]):
        extra = ["--manufacturer", "Tesla", "--vin", "X"] if args[0] == "onboard" else []
        assert main([*args, *extra, "--wait-timeout", value]) == ExitCode.USAGE
        assert "--wait-timeout" in capsys.readouterr().err


@pytest.mark.usefixtures("env")
def test_unreadable_entity_files_are_usage_errors(
    served: tuple[FakeRealto, Cli], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "ids.bin"
    binary.write_bytes(bytes(range(256)))
    latin = tmp_path / "ids.latin1"
    latin.write_bytes(f"{UUID} # caf\xe9\n".encode("latin-1"))
    not_ids = tmp_path / "ids.txt"
    not_ids.write_text(f"{UUID}\n# fine\nnot-a-uuid\n")
    before = served[0].requests_total
    for path, said in ((binary, "not UTF-8"), (latin, "not UTF-8"), (not_ids, "line 3")):
        args = [
            "sessions",
            "export",
            "--since",
            "2d",
            "-o",
            str(tmp_path / "o.csv"),
            "--entities-file",
            str(path),
        ]
        assert main(args) == ExitCode.USAGE
        err = capsys.readouterr().err
        assert said in err
        assert "--entities-file" in err
        assert "Traceback" not in err
    assert served[0].requests_total == before


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("where", "named"),
    [
        (["-o", "/proc/nope/a.csv"], "--output"),
        (["-o", "/proc/version", "--state", "{tmp}/s.db"], "--output"),
        (["-o", "{tmp}/o.csv", "--state", "/proc/x.db"], "--state"),
        (["-o", "{tmp}/o.csv", "--state", "/proc/nope/x.db"], "--state"),
        (["-o", "{tmp}"], "directory"),
        (["-o", "{tmp}/missing/o.csv"], "--output"),
    ],
)
def test_unwritable_output_or_state_fails_before_fetching(
    served: tuple[FakeRealto, Cli],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: list[str],
    named: str,
) -> None:
    before = served[0].requests_total
    args = [part.replace("{tmp}", str(tmp_path)) for part in where]
    assert (
        main(["sessions", "export", "--type", "EV", "--since", "2d", "--format", "csv", *args])
        == ExitCode.USAGE
    )
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 4  # click's usage lines and one error
    assert served[0].requests_total == before


def test_entities_get_and_export_agree_on_a_bad_id(cli: Cli) -> None:
    for args in (
        ["entities", "get", "notauuid"],
        ["sessions", "export", "--entity", "notauuid", "--since", "1d", "-o", "x.csv"],
    ):
        done = cli(*args)
        assert done.code == ExitCode.USAGE, done.err
        assert "UUID" in done.err


# 4. one export at a time per --state


def test_a_second_export_on_a_state_in_use_says_so(
    served: tuple[FakeRealto, Cli], tmp_path: Path, capsys: pytest.CaptureFixture[str], env: None
) -> None:
    state = tmp_path / "st.db"
    holder = StateLock(tmp_path / "st.db.lock")
    with holder:
        with pytest.raises(StateInUseError):
            StateLock(tmp_path / "st.db.lock").acquire()
        before = served[0].requests_total
        args = ["sessions", "export", "--type", "EV", "--since", "1d", "-o", str(tmp_path / "o.csv")]
        assert main([*args, "--state", str(state)]) == ExitCode.STATE_IN_USE
        assert f"another export is using --state {state}" in capsys.readouterr().err
        assert served[0].requests_total == before
    assert main([*args, "--state", str(state)]) == ExitCode.OK  # released: the next run goes ahead


def test_two_concurrent_exports_on_one_state(served: tuple[FakeRealto, Cli], tmp_path: Path) -> None:
    server, cli = served
    fault = server.faults.add("GET /v1/entities/*/charge-sessions", latency=3)
    try:
        args = ["sessions", "export", "--type", "EV", "--since", "3d", "--state", str(tmp_path / "st.db")]
        first = subprocess.Popen(
            [sys.executable, "-m", "realto_async", *args, "-o", str(tmp_path / "a.csv")],
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not (tmp_path / "st.db.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cli(*args, "-o", str(tmp_path / "b.csv"))
        assert first.wait(timeout=60) == 0, first.communicate()[1]
    finally:
        server.faults.rules.remove(fault)
    assert second.code == ExitCode.STATE_IN_USE, second.err
    assert second.err.strip().splitlines() == [
        f"error: another export is using --state {tmp_path / 'st.db'}; "
        "wait for it to end or give another --state"
    ]


# 5. hints in command-line terms


def test_sdk_hints_become_command_line_hints(evs: list[str]) -> None:
    sent = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
    unknown = CommandOutcomeUnknownError(
        f"StartCharging for entity {evs[0]} was sent at {sent.isoformat()} but no usable answer came back "
        "(ReadTimeout); it may have been created. Call 'await err.reconcile(client)' before sending it again",
        entity_id=evs[0],
        command_type="StartCharging",
        value=None,
        sent_at=sent,
    )
    message, code = describe(unknown, None)
    assert f"`realto commands list {evs[0]} --since 2024-06-01T12:00:00Z`" in message
    assert "await" not in message
    assert code == ExitCode.ERROR
    interrupted = RealtoError("GET /v1/entities: 500")
    interrupted.continuation_token = "abc"
    interrupted._resume_known = True
    message, _ = describe(interrupted, None)
    assert "continuation_token" not in message
    assert "run the command again" in message
    message, code = describe(
        ConfigurationError(
            "cannot use 'x.db' as a bulk state file (file is not a database); pass a writable path"
        ),
        None,
    )
    assert "--base-url" not in message
    assert "--state" in message
    assert code == ExitCode.CONFIGURATION
    message, _ = describe(ConfigurationError("base_url must be an absolute http(s) URL, got 'x'"), None)
    assert "--base-url" in message


def test_a_cooldown_points_at_ignore_cooldown(served: tuple[FakeRealto, Cli], evs: list[str]) -> None:
    server, cli = served
    first = cli("commands", "trigger", evs[3], "StartCharging")
    assert first.code == 0, first.err
    again = cli("commands", "trigger", evs[3], "StopCharging")
    assert again.code != 0
    assert "--ignore-cooldown" in again.err
    assert "ignore_cooldown" not in again.err
    forced = cli("commands", "trigger", evs[3], "StopCharging", "--ignore-cooldown")
    assert forced.code == 0, forced.err
    posts = [r for r in server.requests if r.method == "POST" and r.path.endswith(f"{evs[3]}/commands")]
    assert [r.query.get("ignoreCooldown") for r in posts[-3:]] == [None, None, "true"]


def test_a_bad_state_file_says_state_not_base_url(cli: Cli, tmp_path: Path) -> None:
    state = tmp_path / "st.db"
    state.write_bytes(b"this is not SQLite" * 100)
    done = cli(
        "sessions",
        "export",
        "--type",
        "EV",
        "--since",
        "1d",
        "-o",
        str(tmp_path / "o.csv"),
        "--state",
        str(state),
    )
    assert done.code == ExitCode.CONFIGURATION, done.err
    assert "--state" in done.err
    assert "--base-url" not in done.err
    assert "Traceback" not in done.err


# 7. the token fetch keeps to the call's deadline


def test_a_slow_token_endpoint_fails_within_the_timeout() -> None:
    with FakeRealto(seed=1, entities=2).serve_in_thread() as server:
        server.faults.add("POST *", latency=1000)  # the token route: the only POST these commands make
        cli = Cli(serve_env(server))
        one = ["sessions", "export", "--entity", UUID, "--since", "1d", "-o", "-", "--format", "jsonl"]
        for args in (
            one,
            ["entities", "list"],
            ["sessions", "export", "--type", "EV", "--since", "1d", "-o", "-", "--format", "csv"],
        ):
            started = time.monotonic()
            done = cli("--timeout", "2", *args)
            assert done.code == ExitCode.UNREACHABLE, done.err
            assert time.monotonic() - started < 2 + 4  # the interpreter's start-up, not another deadline
            assert "token" in done.err
            assert "--timeout" in done.err
            assert "timeout=" not in done.err


def test_refused_credentials_end_an_export_before_any_entity_is_asked(served: tuple[FakeRealto, Cli]) -> None:
    server, cli = served
    before = len([r for r in server.requests if "/charge-sessions" in r.path])
    env = cli.env | {"REALTO_CLIENT_SECRET": "wrong"}
    done = cli("sessions", "export", "--entity", UUID, "--since", "1d", "-o", "-", "--format", "csv", env=env)
    assert done.code == ExitCode.AUTHENTICATION, done.err
    assert "REALTO_CLIENT_SECRET" in done.err
    assert len([r for r in server.requests if "/charge-sessions" in r.path]) == before


def test_an_aggregations_export_on_a_used_state_holds_the_intervals_of_its_window(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    state = str(tmp_path / "agg.db")
    until = NOW - timedelta(hours=1)
    wide = ["--since", iso(until - timedelta(days=2)), "--until", iso(until), "--state", state]
    assert cli("aggregations", "export", "--type", "EV", *wide, "-o", str(tmp_path / "all.csv")).code == 0
    since = until - timedelta(hours=20)
    output = tmp_path / "one.csv"
    done = cli("aggregations", "export", "--entity", evs[0], "--since", iso(since), "--until", iso(until),
               "--state", state, "-o", str(output))  # fmt: skip
    assert done.code == 0, done.err
    with open(output) as stream:
        rows = list(csv.DictReader(stream))
    expected = sdk.readings.aggregations(evs[0], since, until, resolution=timedelta(hours=1))
    assert {row["entity_id"] for row in rows} == {evs[0]}
    assert sorted(row["start"] for row in rows) == sorted(iso(item.start) for item in expected)
