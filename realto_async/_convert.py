"""The one cattrs converter: wire JSON <-> attrs models.

cattrs' own generated hooks drop unknown keys and build error paths slowly, so models get
hooks generated here (registered on the cattrs converter as factories) that:

- read camelCase wire names (or a field's ``metadata["wire"]``),
- keep unknown keys in ``extras`` and write them back unchanged,
- keep unknown enum values as plain strings (logged once per value),
- parse timezone-aware ISO-8601 datetimes (``T`` or a space, ``Z`` or an offset),
- check every value's JSON type and name the path of the first one that does not fit.

The generated code is straight-line Python: a charge-session record decodes in a few µs.
"""

from __future__ import annotations

import enum
import itertools
import linecache
import logging
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar, Union

import attrs
import cattrs

from ._errors import InvalidArgumentError, ResponseValidationError

__all__ = [
    "EMPTY_EXTRAS",
    "converter",
    "format_datetime",
    "parse_datetime",
    "structure",
    "structure_list",
    "unstructure",
]

logger = logging.getLogger("realto")
T = TypeVar("T")


class FrozenMapping(Mapping[str, Any]):
    """A read-only mapping that pickles (``types.MappingProxyType`` does not)."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data = {} if data is None else data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMapping], tuple[dict[str, Any]]]:
        return FrozenMapping, (dict(self._data),)


EMPTY_EXTRAS: Mapping[str, Any] = FrozenMapping()
_MISSING = object()
_UTC_ZERO = timedelta(0)


class FieldError(Exception):
    """Internal: a value that does not fit, with the path to it built on the way up."""

    def __init__(self, expected: str, got: object) -> None:
        super().__init__(expected)
        self.expected = expected
        self.got = got
        self.path: list[str] = []


def _describe(value: object) -> str:
    if value is _MISSING:
        return "nothing (the field is missing)"
    try:
        text = repr(value)
    except RecursionError:  # a value nested too deeply to show
        return f"a {type(value).__name__} nested too deeply to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _join_path(parts: list[str]) -> str:
    out = ""
    for part in parts:
        out += part if part.startswith("[") or not out else "." + part
    return out


def _to_validation_error(err: FieldError, model: str, prefix: str = "") -> ResponseValidationError:
    path = _join_path(([prefix] if prefix else []) + err.path)
    where = f" at {path!r}" if path else ""
    message = (
        f"the response does not fit {model}{where}: expected {err.expected}, got {_describe(err.got)}. "
        "The API may have changed; please report it with this message."
    )
    return ResponseValidationError(message, model=model, path=path)


# ---------------------------------------------------------------------------------- datetimes

_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,  # ISO 8601's digits and spaces only: not full-width digits or no-break spaces
)


def _parse_iso_fallback(text: str) -> datetime:
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        raise FieldError("an ISO-8601 date-time", text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz: timezone | None = None
    if zone in ("Z", "z"):
        tz = timezone.utc
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        if minutes >= 24 * 60 or int(digits[2:4] or 0) >= 60:
            raise FieldError("a UTC offset from -23:59 to +23:59", text)
        tz = timezone(sign * timedelta(minutes=minutes))
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz)
    except ValueError:
        raise FieldError("a valid calendar date-time", text) from None


_fromisoformat = datetime.fromisoformat


def _parse_datetime(value: object) -> datetime:
    if type(value) is not str:
        raise FieldError("an ISO-8601 date-time string", value)
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        parsed = _parse_iso_fallback(value)
    if parsed.tzinfo is None:
        raise FieldError("a date-time with a timezone (Z or an offset)", value)
    return parsed


def parse_datetime(value: str) -> datetime:
    """Parse an API timestamp into an aware datetime (``T`` or space, ``Z`` or offset)."""
    try:
        return _parse_datetime(value)
    except FieldError as err:
        raise InvalidArgumentError(f"cannot read {value!r} as a date-time: expected {err.expected}") from None


def format_datetime(value: datetime) -> str:
    """Write an aware datetime as ISO-8601, UTC as ``...Z``; naive datetimes are refused."""
    offset = value.utcoffset()
    if offset is None:
        raise InvalidArgumentError(
            f"naive datetime {value.isoformat()!r}: give it a timezone, "
            "e.g. datetime(..., tzinfo=timezone.utc) or dt.astimezone()"
        )
    if offset == _UTC_ZERO:
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


# -------------------------------------------------------------------------------- open enums

_warned_enum_values: set[tuple[str, str]] = set()


def _unknown_enum(enum_cls: type[enum.Enum], value: object) -> str:
    if type(value) is not str:
        raise FieldError(f"a {enum_cls.__name__} string", value)
    key = (enum_cls.__name__, value)
    if key not in _warned_enum_values:
        _warned_enum_values.add(key)
        logger.warning(
            "unknown %s value %r kept as a plain string (the API may be newer than this SDK)",
            enum_cls.__name__,
            value,
        )
    return value


# ----------------------------------------------------------------------------- type analysis


@attrs.define(frozen=True)
class _Kind:
    tag: str  # str int float bool datetime any dict enum model list
    target: Any = None  # the enum or model class, or the list's item _Kind


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and attrs.has(tp) and getattr(tp, "__realto_model__", False)


def _split_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin is Union or (sys.version_info >= (3, 10) and origin is types.UnionType):
        args = typing.get_args(tp)
        rest = tuple(a for a in args if a is not type(None))
        nullable = len(rest) != len(args)
        if len(rest) == 1:
            return rest[0], nullable
        return Union[rest], nullable  # noqa: UP007 - rebuilds a runtime union
    return tp, False


def _kind_of(tp: Any) -> _Kind:
    tp, _ = _split_optional(tp)
    origin = typing.get_origin(tp)
    if origin is Union or (sys.version_info >= (3, 10) and origin is types.UnionType):
        args = typing.get_args(tp)
        enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
        if len(enums) == 1 and str in args and len(args) == 2:
            return _Kind("enum", enums[0])
        raise TypeError(f"unsupported union {tp!r}")
    if origin in (list, typing.List):  # noqa: UP006
        (item,) = typing.get_args(tp)
        return _Kind("list", _kind_of(item))
    if origin in (dict, typing.Dict) or tp in (dict, Mapping):  # noqa: UP006
        return _Kind("dict")
    if tp is Any or tp is object:
        return _Kind("any")
    if tp is datetime:
        return _Kind("datetime")
    if tp in (str, int, float, bool):
        return _Kind(tp.__name__)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _Kind("enum", tp)
    if _is_model(tp):
        return _Kind("model", tp)
    raise TypeError(f"unsupported field type {tp!r}")


def camel_case(name: str) -> str:
    """``entity_id`` -> ``entityId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@attrs.define(frozen=True)
