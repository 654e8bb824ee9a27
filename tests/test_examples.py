"""The complete programs in examples/ run against the emulator, endpoints and output checked."""

from __future__ import annotations

import csv
import importlib.util
import runpy
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from fastapi.testclient import TestClient as FastAPITestClient

from realto_async.testing import FakeRealto, Fleet

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EVS = 6


def load(name: str) -> ModuleType:
    """Import examples/<name>.py afresh (it reads the environment when its objects are built)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def point_at(server: FakeRealto, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALTO_BASE_URL", server.url)
    monkeypatch.setenv("REALTO_CLIENT_ID", server.client_id)
    monkeypatch.setenv("REALTO_CLIENT_SECRET", server.client_secret)


@pytest.fixture
def thread_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRealto]:
    """An emulator on the real clock, served from a thread, named by the REALTO_* variables."""
    with FakeRealto(seed=3, fleet=Fleet(evs=EVS)).serve_in_thread() as server:
        point_at(server, monkeypatch)
        yield server


@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeRealto]:
    async with FakeRealto(seed=3, fleet=Fleet(evs=EVS)).serve() as server:
        point_at(server, monkeypatch)
        yield server


def sessions_by_ev(server: FakeRealto, days: int) -> dict[str, set[str]]:
    """Every EV's charge session ids, asked of the emulator directly (the expected answer)."""
    since = datetime.now(timezone.utc) - timedelta(days=days)
    with server.sync_client() as client:
        return {
            ev.id: {record.id for record in client.charge_sessions.list(ev.id, since)}
            for ev in client.entities.list(type="EV")
        }


def token_requests(server: FakeRealto) -> int:
    return sum(1 for request in server.requests if request.path == "/v1/authentication")


def test_every_example_is_run_here() -> None:
    source = Path(__file__).read_text()
    examples = sorted(path.stem for path in EXAMPLES.glob("*.py"))
    assert examples == ["aiohttp_app", "fastapi_app", "fleet_export", "notebook"]
    for name in examples:
        assert f'"{name}"' in source, f"examples/{name}.py has no test"


# ------------------------------------------------------------------ FastAPI


def test_fastapi_app_serves_the_fleet_through_one_client(thread_emulator: FakeRealto) -> None:
    app = load("fastapi_app").app
    expected = sessions_by_ev(thread_emulator, days=7)
    tokens_before = token_requests(thread_emulator)
    with FastAPITestClient(app) as http:
        evs = http.get("/evs").json()
        assert sorted(ev["id"] for ev in evs) == sorted(expected)
        assert all(ev["manufacturer"] for ev in evs)
        assert len(http.get("/evs", params={"limit": 2}).json()) == 2

        for ev_id, session_ids in expected.items():
            answer = http.get(f"/evs/{ev_id}/sessions", params={"days": 7}).json()
            assert {session["id"] for session in answer["sessions"]} == session_ids
            assert len(answer["sessions"]) == len(session_ids)
            assert answer["kwh"] == pytest.approx(sum(s["kwh"] or 0 for s in answer["sessions"]), abs=1e-3)

    assert token_requests(thread_emulator) == tokens_before + 1, "one client, one token, every request"


def test_fastapi_app_maps_sdk_errors_to_http_statuses(thread_emulator: FakeRealto) -> None:
    app = load("fastapi_app").app
    with FastAPITestClient(app) as http:
        ev_id = http.get("/evs", params={"limit": 1}).json()[0]["id"]
        started = http.post(f"/evs/{ev_id}/charge")
        assert started.status_code == 202
        assert started.json()["status"] in {"Pending", "Triggered", "Succeeded"}
        again = http.post(f"/evs/{ev_id}/charge")
        assert again.status_code == 409
        assert "10 minutes" in again.json()["detail"]

        missing = "00000000-0000-4000-8000-000000000000"
        assert http.get(f"/evs/{missing}/sessions").status_code == 404
        assert http.post(f"/evs/{missing}/charge").status_code == 404
        for bad in ("not-a-uuid", "1234"):
            refused = http.get(f"/evs/{bad}/sessions")
            assert refused.status_code == 422
            assert "entity_id" in refused.json()["detail"]
    posted = [r for r in thread_emulator.requests if r.method == "POST" and r.path.endswith("/commands")]
    assert len(posted) == 3  # 202, 409 and 404: each sent once, a command is never retried


# ------------------------------------------------------------------ aiohttp.web


async def test_aiohttp_app_uses_and_leaves_open_its_injected_session(emulator: FakeRealto) -> None:
    module = load("aiohttp_app")
    app = module.make_app()
    async with TestClient(TestServer(app)) as http:
        fleet: dict[str, Any] = await (await http.get("/fleet")).json()
        assert fleet["EV"] == EVS
        assert sum(fleet.values()) == len(emulator.store.entities)

        async with emulator.client() as direct:
            ev = await direct.entities.list(type="EV", max_items=1)
            expected = await direct.readings.last(ev.data[0].id)
        answer = await http.get(f"/entities/{ev.data[0].id}/last-reading")
        assert answer.status == 200
        reading = await answer.json()
        assert (reading["id"], reading["entityId"]) == (expected.id, ev.data[0].id)

        missing = await http.get("/entities/00000000-0000-4000-8000-000000000000/last-reading")
        assert missing.status == 404
        for bad in ("nope", "12"):
            refused = await http.get(f"/entities/{bad}/last-reading")
            assert refused.status == 400
            assert "entity_id" in await refused.text()

        session = app[module.SESSION]
        assert app[module.REALTO].is_closed is False
        assert session.closed is False
    assert session.closed, "the app closes the session it made when it stops"


# ------------------------------------------------------------------ fleet export


def test_fleet_export_writes_every_session_once(
    thread_emulator: FakeRealto,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "sessions.csv"
    monkeypatch.setattr(
        sys, "argv", ["fleet_export.py", "--days", "10", "--out", str(out), "--concurrency", "3"]
    )
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(EXAMPLES / "fleet_export.py"), run_name="__main__")
    assert exited.value.code == 0

    with out.open() as file:
        rows = list(csv.DictReader(file))
    expected = sessions_by_ev(thread_emulator, days=10)
    assert sum(len(ids) for ids in expected.values()) == len(rows) > 0
    assert len({row["session_id"] for row in rows}) == len(rows)
    for ev_id, ids in expected.items():
        assert {row["session_id"] for row in rows if row["entity_id"] == ev_id} == ids
    assert all(float(row["kwh"]) >= 0 for row in rows)
    assert f"{len(rows)} charge sessions written to {out}" in capsys.readouterr().out


def test_fleet_export_reports_a_refused_login_instead_of_a_traceback(
    thread_emulator: FakeRealto,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REALTO_CLIENT_SECRET", "wrong")
    assert load("fleet_export").main(["--out", str(tmp_path / "x.csv")]) == 1
    assert "export failed: InvalidCredentialsError" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# ------------------------------------------------------------------ notebook


def test_notebook_script_runs_cell_by_cell(
    thread_emulator: FakeRealto, capsys: pytest.CaptureFixture[str]
) -> None:
    runpy.run_path(str(EXAMPLES / "notebook.py"), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{EVS} EVs"
    expected = sessions_by_ev(thread_emulator, days=7)
    assert sum(1 for line in printed if line.split()[0] in expected) == EVS
    days = [line for line in printed if line.endswith(" kWh")]
    assert days, "the week's charge sessions are summed per day"
    assert [line.split()[0] for line in days] == sorted(line.split()[0] for line in days)
