"""What the emulator stores: plain mutable records, in re.alto's names."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

__all__ = [
    "CollectiveRecord",
    "CommandRecord",
    "EntityRecord",
    "GuidedSessionRecord",
    "LocationRecord",
    "OffboardingRecord",
    "OnboardingRecord",
    "Principal",
    "TenantRecord",
]

# How long each step of the state machines takes on the emulator's clock.
COMMAND_SEND_AFTER = timedelta(seconds=2)
COMMAND_DONE_AFTER = timedelta(seconds=5)
ONBOARDING_STEP = timedelta(seconds=1)
OFFBOARDING_AFTER = timedelta(seconds=5)
COOLDOWN = timedelta(minutes=10)


@attrs.define
class Principal:
    id: str
    client_id: str
    client_secret: str
    # None: the level comes from each entity's permissions; otherwise this level on everything.
    blanket_level: str | None = None


@attrs.define
class LocationRecord:
    id: str
    label: str
    latitude: float
    longitude: float
    radius: float | None = None


@attrs.define
class EntityRecord:
    id: str
    type: str  # re.alto name
    manufacturer: str
    model: str
    identifier: str
    identifier_kind: str  # vin, ean, code, uuid
    owner: str
    tenant_id: str
    created: datetime
    collective_id: str | None = None
    email: str | None = None
    properties: Any = None
    system_properties: Any = None
    battery_capacity: float | None = None  # kWh
    nominal_power: float | None = None  # kW
    heated_area: float | None = None  # m2
    features: dict[str, bool] = attrs.Factory(dict)
    locations: list[LocationRecord] = attrs.Factory(list)
    disaggregators: dict[str, bool] = attrs.Factory(dict)
    custom_properties: dict[str, Any] | None = None
    permissions: dict[str, set[str]] = attrs.Factory(dict)  # principal id -> levels
    last_command_at: datetime | None = None
    home: tuple[float, float] = (51.05, 3.72)


@attrs.define
class CollectiveRecord:
    id: str
    name: str
    type: str
    owner: str
    tenant_id: str
    entities: list[str] = attrs.Factory(list)
    properties: Any = None


@attrs.define
class TenantRecord:
    id: str
    name: str
    administrators: list[str] = attrs.Factory(list)


@attrs.define
class OnboardingRecord:
    id: str
    principal_id: str
    request_type: str  # Entity or Collective
    created: datetime
    body: dict[str, Any]  # the create request, in re.alto names
    return_url: str | None = None
    consented_at: datetime | None = None
    canceled: bool = False
    failure: str | None = None  # set when the request will fail once consented
    result_id: str | None = None  # the entity or collective it created
    planned_id: str | None = None  # the new object's id, given when the request is made (as the docs show)
    auto_consent_at: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.canceled:
            return "Canceled"
        if self.consented_at is None:
            return "Pending"
        done_at = self.consented_at + 3 * ONBOARDING_STEP
        if now < done_at:
            return "InProgress"
        return "Failed" if self.failure else "Succeeded"

    def transactions(self, now: datetime) -> list[dict[str, str]]:
        names = ["CreateEntity", "CreatePermissions", "Connect"]
        if self.request_type == "Collective":
            names = ["CreateCollective"]
        steps = []
        for index, name in enumerate(names):
            if self.consented_at is None:
                state = "Canceled" if self.canceled else "Pending"
            elif now >= self.consented_at + (index + 1) * ONBOARDING_STEP:
                failed_here = self.failure is not None and index == len(names) - 1
                state = "Failed" if failed_here else "Succeeded"
            else:
                state = "Canceled" if self.canceled else "InProgress"
            steps.append({"type": name, "status": state})
        return steps


@attrs.define
class CommandRecord:
    id: str
    entity_id: str
    type: str
    value: str | None
    trigger_time: datetime
    created: datetime
    batch_id: str | None = None
    canceled: bool = False
    failure: tuple[str, str] | None = None  # (title, description) when it will fail

    def status(self, now: datetime) -> str:
        if self.canceled:
            return "Canceled"
        if now < self.trigger_time:
            return "Pending"
        if now < self.trigger_time + COMMAND_SEND_AFTER:
            return "Triggered"
        if now < self.trigger_time + COMMAND_DONE_AFTER:
            return "Sent"
        return "Failed" if self.failure else "Succeeded"


@attrs.define
class OffboardingRecord:
    id: str
    principal_id: str
    entity_id: str
    created: datetime
    collective_id: str | None = None
    tenant_id: str | None = None
    canceled: bool = False

    def status(self, now: datetime) -> str:
        if self.canceled:
            return "Canceled"
        return "Succeeded" if now >= self.created + OFFBOARDING_AFTER else "Pending"


@attrs.define
class GuidedSessionRecord:
    id: str
    created: datetime
    manufacturer: str
    onboarding_id: str
    company_name: str | None = None
    vin: str | None = None
    return_url: str | None = None