class _FieldSpec:
    attr: str
    wire: str
    kind: _Kind
    required: bool
    nullable: bool


_specs: dict[type, list[_FieldSpec]] = {}


def _field_specs(cls: type) -> list[_FieldSpec]:
    specs = _specs.get(cls)
    if specs is None:
        specs = _specs[cls] = _read_field_specs(cls)
    return specs


def _read_field_specs(cls: type) -> list[_FieldSpec]:
    hints = typing.get_type_hints(cls)
    specs = []
    for field in attrs.fields(cls):
        if field.name == "extras":
            continue
        tp = hints[field.name]
        _, nullable = _split_optional(tp)
        specs.append(
            _FieldSpec(
                attr=field.name,
                wire=field.metadata.get("wire", camel_case(field.name)),
                kind=_kind_of(tp),
                required=field.default is attrs.NOTHING,
                nullable=nullable,
            )
        )
    return specs


# ------------------------------------------------------------------------------- generation

_structure_fns: dict[type, Callable[[Any], Any]] = {}
_check_fns: dict[type, Callable[[Any], None]] = {}
_build_fns: dict[type, Callable[[Any], Any]] = {}
_unstructure_fns: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _structure_list(convert: Callable[[Any], Any], value: object) -> list[Any]:
    if type(value) is not list:
        raise FieldError("a list", value)
    try:
        return [convert(item) for item in value]
    except FieldError:
        for index, item in enumerate(value):
            try:
                convert(item)
            except FieldError as err:
                err.path.insert(0, f"[{index}]")
                raise err from None
        raise  # pragma: no cover - the loop above re-raises


def _check_str(value: object) -> str:
    if type(value) is not str:
        raise FieldError("a string", value)
    return value


def _check_int(value: object) -> int:
    if type(value) is not int:
        raise FieldError("an integer", value)
    return value


