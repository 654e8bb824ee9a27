"""Leaf readers: each turns one wire value into typed columns, or says it does not fit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from ._units import convert, suffix

__all__ = ["Bool", "Float", "Leaf", "Matches", "Phases", "Quantity", "Str", "Tiers", "Time", "Unfit"]

STRING, FLOAT, BOOL, TIMESTAMP = "string", "float64", "bool", "timestamp"


class Unfit(Exception):
    """A value that cannot go to its columns (it is kept in ``extras`` instead)."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unfit
    try:
        return float(value)
    except OverflowError:  # an integer beyond any float (JSON allows it): kept exactly in extras
        raise Unfit from None


def parse_time(value: Any) -> datetime:
    """An ISO 8601 wire timestamp as an aware UTC datetime."""
    if not isinstance(value, str):
        raise Unfit
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Unfit from None
    if parsed.tzinfo is None:
        raise Unfit
    return parsed.astimezone(timezone.utc)


@attrs.frozen
class Leaf:
    """A wire value that becomes exactly one column."""

    name: str

    def columns(self) -> list[tuple[str, str]]:
        return [(self.name, self.kind())]

    def kind(self) -> str:
        raise NotImplementedError

    def read(self, value: Any) -> dict[str, Any]:
        raise NotImplementedError


class Str(Leaf):
    def kind(self) -> str:
        return STRING

    def read(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, str):
            raise Unfit
        return {self.name: value}


class Float(Leaf):
    def kind(self) -> str:
        return FLOAT

    def read(self, value: Any) -> dict[str, Any]:
        return {self.name: _number(value)}


class Bool(Leaf):
    def kind(self) -> str:
        return BOOL

    def read(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, bool):
            raise Unfit
        return {self.name: value}


class Time(Leaf):
    def kind(self) -> str:
        return TIMESTAMP

    def read(self, value: Any) -> dict[str, Any]:
        return {self.name: parse_time(value)}


def _unit_of(value: Any) -> str:
    if not isinstance(value, Mapping) or not isinstance(value.get("unit"), str):
        raise Unfit
    return str(value["unit"])


@attrs.frozen
class Quantity:
    """``{"unit", "value"}`` -> one column ``<name>_<unit>``, converted to that unit."""

    name: str
    unit: str

    def columns(self) -> list[tuple[str, str]]:
        return [(f"{self.name}_{suffix(self.unit)}", FLOAT)]

    def read(self, value: Any) -> dict[str, Any]:
        unit = _unit_of(value)
        if set(value) - {"unit", "value"}:
            raise Unfit
        converted = convert(_number(value.get("value")), unit, self.unit)
        if converted is None:
            raise Unfit
        return {f"{self.name}_{suffix(self.unit)}": converted}


@attrs.frozen
class _Parts:
    """A value per part (phase or tariff tier) and in total, with one unit."""

    name: str
    unit: str
    parts: tuple[str, ...]

    def columns(self) -> list[tuple[str, str]]:
        return [(f"{self.name}_{part}_{suffix(self.unit)}", FLOAT) for part in self.parts]

    def read(self, value: Any) -> dict[str, Any]:
        unit = _unit_of(value)
        if set(value) - {"unit", *self.parts}:
            raise Unfit
        out: dict[str, Any] = {}
        for part in self.parts:
            raw = value.get(part)
            if raw is None:
                continue
            converted = convert(_number(raw), unit, self.unit)
            if converted is None:
                raise Unfit
            out[f"{self.name}_{part}_{suffix(self.unit)}"] = converted
        return out


def Phases(name: str, unit: str) -> _Parts:
    """``{"unit", "l1", "l2", "l3", "total"}`` -> ``<name>_total_<unit>``, ``<name>_l1_<unit>`` …"""
    return _Parts(name, unit, ("total", "l1", "l2", "l3"))


def Tiers(name: str, unit: str) -> _Parts:
    """``{"unit", "t1".."t4", "total"}`` -> ``<name>_total_<unit>``, ``<name>_t1_<unit>`` …"""
    return _Parts(name, unit, ("total", "t1", "t2", "t3", "t4"))


@attrs.frozen
class Matches:
    """A list of location matches -> the best one's id, label and accuracy (all kept in extras
    when there is more than one)."""

    name: str

    def columns(self) -> list[tuple[str, str]]:
        return [(f"{self.name}_id", STRING), (f"{self.name}_label", STRING), (f"{self.name}_accuracy", FLOAT)]

    def read(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, list) or len(value) > 1:
            raise Unfit
        if not value:
            return {}
        match = value[0]
        if not isinstance(match, Mapping) or set(match) - {"accuracy", "location"}:
            raise Unfit
        location = match.get("location")
        if not isinstance(location, Mapping) or set(location) - {"id", "label"}:
            raise Unfit
        label = location.get("label")
        if not isinstance(location.get("id"), str) or not isinstance(label, (str, type(None))):
            raise Unfit
        return {
            f"{self.name}_id": location["id"],
            f"{self.name}_label": label,
            f"{self.name}_accuracy": _number(match.get("accuracy")),
        }
