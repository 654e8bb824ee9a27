"""Collectives, tenants and permissions."""

from __future__ import annotations

from typing import Any

from ._base import RealtoModel, model
from .enums import CollectiveType, PermissionLevel

__all__ = ["Collective", "Permission", "Tenant"]


@model
class Collective(RealtoModel):
    """A group of entities: a household, a fleet, a solar farm..."""

    id: str
    type: CollectiveType | str
    name: str | None = None
    owner: str | None = None
    properties: Any = None
    entities: list[str] | None = None
    tenant_id: str | None = None


@model
class Tenant(RealtoModel):
    """An organisation. Inside onboarding data (re.alto) it also has ``type`` and ``administrator``."""

    id: str
    name: str | None = None
    administrators: list[str] | None = None
    entities: list[str] | None = None
    type: str | None = None
    administrator: str | None = None


@model
class Permission(RealtoModel):
    """The levels one principal holds on one entity."""

    id: str
    entity_id: str
    principal_id: str
    permission_levels: list[PermissionLevel | str]
