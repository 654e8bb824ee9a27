"""Entities: EVs, charge points, inverters, batteries, heat pumps, meters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._base import RealtoModel, model
from .enums import EntityType

__all__ = ["Entity", "EntityInformation", "EntityReference"]


@model
class EntityInformation(RealtoModel):
    """What identifies the device. Each dialect fills its own names.

    re.alto: ``manufacturer``, ``model``, ``vin``, ``ean``, ``code``, ``email``, ``reference``,
    ``uuid``; Traxes: ``brand``, ``identifier``, ``pairing_code``, ``associated_email``, ``name``.
    """

    type: EntityType | str | None = None
    manufacturer: str | None = None
    model: str | None = None
    vin: str | None = None
    ean: str | None = None
    code: str | None = None
    email: str | None = None
    reference: str | None = None
    uuid: str | None = None
    track: str | None = None
    brand: str | None = None
    identifier: str | None = None
    pairing_code: str | None = None
    associated_email: str | None = None
    name: str | None = None

    @property
    def maker(self) -> str | None:
        """The manufacturer, whichever dialect named it (``manufacturer`` or ``brand``)."""
        return self.manufacturer if self.manufacturer is not None else self.brand


@model
class EntityReference(RealtoModel):
    """The manufacturer's reference for the device."""

    type: str | None = None
    manufacturer: str | None = None
    reference: str | None = None
    brand: str | None = None
    identifier: str | None = None


@model
class Entity(RealtoModel):
    """A connected device. IDs are UUID strings."""

    id: str
    type: EntityType | str
    collective_id: str | None = None
    owner: str | None = None
    tenant_id: str | None = None
    information: EntityInformation | None = None
    reference: EntityReference | None = None
    properties: Any = None
    system_properties: Any = None
    name: str | None = None
    brand: str | None = None
    identifier: str | None = None
    parent_id: str | None = None
    is_online: bool | None = None
    created: datetime | None = None
    last_seen: datetime | None = None
