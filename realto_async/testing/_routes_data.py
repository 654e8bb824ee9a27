"""Readings (R1-R3), commands (K1-K7) and charge sessions (S1)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ._clock import FakeClock
from ._context import Ctx
from ._errors import bad_request, conflict, not_found
from ._facts import COMMANDS_BY_TYPE
from ._ids import iso
from ._paging import decode_token, page_envelope, page_size_of
from ._readings import READING_STEP, reading_at, reading_times, readings
from ._records import CommandRecord, EntityRecord
from ._routes_core import paged
from ._synth import SYNTH_ORIGIN, ended_sessions, session_records

__all__ = ["routes"]

MAX_RESOLUTION = timedelta(days=366)
DIGITS_RE = re.compile(r"[0-9]+")
DURATION_RE = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?")


def _window(ctx: Ctx) -> tuple[datetime, datetime]:
    start = ctx.time_query("start", required=True)
    given_end = ctx.time_query("end", required=False)
    end = given_end or ctx.now
    assert start is not None
    if end < start:
        raise bad_request("InvalidTimeFrame", _backwards_window_message(ctx, start, given_end))
    return start, end


def _backwards_window_message(ctx: Ctx, start: datetime, given_end: datetime | None) -> str:
    if given_end is not None:
        message = f"end ({iso(given_end)}) must not be before start ({iso(start)})."
    else:
        message = f"end must not be before start ({iso(start)}); without end it is the emulator's now."
    if start > ctx.now and isinstance(ctx.server.clock, FakeClock):
        message += (
            f" The emulator's clock is a fake clock, now at {iso(ctx.now)}, not your wall clock:"
            " take times from server.clock.now() (or GET /_emulator/clock), e.g."
            " start = server.clock.now() - timedelta(days=30)."
        )
    return message


async def list_readings(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    start, end = _window(ctx)
    cached = ctx.server.cached(ctx)
    if cached is not None:
        return cached
    first, total = reading_times(max(start, entity.created), min(end, ctx.now + timedelta(seconds=1)))
    size = page_size_of(request)
    offset = decode_token(request)
    items = readings(ctx.store.seed, entity, first, offset, max(offset, min(total, offset + size)))
    return ctx.server.remember(ctx, page_envelope(request, items, total, offset, size))


async def last_reading(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    day_start = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
    moment = day_start + ((ctx.now - day_start) // READING_STEP) * READING_STEP
    if moment < entity.created:
        raise not_found("Reading of entity", entity.id)
    return ctx.respond(reading_at(ctx.store.seed, entity, moment))


def _resolution(ctx: Ctx) -> timedelta:
    text = ctx.request.query.get("resolution", "PT1H")
    match = DURATION_RE.fullmatch(text)
    if match is None or not any(match.groups()):
        raise bad_request(
            "InvalidResolution", f"resolution must be an ISO-8601 duration like PT15M, got {text!r}."
        )
    days, hours, minutes = (int(g or 0) for g in match.groups())
    total_minutes = (days * 24 + hours) * 60 + minutes
    if total_minutes > MAX_RESOLUTION // timedelta(minutes=1):
        raise bad_request(
            "InvalidResolution", f"resolution must be at most P{MAX_RESOLUTION.days}D, got {text!r}."
        )
    step = timedelta(minutes=total_minutes)
    if step < READING_STEP or step % READING_STEP:
        raise bad_request("InvalidResolution", "resolution must be a multiple of PT15M.")
    return step


def _average(samples: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, first in samples[0].items():
        values = [s[key] for s in samples if key in s]
        if isinstance(first, bool):
            out[key] = any(values)
        elif isinstance(first, (int, float)):
            out[key] = round(sum(values) / len(values), 3)
        elif isinstance(first, dict):
            out[key] = _average(values)
        else:
            out[key] = first
    return out


async def aggregations(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    start, end = _window(ctx)
    step = _resolution(ctx)
    first, _ = reading_times(start, start)
    buckets = max(0, int((min(end, ctx.now) - first) // step))
    size = page_size_of(request)
    offset = decode_token(request)
    items = []
    stride = max(1, int(step / READING_STEP) // 24)  # at most 24 samples per bucket
    for index in range(offset, min(buckets, offset + size)):
        bucket_start = first + index * step
        moments = [bucket_start + k * READING_STEP for k in range(0, int(step / READING_STEP), stride)]
        samples = [reading_at(ctx.store.seed, entity, m)["data"] for m in moments if m >= entity.created]
        if samples:
            items.append(
                {"start": iso(bucket_start), "end": iso(bucket_start + step), "data": _average(samples)}
            )
    return ctx.respond(page_envelope(request, items, buckets, offset, size))


async def list_charge_sessions(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    start, end = _window(ctx)
    cached = ctx.server.cached(ctx)
    if cached is not None:
        return cached
    sessions = []
    if entity.type == "EV" and entity.features.get("CaptureChargeSessions"):
        # Nothing ends after now, and the synthetic history begins at its anchor day.
        since = max(start, SYNTH_ORIGIN)
        until = min(end, ctx.now)
        sessions = ended_sessions(ctx.store.seed, entity, since, until, ctx.now) if since <= until else []
    size = page_size_of(request)
    offset = decode_token(request)
    page = session_records(entity, sessions[offset : offset + size])  # only this page is made
    return ctx.server.remember(ctx, page_envelope(request, page, len(sessions), offset, size))


# -------------------------------------------------------------------------------- commands


def _command_spec(ctx: Ctx, body: Any, scheduled: bool) -> tuple[str, str | None, datetime | None]:
    if not isinstance(body, dict):
        raise bad_request("InvalidBody", "Each command must be a JSON object.")
    allowed = {"type", "value"} | ({"triggerTime"} if scheduled else set())
    unknown = set(body) - allowed
    if unknown:
        raise bad_request("InvalidBody", f"Unknown fields: {', '.join(sorted(unknown))}.")
    command_type = ctx.enum(body.get("type"), "CommandType", "type")
    value = body.get("value")
    if command_type == "LimitFeedIn":
        if not isinstance(value, str) or not DIGITS_RE.fullmatch(value.strip()):
            raise bad_request(
                "InvalidValue", "LimitFeedIn needs a value: the limit in W, as a string of digits."
            )
    elif value is not None:
        raise bad_request("InvalidValue", f"{command_type} takes no value.")
    trigger = ctx.parse_time(body.get("triggerTime"), "triggerTime") if scheduled else None
    return command_type, value, trigger


def _check_accepts(ctx: Ctx, entity: EntityRecord, command_types: list[str]) -> None:
    accepted = COMMANDS_BY_TYPE.get(entity.type, frozenset())
    for command_type in command_types:
        if command_type not in accepted:
            raise bad_request("UnsupportedCommand", _unsupported(ctx, entity.type, command_type))


def _unsupported(ctx: Ctx, entity_type: str, command_type: str) -> str:
    shown = ctx.render.entity_type(entity_type)
    takers = sorted(
        ctx.render.entity_type(t) for t, accepted in COMMANDS_BY_TYPE.items() if command_type in accepted
    )
    takers = [t for t in takers if t in ctx.server.enum_values("EntityType")]
    return f"A {shown} does not accept {command_type}; it is for {', '.join(takers) or 'no entity type'}."


def _takers(ctx: Ctx, members: list[EntityRecord], command_type: str) -> list[EntityRecord]:
    """The members of a collective that accept the command; 400 when none does."""
    found = [e for e in members if command_type in COMMANDS_BY_TYPE.get(e.type, frozenset())]
    if not found:
        raise bad_request("UnsupportedCommand", f"No entity of this collective accepts {command_type}.")
    return found


def _check_cooldown(ctx: Ctx, entities: list[EntityRecord]) -> None:
    if ctx.bool_query("ignoreCooldown"):
        return
    for entity in entities:
        left = ctx.store.cooldown_left(entity)
        if left is not None:
            raise conflict(
                "CooldownActive",
                f"Entity {entity.id} received a command less than 10 minutes ago; "
                f"try again in {int(left.total_seconds())} s or set ignoreCooldown=true.",
            )


def _members(ctx: Ctx) -> list[EntityRecord]:
    collective_id = ctx.path_id("collectiveId")
    collective = ctx.store.collectives.get(collective_id)
    if collective is None:
        raise not_found("Collective", collective_id)
    return [
        ctx.store.entity_for(ctx.principal, e, needs="Contributor")
        for e in collective.entities
        if e in ctx.store.entities
    ]


def _batch(ctx: Ctx, commands: list[CommandRecord], batch_id: str) -> dict[str, Any]:
    return {"batchId": batch_id, "commands": [ctx.render.command(c, ctx.now) for c in commands]}


async def trigger(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    command_type, value, _ = _command_spec(ctx, await ctx.json(), scheduled=False)
    _check_accepts(ctx, entity, [command_type])
    _check_cooldown(ctx, [entity])
    command = ctx.store.new_command(entity, command_type, value, ctx.now, None)
    ctx.server.forget()
    return ctx.respond(ctx.render.command(command, ctx.now), status=201)


async def _schedule_for(ctx: Ctx, entities: list[EntityRecord], collective: bool) -> web.Response:
    specs = [_command_spec(ctx, item, scheduled=True) for item in await ctx.json(expect=list)]
    if not specs:
        raise bad_request("InvalidBody", "The schedule is empty.")
    if collective:
        targets = [_takers(ctx, entities, command_type) for command_type, _, _ in specs]
    else:
        _check_accepts(ctx, entities[0], [command_type for command_type, _, _ in specs])
        targets = [entities for _ in specs]
    _check_cooldown(ctx, entities if not collective else _unique(targets))
    batch_id = ctx.store.ids.new()
    commands = [
        ctx.store.new_command(entity, command_type, value, trigger_time or ctx.now, batch_id)
        for entity in entities
        for (command_type, value, trigger_time), takers in zip(specs, targets, strict=True)
        if entity.id in {taker.id for taker in takers}
    ]
    return ctx.respond(_batch(ctx, commands, batch_id), status=201)


def _unique(groups: list[list[EntityRecord]]) -> list[EntityRecord]:
    seen: dict[str, EntityRecord] = {}
    for group in groups:
        for entity in group:
            seen.setdefault(entity.id, entity)
    return list(seen.values())


async def schedule(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"), needs="Contributor")
    return await _schedule_for(ctx, [entity], collective=False)


async def trigger_collective(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    members = _members(ctx)
    command_type, value, _ = _command_spec(ctx, await ctx.json(), scheduled=False)
    takers = _takers(ctx, members, command_type)
    _check_cooldown(ctx, takers)
    batch_id = ctx.store.ids.new()
    commands = [ctx.store.new_command(e, command_type, value, ctx.now, batch_id) for e in takers]
    return ctx.respond(_batch(ctx, commands, batch_id), status=201)


async def schedule_collective(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return await _schedule_for(ctx, _members(ctx), collective=True)


def _command(ctx: Ctx) -> CommandRecord:
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    command_id = ctx.path_id("commandId")
    command = ctx.store.commands.get(command_id)
    if command is None or command.entity_id != entity.id:
        raise not_found("Command", command_id)
    return command


async def get_command(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    return ctx.respond(ctx.render.command(_command(ctx), ctx.now))


async def list_commands(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    entity = ctx.store.entity_for(ctx.principal, ctx.path_id("entityId"))
    start, end = _window(ctx)
    found = [
        ctx.render.command(c, ctx.now)
        for c in ctx.store.commands.values()
        if c.entity_id == entity.id and start <= c.trigger_time <= end
    ]
    return paged(ctx, found)


async def cancel_command(request: web.Request) -> web.Response:
    ctx = Ctx(request)
    command = _command(ctx)
    status = command.status(ctx.now)
    if status != "Pending":
        raise bad_request("InvalidState", f"Only a Pending command can be canceled; this one is {status}.")
    command.canceled = True
    return ctx.respond(ctx.render.command(command, ctx.now))


def routes() -> list[web.RouteDef]:
    e = "/v1/entities/{entityId}"
    c = "/v1/collectives/{collectiveId}"
    return [
        web.get(e + "/charge-sessions", list_charge_sessions),
        web.get(e + "/readings", list_readings),
        web.get(e + "/readings/last", last_reading),
        web.get(e + "/aggregations", aggregations),
        web.post(e + "/commands", trigger),
        web.post(e + "/commands/schedule", schedule),
        web.post(c + "/commands", trigger_collective),
        web.post(c + "/commands/schedule", schedule_collective),
        web.get(e + "/commands", list_commands),
        web.get(e + "/commands/{commandId}", get_command),
        web.patch(e + "/commands/{commandId}/cancel", cancel_command),
    ]
