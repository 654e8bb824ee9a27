"""The emulator's in-memory state and the rules that change it."""

from __future__ import annotations

import random
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from ._clock import EmulatorClock
from ._entities import FleetEntities
from ._errors import forbidden, not_found
from ._fleet import Fleet, FleetPlan
from ._ids import IdSource
from ._records import (
    COOLDOWN,
    CollectiveRecord,
    CommandRecord,
    EntityRecord,
    GuidedSessionRecord,
    OffboardingRecord,
    OnboardingRecord,
    Principal,
    TenantRecord,
)

__all__ = ["LEVELS", "Store"]

LEVELS = ["Viewer", "Contributor", "Administer", "Owner"]
# The fake manufacturer refuses VINs ending in six zeros: the way to get a Failed onboarding.
REJECTED_VIN_SUFFIX = "000000"
VISIBLE_CACHE_SIZE = 64  # listings kept (per principal and type)


class Store:
    """Entities, collectives, requests and tokens, advanced lazily on the clock."""

    def __init__(
        self,
        *,
        seed: int | str,
        fleet: Fleet,
        clock: EmulatorClock,
        token_lifetime: int,
        consent_after: float | None,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.consent_after = None if consent_after is None else timedelta(seconds=consent_after)
        self.ids = IdSource(seed, "runtime")
        self._token_rng = random.Random(f"{seed}:tokens")
        principal_ids = IdSource(seed, "principals")
        self.default_principal = Principal(
            id=principal_ids.new(),
            client_id=f"emulator-client-{seed}",
            client_secret=f"emulator-secret-{seed}",
        )
        self._principal_ids = principal_ids
        self.principals: dict[str, Principal] = {self.default_principal.id: self.default_principal}
        self.tokens: dict[str, tuple[str, datetime]] = {}
        plan = FleetPlan(fleet, seed, self.default_principal.id, clock.now())
        self.entities: MutableMapping[str, EntityRecord] = FleetEntities(plan)
        self.collectives: dict[str, CollectiveRecord] = {c.id: c for c in plan.collectives}
        self.tenants: dict[str, TenantRecord] = {plan.tenant.id: plan.tenant}
        self.tenant = plan.tenant
        self.onboardings: dict[str, OnboardingRecord] = {}
        self.commands: dict[str, CommandRecord] = {}
        self.offboardings: dict[str, OffboardingRecord] = {}
        self.guided: dict[str, GuidedSessionRecord] = {}
        self.removed_entities: set[str] = set()
        self.version = 0
        self._visible: dict[tuple[str, str | None, int, int], list[EntityRecord]] = {}
        self._entity_by_vin: dict[str, str] | None = None

    @property
    def entity_by_vin(self) -> dict[str, str]:
        """Entity ids by VIN, indexed on first use (it makes every entity of the fleet)."""
        if self._entity_by_vin is None:
            self._entity_by_vin = {
                e.identifier: e.id for e in self.entities.values() if e.identifier_kind == "vin"
            }
        return self._entity_by_vin

    # ------------------------------------------------------------------ principals

    def add_principal(self, level: str | None) -> Principal:
        number = len(self.principals) + 1
        principal = Principal(
            id=self._principal_ids.new(),
            client_id=f"emulator-client-{self.seed}-{number}",
            client_secret=f"emulator-secret-{self.seed}-{number}",
            blanket_level=level,
        )
        self.principals[principal.id] = principal
        return principal

    def principal_by_credentials(self, client_id: str, secret: str) -> Principal | None:
        for principal in self.principals.values():
            if principal.client_id == client_id and principal.client_secret == secret:
                return principal
        return None

    def issue_token(self, principal: Principal) -> str:
        token = "emu." + "".join(self._token_rng.choice("0123456789abcdef") for _ in range(40))
        self.tokens[token] = (principal.id, self.clock.now() + timedelta(seconds=self.token_lifetime))
        return token

    def principal_for_token(self, token: str) -> Principal | None:
        found = self.tokens.get(token)
        if found is None or self.clock.now() >= found[1]:
            return None
        return self.principals.get(found[0])

    def expire_tokens(self) -> None:
        self.tokens.clear()

    # ------------------------------------------------------------------ permissions

    def level(self, principal: Principal, entity: EntityRecord) -> int:
        """-1 for none, else the index of the principal's highest level on the entity."""
        if principal.blanket_level is not None:
            return LEVELS.index(principal.blanket_level)
        levels = entity.permissions.get(principal.id, set())
        return max((LEVELS.index(level) for level in levels if level in LEVELS), default=-1)

    def entity_for(self, principal: Principal, entity_id: str, needs: str = "Viewer") -> EntityRecord:
        """The entity if it exists and the principal may see it; 404 or 403 otherwise."""
        entity = self.entities.get(entity_id)
        if entity is None or self.level(principal, entity) < 0:
            raise not_found("Entity", entity_id)
        if self.level(principal, entity) < LEVELS.index(needs):
            raise forbidden(f"This needs the {needs} permission level on entity {entity_id}.")
        return entity

    def visible_entities(self, principal: Principal, realto_type: str | None = None) -> list[EntityRecord]:
        """The entities the principal may see (of one type), in fleet order. Kept between calls
        until the state changes, so paging through a large fleet costs a page, not a fleet scan."""
        key = (principal.id, realto_type, self.version, len(self.entities))
        found = self._visible.get(key)
        if found is None:
            found = [
                e
                for e in self.entities.values()
                if (realto_type is None or e.type == realto_type) and self.level(principal, e) >= 0
            ]
            if len(self._visible) >= VISIBLE_CACHE_SIZE:
                self._visible.clear()
            self._visible[key] = found
        return found

    def changed(self) -> None:
        """Something may have changed who sees what: listings are computed afresh."""
        self.version += 1
        self._visible.clear()

    # ------------------------------------------------------------------ lifecycles

    def advance(self) -> None:
        """Apply what the clock has made happen since the last request."""
        now = self.clock.now()
        for request in self.onboardings.values():
            if (
                request.consented_at is None
                and not request.canceled
                and request.auto_consent_at is not None
                and now >= request.auto_consent_at
            ):
                request.consented_at = request.auto_consent_at
            if request.result_id is None and request.status(now) == "Succeeded":
                self._complete_onboarding(request)
                self.changed()
        for offboarding in self.offboardings.values():
            if offboarding.status(now) == "Succeeded" and offboarding.entity_id in self.entities:
                self._remove_entity(offboarding.entity_id)
                self.changed()

    def consent(self, request_id: str) -> OnboardingRecord:
        """The end user consents (what opening ``action.redirectLink`` does)."""
        request = self.onboardings.get(request_id)
        if request is None:
            raise not_found("OnboardingRequest", request_id)
        if request.consented_at is None and not request.canceled:
            request.consented_at = self.clock.now()
        return request

    def vin_conflict(self, vin: str) -> str | None:
        """Why ``vin`` cannot be onboarded now (None: it can): an EV with it exists, or a request
        for it is pending or in progress. Failed and canceled requests do not count."""
        entity_id = self.entity_by_vin.get(vin)
        if entity_id is not None:
            return f"VIN {vin} is already onboarded as entity {entity_id}; offboard it first."
        now = self.clock.now()
        for request in self.onboardings.values():
            if request.body.get("vin") == vin and request.status(now) in ("Pending", "InProgress"):
                return (
                    f"VIN {vin} has onboarding request {request.id} {request.status(now)}; "
                    "wait for it or cancel it first."
                )
        return None

    def new_onboarding(
        self, principal: Principal, request_type: str, body: dict[str, Any]
    ) -> OnboardingRecord:
        now = self.clock.now()
        request = OnboardingRecord(
            id=self.ids.new(),
            principal_id=principal.id,
            request_type=request_type,
            created=now,
            body=body,
            return_url=body.get("returnUrl"),
            planned_id=self.ids.new(),
        )
        if request_type == "Collective":
            request.consented_at = now
        elif self.consent_after is not None:
            request.auto_consent_at = now + self.consent_after
        vin = body.get("vin")
        if isinstance(vin, str) and vin.endswith(REJECTED_VIN_SUFFIX):
            request.failure = f"The manufacturer did not recognise VIN {vin}."
        self.onboardings[request.id] = request
        return request

    def _complete_onboarding(self, request: OnboardingRecord) -> None:
        body = request.body
        if request.request_type == "Collective":
            collective = CollectiveRecord(
                id=request.planned_id or self.ids.new(),
                name=str(body.get("name")),
                type=str(body.get("type") or "Household"),
                owner=str(body.get("owner") or request.principal_id),
                tenant_id=str(body.get("tenantId") or self.tenant.id),
                properties=body.get("properties"),
            )
            self.collectives[collective.id] = collective
            request.result_id = collective.id
            return
        kind = next((k for k in ("vin", "ean", "code", "uuid", "reference") if body.get(k)), "uuid")
        entity = EntityRecord(
            id=request.planned_id or self.ids.new(),
            type=str(body["type"]),
            manufacturer=str(body.get("manufacturer")),
            model=str(body.get("model") or ""),
            identifier=str(body.get(kind) or self.ids.new()[:12]),
            identifier_kind="uuid" if kind == "reference" else kind,
            owner=str(body.get("owner") or request.principal_id),
            tenant_id=str(body.get("tenantId") or self.tenant.id),
            created=self.clock.now(),
            collective_id=body.get("collectiveId"),
            email=body.get("email"),
            properties=body.get("properties"),
            system_properties={"source": "onboarding", "onboardingRequestId": request.id},
            battery_capacity=60.0 if body["type"] == "EV" else None,
        )
        if entity.type == "EV":
            entity.features = {"CaptureChargeSessions": True, "SmartCharging": False}
        entity.permissions[request.principal_id] = {"Owner"}
        self.entities[entity.id] = entity
        if entity.identifier_kind == "vin":
            self.entity_by_vin[entity.identifier] = entity.id
        if entity.collective_id in self.collectives:
            self.collectives[entity.collective_id].entities.append(entity.id)
        request.result_id = entity.id

    def _remove_entity(self, entity_id: str) -> None:
        entity = self.entities.pop(entity_id)
        self.removed_entities.add(entity_id)
        if self.entity_by_vin.get(entity.identifier) == entity_id:
            del self.entity_by_vin[entity.identifier]
        if entity.collective_id in self.collectives:
            members = self.collectives[entity.collective_id].entities
            if entity_id in members:
                members.remove(entity_id)

    # ------------------------------------------------------------------ commands

    def cooldown_left(self, entity: EntityRecord) -> timedelta | None:
        if entity.last_command_at is None:
            return None
        left = entity.last_command_at + COOLDOWN - self.clock.now()
        return left if left > timedelta(0) else None

    def new_command(
        self,
        entity: EntityRecord,
        command_type: str,
        value: str | None,
        trigger_time: datetime,
        batch_id: str | None,
    ) -> CommandRecord:
        now = self.clock.now()
        command = CommandRecord(
            id=self.ids.new(),
            entity_id=entity.id,
            type=command_type,
            value=value,
            trigger_time=max(trigger_time, now),
            created=now,
            batch_id=batch_id,
            failure=_command_failure(entity, command_type, value),
        )
        entity.last_command_at = now
        self.commands[command.id] = command
        return command


def _command_failure(entity: EntityRecord, command_type: str, value: str | None) -> tuple[str, str] | None:
    """Why the device will refuse a command it accepts in principle (None: it will not)."""
    if command_type == "LimitFeedIn" and value is not None and entity.nominal_power is not None:
        limit_w, nominal_w = int(value), entity.nominal_power * 1000
        if limit_w > nominal_w:
            return (
                "LimitAboveNominalPower",
                f"The feed-in limit {limit_w} W is above the device's nominal power {nominal_w:.0f} W.",
            )
    return None
