"""Leaving a bulk run without closing it, in a program that ends right after: no warning about
unclosed resources of the run (the emulator runs in its own process, as a real server would)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, warnings
    from datetime import datetime, timedelta, timezone
    from realto_async import AsyncRealtoClient

    warnings.simplefilter("always")
    how, url, client_id, client_secret = sys.argv[1:]
    END = datetime(2024, 6, 1, tzinfo=timezone.utc)  # the frozen emulator's day

    async def main() -> None:
        options = dict(base_url=url, client_id=client_id, client_secret=client_secret)
        async with AsyncRealtoClient(**options) as client:
            ids = [ev.id async for ev in client.entities.list(type="EV")]
            run = client.bulk.charge_sessions(ids, start=END - timedelta(days=20), end=END, page_size=2)
            try:
                async for batch in run:
                    if how == "break":
                        break
                    raise ValueError("the loop body's own error")
            except ValueError:
                pass
            print("left with", len(batch.records), "records in hand", flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[list[str]]:
    command = [sys.executable, "-m", "realto_async.testing", "--frozen", "--port", "0", "--evs", "6"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split(": ", 1) for _ in range(3))
        yield [lines["url"], lines["client_id"], lines["client_secret"]]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize("how", ["break", "raise"])
def test_leaving_a_run_without_closing_it_leaves_nothing_unclosed(emulator: list[str], how: str) -> None:
    command = [sys.executable, "-X", "dev", "-c", SCRIPT, how, *emulator]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "records in hand" in done.stdout
    assert "Unclosed" not in done.stderr
    assert "unclosed" not in done.stderr
    assert "was destroyed but it is pending" not in done.stderr
