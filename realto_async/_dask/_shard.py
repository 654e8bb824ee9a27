"""One shard as one Dask task: its own client driving ``client.bulk`` over its entities, each
batch written to a part file before it is acknowledged to the shard's SQLite state."""

from __future__ import annotations

import asyncio
import json
import tempfile
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

import attrs

from ..bulk import BulkReport, BulkRun, SQLiteStateStore
from ..export import AGGREGATIONS, CHARGE_SESSIONS, READINGS, TableSchema
from ..export._columns import STRING
from ..export._parts import PartStore, build_output
from ._result import ShardResult, portable_report
from ._shards import ShardPaths, ShardSpec, write_json

__all__ = ["COMMANDS", "run_shard"]

# Commands have no documented table schema: their wire JSON goes to ``extras`` whole, so every
# shard's Parquet file has the same columns.
COMMANDS = TableSchema("commands", {}, (("entity_id", STRING),))
_SCHEMAS = {
    "charge_sessions": CHARGE_SESSIONS,
    "readings": READINGS,
    "aggregations": AGGREGATIONS,
    "commands": COMMANDS,
}


def run_shard(spec: ShardSpec, semaphore: Any = None) -> ShardResult:
    """The Dask task: run shard ``spec`` to the end, holding a lease of ``semaphore`` (a
    ``distributed.Semaphore``, None: no cluster-wide limit) for the whole shard."""
    with semaphore if semaphore is not None else nullcontext():
        return asyncio.run(_run(spec))


def _finished_before(spec: ShardSpec, paths: ShardPaths) -> bool:
    """Whether an earlier run with the same key wrote this shard's output to the end."""
    if spec.state_dir is None or paths.output is None or not paths.done.exists():
        return False
    marker = json.loads(paths.done.read_text(encoding="utf-8"))
    return bool(marker.get("run") == spec.run_key and paths.output.exists())


def _finished_report(paths: ShardPaths) -> BulkReport:
    """What a finished shard's output holds, as its done marker recorded it: no request made."""
    marker = json.loads(paths.done.read_text(encoding="utf-8"))
    skipped = tuple(str(entity) for entity in marker.get("skipped", ()))
    return BulkReport(
        entities_done=int(marker.get("entities_done", 0)), entities_failed=0,
        entities_skipped=len(skipped), failed={}, skipped=skipped,
        records=int(marker.get("records", 0)), requests=0, retries=0, seconds_throttled=0.0,
        elapsed=0.0,
    )  # fmt: skip


async def _run(spec: ShardSpec) -> ShardResult:
    with ExitStack() as stack:
        if spec.state_dir is None:  # nothing to resume from: one attempt's own scratch space
            state_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="realto-shard-")))
        else:
            state_dir = Path(spec.state_dir)
        output = None if spec.output is None else Path(spec.output)
        paths = ShardPaths.of(state_dir, output, spec.label, spec.index)
        if _finished_before(spec, paths):
            return ShardResult(spec.index, _finished_report(paths), str(paths.output), True)
        state = stack.enter_context(SQLiteStateStore(paths.state))
        parts = PartStore(paths.parts)
        report = await _fetch(spec, state, parts)
        schema = _SCHEMAS[spec.listing]
        if paths.output is None:
            table_path = state_dir / f".shard-{spec.index:05d}.parquet"
            written = build_output(parts, schema, table_path, "parquet")
            table = _read(table_path)
            table_path.unlink()
            shard_report, failures = portable_report(_counting(report, written))
            return ShardResult(spec.index, shard_report, None, table=table, failures=failures)
        paths.output.parent.mkdir(parents=True, exist_ok=True)
        written = build_output(parts, schema, paths.output, "parquet")
        if report.ok:
            done = {"entities_done": report.entities_done, "skipped": list(report.skipped)}
            write_json(paths.done, {"run": spec.run_key, "records": written, **done})
        shard_report, failures = portable_report(_counting(report, written))
        return ShardResult(spec.index, shard_report, str(paths.output), failures=failures)
    raise AssertionError("unreachable")  # pragma: no cover


def _counting(report: BulkReport, written: int) -> BulkReport:
    """``report`` with ``records`` the records the shard's output holds, each once: what an
    earlier attempt killed part way through delivered counts too (its parts are in the output),
    which this attempt's own count leaves out."""
    return attrs.evolve(report, records=written)


def _read(path: Path) -> Any:
    import pyarrow.parquet as parquet

    return parquet.read_table(str(path))


def _start(client: Any, spec: ShardSpec, state: SQLiteStateStore) -> BulkRun[Any]:
    options: dict[str, Any] = {
        "start": spec.start,
        "end": spec.end,
        "concurrency": spec.concurrency,
        "rate": spec.rate,
        "state": state,
        "page_size": spec.page_size,
        "gc": "throughput",
    }
    entities = list(spec.entities)
    if spec.listing == "aggregations":
        return client.bulk.aggregations(entities, resolution=spec.resolution, **options)  # type: ignore[no-any-return]
    return getattr(client.bulk, spec.listing)(entities, **options)  # type: ignore[no-any-return]


async def _fetch(spec: ShardSpec, state: SQLiteStateStore, parts: PartStore) -> BulkReport:
    async with spec.options.client() as client:
        run = _start(client, spec, state)
        async with run:
            async for batch in run:
                name = parts.name(batch.entity_id, batch.window_start, batch.window_end, batch.page)
                parts.write(name, batch.entity_id, [record.to_dict() for record in batch.records])
                await run.ack()  # only now: the part is on disk
        return run.report
