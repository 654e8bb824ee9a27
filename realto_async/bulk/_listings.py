"""The time-framed listings a bulk run can poll: how to fetch a page, name and date a record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .._dialects import entity_type_for
from .._pagination import AsyncPaginator
from .._validate import check_resolution
from ..models.charge_sessions import ChargingRecord
from ..models.commands import Command
from ..models.readings import Aggregation, Reading
from ..resources.readings import iso_duration

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Listing", "aggregations_listing", "charge_sessions", "commands", "readings"]

T = TypeVar("T")
Paginate = Callable[
    ["AsyncRealtoClient", str, datetime, datetime, "int | None", "str | None"], AsyncPaginator[T]
]


@attrs.define(frozen=True)
class Listing(Generic[T]):
    """One listing: ``name`` keys its state; ``paginate`` lists one entity's window from a
    continuation token (None: from the start); ``key`` names a record (for de-duplication) and
    ``time`` dates it (the latest of its times, for forgetting ids past the lookback);
    ``types`` are the entity types it applies to (None: every type)."""

    name: str
    paginate: Paginate[T]
    key: Callable[[T], str]
    time: Callable[[T], datetime]
    lookback: timedelta
    types: frozenset[str] | None = None

    def applies_to(self, entity_type: str | None) -> bool:
        if self.types is None or entity_type is None:
            return True
        return entity_type_for("realto", entity_type) in self.types


def _charge_sessions(
    client: AsyncRealtoClient,
    entity_id: str,
    start: datetime,
    end: datetime,
    size: int | None,
    token: str | None,
) -> AsyncPaginator[ChargingRecord]:
    return client.charge_sessions.list(entity_id, start, end, page_size=size, continuation_token=token)


def _readings(
    client: AsyncRealtoClient,
    entity_id: str,
    start: datetime,
    end: datetime,
    size: int | None,
    token: str | None,
) -> AsyncPaginator[Reading]:
    return client.readings.list(entity_id, start, end, page_size=size, continuation_token=token)


def _commands(
    client: AsyncRealtoClient,
    entity_id: str,
    start: datetime,
    end: datetime,
    size: int | None,
    token: str | None,
) -> AsyncPaginator[Command]:
    return client.commands.list(entity_id, start, end, page_size=size, continuation_token=token)


def _record_id(record: Any) -> str:
    return str(record.id)


# The platform computes charge sessions once a day and publishes a session only after it ends.
charge_sessions: Listing[ChargingRecord] = Listing(
    "charge_sessions",
    _charge_sessions,
    _record_id,
    lambda record: record.data.end,
    timedelta(hours=48),
    frozenset({"EV"}),
)
readings: Listing[Reading] = Listing(
    "readings", _readings, _record_id, lambda record: record.measured, timedelta(hours=1)
)
commands: Listing[Command] = Listing(
    "commands", _commands, _record_id, lambda record: record.trigger_time, timedelta(hours=1)
)


def aggregations_listing(resolution: timedelta | str) -> Listing[Aggregation]:
    """Aggregations at ``resolution`` (a timedelta or an ISO 8601 duration; each resolution keeps
    its own state)."""
    duration = iso_duration(resolution)
    interval = check_resolution(resolution)

    def paginate(
        client: AsyncRealtoClient,
        entity_id: str,
        start: datetime,
        end: datetime,
        size: int | None,
        token: str | None,
    ) -> AsyncPaginator[Aggregation]:
        return client.readings.aggregations(
            entity_id, start, end, resolution=interval, page_size=size, continuation_token=token
        )

    return Listing(
        f"aggregations/{duration}",
        paginate,
        lambda record: record.start.isoformat(),
        lambda record: record.end,
        max(timedelta(hours=1), interval),
    )
