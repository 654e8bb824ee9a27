"""Deterministic ids and timestamps."""

from __future__ import annotations

import random
from datetime import datetime, timezone

__all__ = ["IdSource", "iso"]


_KEEP = ~(0xF000 << 64 | 0xC000 << 48)
_VERSION_4 = 0x4000 << 64 | 0x8000 << 48


class IdSource:
    """UUIDs from a seeded generator: the same seed and call order give the same ids."""

    def __init__(self, seed: int | str, stream: str) -> None:
        self._rng = random.Random(f"{seed}:{stream}")

    def new(self) -> str:
        # What uuid.UUID(int=..., version=4) sets: the version and the variant bits.
        value = self._rng.getrandbits(128) & _KEEP | _VERSION_4
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def iso(value: datetime) -> str:
    """UTC ISO-8601 with a Z, whole seconds (as the API writes times)."""
    if value.tzinfo is timezone.utc:
        return value.isoformat()[:19] + "Z"
    return value.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
