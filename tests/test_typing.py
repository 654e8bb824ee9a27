"""The README's examples are precisely typed for both clients.

The ``assert_type`` calls below are checked by ``mypy --strict`` (CI type-checks tests/) and the
code runs against the emulator, so the types named are also the types the calls give. The last
tests run mypy on small programs: a typo in the README's patterns must be an error, and the
README's own Python blocks must type-check as they are.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from realto_async import (
    AsyncPaginator,
    AsyncRealtoClient,
    ChargingRecord,
    Command,
    CommandBatch,
    CommandType,
    Entity,
    EntityType,
    Flavor,
    NotFoundError,
    OffboardingRequest,
    OnboardingAction,
    OnboardingRequest,
    OperationTimeoutError,
    Page,
    Quantity,
    Reading,
    RealtoError,
    ResponseInfo,
    ScheduledCommand,
    TieredValues,
)
from realto_async.bulk import BulkBatch, BulkReport, BulkRun
from realto_async.testing import FakeClock, FakeRealto
from realto_sync import RealtoClient, SyncBulkRun, SyncPage, SyncPaginator
from tests.test_readme import as_script, readme_blocks

if sys.version_info >= (3, 11):
    from typing import assert_type
else:  # pragma: no cover - Python 3.10
    from typing_extensions import assert_type

VIN = "WA1DMAFE0D0123456"


def point_the_environment_at(server: FakeRealto, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the README assumes: REALTO_* set, so ``AsyncRealtoClient()`` needs no arguments."""
    monkeypatch.setenv("REALTO_BASE_URL", server.url)
    monkeypatch.setenv("REALTO_CLIENT_ID", server.client_id)
    monkeypatch.setenv("REALTO_CLIENT_SECRET", server.client_secret)


