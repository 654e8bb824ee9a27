"""Which entities a bulk run covers: ids or entities from any (async) iterable, or a listing."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import TypeAlias
from uuid import UUID

import attrs

from .._errors import InvalidArgumentError
from .._validate import check_uuid
from ..models.entities import Entity

__all__ = ["EntityRef", "EntitySource", "entity_refs"]

EntityLike: TypeAlias = str | UUID | Entity
EntitySource: TypeAlias = Iterable[EntityLike] | AsyncIterable[EntityLike]


@attrs.define(frozen=True, slots=True)
class EntityRef:
    """One entity to cover: its id, and its type when the source told it (an ``Entity``)."""

    id: str
    type: str | None = None
    invalid: InvalidArgumentError | None = None


def check_source(entity_ids: object) -> None:
    """Refuse what cannot be a collection of entities before anything is sent."""
    if isinstance(entity_ids, (str, bytes, UUID, Entity)):
        raise InvalidArgumentError(
            "entity_ids must be an iterable of entity ids or Entity objects, not a single "
            f"{type(entity_ids).__name__}; wrap one id in a list"
        )
    if not isinstance(entity_ids, (Iterable, AsyncIterable)):
        raise InvalidArgumentError(
            "entity_ids must be an iterable or async iterable of entity ids or Entity objects "
            f"(e.g. a list, or client.entities.list()), got {type(entity_ids).__name__}"
        )


def _ref(item: object) -> EntityRef:
    """The entity of one item of the source; its id canonical, as the requests use it unchecked."""
    entity_type = None
    entity_id = item
    if isinstance(item, Entity):
        entity_id, entity_type = item.id, str(item.type)
    try:
        return EntityRef(check_uuid(entity_id, "entity id"), entity_type)
    except InvalidArgumentError as err:
        return EntityRef(str(entity_id), entity_type, invalid=err)


def entity_refs(entity_ids: EntitySource) -> Iterator[EntityRef] | AsyncIterator[EntityRef]:
    """The source's entities in order, each as an EntityRef (a bad id carries its error); an
    iterator for an iterable, an async one for an async iterable."""
    if isinstance(entity_ids, AsyncIterable):
        return _async_refs(entity_ids)
    return (_ref(item) for item in entity_ids)


async def _async_refs(entity_ids: AsyncIterable[EntityLike]) -> AsyncGenerator[EntityRef, None]:
    async for item in entity_ids:
        yield _ref(item)
