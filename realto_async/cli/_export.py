"""``realto sessions|readings|aggregations export``: a fleet's data to CSV, JSONL or Parquet,
exactly once across interruptions when ``--state`` is given (see ``realto_async.export._parts``)."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import click

from .._client import AsyncRealtoClient
from .._filelock import StateInUseError, StateLock
from ..bulk import BulkReport, BulkRun, SQLiteStateStore
from ..export import AGGREGATIONS, CHARGE_SESSIONS, READINGS, TableSchema
from ..export._frames import require
from ..export._parts import STDOUT, PartStore, build_output, writes_in_place
from ._checks import check_writable, entity_id, finite, rate, read_ids
from ._context import fail, run
from ._durations import resolution as resolution_option
from ._errors import ExitCode
from ._progress import progress_view
from ._times import INSTANT, instant

__all__ = ["aggregations", "export_options", "sessions"]

EXPORT_FORMATS = ("csv", "jsonl", "parquet")


@attrs.frozen
class ExportRequest:
    """What to export, where, and how; built from the command's options."""

    label: str
    schema: TableSchema
    since: datetime
    until: datetime | None
    entity_type: str | None
    entity_ids: tuple[str, ...] | None
    format: str
    output: Path
    state: Path | None
    concurrency: int
    rate: float | None
    progress_interval: float
    resolution: timedelta | None = None


# The column that places a record in the run's window (what the listing's start/end filter on).
_TIME_COLUMN = {CHARGE_SESSIONS.name: "start", READINGS.name: "measured", AGGREGATIONS.name: "start"}


def _entity_ids(entities: tuple[str, ...], entities_file: Path | None) -> tuple[str, ...] | None:
    ids = [entity_id(value, "--entity") for value in entities]
    if entities_file is not None:
        ids.extend(read_ids(entities_file))
        if not ids:
            raise click.BadParameter(f"{entities_file} lists no entity ids", param_hint="--entities-file")
    return tuple(dict.fromkeys(ids)) or None


def _format_of(format: str | None, output: Path) -> str:
    if format is not None:
        return format
    suffix = output.suffix.lstrip(".").lower()
    if suffix in EXPORT_FORMATS:
        return suffix
    raise click.BadParameter(
        f"cannot tell the format from {str(output)!r}: pass --format csv|jsonl|parquet", param_hint="--format"
    )


