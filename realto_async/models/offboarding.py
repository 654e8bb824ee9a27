"""Offboarding: removing an entity from the platform."""

from __future__ import annotations

from ._base import RealtoModel, model
from .enums import OffboardingStatus

__all__ = ["OffboardingData", "OffboardingRequest"]

FINAL_OFFBOARDING_STATUSES = frozenset({"Succeeded", "Failed", "Canceled"})


@model
class OffboardingData(RealtoModel):
    """What is offboarded: re.alto names ``entity_id`` etc.; Traxes ``id`` and ``components``."""

    entity_id: str | None = None
    collective_id: str | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    id: str | None = None
    components: list[str] | None = None

    @property
    def target_id(self) -> str | None:
        """The offboarded entity's id, whichever dialect named it."""
        return self.entity_id if self.entity_id is not None else self.id


@model
class OffboardingRequest(RealtoModel):
    """A request to remove an entity; when it succeeds the entity is gone."""

    id: str
    principal_id: str
    status: OffboardingStatus | str
    request_type: str | None = None
    data: OffboardingData | None = None

    @property
    def is_final(self) -> bool:
        return str(self.status) in FINAL_OFFBOARDING_STATUSES
