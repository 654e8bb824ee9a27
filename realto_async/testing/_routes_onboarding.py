"""Onboarding: types (O1), entity (O2-O5) and collective (O6-O9) requests, guided sessions (G1-G3)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._context import Ctx
from ._errors import bad_request, conflict, not_found
from ._facts import FIELD_TO_TRAXES, VIN_RE
from ._fleet import EV_MODELS, MAKERS
from ._keys import SERVER_KEY
from ._records import GuidedSessionRecord, OnboardingRecord
from ._routes_core import paged

__all__ = ["consent_page", "routes"]

REALTO_FIELDS = {
    "type",
    "manufacturer",
    "tenantId",
    "collectiveId",
    "vin",
    "ean",
    "code",
    "email",
    "model",
    "reference",
    "uuid",
    "track",
    "owner",
    "properties",
    "returnUrl",
}
TRAXES_FIELDS = {
    "type",
    "brand",
    "identifier",
    "pairingCode",
    "associatedEmail",
    "name",
    "collectiveId",
    "owner",
    "properties",
    "returnUrl",
    "track",
}
REQUIRED_IDENTIFIER = {"EV": "vin", "SmartMeter": "ean", "RetrofitMeter": "code"}


def _onboarding_json(ctx: Ctx, request: OnboardingRecord) -> dict[str, Any]:
    entity = ctx.store.entities.get(request.result_id) if request.result_id else None
    collective = ctx.store.collectives.get(request.result_id) if request.result_id else None
    return ctx.render.onboarding(request, ctx.now, ctx.root, entity, collective)


def _to_realto_body(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """The create request in re.alto's names, checked against the dialect's schema."""
    allowed = TRAXES_FIELDS if ctx.flavor == "traxes" else REALTO_FIELDS
    unknown = set(body) - allowed
    if unknown:
        raise bad_request("InvalidBody", f"Unknown fields for this API: {', '.join(sorted(unknown))}.")
    entity_type = ctx.enum(body.get("type"), "EntityType", "type")
    out: dict[str, Any] = {"type": entity_type}
    if ctx.flavor == "traxes":
        reverse = {
            "brand": "manufacturer",
            "pairingCode": "code",
            "associatedEmail": "email",
            "name": "model",
        }
        for key, value in body.items():
            if key == "identifier":
                out[
                    REQUIRED_IDENTIFIER.get(entity_type, "uuid") if entity_type != "RetrofitMeter" else "uuid"
                ] = value
            elif key != "type":
                out[reverse.get(key, key)] = value
    else:
        out.update({k: v for k, v in body.items() if k != "type"})
    maker_field = "brand" if ctx.flavor == "traxes" else "manufacturer"
    if not isinstance(out.get("manufacturer"), str) or not out["manufacturer"]:
        raise bad_request("MissingField", f"{maker_field} is required.")
    for key in ("vin", "ean", "code", "email", "model", "reference", "uuid", "track", "returnUrl"):
        ctx.optional_str(out, key)
    for key in ("tenantId", "collectiveId", "owner"):
        ctx.body_id(out, key, required=False)
    needed = REQUIRED_IDENTIFIER.get(entity_type)
    if needed and not out.get(needed):
        name = FIELD_TO_TRAXES[needed] if ctx.flavor == "traxes" else needed
        raise bad_request("MissingField", f"{name} is required to onboard a {body['type']}.")
    if entity_type == "EV" and not VIN_RE.fullmatch(str(out["vin"])):
        raise bad_request("InvalidVin", f"{out['vin']!r} is not a VIN (17 characters, no I, O or Q).")
    if out.get("collectiveId") and out["collectiveId"] not in ctx.store.collectives:
        raise not_found("Collective", out["collectiveId"])
    return out


async def list_types(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    makers = dict(MAKERS)
    makers["EV"] = sorted({maker for maker, _, _ in EV_MODELS})
    types = []
    for realto_type in sorted(makers):
        shown = ctx.render.entity_type(realto_type)
        if shown not in ctx.server.enum_values("EntityType"):
            continue
        field = REQUIRED_IDENTIFIER.get(realto_type)
        if field and ctx.flavor == "traxes":
            field = FIELD_TO_TRAXES[field]
        required = [field] if field else []
        types.append(
            {"type": shown, "brands": [{"name": m, "requiredFields": required} for m in makers[realto_type]]}
        )
    return ctx.respond(types)


async def create_entity_request(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    body = _to_realto_body(ctx, await ctx.json())
    _check_vin_free(ctx, body.get("vin"))
    created = ctx.store.new_onboarding(ctx.principal, "Entity", body)
    return ctx.respond(_onboarding_json(ctx, created), status=201)


def _check_vin_free(ctx: Ctx, vin: object) -> None:
    """409 VinAlreadyOnboarded while an EV with this VIN exists or a request for it is open."""
    if isinstance(vin, str):
        reason = ctx.store.vin_conflict(vin)
        if reason is not None:
            raise conflict("VinAlreadyOnboarded", reason)


def _request_of(ctx: Ctx, request_type: str) -> OnboardingRecord:
    request_id = ctx.path_id("onboardingRequestId")
    found = ctx.store.onboardings.get(request_id)
    if found is None or found.request_type != request_type:
        raise not_found("OnboardingRequest", request_id)
    return found


def _listing(ctx: Ctx, request_type: str) -> list[OnboardingRecord]:
    return [r for r in ctx.store.onboardings.values() if r.request_type == request_type]


async def list_entity_requests(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    query = request.query
    wanted_type = ctx.enum(query["type"], "EntityType", "type") if "type" in query else None
    maker_key = "brand" if ctx.flavor == "traxes" else "manufacturer"
    wanted_maker = query.get(maker_key)
    wanted_status = ctx.enum(query["status"], "OnboardingStatus", "status") if "status" in query else None
    items = [
        _onboarding_json(ctx, r)
        for r in _listing(ctx, "Entity")
        if (wanted_type is None or r.body.get("type") == wanted_type)
        and (wanted_maker is None or r.body.get("manufacturer") == wanted_maker)
        and (wanted_status is None or r.status(ctx.now) == wanted_status)
    ]
    return paged(ctx, items)


async def get_entity_request(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(_onboarding_json(ctx, _request_of(ctx, "Entity")))


def _cancel(ctx: Ctx, request_type: str) -> web.Response:
    found = _request_of(ctx, request_type)
    status = found.status(ctx.now)
    if status not in ("Pending", "InProgress"):
        raise bad_request("InvalidState", f"A {status} onboarding request cannot be canceled.")
    found.canceled = True
    return ctx.respond(_onboarding_json(ctx, found))


async def cancel_entity_request(request: web.Request) -> web.Response:
    return _cancel(Ctx(request), "Entity")


async def create_collective_request(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    body = await ctx.json()
    allowed = {"name", "type", "collectiveId", "owner", "properties"} | (
        {"tenantId"} if ctx.flavor == "realto" else set()
    )
    unknown = set(body) - allowed
    if unknown:
        raise bad_request("InvalidBody", f"Unknown fields for this API: {', '.join(sorted(unknown))}.")
    if not isinstance(body.get("name"), str) or not body["name"]:
        raise bad_request("MissingField", "name is required.")
    if "type" in body:
        ctx.enum(body["type"], "CollectiveType", "type")
    for key in ("collectiveId", "owner", "tenantId"):
        ctx.body_id(body, key, required=False)
    created = ctx.store.new_onboarding(ctx.principal, "Collective", body)
    return ctx.respond(_onboarding_json(ctx, created), status=201)


async def list_collective_requests(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return paged(ctx, [_onboarding_json(ctx, r) for r in _listing(ctx, "Collective")])


async def get_collective_request(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(_onboarding_json(ctx, _request_of(ctx, "Collective")))


async def cancel_collective_request(request: web.Request) -> web.Response:
    return _cancel(Ctx(request), "Collective")


def _guided_json(ctx: Ctx, session: GuidedSessionRecord) -> dict[str, Any]:
    onboarding = _onboarding_json(ctx, ctx.store.onboardings[session.onboarding_id])
    return ctx.render.guided(session, ctx.now, ctx.root, onboarding)


async def create_guided(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    body = await ctx.json()
    unknown = set(body) - {"manufacturer", "companyName", "vin", "returnUrl"}
    if unknown:
        raise bad_request("InvalidBody", f"Unknown fields: {', '.join(sorted(unknown))}.")
    manufacturer = ctx.optional_str(body, "manufacturer")
    if not manufacturer:
        raise bad_request("MissingField", "manufacturer is required.")
    vin = ctx.optional_str(body, "vin")
    if vin is not None and not VIN_RE.fullmatch(vin):
        raise bad_request("InvalidVin", f"{vin!r} is not a VIN.")
    _check_vin_free(ctx, vin)
    onboarding = ctx.store.new_onboarding(
        ctx.principal,
        "Entity",
        {"type": "EV", "manufacturer": manufacturer, "vin": vin, "returnUrl": body.get("returnUrl")},
    )
    session = GuidedSessionRecord(
        id=ctx.store.ids.new(),
        created=ctx.now,
        manufacturer=manufacturer,
        onboarding_id=onboarding.id,
        company_name=ctx.optional_str(body, "companyName"),
        vin=vin,
        return_url=ctx.optional_str(body, "returnUrl"),
    )
    ctx.store.guided[session.id] = session
    return ctx.respond(_guided_json(ctx, session), status=201)


async def list_guided(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return paged(ctx, [_guided_json(ctx, s) for s in ctx.store.guided.values()])


async def get_guided(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    session_id = ctx.path_id("onboardingSessionId")
    session = ctx.store.guided.get(session_id)
    if session is None:
        raise not_found("GuidedOnboardingSession", session_id)
    return ctx.respond(_guided_json(ctx, session))


async def consent_page(request: web.Request) -> web.Response:
    """The page ``action.redirectLink`` points at: opening it gives the end user's consent."""
    server = request.app[SERVER_KEY]
    request_id = request.match_info["onboardingRequestId"]
    server.store.advance()
    found = server.store.onboardings.get(request_id)
    if found is None:
        return web.Response(status=404, text="No such onboarding request.")
    server.store.consent(request_id)
    text = (
        f"<html><body><h1>Consent given</h1><p>Onboarding request {request_id} continues.</p></body></html>"
    )
    if found.return_url:
        raise web.HTTPFound(found.return_url)
    return web.Response(text=text, content_type="text/html")


def routes() -> list[web.RouteDef]:
    oe = "/v1/onboarding/entities"
    oc = "/v1/onboarding/collectives"
    g = "/v1/guided-onboarding-sessions"
    return [
        web.get("/v1/onboarding/types", list_types),
        web.post(oe, create_entity_request),
        web.get(oe, list_entity_requests),
        web.get(oe + "/{onboardingRequestId}", get_entity_request),
        web.patch(oe + "/{onboardingRequestId}/cancel", cancel_entity_request),
        web.post(oc, create_collective_request),
        web.get(oc, list_collective_requests),
        web.get(oc + "/{onboardingRequestId}", get_collective_request),
        web.patch(oc + "/{onboardingRequestId}/cancel", cancel_collective_request),
        web.post(g, create_guided),
        web.get(g, list_guided),
        web.get(g + "/{onboardingSessionId}", get_guided),
    ]
