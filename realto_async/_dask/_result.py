"""What shards give back, and the result of a whole run on Dask."""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._errors import RealtoError
from ..bulk import BulkReport
from ..export._frames import require

__all__ = ["DaskBulkResult", "PortableError", "ShardResult", "combine", "portable_report"]


@attrs.frozen
class ShardResult:
    """One shard's outcome. ``finished_before``: a re-run (or a retried attempt) found it done
    and made no request, its report counting what its file holds;
    ``table``: its records as a pyarrow Table when the run has no ``output``."""

    index: int
    shard_report: BulkReport
    file: str | None
    finished_before: bool = False
    table: Any = None
    failures: dict[str, PortableError] = attrs.field(factory=dict, repr=False)

    @property
    def report(self) -> BulkReport:
        """The shard's report, its failures rebuilt as the SDK's typed errors."""
        failed = {entity: failure.rebuild() for entity, failure in self.failures.items()}
        return attrs.evolve(self.shard_report, failed=failed)


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


@attrs.frozen
class PortableError:
    """A RealtoError as plain data: the SDK's errors take keyword arguments, so they do not
    survive pickle on their own. Rebuilt on the client as the same class, message and fields."""

    type: type[RealtoError]
    args: tuple[Any, ...]
    fields: dict[str, Any]

    @classmethod
    def of(cls, error: RealtoError) -> PortableError:
        fields: dict[str, Any] = {}
        for name, value in vars(error).items():
            value = dict(value) if isinstance(value, Mapping) else value
            if _picklable(value):
                fields[name] = value
        return cls(type(error), tuple(arg for arg in error.args if _picklable(arg)), fields)

    def rebuild(self) -> RealtoError:
        error = self.type.__new__(self.type)
        error.args = self.args
        error.__dict__.update(self.fields)
        return error


def portable_report(report: BulkReport) -> tuple[BulkReport, dict[str, PortableError]]:
    """``report`` without its failures, and the failures as :class:`PortableError` s, to send
    from a worker to the client."""
    failures = {entity: PortableError.of(error) for entity, error in report.failed.items()}
    return attrs.evolve(report, failed={}), failures


def combine(reports: Sequence[BulkReport], elapsed: float) -> BulkReport:
    """One report of many shards: counts added up, failures merged, ``elapsed`` the wall-clock
    seconds of the whole run."""
    failed: dict[str, RealtoError] = {}
    for report in reports:
        failed.update(report.failed)
    return BulkReport(
        entities_done=sum(report.entities_done for report in reports),
        entities_failed=sum(report.entities_failed for report in reports),
        entities_skipped=sum(report.entities_skipped for report in reports),
        failed=failed,
        skipped=tuple(entity for report in reports for entity in report.skipped),
        records=sum(report.records for report in reports),
        requests=sum(report.requests for report in reports),
        retries=sum(report.retries for report in reports),
        seconds_throttled=sum(report.seconds_throttled for report in reports),
        elapsed=elapsed,
        entities_unfinished=sum(report.entities_unfinished for report in reports),
        cancelled=any(report.cancelled for report in reports),
        pauses_capped=sum(report.pauses_capped for report in reports),
    )


@attrs.frozen
class DaskBulkResult:
    """How a run on Dask ended.

    ``report``: the combined :class:`BulkReport` of this run, its ``records`` the records in the
    output the shards wrote, each once (with those an attempt killed part way through had
    written; a shard finished before, by an earlier run or by an attempt whose worker died
    before it could answer, counts what its file holds, with 0 requests); ``files``: the
    Parquet file of every shard under ``output``, each record in exactly one of them, once
    (empty without ``output``); ``shards``: each shard's :class:`ShardResult`.
    """

    report: BulkReport
    files: tuple[Path, ...]
    shards: tuple[ShardResult, ...]

    @property
    def shards_finished_before(self) -> int:
        """How many shards a previous run had already finished (this run did nothing for them)."""
        return sum(shard.finished_before for shard in self.shards)

    def to_dask_dataframe(self) -> Any:
        """Every record as a ``dask.dataframe.DataFrame`` in the export schema, one partition per
        shard: read lazily from ``files`` with an ``output``, else built from the tables the shards
        sent back. Raises MissingDependencyError without ``realto[dask]``."""
        dd = require("dask.dataframe", "dask")
        if self.files:
            return dd.read_parquet([str(path) for path in self.files])
        pd = require("pandas", "dask")
        tables = [shard.table for shard in self.shards if shard.table is not None]
        if not tables:
            raise RealtoError("this run wrote no records: there is no DataFrame to build")
        frames = [table.to_pandas() for table in tables]
        return dd.from_pandas(pd.concat(frames, ignore_index=True), npartitions=len(frames))
