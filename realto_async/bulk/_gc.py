"""The opt-in garbage-collector throughput mode of bulk runs (``gc="throughput"``).

For the run only: the start-up heap is frozen (``gc.freeze``: the collector stops scanning the
long-lived objects of the process) and the generation thresholds are raised, so the many short
lived model objects of a fast poll die young without triggering full collections. The previous
thresholds, and an unfrozen heap, come back when the last run in this mode ends, even when it is
cancelled or fails. Never applied unless asked for.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from .._errors import InvalidArgumentError

__all__ = ["GC_MODES", "THROUGHPUT_THRESHOLDS", "GcMode", "check_gc_mode", "gc_mode"]

GcMode = Literal["default", "throughput"]
GC_MODES = ("default", "throughput")
THROUGHPUT_THRESHOLDS = (50_000, 50, 100)

_lock = threading.Lock()
_active = 0
_saved: tuple[tuple[int, int, int], bool] | None = None


def check_gc_mode(value: object) -> GcMode:
    if value == "default":
        return "default"
    if value == "throughput":
        return "throughput"
    raise InvalidArgumentError(f"gc must be 'default' or 'throughput', got {value!r}")


@contextmanager
def gc_mode(mode: GcMode) -> Iterator[None]:
    """Apply ``mode`` while the block runs (runs in throughput mode may overlap)."""
    if mode != "throughput":
        yield
        return
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = (gc.get_threshold(), gc.get_freeze_count() > 0)
            gc.freeze()
            gc.set_threshold(*THROUGHPUT_THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                thresholds, was_frozen = _saved
                gc.set_threshold(*thresholds)
                if not was_frozen:
                    gc.unfreeze()
                _saved = None