async def test_the_async_readme_example_is_typed(
    realto_server: FakeRealto, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_the_environment_at(realto_server, monkeypatch)
    clock = realto_server.clock
    assert isinstance(clock, FakeClock)
    async with AsyncRealtoClient(clock=clock) as client:
        assert_type(client, AsyncRealtoClient)
        assert_type(client.flavor, Flavor)
        listing = client.entities.list(type="EV")
        assert_type(listing, AsyncPaginator[Entity])
        page = await listing
        assert_type(page, Page[Entity])
        assert_type(page.response, ResponseInfo | None)
        for ev in page:
            assert_type(ev, Entity)
        evs = [ev async for ev in client.entities.list(type=EntityType.EV, max_items=2)]
        assert_type(evs, list[Entity])
        assert evs
        since = clock.now() - timedelta(days=30)
        async for session in client.charge_sessions.list(evs[0].id, since, max_items=3):
            assert_type(session, ChargingRecord)
            assert_type(session.data.start, datetime)
            charged = session.data.charge.total if session.data.charge else None
            assert_type(charged, TieredValues | None)
        reading = await client.readings.last(evs[0].id)
        assert_type(reading, Reading)
        assert_type(reading.data.state_of_charge, Quantity | None)

        ids = [ev.id for ev in evs]
        run = client.bulk.charge_sessions(ids, start=timedelta(days=30), end=clock.now())
        assert_type(run, BulkRun[ChargingRecord])
        assert_type(run.listing, str)
        async for bulk_batch in run:
            assert_type(bulk_batch, BulkBatch[ChargingRecord])
            assert_type(bulk_batch.records, list[ChargingRecord])
        assert_type(run.report, BulkReport)
        assert run.report.entities_done == len(ids)
        lasts = client.bulk.map(client.readings.last, ids)
        assert_type(lasts, BulkRun[Reading])
        last_readings = await lasts.collect()
        assert_type(last_readings, list[Reading])
        assert sorted(r.entity_id for r in last_readings) == sorted(ids)

        request = await client.onboarding.entities.create(type="EV", manufacturer="Audi", vin=VIN)
        assert_type(request, OnboardingRequest)
        assert_type(request.action, OnboardingAction | None)
        seen: list[str] = []

        def consent(update: OnboardingRequest) -> None:
            seen.append(str(update.status))
            if update.status == "Pending":
                realto_server.consent(update.id)

        done = await client.onboarding.entities.wait(request.id, timeout=120, on_update=consent)
        assert_type(done, OnboardingRequest)
        assert done.status == "Succeeded"
        assert seen[0] == "Pending"
        assert_type(done.entity_id, str | None)
        assert done.entity_id is not None
        command = await client.commands.trigger(done.entity_id, type="StartCharging")
        assert_type(command, Command)
        finished = await client.commands.wait(done.entity_id, command.id, timeout=120)
        assert_type(finished, Command)
        batch = await client.commands.schedule(
            done.entity_id,
            commands=[
                ScheduledCommand(
                    trigger_time=datetime(2030, 1, 1, tzinfo=timezone.utc), type=CommandType.STOP_CHARGING
                )
            ],
            ignore_cooldown=True,
        )
        assert_type(batch, CommandBatch)

        offboarding = await client.offboarding.create(done.entity_id)
        assert_type(offboarding, OffboardingRequest)
        with pytest.raises(OperationTimeoutError) as waited:
            await client.offboarding.wait(offboarding.id, timeout=0.01, poll_interval=0.01)
        state = waited.value.last_state
        assert_type(state, OnboardingRequest | Command | OffboardingRequest | None)
        assert isinstance(state, OffboardingRequest)
        with pytest.raises(NotFoundError) as missing:
            await client.entities.retrieve("00000000-0000-4000-8000-000000000000")
        assert_type(missing.value.status_code, int)
        assert_type(missing.value.request_id, str | None)


@pytest.fixture
def thread_server() -> Iterator[FakeRealto]:
    with FakeRealto(seed=1, clock=FakeClock()).serve_in_thread() as server:
        yield server


def test_the_blocking_readme_example_is_typed(
    thread_server: FakeRealto, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_the_environment_at(thread_server, monkeypatch)
    with RealtoClient() as client:
        assert_type(client, RealtoClient)
        listing = client.entities.list(type="EV")
        assert_type(listing, SyncPaginator[Entity])
        first = listing.first_page()
        assert_type(first, SyncPage[Entity])
        assert_type(first.response, ResponseInfo | None)
        assert first.response is not None
        assert first.response.status == 200
        for ev in first:
            assert_type(ev, Entity)
        read = 0
        for ev in client.entities.list(type="EV", max_items=3):
            assert_type(ev, Entity)
            try:
                reading = client.readings.last(ev.id)
            except RealtoError as err:
                assert_type(err, RealtoError)
                raise
            assert_type(reading, Reading)
            assert_type(reading.data.state_of_charge, Quantity | None)
            read += 1
        assert read == 3
        view = client.with_options(timeout=5)
        assert_type(view, RealtoClient)
        ids = [ev.id for ev in client.entities.list(type="EV", max_items=2)]
        now = thread_server.clock.now()  # the emulator's clock is frozen
        run = client.bulk.charge_sessions(ids, start=now - timedelta(days=30), end=now)
        assert_type(run, SyncBulkRun[ChargingRecord])
        for bulk_batch in run:
            assert_type(bulk_batch, BulkBatch[ChargingRecord])
        assert_type(run.report, BulkReport)
        assert run.report.entities_done == len(ids)
        blocking = client.bulk.map(client.readings.last, ids)
        assert_type(blocking, SyncBulkRun[Reading])

        assert_type(blocking.collect(), list[Reading])

        async def id_length(entity_id: str) -> int:
            return len(entity_id)

        awaited = client.bulk.map(id_length, ids)
        assert_type(awaited, SyncBulkRun[int])
        lengths = awaited.collect()
        assert_type(lengths, list[int])
        assert lengths == [36, 36]
    with thread_server.sync_client() as made:
        assert_type(made, RealtoClient)
        assert made.entities.retrieve(ev.id).id == ev.id


TYPOS = """
from realto_async import AsyncRealtoClient, Quantity
from realto_sync import RealtoClient


async def main() -> None:
    async with AsyncRealtoClient() as client:
        async for ev in client.entities.list(type="EV"):
            print(ev.id)
            print(ev.idd)  # typo
        await client.entities.lst()  # typo


with RealtoClient() as sync_client:
    for item in sync_client.entities.list(type="EV"):
        print(item.id)
        print(item.idd)  # typo
    sync_client.entities.lst()  # typo
    sync_client.readings.last(item.id).data.state_of_charg  # typo
print(Quantity(unit="kWh", value=1.5))
print(Quantity(unit="kWh", valeu=1.5))  # typo
"""


def mypy(files: dict[str, str], tmp_path: Path) -> list[str]:
    """``mypy --strict`` on the given modules; its error lines, with their file names."""
    for name, source in files.items():
        (tmp_path / name).write_text(source)
    # Dask's own annotations are partial (LocalCluster is untyped): read it as Any, as a user's
    # project would with the same override.
    (tmp_path / "mypy.ini").write_text("[mypy]\n[mypy-distributed.*]\nfollow_imports = skip\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--ignore-missing-imports",  # a README block may use an optional extra's library
            "--no-error-summary",
            "--config-file",
            str(tmp_path / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            *files,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return [line for line in done.stdout.splitlines() if ": error:" in line]


def test_typos_in_the_readme_patterns_fail_and_the_readme_blocks_type_check(tmp_path: Path) -> None:
    # A not-run block uses libraries outside realto (Airflow, Prefect, Ray) whose decorators are
    # untyped; only the blocks that also run are held to mypy --strict.
    blocks = {f"readme_line_{b.line}.py": as_script(b.code) for b in readme_blocks() if b.not_run is None}
    errors = mypy({"typos.py": TYPOS, **blocks}, tmp_path)
    typo_lines = [n for n, line in enumerate(TYPOS.splitlines(), 1) if line.endswith("# typo")]
    assert sorted(int(e.split(":")[1]) for e in errors if e.startswith("typos.py:")) == typo_lines
    assert [e for e in errors if not e.startswith("typos.py:")] == [], "README blocks do not type-check"
