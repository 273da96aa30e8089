"""Check JSON values against botocore *output* shapes, as they travel on the wire.

Used to validate scripted answers when a test sets them, and on every response by
``rekomock.testing.strict_client`` (botocore's parser silently drops members it does not know,
so checking parsed responses would hide extras), which hooks ``before-parse`` and validates
the raw JSON body of every Rekognition response with :func:`check_body`: only modelled
members, right JSON types, enum values, length/range limits, patterns (``\\p{L}`` classes
included) and base64 blobs within their size limits. An error body must name an error of the
operation (or of the JSON protocol) in ``__type`` and carry only ``Message``, ``Code`` and
``Logref``, the members AWS's SDKs model for Rekognition's errors (botocore's error shapes
have none).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.model import Shape

_PATTERNS: dict[str, Callable[[str], bool]] = {}
#: Errors of the JSON protocol itself, which any operation may answer (the last one: a body
#: beyond the size rekomock reads, docs/decisions.md, *Server mode*).
PROTOCOL_ERRORS = frozenset({"ValidationException", "SerializationException",
                             "UnknownOperationException", "UnrecognizedClientException",
                             "RequestEntityTooLargeException"})
#: The members of a Rekognition error body besides ``__type``.
ERROR_MEMBERS = frozenset({"Message", "Code", "Logref"})


class ShapeError(ValueError):
    """A value does not fit its botocore shape."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ShapeError(message)


# ---------------------------------------------------------------- patterns

#: ASCII members of the Unicode categories the model's patterns use, spelled for ``re``.
_ASCII_OF = {"L": "A-Za-z", "Z": " ", "N": "0-9"}
_PLACEHOLDER = "\uE000"  # a private-use character standing for "non-ASCII, right category"


def compile_pattern(src: str) -> Callable[[str], bool]:
    """A full-match predicate for a model pattern (Java ``matches()`` semantics).

    Python's ``re`` lacks ``\\p{L}``-style classes. Inside a character class, ``\\p{X}`` becomes
    the ASCII members of category X plus a placeholder; before matching, every non-ASCII
    character of one of those categories is mapped to the placeholder. ASCII text is
    matched as written, so look-aheads such as ``(?!aws:)`` keep working.
    """
    if "\\p{" not in src:
        rx = re.compile(src)
        return lambda s: rx.fullmatch(s) is not None
    cats = tuple(sorted(set(re.findall(r"\\p\{(\w)\}", src))))
    translated = re.sub(r"\\p\{(\w)\}", lambda m: _ASCII_OF[m.group(1)] + _PLACEHOLDER, src)
    rx = re.compile(translated)

    def check(s: str) -> bool:
        if not s.isascii():
            s = "".join(
                "\x00" if ch == _PLACEHOLDER  # never let input pose as the placeholder
                else _PLACEHOLDER if ord(ch) > 127 and unicodedata.category(ch)[0] in cats
                else ch
                for ch in s
            )
        return rx.fullmatch(s) is not None

    return check



def service_model() -> Any:
    global _MODEL
    if _MODEL is None:
        _MODEL = botocore.session.get_session().get_service_model("rekognition")
    return _MODEL


_MODEL: Any = None


def _pattern(src: str) -> Callable[[str], bool]:
    """The model pattern as the service applies it (whole value; ``\\p{…}`` classes too)."""
    if src not in _PATTERNS:
        _PATTERNS[src] = compile_pattern(src)
    return _PATTERNS[src]


