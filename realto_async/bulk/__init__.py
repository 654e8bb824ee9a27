"""realto_async.bulk: bulk polling over many entities (``client.bulk``).

::

    async with AsyncRealtoClient() as client:
        async for batch in client.bulk.charge_sessions(entity_type="EV", start=timedelta(days=30)):
            print(batch.entity_id, len(batch.records))

Concurrent, rate-limited (token bucket, one shared pause per 429, AIMD concurrency),
fault-tolerant (per-entity retries from the continuation token; failures isolated in the
report), incremental and resumable (``state=SQLiteStateStore(path)``), with backpressure.
"""

from ._engine import ProgressHook
from ._gc import GcMode
from ._namespace import Bulk
from ._report import BulkBatch, BulkProgress, BulkReport
from ._run import BulkRun
from ._source import EntitySource
from ._state import EntityState, MemoryStateStore, SQLiteStateStore, StateStore, StateUpdate

__all__ = [
    "Bulk",
    "BulkBatch",
    "BulkProgress",
    "BulkReport",
    "BulkRun",
    "EntitySource",
    "EntityState",
    "GcMode",
    "MemoryStateStore",
    "ProgressHook",
    "SQLiteStateStore",
    "StateStore",
    "StateUpdate",
]
