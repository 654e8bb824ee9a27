"""The main job: the demo runs end to end on the emulator, and its command line."""

from __future__ import annotations

import io
import re

import pytest

from realto_async.__main__ import main
from realto_async._demo import DemoOptions, run_demo
from realto_async.testing import FakeClock


async def test_the_demo_runs_end_to_end_on_the_emulator() -> None:
    out = io.StringIO()
    code = await run_demo(DemoOptions(evs=12, days=7, concurrency=4), out=out, clock=FakeClock())
    text = out.getvalue()
    assert code == 0, text
    assert "using the embedded emulator" in text
    assert re.search(r"27 entities: 12 EV", text)
    assert "12 EVs done, 15 skipped (no charge sessions), 0 failed" in text
    sessions = int(re.search(r"(\d+) sessions, ", text).group(1))  # type: ignore[union-attr]
    assert sessions > 12
    assert "busiest EVs:" in text
    assert "onboarding Pending" in text
    assert "onboarding Succeeded" in text
    assert text.index("command Triggered") < text.index("command Succeeded")
    assert text.rstrip().endswith("done")


async def test_with_real_credentials_the_demo_is_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from realto_async.testing import FakeRealto, Fleet

    # Real time on both sides: a client built from the environment uses the system clock.
    async with FakeRealto(seed=2, fleet=Fleet.only_evs(3)).serve() as server:
        for name, value in {
            "REALTO_CLIENT_ID": server.client_id,
            "REALTO_CLIENT_SECRET": server.client_secret,
            "REALTO_BASE_URL": server.url,
        }.items():
            monkeypatch.setenv(name, value)
        out = io.StringIO()
        assert await run_demo(DemoOptions(days=3), out=out) == 0
        url = server.url
    text = out.getvalue()
    assert f"read-only part against {url}" in text
    assert "real API" not in text
    assert "3 entities: 3 EV" in text
    assert "3 EVs done, 0 skipped (no charge sessions), 0 failed" in text
    assert "Onboarding" not in text
    assert not any(r.method in ("POST", "PATCH") and "/authentication" not in r.path for r in server.requests)


async def test_a_failing_api_makes_the_demo_say_why_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    from realto_async.testing import FakeRealto, Fleet

    async with FakeRealto(seed=2, fleet=Fleet.only_evs(2)).serve() as server:
        server.faults.add("GET /v1/entities", status=403)
        monkeypatch.setenv("REALTO_CLIENT_ID", server.client_id)
        monkeypatch.setenv("REALTO_CLIENT_SECRET", server.client_secret)
        monkeypatch.setenv("REALTO_BASE_URL", server.url)
        out = io.StringIO()
        assert await run_demo(DemoOptions(), out=out) == 1
    assert "demo failed: PermissionDeniedError" in out.getvalue()


def test_the_command_line_prints_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    from realto_async import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"realto {__version__}"


def test_the_command_line_checks_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--evs", "0"]) == 2
    assert "'--evs': 0 is not in the range 1<=x<=100000" in capsys.readouterr().err
    for option, value in (("--evs", "1000000000"), ("--days", "99999999"), ("--concurrency", "10000000")):
        assert main(["demo", option, value]) == 2
        assert f"'{option}': {value} is not in the range" in capsys.readouterr().err
    assert main(["nonsense"]) == 2
    assert "No such command 'nonsense'" in capsys.readouterr().err
    assert main(["emulator", "--help"]) == 0
    assert "Serve the re.alto API emulator" in capsys.readouterr().out
