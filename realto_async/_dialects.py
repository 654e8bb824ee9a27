"""The two dialects of the platform: re.alto and Traxes / DER Connect."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

import attrs

from .models.enums import DIALECT_RENAMES

__all__ = ["DIALECTS", "KNOWN_HOSTS", "Dialect", "Flavor", "flavor_of_host"]

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

# Deployments whose dialect is known, so that their base_url needs no flavor= beside it.
KNOWN_HOSTS: dict[str, Flavor] = {
    "platform.realto.io": "realto",
    "api.traxes.io": "traxes",
    # DER Connect production (Elia group): the docs' command, readings and charge-session pages.
    "prd.der-connect.eliagroup.eu": "traxes",
}


def flavor_of_host(base_url: str | None) -> Flavor | None:
    """The dialect of a known deployment's base URL; None for any other (or no) URL."""
    if not base_url:
        return None
    return KNOWN_HOSTS.get((urlsplit(base_url).hostname or "").lower())


_TO_REALTO = {traxes: realto for realto, traxes in DIALECT_RENAMES.items()}


def entity_type_for(flavor: str, value: str) -> str:
    """An entity type's name in ``flavor`` (``ChargePole`` <-> ``ChargePoint`` and the like)."""
    if flavor == "traxes":
        return DIALECT_RENAMES.get(value, value)
    return _TO_REALTO.get(value, value)
