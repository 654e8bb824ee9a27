"""Fault rules as text and as JSON: the command line's ``--fault`` and the control API's body.

``"GET /v1/entities/*/charge-sessions status=503 probability=0.1"``: the route (method and path,
``*`` wildcards), then ``name=value`` options of :class:`Fault`; a bare ``truncate``,
``html_502`` or ``expire_tokens`` means ``=true``.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._faults import Fault

__all__ = ["OPTION_NAMES", "fault_from_json", "fault_json", "parse_rule"]

_INTS = {"status", "times", "after"}
_FLOATS = {"latency", "probability"}
_FLAGS = {"truncate", "html_502", "expire_tokens"}
_TEXTS = {"drop"}
OPTION_NAMES = sorted(_INTS | _FLOATS | _FLAGS | _TEXTS | {"retry_after"})


def parse_rule(text: str) -> Fault:
    """A Fault from its one-line form; ValueError naming the bad part otherwise."""
    words = text.split()
    if len(words) < 2 or "=" in words[0] or "=" in words[1]:
        raise ValueError(f"{text!r}: start with the route, e.g. 'GET /v1/entities/* status=503'")
    options: dict[str, Any] = {}
    for word in words[2:]:
        name, has_value, value = word.partition("=")
        name = name.replace("-", "_")
        if not has_value:
            if name not in _FLAGS:
                raise ValueError(f"{text!r}: {word!r} needs a value ({name}=...)")
            value = "true"
        options[name] = value
    return _build(f"{words[0]} {words[1]}", options, text)


def fault_from_json(body: object) -> Fault:
    """A Fault from ``{"rule": "<one-line form>"}`` or ``{"route": ..., <option>: ...}``."""
    if not isinstance(body, dict):
        raise ValueError("send a JSON object: {'rule': 'GET /v1/entities/* status=503'} or {'route': ...}")
    if "rule" in body:
        if set(body) != {"rule"} or not isinstance(body["rule"], str):
            raise ValueError("'rule' is a string and comes alone")
        return parse_rule(body["rule"])
    route = body.get("route", "* *")
    if not isinstance(route, str):
        raise ValueError(f"route must be a string, got {route!r}")
    options = {key: value for key, value in body.items() if key != "route"}
    return _build(route, options, str(body))


def _build(route: str, options: dict[str, Any], source: str) -> Fault:
    converted: dict[str, Any] = {}
    for name, value in options.items():
        if name not in OPTION_NAMES:
            raise ValueError(f"{source}: unknown option {name!r}; the options are {', '.join(OPTION_NAMES)}")
        converted[name] = _convert(name, value, source)
    return Fault(route, **converted)


def _convert(name: str, value: Any, source: str) -> Any:
    if not isinstance(value, str):
        return value  # JSON already typed it; Fault checks it
    try:
        if name in _INTS:
            return int(value)
        if name in _FLOATS:
            return float(value)
        if name == "retry_after":
            return float(value) if value.replace(".", "", 1).isdigit() else value
    except ValueError:
        raise ValueError(f"{source}: {name} must be a number, got {value!r}") from None
    if name in _FLAGS:
        if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{source}: {name} is true or false, got {value!r}")
        return value.lower() in ("true", "1", "yes")
    return value


def fault_json(fault: Fault, number: int) -> dict[str, Any]:
    """A rule as the control API shows it, with its number and counters."""
    body = attrs.asdict(fault)
    return {"id": number, **body}
