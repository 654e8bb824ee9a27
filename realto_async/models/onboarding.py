"""Onboarding requests, their data, onboarding types and guided sessions."""

from __future__ import annotations

from datetime import datetime

from ._base import RealtoModel, model
from .collectives import Collective, Tenant
from .entities import Entity
from .enums import EntityType, OnboardingRequestType, OnboardingStatus

__all__ = [
    "ClientInfo",
    "GuidedOnboardingSession",
    "OnboardingAction",
    "OnboardingBrand",
    "OnboardingData",
    "OnboardingError",
    "OnboardingRequest",
    "OnboardingTransaction",
    "OnboardingType",
    "User",
]

FINAL_ONBOARDING_STATUSES = frozenset({"Succeeded", "Failed", "Canceled"})


@model
class User(RealtoModel):
    """A user created by onboarding (re.alto)."""

    id: str
    email: str | None = None
    given_name: str | None = None
    surname: str | None = None
    language: str | None = None
    collective_id: str | None = None
    tenant_id: str | None = None


@model
class ClientInfo(RealtoModel):
    """An API client created by onboarding (the API's ``Client`` object, re.alto)."""

    id: str
    name: str | None = None
    tenant_id: str | None = None
    is_tenant_admin: bool | None = None


@model
class OnboardingAction(RealtoModel):
    """What the end user must do: usually open ``redirect_link`` and consent."""

    type: str
    redirect_link: str | None = None
    documentation_link: str | None = None


@model
class OnboardingData(RealtoModel):
    """What the request creates (or created)."""

    entity: Entity | None = None
    collective: Collective | None = None
    tenant: Tenant | None = None
    user: User | None = None
    client: ClientInfo | None = None


@model
class OnboardingError(RealtoModel):
    """Why an onboarding request failed: a machine-readable ``code`` and a ``message``."""

    code: str | None = None
    message: str | None = None


@model
class OnboardingTransaction(RealtoModel):
    """One step of the onboarding (``CreateEntity``, ``CreatePermissions``, ``Connect``)."""

    type: str
    status: str


@model
class OnboardingRequest(RealtoModel):
    """A request to onboard an entity or a collective, and where it stands."""

    id: str
    principal_id: str
    request_type: OnboardingRequestType | str
    status: OnboardingStatus | str
    created: datetime | None = None
    return_url: str | None = None
    action: OnboardingAction | None = None
    data: OnboardingData | None = None
    errors: list[OnboardingError] | None = None
    transactions: list[OnboardingTransaction] | None = None

    @property
    def is_final(self) -> bool:
        """Succeeded, Failed or Canceled: the status will not change any more."""
        return str(self.status) in FINAL_ONBOARDING_STATUSES

    @property
    def entity_id(self) -> str | None:
        """The id of the entity it created, once it has."""
        entity = self.data.entity if self.data is not None else None
        return entity.id if entity is not None else None


@model
class OnboardingBrand(RealtoModel):
    """A brand that can be onboarded for a type, and the fields its requests need."""

    name: str
    required_fields: list[str] | None = None


@model
class OnboardingType(RealtoModel):
    """An entity type that can be onboarded, its brands and the fields each needs (inferred)."""

    type: EntityType | str
    brands: list[OnboardingBrand] | None = None


@model
class GuidedOnboardingSession(RealtoModel):
    """A hosted onboarding page (``url``) for an end user to complete."""

    id: str
    created: datetime
    expired: bool
    manufacturer: str
    url: str
    company_name: str | None = None
    vin: str | None = None
    onboarding_request: OnboardingRequest | None = None
