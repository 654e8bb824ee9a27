"""Entity settings (F, L, B, N, H, D, X; all inferred) and offboarding (Q1-Q3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ._context import Ctx
from ._errors import bad_request, not_found
from ._records import LocationRecord, OffboardingRecord

__all__ = ["routes"]

QUANTITY_SETTINGS = {
    "battery-capacity": ("battery_capacity", "kWh"),
    "nominal-power": ("nominal_power", "kW"),
    "heated-area": ("heated_area", "m2"),
}
Handler = Callable[[web.Request], Awaitable[web.Response]]


async def list_features(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    return ctx.respond([{"name": name, "enabled": on} for name, on in sorted(entity.features.items())])


async def put_feature(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    name = request.match_info["featureName"]
    body = await ctx.json()
    if not isinstance(body.get("enabled"), bool):
        raise bad_request("InvalidBody", "enabled must be true or false.")
    if name == "CaptureChargeSessions" and body["enabled"] and entity.battery_capacity is None:
        raise bad_request("MissingSetting", "Set the battery capacity before capturing charge sessions.")
    entity.features[name] = body["enabled"]
    ctx.server.forget()
    return ctx.respond({"name": name, "enabled": body["enabled"]})


async def list_locations(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    return ctx.respond([ctx.render.location(loc) for loc in entity.locations])


async def add_location(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    body = await ctx.json()
    label = ctx.optional_str(body, "label")
    if not label:
        raise bad_request("MissingField", "label is required.")
    latitude = ctx.required_number(body, "latitude")
    longitude = ctx.required_number(body, "longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request(
            "InvalidBody", "latitude must be within [-90, 90] and longitude within [-180, 180]."
        )
    radius = ctx.number(body, "radius", required=False)
    location = LocationRecord(ctx.store.ids.new(), label, latitude, longitude, radius)
    entity.locations.append(location)
    ctx.server.forget()
    return ctx.respond(ctx.render.location(location), status=201)


async def delete_location(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    location_id = ctx.path_id("locationId")
    kept = [loc for loc in entity.locations if loc.id != location_id]
    if len(kept) == len(entity.locations):
        raise not_found("Location", location_id)
    entity.locations = kept
    ctx.server.forget()
    return web.Response(status=204)


def quantity_handlers(path: str) -> tuple[Handler, Handler]:
    attribute, unit = QUANTITY_SETTINGS[path]

    async def get(request: web.Request) -> web.Response:
        ctx = Ctx(request)
        entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
        value = getattr(entity, attribute)
        if value is None:
            raise not_found(f"The {path} setting of entity", entity.id)
        return ctx.respond({"unit": unit, "value": value})

    async def put(request: web.Request) -> web.Response:
        ctx = Ctx(request)
        entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
        body = await ctx.json()
        value = ctx.required_number(body, "value")
        if body.get("unit") != unit:
            raise bad_request("InvalidUnit", f"The {path} is set in {unit}, got unit {body.get('unit')!r}.")
        if value <= 0:
            raise bad_request("InvalidBody", "value must be positive.")
        setattr(entity, attribute, value)
        ctx.server.forget()
        return ctx.respond({"unit": unit, "value": value})

    return get, put


async def list_disaggregators(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    return ctx.respond([{"type": kind, "enabled": on} for kind, on in sorted(entity.disaggregators.items())])


async def put_disaggregator(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    kind = request.match_info["disaggregatorType"]
    body = await ctx.json()
    if not isinstance(body.get("enabled"), bool):
        raise bad_request("InvalidBody", "enabled must be true or false.")
    entity.disaggregators[kind] = body["enabled"]
    return ctx.respond({"type": kind, "enabled": body["enabled"]})


async def get_properties(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    if entity.custom_properties is None:
        raise not_found("Custom properties of entity", entity.id)
    return ctx.respond(entity.custom_properties)


async def put_properties(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    entity.custom_properties = await ctx.json()
    return ctx.respond(entity.custom_properties)


async def create_offboarding(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    body = await ctx.json()
    entity_id = ctx.body_id(body, "entityId")
    assert entity_id is not None
    entity = ctx.store.entity_for(ctx.principal, entity_id, needs="Owner")
    offboarding = OffboardingRecord(
        id=ctx.store.ids.new(),
        principal_id=ctx.principal.id,
        entity_id=entity.id,
        created=ctx.now,
        collective_id=entity.collective_id,
        tenant_id=entity.tenant_id,
    )
    ctx.store.offboardings[offboarding.id] = offboarding
    return ctx.respond(ctx.render.offboarding(offboarding, ctx.now), status=201)


def _offboarding(ctx: Ctx) -> OffboardingRecord:
    request_id = ctx.path_id("offboardingRequestId")
    found = ctx.store.offboardings.get(request_id)
    if found is None:
        raise not_found("OffboardingRequest", request_id)
    return found


async def get_offboarding(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(ctx.render.offboarding(_offboarding(ctx), ctx.now))


async def cancel_offboarding(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    found = _offboarding(ctx)
    status = found.status(ctx.now)
    if status != "Pending":
        raise bad_request(
            "InvalidState", f"Only a Pending offboarding request can be canceled; this one is {status}."
        )
    found.canceled = True
    return ctx.respond(ctx.render.offboarding(found, ctx.now))


def routes() -> list[web.RouteDef]:
    e = "/v1/entities/{entityId}"
    defs = [
        web.get(e + "/features", list_features),
        web.put(e + "/features/{featureName}", put_feature),
        web.get(e + "/locations", list_locations),
        web.post(e + "/locations", add_location),
        web.delete(e + "/locations/{locationId}", delete_location),
        web.get(e + "/disaggregators", list_disaggregators),
        web.put(e + "/disaggregators/{disaggregatorType}", put_disaggregator),
        web.get(e + "/properties", get_properties),
        web.put(e + "/properties", put_properties),
        web.post("/v1/offboarding/entities", create_offboarding),
        web.get("/v1/offboarding/entities/{offboardingRequestId}", get_offboarding),
        web.patch("/v1/offboarding/entities/{offboardingRequestId}/cancel", cancel_offboarding),
    ]
    for path in QUANTITY_SETTINGS:
        get, put = quantity_handlers(path)
        defs += [web.get(f"{e}/{path}", get), web.put(f"{e}/{path}", put)]
    return defs
