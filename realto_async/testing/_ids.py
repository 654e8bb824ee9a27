"""Deterministic ids and timestamps."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

__all__ = ["IdSource", "iso"]


class IdSource:
    """UUIDs from a seeded generator: the same seed and call order give the same ids."""

    def __init__(self, seed: int | str, stream: str) -> None:
        self._rng = random.Random(f"{seed}:{stream}")

    def new(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def iso(value: datetime) -> str:
    """UTC ISO-8601 with a Z, whole seconds (as the API writes times)."""
    return value.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
