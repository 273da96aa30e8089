"""Check JSON values against botocore *output* shapes, as they travel on the wire.

Used to validate scripted answers when a test sets them, and by the test suite on every
response (botocore's parser silently drops members it does not know, so checking parsed
responses would hide extras): :func:`check_client` hooks ``before-parse`` and validates the
raw JSON body of every successful Rekognition response: only modelled members, right JSON
types, enum values, length/range limits and patterns; error bodies must carry ``__type``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
from botocore.model import Shape

_PATTERNS: dict[str, re.Pattern[str] | None] = {}


class ShapeError(ValueError):
    """A value does not fit its botocore shape."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ShapeError(message)


def service_model() -> Any:
    global _MODEL
    if _MODEL is None:
        _MODEL = botocore.session.get_session().get_service_model("rekognition")
    return _MODEL


_MODEL: Any = None


def _pattern(src: str) -> re.Pattern[str] | None:
    if src not in _PATTERNS:
        try:
            _PATTERNS[src] = None if "\\p{" in src else re.compile(src)
        except re.error:
            _PATTERNS[src] = None
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
            rx = _pattern(meta["pattern"])
            if rx is not None:
                _require(rx.search(value), f"{path}: {value!r} !~ {meta['pattern']}")
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
    else:  # pragma: no cover - the model has no other types
        raise AssertionError(f"{path}: unknown shape type {t}")


def check_body(operation_name: str, status: int, body: bytes) -> None:
    if status >= 300:
        data = json.loads(body)
        _require("__type" in data, f"error without __type: {body!r}")
        return
    op = service_model().operation_model(operation_name)
    data = json.loads(body) if body else {}
    if op.output_shape is None:
        _require(data == {}, f"{operation_name}: empty output expected, got {data!r}")
        return
    check_value(op.output_shape, data, operation_name)


def check_client(client: Any) -> Any:
    """Make ``client`` assert that each Rekognition answer fits its output shape."""

    def handler(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        check_body(operation_model.name, response_dict["status_code"], response_dict["body"])

    client.meta.events.register("before-parse.rekognition", handler)
    return client
