"""Listing pages decoded straight from JSON bytes to models by msgspec, when it is installed.

msgspec parses a page and checks it against a schema made from the models in one pass, in C;
the models are then built from its objects without checking them again, nested models on
first read as when decoding the general way. Anything that schema does not take as it is (a
field this SDK does not know, kept in ``extras``; a date-time msgspec would read differently; a
body msgspec refuses) sends the page the general way (``loads`` and the generated structure
functions of ``_convert``), which gives the same models and the same errors: results never
depend on this module. A model whose pages keep taking the general way (say the API added a
field) stops being tried for a while, so such pages do not pay for two decodings.

Date-times are read as strings and parsed here by the general way's rules, which differ from
msgspec's (more than six fractional digits are cut, not rounded; a space or a lower-case ``t``
may separate date and time); open enums are strings mapped to their members here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Optional, Union

from ._convert import (
    FieldError,
    _compile,
    _field_specs,
    _install_lazy_fields,
    _Kind,
    _Namespace,
    _slot_setter,
    _unknown_enum,
    datetime_lines,
    struct_builders,
)

try:
    import msgspec
except ImportError:  # pragma: no cover - exercised where msgspec is absent
    msgspec = None  # type: ignore[assignment]

__all__ = ["FastPage", "decode_page"]

logger = logging.getLogger("realto")
# After this many pages in a row that had to be decoded the general way, a model is not tried
# for the next PAUSE pages.
MISSES_BEFORE_PAUSE = 8
PAUSE = 1000

FastPage = tuple[list[Any], Any, Any]  # the models, the envelope's meta and links as decoded


class _Unsupported(Exception):
    """A model with a field type this module leaves to the general way."""


class _PageDecoder:
    __slots__ = ("decode_envelope", "misses", "paused", "records")

    def __init__(self, decode_envelope: Callable[[bytes], Any], records: Callable[[list[Any]], list[Any]]):
        self.decode_envelope = decode_envelope
        self.records = records
        self.misses = 0
        self.paused = 0


_building = threading.RLock()
_decoders: dict[type, _PageDecoder | None] = {}
_structs: dict[type, Any] = {}
_in_progress: set[type] = set()
_settles: dict[type, Callable[[Any], None] | None] = {}
_builds: dict[type, Callable[[Any], Any]] = {}


def decode_page(body: bytes, model: type) -> FastPage | None:
    """The page's models, meta and links; None when the page must be decoded the general way."""
    if model in _decoders:
        decoder = _decoders[model]
    else:
        with _building:  # one thread makes a model's schema and functions; the others wait
            if model not in _decoders:
                _decoders[model] = _page_decoder(model)
            decoder = _decoders[model]
    if decoder is None:
        return None
    if decoder.paused:
        decoder.paused -= 1
        return None
    try:
        envelope = decoder.decode_envelope(body)
        records = [] if envelope.data is None else decoder.records(envelope.data)
    except (msgspec.ValidationError, msgspec.DecodeError, FieldError, RecursionError):
        # RecursionError: nested deeper than msgspec goes; the general way says what is wrong
        decoder.misses += 1
        if decoder.misses >= MISSES_BEFORE_PAUSE:
            decoder.misses, decoder.paused = 0, PAUSE
        return None
    decoder.misses = 0
    return records, envelope.meta, envelope.links


def _page_decoder(model: type) -> _PageDecoder | None:
    if msgspec is None:
        return None
    try:
        struct = _struct(model)
    except Exception as err:  # a field type left to the general way (or one msgspec refuses)
        logger.debug("listing pages of %s are decoded the general way: %r", model.__name__, err)
        return None
    envelope = msgspec.defstruct(
        f"{model.__name__}Page",
        [("data", Optional[list[struct]]), ("meta", Any, None), ("links", Any, None)],  # type: ignore[valid-type]  # noqa: UP045
        kw_only=True,
    )
    settle, build = _settle(model), _build(model)

    def records(data: list[Any]) -> list[Any]:
        if settle is not None:
            for item in data:
                settle(item)
        return list(map(build, data))

    return _PageDecoder(msgspec.json.Decoder(envelope).decode, records)


# ------------------------------------------------------------------------------------ schema


def _struct(model: type) -> Any:
    """The msgspec Struct of a model's wire form: its wire names, unknown fields refused."""
    struct = _structs.get(model)
    if struct is None:
        if model in _in_progress:
            raise _Unsupported(model)  # a model that contains itself
        _in_progress.add(model)
        try:
            struct = _make_struct(model)
        finally:
            _in_progress.discard(model)
        _structs[model] = struct
        struct_builders[struct] = _build(model)
    return struct


