"""The store's entities by id: a fleet entity's record is made the first time it is read."""

from __future__ import annotations

import threading
from collections.abc import Iterator, MutableMapping, ValuesView
from typing import cast

from ._fleet import FleetPlan, collector_paused
from ._records import EntityRecord

__all__ = ["FleetEntities"]


class FleetEntities(MutableMapping[str, EntityRecord]):
    """Entities by id, in fleet order then in the order added, like a dict. Until first read,
    a fleet entity is only its position in the :class:`FleetPlan`."""

    def __init__(self, plan: FleetPlan) -> None:
        self._plan = plan
        self._slots: dict[str, EntityRecord | int] = {
            entity_id: position for position, entity_id in enumerate(plan.ids)
        }
        self._unmade = len(plan.ids)
        self._making = threading.Lock()

    def __getitem__(self, entity_id: str) -> EntityRecord:
        found = self._slots[entity_id]
        if isinstance(found, int):
            with self._making:  # the server's thread and a test's may read it at once
                found = self._slots[entity_id]
                if isinstance(found, int):
                    found = self._slots[entity_id] = self._plan.entity(found)
                    self._unmade -= 1
        return found

    def __setitem__(self, entity_id: str, entity: EntityRecord) -> None:
        if isinstance(self._slots.get(entity_id), int):
            self._unmade -= 1
        self._slots[entity_id] = entity

    def __delitem__(self, entity_id: str) -> None:
        if isinstance(self._slots.pop(entity_id), int):
            self._unmade -= 1

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._slots

    def values(self) -> ValuesView[EntityRecord]:
        """Every entity, each made now if not yet (a fleet scan: once, then as a dict's)."""
        if self._unmade:
            with self._making, collector_paused():
                for entity_id, found in self._slots.items():
                    if isinstance(found, int):
                        self._slots[entity_id] = self._plan.entity(found)
                self._unmade = 0
        return cast("ValuesView[EntityRecord]", self._slots.values())

    def __repr__(self) -> str:
        return f"FleetEntities({len(self._slots)} entities, {self._unmade} not made yet)"
