"""A bulk run in its own process, for the test that kills it with SIGKILL part way.

    python -m tests.bulk_child URL CLIENT_ID CLIENT_SECRET STATE_PATH OUT_PATH START END

Writes one line per batch (``key<TAB>id,id,...``) and flushes it before asking for the next
batch, which is what acknowledges the batch.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from realto_async import AsyncRealtoClient, SQLiteStateStore


async def main(argv: list[str]) -> None:
    url, client_id, secret, state_path, out_path, start, end = argv
    async with AsyncRealtoClient(base_url=url, client_id=client_id, client_secret=secret) as client:
        with SQLiteStateStore(state_path) as state, open(out_path, "a") as out:  # noqa: ASYNC230
            run = client.bulk.charge_sessions(
                entity_type="EV",
                start=datetime.fromisoformat(start),
                end=datetime.fromisoformat(end),
                state=state,
                page_size=3,
                concurrency=4,
            )
            async for batch in run:
                out.write(f"{batch.key}\t{','.join(record.id for record in batch.records)}\n")
                out.flush()
                await asyncio.sleep(0.01)  # a slow sink, so the kill lands part way


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
