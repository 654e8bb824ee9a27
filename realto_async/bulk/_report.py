"""What a bulk run tells: ``BulkBatch`` (one page of one entity), ``BulkProgress``, ``BulkReport``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Generic, TypeVar

import attrs

from .._errors import RealtoError

__all__ = ["BulkBatch", "BulkProgress", "BulkReport"]

T = TypeVar("T")


@attrs.define(frozen=True, slots=True)
class BulkBatch(Generic[T]):
    """One page of one entity's listing (for ``map``: one entity's result).

    ``(entity_id, window_start, window_end, page)`` identifies the batch and stays the same when
    a run is resumed, so a sink can write it idempotently. ``page`` counts from 0 within the
    window; the window is in UTC (None for ``map``). ``records`` leaves out records an earlier
    run already delivered (the lookback overlap).
    """

    entity_id: str
    records: list[T]
    page: int = 0
    window_start: datetime | None = None
    window_end: datetime | None = None
    listing: str = ""

    @property
    def key(self) -> str:
        """``entity/window_start/window_end/page``: a stable name for this batch."""
        start = "" if self.window_start is None else self.window_start.isoformat()
        end = "" if self.window_end is None else self.window_end.isoformat()
        return f"{self.entity_id}/{start}/{end}/{self.page}"

    def __len__(self) -> int:
        return len(self.records)


@attrs.define(frozen=True, slots=True)
class BulkProgress:
    """A snapshot of a run. ``entities_total`` is None while the entity source is still being
    read; times are seconds; ``estimated_remaining`` is None until it can be estimated."""

    entities_total: int | None
    entities_done: int
    entities_failed: int
    entities_skipped: int
    records: int
    requests: int
    retries: int
    seconds_throttled: float
    elapsed: float
    estimated_remaining: float | None
    concurrency: int
    pauses_capped: int = 0

    @property
    def entities_finished(self) -> int:
        return self.entities_done + self.entities_failed + self.entities_skipped


@attrs.define(frozen=True, slots=True)
class BulkReport:
    """How a run ended. Every entity is in exactly one of done, failed (``failed`` maps its id to
    the typed error) or skipped (the listing does not apply to its type); entities a cancelled
    run had not finished are in ``entities_unfinished``.

    ``records`` counts records delivered; ``requests`` HTTP attempts; ``retries`` the client's
    retries plus the run's per-entity retries; ``seconds_throttled`` the time the whole run
    was paused by 429s; ``elapsed`` wall-clock seconds; ``pauses_capped`` how many 429s asked
    for a longer wait (``Retry-After``) than the client's per-call deadline: the run paused for
    the deadline only and counted the refusal as one of the entity's ``entity_retries``.
    """

    entities_done: int
    entities_failed: int
    entities_skipped: int
    failed: Mapping[str, RealtoError]
    skipped: tuple[str, ...]
    records: int
    requests: int
    retries: int
    seconds_throttled: float
    elapsed: float
    entities_unfinished: int = 0
    cancelled: bool = False
    pauses_capped: int = 0

    @property
    def ok(self) -> bool:
        """True when every entity is done or skipped and the run was not cancelled."""
        return not self.failed and not self.cancelled and not self.entities_unfinished
