"""Core resources: entities (E1-E3), permissions (P1-P3), collectives (C1-C5), tenants (T1-T4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from ._context import Ctx
from ._errors import bad_request, not_found
from ._paging import decode_token, page_envelope, page_size_of

__all__ = ["paged", "routes"]


def paged(ctx: Ctx, items: Sequence[Any]) -> web.Response:
    """Answer one page of ``items`` (JSON-ready) from the request's token and page size."""
    size = page_size_of(ctx.request)
    offset = decode_token(ctx.request)
    window = items[offset : offset + size]
    return ctx.respond(page_envelope(ctx.request, window, len(items), offset, size))


async def list_entities(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    wanted = request.query.get("type")
    kind = ctx.enum(wanted, "EntityType", "type") if wanted is not None else None
    entities = ctx.store.visible_entities(ctx.principal, kind)
    size = page_size_of(ctx.request)
    offset = decode_token(ctx.request)
    window = [ctx.render.entity(e, ctx.now) for e in entities[offset : offset + size]]
    return ctx.respond(page_envelope(ctx.request, window, len(entities), offset, size))


async def get_entity(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    return ctx.respond(ctx.render.entity(entity, ctx.now))


async def patch_entity(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    body = await ctx.json()
    unknown = set(body) - {"name", "properties"}
    if unknown:
        raise bad_request("InvalidBody", f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "name" in body:
        name = ctx.optional_str(body, "name")
        props = dict(entity.properties) if isinstance(entity.properties, dict) else {}
        if name is None:
            props.pop("label", None)
        else:
            props["label"] = name
        entity.properties = props
    if "properties" in body:
        entity.properties = body["properties"]
    return ctx.respond(ctx.render.entity(entity, ctx.now))


async def list_permissions(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    items = [
        ctx.render.permission(entity.id, principal_id, levels, _permission_id(entity.id, principal_id))
        for principal_id, levels in sorted(entity.permissions.items())
        if levels
    ]
    return paged(ctx, items)


def _permission_id(entity_id: str, principal_id: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID(entity_id), principal_id))


async def add_permission(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Owner")
    body = await ctx.json()
    level = ctx.enum(body.get("permissionLevel"), "PermissionLevel", "permissionLevel")
    principal_id = ctx.body_id(body, "principalId")
    assert principal_id is not None
    entity.permissions.setdefault(principal_id, set()).add(level)
    return web.Response(status=200)


async def remove_permission(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Owner")
    principal_id = ctx.path_id("principalId")
    levels = entity.permissions.get(principal_id)
    if not levels:
        raise not_found("Permission for principal", principal_id)
    wanted = request.query.get("permissionLevel")
    if wanted is None:
        entity.permissions.pop(principal_id)
    else:
        level = ctx.enum(wanted, "PermissionLevel", "permissionLevel")
        if level not in levels:
            raise not_found(f"{level} permission for principal", principal_id)
        levels.discard(level)
    return web.Response(status=200)


def _collective(ctx: Ctx) -> Any:
    collective_id = ctx.path_id("collectiveId")
    collective = ctx.store.collectives.get(collective_id)
    if collective is None:
        raise not_found("Collective", collective_id)
    return collective


async def list_collectives(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return paged(ctx, [ctx.render.collective(c) for c in ctx.store.collectives.values()])


async def get_collective(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(ctx.render.collective(_collective(ctx)))


async def patch_collective(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    collective = _collective(ctx)
    body = await ctx.json()
    if "name" in body:
        name = ctx.optional_str(body, "name")
        if not name:
            raise bad_request("InvalidBody", "name must be a non-empty string.")
        collective.name = name
    if "type" in body:
        collective.type = ctx.enum(body["type"], "CollectiveType", "type")
    return ctx.respond(ctx.render.collective(collective))


async def add_collective_entity(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    collective = _collective(ctx)
    body = await ctx.json()
    entity_id = ctx.body_id(body, "entityId")
    assert entity_id is not None
    entity = ctx.store.entity_for(ctx.principal, entity_id, needs="Contributor")
    if entity.collective_id and entity.collective_id in ctx.store.collectives:
        old = ctx.store.collectives[entity.collective_id].entities
        if entity.id in old:
            old.remove(entity.id)
    entity.collective_id = collective.id
    if entity.id not in collective.entities:
        collective.entities.append(entity.id)
    return ctx.respond(ctx.render.collective(collective))


async def remove_collective_entity(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    collective = _collective(ctx)
    entity_id = ctx.path_id("entityId")
    if entity_id not in collective.entities:
        raise not_found("Entity in this collective", entity_id)
    collective.entities.remove(entity_id)
    entity = ctx.store.entities.get(entity_id)
    if entity is not None:
        entity.collective_id = None
    return ctx.respond(ctx.render.collective(collective))


def _tenant(ctx: Ctx) -> Any:
    tenant_id = ctx.path_id("tenantId")
    tenant = ctx.store.tenants.get(tenant_id)
    if tenant is None:
        raise not_found("Tenant", tenant_id)
    return tenant


def _tenant_json(ctx: Ctx, tenant: Any) -> dict[str, Any]:
    members = [e.id for e in ctx.store.entities.values() if e.tenant_id == tenant.id]
    return ctx.render.tenant(tenant, members)


async def list_tenants(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return paged(ctx, [_tenant_json(ctx, t) for t in ctx.store.tenants.values()])


async def get_tenant(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(_tenant_json(ctx, _tenant(ctx)))


async def add_administrator(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    tenant = _tenant(ctx)
    body = await ctx.json()
    principal_id = ctx.body_id(body, "id")
    if principal_id not in tenant.administrators:
        tenant.administrators.append(principal_id)
    return ctx.respond(_tenant_json(ctx, tenant))


async def remove_administrator(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    tenant = _tenant(ctx)
    principal_id = ctx.path_id("principalId")
    if principal_id not in tenant.administrators:
        raise not_found("Administrator", principal_id)
    tenant.administrators.remove(principal_id)
    return ctx.respond(_tenant_json(ctx, tenant))


def routes() -> list[web.RouteDef]:
    e = "/v1/entities/{entityId}"
    c = "/v1/collectives/{collectiveId}"
    t = "/v1/tenants/{tenantId}"
    return [
        web.get("/v1/entities", list_entities),
        web.get(e, get_entity),
        web.patch(e, patch_entity),
        web.get(e + "/permissions", list_permissions),
        web.post(e + "/permissions", add_permission),
        web.delete(e + "/permissions/principals/{principalId}", remove_permission),
        web.get("/v1/collectives", list_collectives),
        web.get(c, get_collective),
        web.patch(c, patch_collective),
        web.post(c + "/entities", add_collective_entity),
        web.delete(c + "/entities/{entityId}", remove_collective_entity),
        web.get("/v1/tenants", list_tenants),
        web.get(t, get_tenant),
        web.post(t + "/administrators", add_administrator),
        web.delete(t + "/administrators/{principalId}", remove_administrator),
    ]