def _check_float(value: object) -> float:
    if type(value) is not float and type(value) is not int:
        raise FieldError("a number", value)
    return value


def _check_bool(value: object) -> bool:
    if value is not True and value is not False:
        raise FieldError("true or false", value)
    return value


def _check_dict(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise FieldError("an object", value)
    return value


def _identity(value: T) -> T:
    return value


class _Namespace:
    """Names the generated code refers to, handed out as ``_n0``, ``_n1``..."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {
            "_FieldError": FieldError,
            "_MISSING": _MISSING,
            "_EMPTY": EMPTY_EXTRAS,
            "_Frozen": FrozenMapping,
            "_list": _structure_list,
            "_dt": _parse_datetime,
            "_fromiso": _fromisoformat,
            "_fmt_dt": format_datetime,
            "_Enum": enum.Enum,
            "_new": object.__new__,
        }

    def add(self, value: Any) -> str:
        name = f"_n{len(self.values)}"
        self.values[name] = value
        return name


# How a generated function treats the dict it is given:
# CHECK validates a whole subtree and builds nothing; STRUCTURE validates a whole subtree and
# builds its top object, its nested single models kept as their checked dicts until first read;
# BUILD builds one object from a dict already checked, its nested single models again kept
# as dicts: reading ``record.data.charge.total`` builds those three objects and no others.
CHECK, STRUCTURE, BUILD = "check", "structure", "build"


def _item_converter(kind: _Kind, mode: str = STRUCTURE) -> Callable[[Any], Any]:
    if kind.tag == "datetime":
        return _parse_datetime
    if kind.tag in ("any", "str", "int", "float", "bool", "dict") and mode == BUILD:
        return _identity
    simple: dict[str, Callable[[Any], Any]] = {
        "str": _check_str,
        "int": _check_int,
        "float": _check_float,
        "bool": _check_bool,
        "dict": _check_dict,
        "any": _identity,
    }
    if kind.tag in simple:
        return simple[kind.tag]
    if kind.tag == "model":
        return {CHECK: check_fn, STRUCTURE: structure_fn, BUILD: build_fn}[mode](kind.target)
    if kind.tag == "list":
        inner = _item_converter(kind.target, mode)
        if mode == BUILD:
            return lambda value: [inner(item) for item in value]
        return lambda value: _structure_list(inner, value)
    enum_cls = kind.target
    lookup = dict(enum_cls._value2member_map_)
    if mode == BUILD:
        return lambda value: lookup.get(value, value)

    def convert_enum(value: object) -> Any:
        if type(value) is str:
            member = lookup.get(value)
            if member is not None:
                return member
        return _unknown_enum(enum_cls, value)

    return convert_enum


_CHECKS = {
    "str": "if type(v) is not str: raise _FieldError('a string', v)",
    "int": "if type(v) is not int: raise _FieldError('an integer', v)",
    "float": "if type(v) is not float and type(v) is not int: raise _FieldError('a number', v)",
    "bool": "if v is not True and v is not False: raise _FieldError('true or false', v)",
    "dict": "if type(v) is not dict: raise _FieldError('an object', v)",
}


def datetime_lines(name: str) -> list[str]:
    """Generated lines that parse the date-time in variable ``name`` in place: _parse_datetime
    inlined for the common case (an aware ISO-8601 string); anything else goes through it for
    its fallback parser and its errors."""
    return [
        f"try: t = _fromiso({name}) if type({name}) is str else None",
        "except ValueError: t = None",
        f"{name} = t if t is not None and t.tzinfo is not None else _dt({name})",
    ]


def _emit_value(kind: _Kind, ns: _Namespace, depth: int, mode: str) -> tuple[list[str], str]:
    """Lines that check (and convert) ``v``, and the expression of the value to store."""
    if kind.tag in _CHECKS:
        return ([] if mode == BUILD else [_CHECKS[kind.tag]]), "v"
    if kind.tag == "any":
        return [], "v"
    if kind.tag == "datetime":
        return datetime_lines("v"), "v"
    if kind.tag == "enum":
        lookup = ns.add(dict(kind.target._value2member_map_))
        if mode == BUILD:
            return [], f"{lookup}.get(v, v)"
        fallback = ns.add(lambda value, _cls=kind.target: _unknown_enum(_cls, value))
        return [f"r = {lookup}.get(v) if type(v) is str else None", f"if r is None: r = {fallback}(v)"], "r"
    if kind.tag == "model":
        # A nested single model is stored as its dict and built on first read (see _LazyModel);
        # STRUCTURE checks its whole subtree now, so a bad value still fails the decode.
        if mode == BUILD:
            return [], "v"
        child = depth + 1
        return [f"d{child} = v", *_emit_object(kind.target, ns, child, CHECK)], f"d{child}"
    converted = f"_list({ns.add(_item_converter(kind.target, mode))}, v)"
    return ([converted] if mode == CHECK else []), converted


# The build function of each msgspec Struct type _fast_pages decodes into (a nested model is kept
# as its Struct until first read, as a dict is when decoding the general way).
struct_builders: dict[type, Callable[[Any], Any]] = {}


class _LazyModel:
    """The attribute of a nested model field: holds the checked dict, builds the model on first read.

    Wraps the slot attrs made for the field. Decoding writes the dict through the slot itself;
    every other write (``__init__``, unpickling) comes here and must be a model or None.
    """

    __slots__ = ("attr", "build", "owner", "slot", "target")

    def __init__(self, owner: type, attr: str, slot: Any, target: type) -> None:
        self.owner, self.attr, self.slot, self.target = owner, attr, slot, target
        self.build: Callable[[Any], Any] | None = None

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if type(value) is dict:
            build = self.build
            if build is None:
                build = self.build = build_fn(self.target)
            value = build(value)
            self.slot.__set__(obj, value)
        else:
            from_struct = struct_builders.get(type(value))  # decoded by _fast_pages
            if from_struct is not None:
                value = from_struct(value)
                self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        if type(value) is dict:
            raise InvalidArgumentError(
                f"{self.owner.__name__}.{self.attr} takes a {self.target.__name__} (or None), not a dict; "
                f"build it with {self.target.__name__}.from_dict(...)"
            )
        self.slot.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:  # pragma: no cover - frozen models refuse deletion first
        self.slot.__delete__(obj)


def install_lazy_fields(root: type) -> None:
    """Give every model class under ``root`` its lazy nested-model attributes (once, at import).

    Done for all models up front, not when a class is first decoded, so a model behaves the
    same whether or not anything was decoded yet.
    """
    pending = [root]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if _is_model(cls):
            _install_lazy_fields(cls)


def _install_lazy_fields(cls: type) -> None:
    for spec in _field_specs(cls):
        if spec.kind.tag == "model" and not isinstance(cls.__dict__.get(spec.attr), _LazyModel):
            slot = _slot_descriptor(cls, spec.attr)
            setattr(cls, spec.attr, _LazyModel(cls, spec.attr, slot, spec.kind.target))


def _slot_descriptor(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if isinstance(descriptor, _LazyModel):
            return descriptor.slot
        if descriptor is not None and hasattr(descriptor, "__set__"):
            return descriptor
    raise TypeError(f"{cls.__name__}.{name} is not a slot")  # pragma: no cover


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    setter: Callable[[Any, Any], None] = _slot_descriptor(cls, name).__set__
    return setter


def _emit_object(cls: type, ns: _Namespace, depth: int, mode: str) -> list[str]:
    """Lines that check the dict ``d{depth}`` against ``cls`` and (unless CHECK) build ``o{depth}``.

    Each field's block adds its wire name to the path of a FieldError raised inside it, so
    the error names e.g. ``data.charge.total.unit``.
    """
    d, o, n = f"d{depth}", f"o{depth}", f"n{depth}"
    specs = _field_specs(cls)
    builds, checks = mode != CHECK, mode != BUILD
    lines = [f"if type({d}) is not dict: raise _FieldError('an object', {d})"] if checks else []
    if builds:
        required = sum(1 for spec in specs if spec.required)
        lines += [f"{o} = _new({ns.add(cls)})", f"{n} = {required}"]
    for spec in specs:
        wire = repr(spec.wire)
        setter = ns.add(_slot_setter(cls, spec.attr)) if builds else ""
        body, expr = _emit_value(spec.kind, ns, depth, mode)
        if not builds and not body and not spec.required:
            continue  # nothing to check
        if spec.required and checks:
            lines.append(f"try: v = {d}[{wire}]")
            lines.append(
                f"except KeyError: e = _FieldError('a value', _MISSING); e.path.append({wire}); raise e"
            )
            indent = ""
        elif spec.required:
            lines.append(f"v = {d}[{wire}]")
            indent = ""
        else:
            lines.append(f"if {wire} in {d}:")
            lines.append(f"    v = {d}[{wire}]")
            if builds:
                lines.append(f"    {n} += 1")
            indent = "    "
        if spec.nullable and builds:
            lines.append(indent + f"if v is None: {setter}({o}, None)")
            lines.append(indent + "else:")
            indent += "    "
        elif spec.nullable:
            lines.append(indent + "if v is not None:")
            indent += "    "
        store = [f"{setter}({o}, {expr})"] if builds else []
        if checks:
            lines.append(indent + "try:")
            lines.extend(indent + "    " + line for line in (body + store or ["pass"]))
            lines.append(indent + "except _FieldError as e:")
            lines.append(indent + f"    e.path.insert(0, {wire}); raise")
        else:
            lines.extend(indent + line for line in (body + store or ["pass"]))
    if builds:
        known = ns.add(frozenset(spec.wire for spec in specs))
        extras = ns.add(_slot_setter(cls, "extras"))
        unknown = f"{{k: x for k, x in {d}.items() if k not in {known}}}"
        lines.append(f"if {n} != len({d}): {extras}({o}, _Frozen({unknown}))")
    return lines


def _generate(cls: type, mode: str) -> Callable[[Any], Any]:
    # Frozen attrs classes pay for object.__setattr__ per field in __init__; setting the
    # slots through their descriptors builds the same object in about half the time.
    if mode != CHECK:
        _install_lazy_fields(cls)  # for models defined after install_lazy_fields() ran
    ns = _Namespace()
    body = [f"    {line}" for line in _emit_object(cls, ns, 0, mode)]
    lines = [f"def {mode}(d0):", *body, f"    return {'None' if mode == CHECK else 'o0'}"]
    return _compile(lines, ns, f"{mode}_{cls.__module__}.{cls.__qualname__}", mode)


def _emit_unstructure(kind: _Kind, ns: _Namespace, src: str) -> str:
    if kind.tag in ("str", "int", "float", "bool", "dict", "any"):
        return src
    if kind.tag == "datetime":
        return f"_fmt_dt({src})"
    if kind.tag == "enum":
        return f"({src}.value if isinstance({src}, _Enum) else {src})"
    if kind.tag == "model":
        return f"{ns.add(unstructure_fn(kind.target))}({src})"
    item = _emit_unstructure(kind.target, ns, "x")
    return f"[{item} for x in {src}]"


def _generate_unstructure(cls: type) -> Callable[[Any], dict[str, Any]]:
    ns = _Namespace()
    specs = _field_specs(cls)
    required = [s for s in specs if s.required and not s.nullable]
    optional = [s for s in specs if not (s.required and not s.nullable)]
    entries = ", ".join(f"{s.wire!r}: {_emit_unstructure(s.kind, ns, 'o.' + s.attr)}" for s in required)
    lines = ["def unstructure(o):", f"    d = {{{entries}}}"]
    for spec in optional:
        lines.append(f"    v = o.{spec.attr}")
        lines.append(f"    if v is not None: d[{spec.wire!r}] = {_emit_unstructure(spec.kind, ns, 'v')}")
    lines.append("    ex = o.extras")
    lines.append("    if ex:")
    lines.append("        for k, x in ex.items():")
    lines.append("            if k not in d: d[k] = x")
    lines.append("    return d")
    return _compile(lines, ns, f"unstructure_{cls.__module__}.{cls.__qualname__}", "unstructure")


def _compile(lines: list[str], ns: _Namespace, name_in_file: str, name: str) -> Callable[..., Any]:
    source = "\n".join(lines) + "\n"
    # Registered in linecache (mtime None: checkcache() keeps it), so tracebacks and debuggers
    # show the generated lines. The counter keeps regenerated functions apart.
    filename = f"<realto-generated {name_in_file} #{next(_generated_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = compile(source, filename, "exec")
    scope = dict(ns.values)
    exec(code, scope)
    generated: Callable[..., Any] = scope[name]
    return generated


_generated_counter = itertools.count(1)


def structure_fn(cls: type[T]) -> Callable[[Any], T]:
    """The generated structure function for a model (raises the internal FieldError)."""
    fn = _structure_fns.get(cls)
    if fn is None:
        fn = _structure_fns[cls] = _generate(cls, STRUCTURE)
    return fn


def check_fn(cls: type) -> Callable[[Any], None]:
    """The generated function that only checks a model's dict (raises the internal FieldError)."""
    fn = _check_fns.get(cls)
    if fn is None:
        fn = _check_fns[cls] = _generate(cls, CHECK)
    return fn


def build_fn(cls: type[T]) -> Callable[[Any], T]:
    """The generated function that builds a model from a dict already checked."""
    fn = _build_fns.get(cls)
    if fn is None:
        fn = _build_fns[cls] = _generate(cls, BUILD)
    return fn


def unstructure_fn(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The generated unstructure function for a model."""
    fn = _unstructure_fns.get(cls)
    if fn is None:
        fn = _unstructure_fns[cls] = _generate_unstructure(cls)
    return fn


# ------------------------------------------------------------------------------ the converter

converter = cattrs.Converter()
"""The SDK's cattrs converter, public as ``realto_async.converter``.

It structures and unstructures every realto model (through the generated functions above,
so ``Model.from_dict`` / ``to_dict`` and this converter give the same results), aware
datetimes (ISO-8601 strings) and the SDK's open enums. Register hooks on it for your own
types and build your own attrs classes or dataclasses that contain realto models::

    converter.structure(json.loads(line), ChargingRecord)      # e.g. reading an export back
    converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))
    converter.structure({"kwh": 1.5, "record": {...}}, MyRow)    # MyRow holds a ChargingRecord

