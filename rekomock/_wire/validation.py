"""Server-side request validation, derived from the botocore model (never retyped per field).

AWS checks max/pattern/enum/range on the server; botocore checks only some constraints
client-side and the CLI, other SDKs and ``parameter_validation=False`` send anything. Each
operation's input shape is compiled once, on first use, into nested closures.

- Wrong JSON type (a string where a number belongs, ...) -> ``SerializationException``, as
  AWS's JSON 1.1 services answer.
- Constraint violations -> one ``ValidationException`` counting them all, in AWS's usual
  form: ``2 validation errors detected: Value 'x' at 'projectName' failed to satisfy
  constraint: ...; Value null at 'outputConfig' failed to satisfy constraint: Member must
  not be null``.
- Unknown members are ignored (as AWS does). Blobs arrive base64 and come back decoded.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from .._domain.exceptions import SerializationException, ValidationException
from .._domain.shapes import compile_pattern, service_model

Errors = list[str]
Check = Callable[[Any, str, Errors], Any]

_compiled: dict[str, Check] = {}
_MAX_RENDERED = 256  # longer values are cut in messages, so a huge body gives a sane message


def validate_request(operation_name: str, params: object) -> dict[str, Any]:
    """Check a parsed JSON body against the operation's input shape.

    Returns the params, a new dict whose blob members are decoded bytes. Raises
    SerializationException or ValidationException.
    """
    check = _compiled.get(operation_name)
    if check is None:
        check = _compile_operation(operation_name)
    if not isinstance(params, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    errors: Errors = []
    result = check(params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))
    out: dict[str, Any] = result
    return out


def _compile_operation(operation_name: str) -> Check:
    model = service_model()
    if operation_name not in model.operation_names:
        raise ValueError(f"unknown Rekognition operation {operation_name}")
    shape = model.operation_model(operation_name).input_shape
    check = _compile_shape(shape) if shape is not None else _accept_any
    _compiled[operation_name] = check
    return check


def _accept_any(value: Any, path: str, errors: Errors) -> Any:
    return value


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(_render(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, bytes):
        text = "java.nio.HeapByteBuffer"
    else:
        text = str(value)
    return text if len(text) <= _MAX_RENDERED else text[:_MAX_RENDERED] + "..."


def _violation(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{_render(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def _wrong_type(expected: str) -> SerializationException:
    return SerializationException(f"Unexpected value type: expected {expected}.")


# ------------------------------------------------------------------ shapes


def _compile_shape(shape: Any) -> Check:
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        return _compile_structure(shape)
    if t == "list":
        return _compile_list(shape)
    if t == "map":
        return _compile_map(shape)
    if t == "string":
        return _compile_string(shape.enum, meta)
    if t in ("integer", "long"):
        return _compile_number(meta, integral=True)
    if t in ("float", "double"):
        return _compile_number(meta, integral=False)
    if t == "boolean":
        return _check_boolean
    if t == "blob":
        return _compile_blob(meta)
    if t == "timestamp":
        return _check_timestamp
    raise ValueError(f"unsupported shape type {t}")  # pragma: no cover


def _compile_structure(shape: Any) -> Check:
    members: list[tuple[str, str, Check]] = []
    required = frozenset(shape.required_members)

    def check(value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type("structure")
        out = dict(value)
        prefix = f"{path}." if path else ""
        for name, wire, sub in members:
            if name in value and value[name] is not None:
                out[name] = sub(value[name], prefix + wire, errors)
            elif name in required:
                errors.append(_violation(None, prefix + wire, "Member must not be null"))
        return out

    for name, member in shape.members.items():
        members.append((name, _camel(name), _compile_shape(member)))
    return check


def _length(constraints: list[str], value: Any, meta: dict[str, Any]) -> None:
    if "min" in meta and len(value) < meta["min"]:
        constraints.append(f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        constraints.append(f"Member must have length less than or equal to {meta['max']}")


def _check_length(value: Any, path: str, meta: dict[str, Any], errors: Errors) -> None:
    constraints: list[str] = []
    _length(constraints, value, meta)
    errors.extend(_violation(value, path, c) for c in constraints)


def _compile_list(shape: Any) -> Check:
    meta = shape.metadata
    item = _compile_shape(shape.member)

    def check(value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, list):
            raise _wrong_type("list")
        _check_length(value, path, meta, errors)
        return [item(v, f"{path}.{i}.member", errors) for i, v in enumerate(value, 1)]

    return check


def _compile_map(shape: Any) -> Check:
    meta = shape.metadata
    key_check = _compile_shape(shape.key)
    value_check = _compile_shape(shape.value)

    def check(value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type("map")
        _check_length(value, path, meta, errors)
        key_errors: Errors = []
        value_errors: Errors = []
        out = {}
        for k, v in value.items():
            if v is None:
                value_errors.append("Member must not be null")
                continue
            out[key_check(k, "", key_errors)] = value_check(v, "", value_errors)
        for kind, found in (("keys", key_errors), ("value", value_errors)):
            texts = sorted({e.split("failed to satisfy constraint: ", 1)[-1] for e in found})
            if texts:
                errors.append(_violation(value, path, f"Map {kind} must satisfy constraint: "
                                                      f"[{', '.join(texts)}]"))
        return out

    return check


def _compile_string(enum: list[str], meta: dict[str, Any]) -> Check:
    allowed = frozenset(enum) if enum else None
    enum_text = f"Member must satisfy enum value set: [{', '.join(enum)}]" if enum else ""
    pattern = meta.get("pattern")
    matches = compile_pattern(pattern) if pattern is not None else None
    pattern_text = f"Member must satisfy regular expression pattern: {pattern}"

    def check(value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            raise _wrong_type("string")
        constraints: list[str] = []
        _length(constraints, value, meta)
        if matches is not None and not matches(value):
            constraints.append(pattern_text)
        if allowed is not None and value not in allowed:
            constraints.append(enum_text)
        errors.extend(_violation(value, path, c) for c in constraints)
        return value

    return check


def _compile_number(meta: dict[str, Any], integral: bool) -> Check:
    low = meta.get("min")
    high = meta.get("max")

    def check(value: Any, path: str, errors: Errors) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong_type("number")
        if integral and isinstance(value, float):
            if not value.is_integer():
                raise _wrong_type("integer")
            value = int(value)
        if low is not None and value < low:
            errors.append(_violation(value, path, f"Member must have value greater than or "
                                                  f"equal to {low}"))
        if high is not None and value > high:
            errors.append(_violation(value, path, f"Member must have value less than or "
                                                  f"equal to {high}"))
        return value

    return check


def _check_boolean(value: Any, path: str, errors: Errors) -> Any:
    if not isinstance(value, bool):
        raise _wrong_type("boolean")
    return value


def _check_timestamp(value: Any, path: str, errors: Errors) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _wrong_type("timestamp")
    return value


def _compile_blob(meta: dict[str, Any]) -> Check:
    def check(value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            raise _wrong_type("blob")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as err:
            raise SerializationException("Blob is not valid base64.") from err
        _check_length(data, path, meta, errors)
        return data

    return check