def export_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every export shares."""
    options = [
        click.option(
            "--since",
            metavar=INSTANT,
            callback=instant,
            required=True,
            help="from: 30d, 12h, 90m back, or a date",
        ),
        click.option(
            "--until", metavar=INSTANT, callback=instant, help="up to (default: now when the run starts)"
        ),
        click.option("--type", "entity_type", metavar="TYPE", help="every entity of this type, e.g. EV"),
        click.option("--entity", "entities", multiple=True, metavar="ID", help="this entity (repeatable)"),
        click.option(
            "--entities-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="entity ids, one a line (# comments)",
        ),
        click.option("--format", "format_", type=click.Choice(EXPORT_FORMATS), help="default: from --output"),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help="file to write; - for stdout (then progress and summary go to stderr only)",
        ),
        click.option(
            "--state",
            type=click.Path(dir_okay=False, path_type=Path),
            help="SQLite state file: a run picks up where the last one ended, every record once",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1, max=1000),
            default=16,
            show_default=True,
            help="requests",
        ),
        click.option("--rate", type=float, callback=rate, help="requests per second at most (at least 0.01)"),
        click.option(
            "--progress-interval",
            type=float,
            callback=finite,
            default=10.0,
            show_default=True,
            help="seconds between progress lines when stderr is not a terminal",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _request(label: str, schema: TableSchema, **values: Any) -> ExportRequest:
    if values["entity_type"] and (values["entities"] or values["entities_file"]):
        raise click.UsageError("give either --type or --entity / --entities-file, not both")
    output: Path = values["output"]
    format = _format_of(values["format_"], output)
    if format == "parquet":
        require("pyarrow.parquet", "arrow")
    return ExportRequest(
        label=label,
        schema=schema,
        since=values["since"],
        until=values["until"],
        entity_type=values["entity_type"],
        entity_ids=_entity_ids(values["entities"], values["entities_file"]),
        format=format,
        output=output,
        state=values["state"],
        concurrency=values["concurrency"],
        rate=values["rate"],
        progress_interval=values["progress_interval"],
        resolution=values.get("resolution"),
    )


def _parts_directory(request: ExportRequest) -> Path:
    """Where the parts of a resumable run live: next to --state, one folder per listing."""
    assert request.state is not None
    listing = (
        request.schema.name if request.resolution is None else f"{request.schema.name}_{request.resolution}"
    )
    return request.state.with_name(f"{request.state.name}.parts") / listing.replace(":", "")


def _scratch_directory(request: ExportRequest) -> Path:
    """A fresh folder for the parts of a run without --state (next to the output file when it is
    one, so that the final rename stays on one file system)."""
    near = None if writes_in_place(request.output) else request.output.parent
    return Path(tempfile.mkdtemp(prefix=".realto-export-", dir=near))


def _preflight(request: ExportRequest) -> None:
    """Fail before any request when the output or the state cannot be written."""
    if writes_in_place(request.output):
        # Not opened here: opening a FIFO would block, and closing it would end its reader.
        if request.output != STDOUT and not os.access(request.output, os.W_OK):
            raise click.BadParameter(
                f"cannot write {request.output}: permission denied", param_hint="--output"
            )
    else:
        check_writable(request.output, "--output")
    if request.state is not None:
        check_writable(request.state, "--state")


async def _sign_in(client: AsyncRealtoClient) -> None:
    """Fetch the access token once, within one call's deadline, before the bulk run: a token
    endpoint that is down or refuses the credentials ends the export at once (exit 6 or 4)
    instead of failing every entity after its retries, each with a deadline of its own."""
    await client._transport.auth.get(client.timeout.total)


async def _selection(client: AsyncRealtoClient, request: ExportRequest) -> frozenset[str] | None:
    """The ids of the entities this run selects (None: every entity)."""
    if request.entity_ids is not None:
        return frozenset(request.entity_ids)
    if request.entity_type is not None:
        entities = await client.entities.list(type=request.entity_type).to_list()
        return frozenset(entity.id for entity in entities)
    return None


def _keep(
    request: ExportRequest, entity_ids: frozenset[str] | None, until: datetime
) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a flattened row belongs to this run: one of its entities, in its window. Parts of
    earlier runs on the same --state (other entities, other windows) stay out of the output."""
    column = _TIME_COLUMN[request.schema.name]

    def keep(row: Mapping[str, Any]) -> bool:
        if entity_ids is not None and row.get("entity_id") not in entity_ids:
            return False
        moment = row.get(column)
        return not isinstance(moment, datetime) or request.since <= moment < until

    return keep


def _start(client: AsyncRealtoClient, request: ExportRequest, state: Any, hook: Any) -> BulkRun[Any]:
    options: dict[str, Any] = {
        "entity_type": request.entity_type,
        "start": request.since,
        "end": request.until,
        "concurrency": request.concurrency,
        "rate": request.rate,
        "state": state,
        "on_progress": hook,
        "gc": "throughput",
    }
    ids = list(request.entity_ids) if request.entity_ids is not None else None
    if request.schema is CHARGE_SESSIONS:
        return client.bulk.charge_sessions(ids, **options)
    if request.schema is READINGS:
        return client.bulk.readings(ids, **options)
    assert request.resolution is not None  # --resolution is required to be positive
    return client.bulk.aggregations(ids, resolution=request.resolution, **options)


