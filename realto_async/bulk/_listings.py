"""The time-framed listings a bulk run can poll: how to fetch a page, name and date a record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


@attrs.define(frozen=True)
class Listing(Generic[T]):
    """One listing: ``name`` keys its state; ``endpoint`` and ``model`` say what a page of one
    entity is (``GET /v1/entities/{id}/{endpoint}``, with ``query`` besides the time frame);
    ``key`` names a record (for de-duplication) and ``time`` dates it (the latest of its times,
    for forgetting ids past the lookback); ``types`` are the entity types it applies to (None:
    every type)."""

    name: str
    endpoint: str
    model: type[T]
    key: Callable[[T], str]
    time: Callable[[T], datetime]
    lookback: timedelta
    types: frozenset[str] | None = None
    query: Mapping[str, str] = attrs.field(factory=dict)

    def applies_to(self, entity_type: str | None) -> bool:
        if self.types is None or entity_type is None:
            return True
        return entity_type_for("realto", entity_type) in self.types

    def paginate(
        self,
        client: AsyncRealtoClient,
        entity_id: str,
        frame: Mapping[str, str],
        size: int | None,
        token: str | None,
    ) -> AsyncPaginator[T]:
        """One entity's window from a continuation token (None: from the start): the request the
        resource's ``list`` makes, without checking again per entity what the run checked once
        (``entity_id`` is a canonical UUID, ``frame`` the window's ``time_frame`` query)."""
        return client._paginate(
            f"/v1/entities/{entity_id}/{self.endpoint}",
            self.model,
            params={**frame, **self.query} if self.query else frame,
            page_size=size,
            continuation_token=token,
        )


def _record_id(record: Any) -> str:
    return str(record.id)


# The platform computes charge sessions once a day and publishes a session only after it ends.
charge_sessions: Listing[ChargingRecord] = Listing(
    "charge_sessions",
    "charge-sessions",
    ChargingRecord,
    _record_id,
    lambda record: record.data.end,
    timedelta(hours=48),
    frozenset({"EV"}),
)
readings: Listing[Reading] = Listing(
    "readings", "readings", Reading, _record_id, lambda record: record.measured, timedelta(hours=1)
)
commands: Listing[Command] = Listing(
    "commands", "commands", Command, _record_id, lambda record: record.trigger_time, timedelta(hours=1)
)


def aggregations_listing(resolution: timedelta | str) -> Listing[Aggregation]:
    """Aggregations at ``resolution`` (a timedelta or an ISO 8601 duration; each resolution keeps
    its own state)."""
    duration = iso_duration(resolution)
    interval = check_resolution(resolution)
    return Listing(
        f"aggregations/{duration}",
        "aggregations",
        Aggregation,
        lambda record: record.start.isoformat(),
        lambda record: record.end,
        max(timedelta(hours=1), interval),
        query={"resolution": duration},
    )
