"""Records as JSON, in the re.alto or the Traxes dialect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._facts import FIELD_TO_TRAXES, TYPE_TO_TRAXES
from ._ids import iso
from ._records import (
    CollectiveRecord,
    CommandRecord,
    EntityRecord,
    GuidedSessionRecord,
    LocationRecord,
    OffboardingRecord,
    OnboardingRecord,
    TenantRecord,
)

__all__ = ["Renderer"]


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class Renderer:
    """Turns records into the JSON one dialect speaks."""

    def __init__(self, flavor: str) -> None:
        self.traxes = flavor == "traxes"

    def entity_type(self, realto_name: str) -> str:
        return TYPE_TO_TRAXES.get(realto_name, realto_name) if self.traxes else realto_name

    def entity(self, e: EntityRecord, last_seen: datetime) -> dict[str, Any]:
        entity_type = self.entity_type(e.type)
        if self.traxes:
            information = without_none(
                {
                    "type": entity_type,
                    "brand": e.manufacturer,
                    "identifier": e.identifier if e.identifier_kind != "code" else None,
                    "pairingCode": e.identifier if e.identifier_kind == "code" else None,
                    "associatedEmail": e.email,
                    "name": e.model,
                }
            )
            return without_none(
                {
                    "id": e.id,
                    "type": entity_type,
                    "collectiveId": e.collective_id,
                    "owner": e.owner,
                    "information": information,
                    "reference": {"type": "brand", "brand": e.manufacturer, "identifier": e.identifier},
                    "properties": e.properties,
                    "systemProperties": e.system_properties,
                    "name": (e.properties or {}).get("label") if isinstance(e.properties, dict) else None,
                    "brand": e.manufacturer,
                    "identifier": e.identifier,
                    "isOnline": True,
                    "created": iso(e.created),
                    "lastSeen": iso(last_seen),
                }
            )
        information = without_none(
            {
                "type": entity_type,
                "manufacturer": e.manufacturer,
                "model": e.model,
                e.identifier_kind: e.identifier,
                "email": e.email,
            }
        )
        return without_none(
            {
                "id": e.id,
                "type": entity_type,
                "collectiveId": e.collective_id,
                "owner": e.owner,
                "tenantId": e.tenant_id,
                "information": information,
                "reference": {
                    "type": "manufacturer",
                    "manufacturer": e.manufacturer,
                    "reference": e.identifier,
                },
                "properties": e.properties,
                "systemProperties": e.system_properties,
            }
        )

    def collective(self, c: CollectiveRecord) -> dict[str, Any]:
        body = {
            "id": c.id,
            "name": c.name,
            "owner": c.owner,
            "type": c.type,
            "properties": c.properties,
            "entities": list(c.entities),
        }
        if not self.traxes:
            body["tenantId"] = c.tenant_id
        return without_none(body)

    def tenant(self, t: TenantRecord, entities: list[str]) -> dict[str, Any]:
        return {"id": t.id, "name": t.name, "administrators": list(t.administrators), "entities": entities}

    def permission(self, entity_id: str, principal_id: str, levels: set[str], ident: str) -> dict[str, Any]:
        order = ["Viewer", "Contributor", "Administer", "Owner"]
        return {
            "id": ident,
            "entityId": entity_id,
            "principalId": principal_id,
            "permissionLevels": sorted(levels, key=lambda level: order.index(level) if level in order else 9),
        }

    def onboarding(
        self,
        o: OnboardingRecord,
        now: datetime,
        base_root: str,
        entity: EntityRecord | None,
        collective: CollectiveRecord | None,
    ) -> dict[str, Any]:
        status = o.status(now)
        data: dict[str, Any] = {}
        if o.request_type == "Entity":
            if entity is not None:
                data["entity"] = self.entity(entity, now)
            else:
                data["entity"] = self._planned_entity(o)
        elif collective is not None:
            data["collective"] = self.collective(collective)
        else:
            planned = {
                "id": o.planned_id,
                "name": o.body.get("name"),
                "type": o.body.get("type") or "Household",
            }
            data["collective"] = without_none(planned)
        body: dict[str, Any] = {
            "id": o.id,
            "principalId": o.principal_id,
            "requestType": o.request_type,
            "status": status,
            "created": iso(o.created),
            "returnUrl": o.return_url,
            "data": data,
            "transactions": o.transactions(now),
        }
        if status == "Pending" and o.request_type == "Entity":
            body["action"] = {
                "type": "Consent",
                "redirectLink": f"{base_root}/consent/{o.id}",
                "documentationLink": f"{base_root}/docs/consent",
            }
        if status == "Failed":
            body["errors"] = [{"code": "ManufacturerRejected", "message": o.failure}]
        return without_none(body)

    def _planned_entity(self, o: OnboardingRecord) -> dict[str, Any]:
        entity_type = self.entity_type(str(o.body.get("type", "")))
        information = {"type": entity_type}
        for key in ("manufacturer", "model", "vin", "ean", "code", "email", "reference", "uuid"):
            if o.body.get(key) is not None:
                information[FIELD_TO_TRAXES[key] if self.traxes else key] = o.body[key]
        return without_none(
            {
                "id": o.planned_id,
                "type": entity_type,
                "owner": o.body.get("owner") or o.principal_id,
                "information": information,
            }
        )

    def command(self, c: CommandRecord, now: datetime) -> dict[str, Any]:
        status = c.status(now)
        body: dict[str, Any] = {
            "id": c.id,
            "entityId": c.entity_id,
            "type": c.type,
            "value": c.value,
            "status": status,
            "triggerTime": iso(c.trigger_time),
        }
        if status == "Failed" and c.failure:
            body["error"] = {"title": c.failure[0], "description": c.failure[1]}
        if self.traxes and status in ("Succeeded", "Failed"):
            body["verification"] = {
                "status": "Verified" if status == "Succeeded" else "Unverified",
                "completedAt": iso(c.trigger_time),
            }
        return without_none(body)

    def offboarding(self, o: OffboardingRecord, now: datetime) -> dict[str, Any]:
        if self.traxes:
            data: dict[str, Any] = {"id": o.entity_id, "components": [o.entity_id]}
        else:
            data = without_none(
                {"entityId": o.entity_id, "collectiveId": o.collective_id, "tenantId": o.tenant_id}
            )
        return {
            "id": o.id,
            "principalId": o.principal_id,
            "status": o.status(now),
            "requestType": "Entity",
            "data": data,
        }

    def guided(
        self, g: GuidedSessionRecord, now: datetime, base_root: str, onboarding: dict[str, Any]
    ) -> dict[str, Any]:
        return without_none(
            {
                "id": g.id,
                "created": iso(g.created),
                "expired": (now - g.created).total_seconds() > 86400,
                "manufacturer": g.manufacturer,
                "companyName": g.company_name,
                "vin": g.vin,
                "url": f"{base_root}/guided/{g.id}",
                "onboardingRequest": onboarding,
            }
        )

    @staticmethod
    def location(loc: LocationRecord) -> dict[str, Any]:
        return without_none(
            {
                "id": loc.id,
                "label": loc.label,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "radius": loc.radius,
            }
        )