async def _fetch(
    client: AsyncRealtoClient, request: ExportRequest, parts: PartStore
) -> tuple[BulkReport, frozenset[str] | None]:
    await _sign_in(client)
    selected = await _selection(client, request)
    view = progress_view(request.label, request.progress_interval)
    state = SQLiteStateStore(request.state) if request.state is not None else None
    try:
        bulk_run = _start(client, request, state, view.update)
        async with bulk_run:
            async for batch in bulk_run:
                name = parts.name(batch.entity_id, batch.window_start, batch.window_end, batch.page)
                parts.write(name, batch.entity_id, [record.to_dict() for record in batch.records])
                await bulk_run.ack()  # only now: the part is on disk
        return bulk_run.report, selected
    finally:
        view.close()
        if state is not None:
            state.close()


def _summary(request: ExportRequest, report: BulkReport, written: int) -> None:
    click.echo(
        f"{request.label}: wrote {written} records to {request.output} ({request.format}; "
        f"{report.records} new this run): {report.entities_done} entities done, "
        f"{report.entities_skipped} skipped, {report.entities_failed} failed; "
        f"{report.requests} requests, {report.retries} retries, "
        f"{report.seconds_throttled:.1f} s throttled, {report.elapsed:.1f} s",
        err=True,
    )
    if report.failed:
        click.echo(
            f"{request.label}: failed entities (run again with the same --state to retry them):", err=True
        )
        for entity_id, error in sorted(report.failed.items()):
            click.echo(f"  {entity_id}: {str(error).splitlines()[0]}", err=True)


def export(request: ExportRequest) -> None:
    """Fetch with ``client.bulk`` into part files, then build the output from them: exactly the
    records of the selected entities in the selected window, each once."""
    _preflight(request)
    if request.state is None:
        directory = _scratch_directory(request)
        try:
            _export(request, PartStore(directory))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    lock = StateLock(request.state.with_name(f"{request.state.name}.lock"))
    try:
        lock.acquire()
    except StateInUseError:
        fail(
            f"another export is using --state {request.state}; wait for it to end or give another --state",
            ExitCode.STATE_IN_USE,
        )
    except OSError as err:
        fail(f"cannot lock --state {request.state}: {err.strerror or err}", ExitCode.USAGE)
    try:
        try:
            parts = PartStore(_parts_directory(request))
        except OSError as err:
            fail(f"cannot use --state {request.state}: {err.strerror or err}", ExitCode.USAGE)
        _export(request, parts)
    finally:
        lock.release()


def _export(request: ExportRequest, parts: PartStore) -> None:
    report, selected = run(functools.partial(_fetch, request=request, parts=parts))
    until = request.until or datetime.now(timezone.utc)  # after the run: every record fetched is older
    try:
        written = build_output(
            parts, request.schema, request.output, request.format, _keep(request, selected, until)
        )
    except OSError as err:
        fail(f"cannot write {request.output}: {err.strerror or err}", ExitCode.ERROR)
    _summary(request, report, written)
    if report.failed:
        sys.exit(ExitCode.PARTIAL)


@click.group()
def sessions() -> None:
    """Charge sessions of EVs."""


@sessions.command("export")
@export_options
def export_sessions(**values: Any) -> None:
    """Export charge sessions of many EVs (GET /v1/entities/{id}/charge-sessions per entity)."""
    export(_request("sessions export", CHARGE_SESSIONS, **values))


@click.command("export")
@export_options
def export_readings(**values: Any) -> None:
    """Export readings of many entities (GET /v1/entities/{id}/readings per entity)."""
    export(_request("readings export", READINGS, **values))


@click.group()
def aggregations() -> None:
    """Readings averaged per interval."""


@aggregations.command("export")
@click.option(
    "--resolution",
    default="PT1H",
    show_default=True,
    callback=resolution_option,
    help="ISO 8601 interval: PT15M, PT1H, P1D",
)
@export_options
def export_aggregations(**values: Any) -> None:
    """Export aggregated readings (GET /v1/entities/{id}/aggregations per entity)."""
    export(_request("aggregations export", AGGREGATIONS, **values))
