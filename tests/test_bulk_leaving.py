"""Leaving a bulk run without closing it, in a program that ends right after: no warning about
unclosed resources of the run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, warnings
    from datetime import timedelta
    from realto_async import AsyncRealtoClient
    from realto_async.testing import FakeRealto, Fleet

    warnings.simplefilter("always")
    server = FakeRealto(seed=2, fleet=Fleet.only_evs(6)).start()

    async def main() -> None:
        async with AsyncRealtoClient(
            base_url=server.url, client_id=server.client_id, client_secret=server.client_secret
        ) as client:
            ids = [ev.id async for ev in client.entities.list(type="EV")]
            now = server.clock.now()
            run = client.bulk.charge_sessions(ids, start=now - timedelta(days=20), end=now, page_size=2)
            try:
                async for batch in run:
                    if sys.argv[1] == "break":
                        break
                    raise ValueError("the loop body's own error")
            except ValueError:
                pass
            print("left with", len(batch.records), "records in hand", flush=True)

    asyncio.run(main())
    server.stop()
    """
)


@pytest.mark.parametrize("how", ["break", "raise"])
def test_leaving_a_run_without_closing_it_leaves_nothing_unclosed(how: str) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-c", SCRIPT, how], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "records in hand" in done.stdout
    assert "Unclosed" not in done.stderr
    assert "unclosed" not in done.stderr
    assert "was destroyed but it is pending" not in done.stderr