def _make_struct(model: type) -> Any:
    fields = []
    for spec in _field_specs(model):
        tp = _wire_type(spec.kind)
        if spec.nullable:
            tp = Optional[tp]  # noqa: UP045 - Any | None is an error on Python 3.10
        if spec.required:
            fields.append((spec.attr, tp, msgspec.field(name=spec.wire)))
        else:
            fields.append((spec.attr, tp, msgspec.field(default=None, name=spec.wire)))
    return msgspec.defstruct(
        f"{model.__name__}Wire", fields, kw_only=True, forbid_unknown_fields=True, gc=False
    )


def _wire_type(kind: _Kind) -> Any:
    simple = {"str": str, "int": int, "float": Union[int, float], "bool": bool, "any": Any}  # noqa: UP007
    if kind.tag in simple:
        return simple[kind.tag]
    if kind.tag == "dict":
        return dict[str, Any]
    if kind.tag in ("datetime", "enum"):
        return str  # parsed or looked up by _settle
    if kind.tag == "model":
        return _struct(kind.target)
    if kind.tag == "list" and kind.target.tag in ("str", "int", "float", "bool", "any", "dict", "model"):
        return list[_wire_type(kind.target)]  # type: ignore[misc]
    raise _Unsupported(kind)


# ---------------------------------------------------------------------------- generated code


def _converts(kind: _Kind) -> bool:
    """Whether a decoded value of ``kind`` still needs converting (date-times, enums), itself or
    anywhere inside it."""
    if kind.tag in ("datetime", "enum"):
        return True
    if kind.tag == "model":
        return _settle(kind.target) is not None
    if kind.tag == "list":
        return _converts(kind.target)
    return False


def _settle(model: type) -> Callable[[Any], None] | None:
    """The function that turns a decoded Struct's date-time strings into datetimes and its enum
    strings into members, in place and all the way down (raises FieldError for a date-time the
    general way would refuse); None when there is nothing to turn."""
    if model in _settles:
        return _settles[model]
    _settles[model] = None  # a model that contains itself: its own fields decide below
    ns = _Namespace()
    lines = ["def settle(s):"]
    for spec in _field_specs(model):
        if not _converts(spec.kind):
            continue
        lines.append(f"    v = s.{spec.attr}")
        lines.append("    if v is not None:")
        lines.extend("        " + line for line in _settle_value(spec.kind, ns, "v"))
        lines.append(f"        s.{spec.attr} = v")
    if len(lines) == 1:
        return None
    settle = _compile(lines, ns, f"settle_wire_{model.__module__}.{model.__qualname__}", "settle")
    _settles[model] = settle
    return settle


def _settle_value(kind: _Kind, ns: _Namespace, name: str) -> list[str]:
    if kind.tag == "datetime":
        return datetime_lines(name)
    if kind.tag == "enum":
        lookup = ns.add(dict(kind.target._value2member_map_))
        fallback = ns.add(lambda value, _cls=kind.target: _unknown_enum(_cls, value))
        return [f"r = {lookup}.get({name})", f"{name} = r if r is not None else {fallback}({name})"]
    if kind.tag == "model":
        return [f"{ns.add(_settle(kind.target))}({name})"]
    # a list of models (lists of date-times or enums are left to the general way by _wire_type)
    return [f"for x in {name}: {ns.add(_settle(kind.target.target))}(x)"]


def _build(model: type) -> Callable[[Any], Any]:
    """The function that builds the model from its settled Struct, without checking again; a
    nested model keeps its Struct until first read (see ``_convert._LazyModel``)."""
    build = _builds.get(model)
    if build is not None:
        return build
    _install_lazy_fields(model)  # a nested model's Struct is kept only behind its lazy attribute
    ns = _Namespace()
    lines = ["def build(s):", f"    o = _new({ns.add(model)})"]
    for spec in _field_specs(model):
        setter = ns.add(_slot_setter(model, spec.attr))
        if spec.kind.tag == "list" and spec.kind.target.tag == "model":
            item = ns.add(_build(spec.kind.target.target))
            lines.append(f"    v = s.{spec.attr}")
            lines.append(f"    {setter}(o, v if v is None else [{item}(x) for x in v])")
        else:
            lines.append(f"    {setter}(o, s.{spec.attr})")
    lines.append("    return o")
    build = _compile(lines, ns, f"build_wire_{model.__module__}.{model.__qualname__}", "build")
    _builds[model] = build
    return build
