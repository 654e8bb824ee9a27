"""The two dialects of the platform: re.alto and Traxes / DER Connect."""

from __future__ import annotations

from typing import Literal

import attrs

from .models.enums import DIALECT_RENAMES

__all__ = ["DIALECTS", "Dialect", "Flavor"]

Flavor = Literal["realto", "traxes"]


@attrs.define(frozen=True, slots=True)
class Dialect:
    """Where a dialect lives and how it hands out tokens."""

    flavor: Flavor
    base_url: str
    # None: the token endpoint is ``{base_url}/v1/authentication`` (JSON body).
    token_url: str | None
    token_request: Literal["json", "form"]


DIALECTS: dict[str, Dialect] = {
    "realto": Dialect(
        flavor="realto",
        base_url="https://platform.realto.io/api",
        token_url=None,
        token_request="json",
    ),
    "traxes": Dialect(
        flavor="traxes",
        base_url="https://api.traxes.io/connect",
        token_url="https://signin.energy/am/oauth2/realms/root/realms/difesp/access_token",
        token_request="form",
    ),
}


_TO_REALTO = {traxes: realto for realto, traxes in DIALECT_RENAMES.items()}


def entity_type_for(flavor: str, value: str) -> str:
    """An entity type's name in ``flavor`` (``ChargePole`` <-> ``ChargePoint`` and the like)."""
    if flavor == "traxes":
        return DIALECT_RENAMES.get(value, value)
    return _TO_REALTO.get(value, value)