A realto model's own fields keep their generated hooks: a hook registered for a type the
models use (e.g. ``datetime``) applies to your classes, not inside realto models.
"""


def _structure_hook_factory(cls: type) -> Callable[[Any, Any], Any]:
    raw: Callable[[Any], Any] = structure_fn(cls)
    name = cls.__name__

    def hook(value: Any, _type: Any) -> Any:
        try:
            return raw(value)
        except FieldError as err:
            if type(value) is not dict and isinstance(value, Mapping):  # e.g. a MappingProxyType
                return hook(dict(value), _type)
            raise _to_validation_error(err, name) from None

    return hook


def _unstructure_hook_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
    return unstructure_fn(cls)


def register_open_enums(*enums: type[enum.Enum]) -> None:
    """Structure these enums on the converter as the models do: unknown values stay plain strings.

    Registered per class: the enums are ``str`` subclasses, and cattrs' handling of ``str``
    would otherwise come before any hook factory.
    """
    for enum_cls in enums:
        converter.register_structure_hook(enum_cls, _enum_hook_factory(enum_cls))
        converter.register_unstructure_hook(enum_cls, lambda member: member.value)


def _enum_hook_factory(cls: type) -> Callable[[Any, Any], Any]:
    convert = _item_converter(_Kind("enum", cls))

    def hook(value: Any, _type: Any) -> Any:
        if isinstance(value, cls):
            return value
        try:
            return convert(value)
        except FieldError as err:
            raise _to_validation_error(err, cls.__name__) from None

    return hook


converter.register_structure_hook_factory(_is_model, _structure_hook_factory)
converter.register_unstructure_hook_factory(_is_model, _unstructure_hook_factory)
converter.register_structure_hook(datetime, lambda value, _t: parse_datetime(value))
converter.register_unstructure_hook(datetime, format_datetime)


def structure(data: Any, cls: type[T], *, path: str = "") -> T:
    """Build a ``cls`` model from decoded JSON; a mismatch raises ResponseValidationError."""
    try:
        return structure_fn(cls)(data)
    except FieldError as err:
        raise _to_validation_error(err, cls.__name__, path) from None


def structure_list(data: Any, cls: type[T], *, path: str = "") -> list[T]:
    """Build a list of ``cls`` models from a decoded JSON array."""
    try:
        return _structure_list(structure_fn(cls), data)
    except FieldError as err:
        raise _to_validation_error(err, cls.__name__, path) from None


def unstructure(obj: Any) -> dict[str, Any]:
    """The wire-format dict of a model, unknown fields included."""
    return unstructure_fn(type(obj))(obj)