def check_value(shape: Shape, value: Any, path: str) -> None:
    """Raise AssertionError naming the first place ``value`` does not fit ``shape``."""
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        _require(isinstance(value, dict), f"{path}: expected object, got {value!r}")
        extra = set(value) - set(shape.members)
        _require(not extra, f"{path}: members not in {shape.name}: {sorted(extra)}")
        for name in shape.required_members:
            _require(name in value, f"{path}: required member {name} missing")
        for name, sub in value.items():
            check_value(shape.members[name], sub, f"{path}.{name}")
    elif t == "list":
        _require(isinstance(value, list), f"{path}: expected list, got {value!r}")
        for i, item in enumerate(value):
            check_value(shape.member, item, f"{path}[{i}]")
    elif t == "map":
        _require(isinstance(value, dict), f"{path}: expected map")
        for k, v in value.items():
            check_value(shape.key, k, f"{path}<key>")
            check_value(shape.value, v, f"{path}[{k}]")
    elif t == "string":
        _require(isinstance(value, str), f"{path}: expected string, got {value!r}")
        if shape.enum:
            _require(value in shape.enum, f"{path}: {value!r} not in enum {shape.enum}")
        if "min" in meta:
            _require(len(value) >= meta["min"], f"{path}: shorter than {meta['min']}")
        if "max" in meta:
            _require(len(value) <= meta["max"], f"{path}: longer than {meta['max']}")
        if "pattern" in meta:
            _require(_pattern(meta["pattern"])(value), f"{path}: {value!r} !~ {meta['pattern']}")
    elif t in ("integer", "long"):
        _require(isinstance(value, int) and not isinstance(value, bool), f"{path}: not int")
        if "min" in meta:
            _require(value >= meta["min"], f"{path}: below {meta['min']}")
        if "max" in meta:
            _require(value <= meta["max"], f"{path}: above {meta['max']}")
    elif t in ("float", "double"):
        _require(isinstance(value, (int, float)) and not isinstance(value, bool), f"{path}")
        if "min" in meta:
            _require(value >= meta["min"], f"{path}: below {meta['min']}")
        if "max" in meta:
            _require(value <= meta["max"], f"{path}: above {meta['max']}")
    elif t == "boolean":
        _require(isinstance(value, bool), f"{path}: not bool")
    elif t == "timestamp":
        _require(
            isinstance(value, (int, float)) and not isinstance(value, bool),
            f"{path}: timestamps travel as epoch seconds, got {value!r}",
        )
    elif t == "blob":
        _require(isinstance(value, str), f"{path}: blobs travel base64")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ShapeError(f"{path}: not base64: {value[:40]!r}") from None
        if "min" in meta:
            _require(len(data) >= meta["min"], f"{path}: fewer than {meta['min']} bytes")
        if "max" in meta:
            _require(len(data) <= meta["max"], f"{path}: more than {meta['max']} bytes")
    else:  # pragma: no cover - the model has no other types
        raise AssertionError(f"{path}: unknown shape type {t}")


def check_error(operation_name: str, status: int, data: Any) -> None:
    """An error body: a documented code of the operation (or of the protocol), a message."""
    op = service_model().operation_model(operation_name)
    _require(400 <= status < 600, f"{operation_name}: error with HTTP status {status}")
    _require(isinstance(data, dict), f"{operation_name}: error body {data!r} is not an object")
    code = data.get("__type")
    _require(isinstance(code, str), f"{operation_name}: error without __type: {data!r}")
    documented = {shape.name for shape in op.error_shapes} | PROTOCOL_ERRORS
    _require(code in documented, f"{operation_name}: {code} is not one of its errors")
    extra = set(data) - ERROR_MEMBERS - {"__type"}
    _require(not extra, f"{operation_name}: error members not modelled: {sorted(extra)}")
    _require(isinstance(data.get("Message"), str), f"{operation_name}: error without Message")
    _require(data.get("Code", code) == code, f"{operation_name}: Code differs from __type")
    _require(isinstance(data.get("Logref", ""), str), f"{operation_name}: Logref not a string")


def check_body(operation_name: str, status: int, body: bytes) -> None:
    """Raise ShapeError unless ``body`` is what the service may answer ``operation_name``."""
    if status >= 300:
        check_error(operation_name, status, json.loads(body))
        return
    op = service_model().operation_model(operation_name)
    data = json.loads(body) if body else {}
    if op.output_shape is None:
        _require(data == {}, f"{operation_name}: empty output expected, got {data!r}")
        return
    check_value(op.output_shape, data, operation_name)
