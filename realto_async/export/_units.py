"""Units of measured values: the suffix a column name carries, and conversions between them."""

from __future__ import annotations

__all__ = ["convert", "suffix"]

# unit -> (dimension, factor to the dimension's base unit)
_SCALE: dict[str, tuple[str, float]] = {
    "W": ("power", 1.0),
    "kW": ("power", 1e3),
    "MW": ("power", 1e6),
    "Wh": ("energy", 1.0),
    "kWh": ("energy", 1e3),
    "MWh": ("energy", 1e6),
    "m": ("distance", 1.0),
    "km": ("distance", 1e3),
    "V": ("voltage", 1.0),
    "kV": ("voltage", 1e3),
    "A": ("current", 1.0),
    "mA": ("current", 1e-3),
    "%": ("ratio", 1.0),
    "m3": ("volume", 1.0),
    "varh": ("reactive energy", 1.0),
    "kvarh": ("reactive energy", 1e3),
}

_SUFFIX = {"%": "pct"}


def suffix(unit: str) -> str:
    """The column-name suffix of a unit: ``kWh`` -> ``kwh``, ``%`` -> ``pct``."""
    return _SUFFIX.get(unit, unit.lower())


def convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to``; None when the two do not measure the same thing."""
    if unit == to:
        return value
    source, target = _SCALE.get(unit), _SCALE.get(to)
    if source is None or target is None or source[0] != target[0]:
        return None
    return value * source[1] / target[1]
