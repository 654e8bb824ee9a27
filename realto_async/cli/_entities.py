"""``realto entities list|get`` and ``realto readings last``."""

from __future__ import annotations

import click

from .._client import AsyncRealtoClient
from ..models import Entity, Reading
from ._context import run, settings, with_format
from ._output import emit

__all__ = ["entities", "readings"]

_ENTITY_SUMMARY = (
    "id",
    "type",
    "information_manufacturer",
    "information_brand",
    "information_model",
    "information_vin",
    "name",
    "properties_label",
)


@click.group()
def entities() -> None:
    """The devices (entities) you can see."""


@entities.command("list")
@click.option("--type", "entity_type", metavar="TYPE", help="only this entity type, e.g. EV, HeatPump")
@with_format
def list_entities(entity_type: str | None, format_: str | None) -> None:
    """List entities (GET /v1/entities)."""

    async def work(client: AsyncRealtoClient) -> list[Entity]:
        return await client.entities.list(type=entity_type).to_list()

    emit(run(work), settings().output_format(format_), summary=_ENTITY_SUMMARY)


@entities.command("get")
@click.argument("entity_id")
@with_format
def get_entity(entity_id: str, format_: str | None) -> None:
    """Show one entity (GET /v1/entities/{id})."""

    async def work(client: AsyncRealtoClient) -> Entity:
        return await client.entities.retrieve(entity_id)

    emit([run(work)], settings().output_format(format_), many=False)


@click.group()
def readings() -> None:
    """Measured values of an entity (exports: 'realto readings export')."""


@readings.command("last")
@click.argument("entity_id")
@with_format
def last_reading(entity_id: str, format_: str | None) -> None:
    """Show an entity's latest reading (GET /v1/entities/{id}/readings/last)."""

    async def work(client: AsyncRealtoClient) -> Reading:
        return await client.readings.last(entity_id)

    emit([run(work)], settings().output_format(format_), many=False)
