"""``realto sessions|readings|aggregations export`` as a subprocess against the emulator: every
format read back and compared with the SDK's own listing, SIGKILL and resume, failures."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realto_async.export import AGGREGATIONS, CHARGE_SESSIONS, READINGS, table_of
from realto_async.testing import FakeRealto
from realto_sync import RealtoClient

from .cli_helpers import Cli, serve_for_cli

UNTIL = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
SINCE = UNTIL - timedelta(days=30)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeRealto, Cli]]:
    yield from serve_for_cli(seed=11, entities=12)


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


def expected_sessions(sdk: RealtoClient, evs: list[str]) -> list[dict[str, Any]]:
    records = [record for ev in evs for record in sdk.charge_sessions.list(ev, SINCE, UNTIL)]
    return table_of(records).rows


def read_back(path: Path, format: str) -> pd.DataFrame:
    if format == "parquet":
        return pd.read_parquet(path)
    if format == "jsonl":
        return pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])
    return pd.read_csv(path, dtype={"id": str, "entity_id": str, "address": str})


@pytest.mark.parametrize("format", ["csv", "jsonl", "parquet"])
def test_sessions_export_matches_the_sdk_listing(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path, format: str
) -> None:
    output = tmp_path / f"sessions.{format}"
    done = cli(
        "sessions", "export", "--type", "EV", "--since", iso(SINCE), "--until", iso(UNTIL), "-o", str(output)
    )
    assert done.code == 0, done.err
    expected = expected_sessions(sdk, evs)
    assert len(expected) > 100
    frame = read_back(output, format)
    assert list(frame.columns) == CHARGE_SESSIONS.names
    assert sorted(frame["id"]) == sorted(row["id"] for row in expected)
    by_id = {row["id"]: row for row in expected}
    for record in frame.head(20).to_dict("records"):
        assert record["charge_total_kwh"] == by_id[record["id"]]["charge_total_kwh"]
        assert record["entity_id"] == by_id[record["id"]]["entity_id"]
        assert pd.Timestamp(record["start"]) == pd.Timestamp(by_id[record["id"]]["start"])
    assert not list(tmp_path.glob(".*"))  # no leftover parts or temporary files without --state


def test_parquet_is_typed_and_reads_back_unchanged(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    output = tmp_path / "out.parquet"
    args = (
        "--entity",
        evs[0],
        "--entity",
        evs[1],
        "--since",
        iso(SINCE),
        "--until",
        iso(UNTIL),
        "-o",
        str(output),
    )
    assert cli("sessions", "export", *args).code == 0
    table = pq.read_table(output)
    assert table.schema.field("start").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("average_power_kw").type == pa.float64()
    assert table.schema.field("id").type == pa.string()
    assert Counter(table.column("entity_id").to_pylist()).keys() == {evs[0], evs[1]}
    expected = expected_sessions(sdk, evs[:2])
    assert sorted(table.to_pylist(), key=lambda row: row["id"]) == sorted(expected, key=lambda row: row["id"])


def test_readings_export_from_an_entities_file(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    listed = tmp_path / "fleet.txt"
    listed.write_text(f"# two EVs\n{evs[2]}\n\n{evs[3]}  # the second\n")
    since = UNTIL - timedelta(hours=6)
    output = tmp_path / "readings.jsonl"
    done = cli(
        "readings",
        "export",
        "--entities-file",
        str(listed),
        "--since",
        iso(since),
        "--until",
        iso(UNTIL),
        "-o",
        str(output),
    )
    assert done.code == 0, done.err
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    expected = [r.id for ev in evs[2:4] for r in sdk.readings.list(ev, since, UNTIL)]
    assert sorted(row["id"] for row in rows) == sorted(expected)
    assert list(rows[0]) == READINGS.names


def test_aggregations_export_with_a_resolution(
    cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    since = UNTIL - timedelta(days=1)
    output = tmp_path / "agg.csv"
    args = ("--resolution", "PT1H", "--entity", evs[0], "--since", iso(since), "--until", iso(UNTIL))
    done = cli("aggregations", "export", *args, "-o", str(output))
    assert done.code == 0, done.err
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    expected = list(sdk.readings.aggregations(evs[0], since, UNTIL, resolution=timedelta(hours=1)))
    assert list(rows[0]) == AGGREGATIONS.names
    assert [row["start"] for row in rows] == [a.to_dict()["start"] for a in expected]
    assert {row["entity_id"] for row in rows} == {evs[0]}
    bad = cli("aggregations", "export", "--resolution", "hourly", *args[2:], "-o", str(output))
    assert bad.code == 2
    assert "PT15M" in bad.err


def test_non_tty_progress_lines_and_summary(cli: Cli, evs: list[str], tmp_path: Path) -> None:
    output = tmp_path / "s.csv"
    done = cli(
        "sessions",
        "export",
        "--type",
        "EV",
        "--since",
        iso(SINCE),
        "--until",
        iso(UNTIL),
        "-o",
        str(output),
        "--progress-interval",
        "0",
    )
    lines = done.err.splitlines()
    assert "\x1b[" not in done.err
    progress = [line for line in lines if line.startswith("sessions export: entities ")]
    assert progress
    assert f"entities {len(evs)}/{len(evs)} (0 failed, 0 skipped)" in progress[-1]
    assert "req/s" in progress[-1]
    assert "throttled" in progress[-1]
    assert "ETA" in progress[-1]
    assert lines[-1].startswith("sessions export: wrote ")
    assert f"{len(evs)} entities done, 0 skipped, 0 failed" in lines[-1]
    assert done.out == ""


def test_a_failing_entity_ends_in_a_non_zero_exit_with_its_id(
    served: tuple[FakeRealto, Cli], cli: Cli, evs: list[str], tmp_path: Path
) -> None:
    server = served[0]
    rule = server.faults.add(f"GET /v1/entities/{evs[1]}/charge-sessions", status=400)
    try:
        output = tmp_path / "s.jsonl"
        done = cli("sessions", "export", "--type", "EV", "--since", "3d", "-o", str(output))
    finally:
        server.faults.rules.remove(rule)
    assert done.code == 7
    assert "failed entities" in done.err
    assert f"  {evs[1]}: " in done.err
    assert "1 failed" in done.err
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert rows
    assert evs[1] not in {row["entity_id"] for row in rows}


def test_bad_export_options(cli: Cli, evs: list[str], tmp_path: Path) -> None:
    base = ("sessions", "export", "--since", "30d")
    both = cli(*base, "--type", "EV", "--entity", evs[0], "-o", str(tmp_path / "x.csv"))
    assert (both.code, "not both" in both.err) == (2, True)
    unknown = cli(*base, "-o", str(tmp_path / "x.xlsx"))
    assert (unknown.code, "--format csv|jsonl|parquet" in unknown.err) == (2, True)
    missing = cli(*base, "--entities-file", str(tmp_path / "none.txt"), "-o", str(tmp_path / "x.csv"))
    assert missing.code == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    nothing = cli(*base, "--entities-file", str(empty), "-o", str(tmp_path / "x.csv"))
    assert (nothing.code, "lists no entity ids" in nothing.err) == (2, True)
    no_since = cli("sessions", "export", "-o", str(tmp_path / "x.csv"))
    assert (no_since.code, "--since" in no_since.err) == (2, True)


def test_parquet_without_pyarrow_names_the_extra(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "pyarrow.py").write_text("raise ImportError('blocked for the test')\n")
    env = cli.env | {"PYTHONPATH": str(blocker)}
    done = cli(
        "sessions", "export", "--type", "EV", "--since", "1d", "-o", str(tmp_path / "x.parquet"), env=env
    )
    assert done.code == 3
    assert "pip install 'realto[arrow]'" in done.err
    assert not (tmp_path / "x.parquet").exists()


def _start_export(cli: Cli, output: Path, state: Path) -> subprocess.Popen[str]:
    args = ["sessions", "export", "--type", "EV", "--since", iso(SINCE), "--until", iso(UNTIL)]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "realto_async",
            *args,
            "-o",
            str(output),
            "--state",
            str(state),
            "--concurrency",
            "2",
        ],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_and_rerun_with_the_same_state_gives_every_record_once(
    served: tuple[FakeRealto, Cli], cli: Cli, sdk: RealtoClient, evs: list[str], tmp_path: Path
) -> None:
    server = served[0]
    output, state = tmp_path / "fleet.parquet", tmp_path / "export.db"
    parts = tmp_path / "export.db.parts"
    slow = server.faults.add("GET /v1/entities/*/charge-sessions", latency=0.15)
    try:
        for kill_after_parts in (1, 4, 9):
            process = _start_export(cli, output, state)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                if len(list(parts.rglob("*.jsonl"))) >= kill_after_parts:
                    break
                time.sleep(0.01)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            assert process.returncode == -signal.SIGKILL
    finally:
        server.faults.rules.remove(slow)
    assert not output.exists()  # every run was killed before it wrote the output

    finished = _start_export(cli, output, state)
    _, err = finished.communicate(timeout=60)
    assert finished.returncode == 0, err
    ids = pq.read_table(output).column("id").to_pylist()
    expected = [row["id"] for row in expected_sessions(sdk, evs)]
    assert Counter(ids) == Counter(expected)

    again = _start_export(cli, output, state)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0
    assert "0 new this run" in err
    assert Counter(pq.read_table(output).column("id").to_pylist()) == Counter(expected)


def test_the_readme_export_command_works_as_written(cli: Cli, evs: list[str], tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("realto sessions export ")]
    assert len(commands) == 1
    args = commands[0].split()[1:]
    done = subprocess.run(
        [sys.executable, "-m", "realto_async", *args],
        env=cli.env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    output = tmp_path / args[args.index("--output") + 1]
    frame = pd.read_parquet(output)
    assert set(frame["entity_id"]) <= set(evs)
    assert frame["id"].is_unique
    assert str(frame["start"].dtype) == "datetime64[us, UTC]"
    assert (tmp_path / args[args.index("--state") + 1]).exists()


def test_a_terminal_gets_a_progress_bar(cli: Cli, tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    args = ["sessions", "export", "--type", "EV", "--since", "3d", "-o", str(tmp_path / "s.csv")]
    with subprocess.Popen(
        [sys.executable, "-m", "realto_async", *args],
        env=cli.env | {"COLUMNS": "160", "TERM": "xterm"},
        stdout=subprocess.DEVNULL,
        stderr=follower,
    ) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
    os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert "\x1b[" in text  # drawn, not printed line by line
    assert "records" in text
    assert "req/s" in text
    assert "sessions export: entities " not in text
    assert "sessions export: wrote " in text
