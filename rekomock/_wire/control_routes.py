"""The controller over HTTP: ``/moto-api/rekomock/*``, beside moto's own ``/moto-api/``.

Server-mode users (the AWS CLI, other SDKs, other processes) steer the mock with these
routes exactly as in-process tests do with ``rk``. They are added to moto's ``moto_api``
URL table, so they answer in server mode and, while a mock is active, in-process too (at
``http://motoapi.amazonaws.com/moto-api/rekomock/...``, like moto's own ``/moto-api/reset``).

Every route takes and returns JSON; the body members are the controller methods' keyword
arguments. A bad request answers 400 ``{"Error": "..."}``, as moto's own routes do.

==========================================  ======  ========================================
route                                       method  body / query
==========================================  ======  ========================================
``/moto-api/rekomock/fail-training``        POST    ``version_name``?, ``message``?
``/moto-api/rekomock/fail-start``           POST    ``version_name``?, ``message``?
``/moto-api/rekomock/set-detections``       POST    ``labels``, ``project_version_arn``?,
                                                    ``image`` (``s3://`` URI)? or
                                                    ``image_base64``?
``/moto-api/rekomock/clear-detections``     POST    --
``/moto-api/rekomock/set-evaluation``       POST    ``f1_score``, ``labels``?, ``version_name``?
``/moto-api/rekomock/advance-time``         POST    ``seconds``
``/moto-api/rekomock/inject-error``         POST    ``operation``, ``code``, ``times``?,
                                                    ``message``?, ``matching``?,
                                                    ``account_id``?, ``region``?,
                                                    ``probability``?, ``seed``?
``/moto-api/rekomock/clear-errors``         POST    --
``/moto-api/rekomock/calls``                GET     -- (answers the list of calls answered)
``/moto-api/rekomock/clear-calls``          POST    --
``/moto-api/rekomock/quotas``               GET     -- (answers the quotas)
``/moto-api/rekomock/quotas``               POST    any of the quota names -> new values
``/moto-api/rekomock/inference-unit-hours`` GET     ``?project_version_arn=...``
``/moto-api/rekomock/state``                GET     -- (one row per resource, as ``print(rk)``)
``/moto-api/rekomock/reset``                POST    -- (resources, steering and clock)
``/moto-api/rekomock/health``               GET     -- (``{"status": "running", ...}``, at once;
                                                    503 ``initializing`` during init hooks)
``/moto-api/rekomock/save``                 POST    ``path`` (on the server's machine)
``/moto-api/rekomock/load``                 POST    ``path``
==========================================  ======  ========================================

moto's ``POST /moto-api/reset`` empties rekomock's state too (its backends are moto
BackendDicts) and, through the wrapper installed here, puts the mock's clock back; moto's
``GET /moto-api/data.json`` lists rekomock's resources too (:mod:`rekomock._service.dashboard`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import importlib.metadata
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from .._domain import clock
from .._service import dashboard
from .._service.controller import Controller

TYPE_RESPONSE = tuple[int, dict[str, str], str]
Handler = Callable[[Any, str, Any], TYPE_RESPONSE]

PREFIX = "{0}/moto-api/rekomock/"
_JSON = {"Content-Type": "application/json"}
_lock = threading.Lock()
_installed = False


class BadRequest(ValueError):
    """The route's input is unusable: answered 400 with the message."""


def _body(request: Any) -> dict[str, Any]:
    from .._domain.exceptions import RekognitionError
    from .responses import RekognitionCustomResponse

    try:
        raw = RekognitionCustomResponse._read_body(request, request.headers)
    except RekognitionError as err:
        raise BadRequest(err.message) from err
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:  # too deeply nested
        raise BadRequest("the body is not JSON") from err
    if not isinstance(value, dict):
        raise BadRequest("the body is a JSON object")
    return value


def _query(full_url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(full_url).query).items()}


def _kwargs(
    body: dict[str, Any], allowed: set[str], required: frozenset[str] | set[str] = frozenset()
) -> Any:
    unknown = set(body) - allowed
    if unknown:
        raise BadRequest(f"unknown members {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(body)
    if missing:
        raise BadRequest(f"missing members {sorted(missing)}")
    return body


def _route(method: str) -> Callable[[Callable[..., Any]], Handler]:
    """Wrap a function of the parsed JSON body (POST) or query string (GET) into a moto URL
    handler answering JSON."""

    def wrap(func: Callable[..., Any]) -> Handler:
        def handler(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
            if request.method != method:
                return 405, dict(_JSON), json.dumps({"Error": f"use {method}"})
            try:
                args = _body(request) if method == "POST" else _query(full_url)
                result = func(args)
            except (BadRequest, ValueError, TypeError) as err:
                return 400, dict(_JSON), json.dumps({"Error": str(err)})
            return 200, dict(_JSON), json.dumps(result if result is not None
                                                else {"status": "ok"})

        handler.__name__ = f"rekomock_{func.__name__}"
        return handler

    return wrap


_rk = Controller()


@_route("POST")
def fail_training(body: dict[str, Any]) -> None:
    _rk.fail_training(**_kwargs(body, {"version_name", "message"}))


@_route("POST")
def fail_start(body: dict[str, Any]) -> None:
    _rk.fail_start(**_kwargs(body, {"version_name", "message"}))


@_route("POST")
def set_detections(body: dict[str, Any]) -> None:
    args = dict(_kwargs(body, {"labels", "project_version_arn", "image", "image_base64"},
                        {"labels"}))
    if "image_base64" in args:
        if "image" in args:
            raise BadRequest("give image or image_base64, not both")
        try:
            args["image"] = base64.b64decode(args.pop("image_base64"), validate=True)
        except (binascii.Error, TypeError) as err:
            raise BadRequest("image_base64 must be a base64 string") from err
    _rk.set_detections(**args)


@_route("POST")
def clear_detections(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_detections()


@_route("POST")
def set_evaluation(body: dict[str, Any]) -> None:
    _rk.set_evaluation(**_kwargs(body, {"f1_score", "labels", "version_name"}, {"f1_score"}))


@_route("POST")
def advance_time(body: dict[str, Any]) -> dict[str, Any]:
    _rk.advance_time(_kwargs(body, {"seconds"}, {"seconds"})["seconds"])
    return {"status": "ok", "OffsetSeconds": clock.offset_seconds()}


_INJECT_OPTIONS = {"operation", "code", "times", "message", "matching", "account_id", "region",
                   "probability", "seed"}


@_route("POST")
def inject_error(body: dict[str, Any]) -> None:
    args = dict(_kwargs(body, _INJECT_OPTIONS, {"operation", "code"}))
    _rk.inject_error(args.pop("operation"), args.pop("code"), **args)


@_route("POST")
def clear_errors(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_errors()


@_route("GET")
def calls(query: dict[str, str]) -> list[dict[str, Any]]:
    _kwargs(query, set())
    return [call.to_json() for call in _rk.calls]


@_route("POST")
def clear_calls(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.calls.clear()


def _quota_values() -> dict[str, int]:
    return dataclasses.asdict(_rk.quotas)


@_route("GET")
def quotas(query: dict[str, str]) -> dict[str, int]:
    _kwargs(query, set())
    return _quota_values()


@_route("POST")
def set_quotas(body: dict[str, Any]) -> dict[str, int]:
    _kwargs(body, set(_quota_values()))
    checked = dataclasses.replace(_rk.quotas, **body)  # all or nothing
    for name in body:
        setattr(_rk.quotas, name, getattr(checked, name))
    return _quota_values()


@_route("GET")
def inference_unit_hours(query: dict[str, str]) -> dict[str, Any]:
    arn = _kwargs(query, {"project_version_arn"}, {"project_version_arn"})["project_version_arn"]
    return {"ProjectVersionArn": arn, "InferenceUnitHours": _rk.inference_unit_hours(arn)}


@_route("GET")
def state(query: dict[str, str]) -> dict[str, Any]:
    _kwargs(query, set())
    return {"Resources": _rk.rows(), "ClockOffsetSeconds": clock.offset_seconds()}


@_route("POST")
def reset(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.reset()
    clock.reset()


_STARTED = time.monotonic()


def _version() -> str:
    try:
        return importlib.metadata.version("rekomock")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "unknown"


#: Cleared while ``rekomock server --init`` hooks run: health then answers 503.
READY = threading.Event()
READY.set()


def health(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
    """For container health checks: answers at once, taking no lock of the mock's state;
    503 ``initializing`` while init hooks are still preparing the mock."""
    if request.method != "GET":
        return 405, dict(_JSON), json.dumps({"Error": "use GET"})
    ready = READY.is_set()
    return (200 if ready else 503), dict(_JSON), json.dumps({
        "status": "running" if ready else "initializing", "service": "rekomock",
        "version": _version(), "uptime_seconds": round(time.monotonic() - _STARTED, 3)})


@_route("POST")
def save(body: dict[str, Any]) -> dict[str, Any]:
    """The whole state to a file on the server's machine."""
    header = _rk.save(_kwargs(body, {"path"}, {"path"})["path"])
    return {"status": "ok", **header}


@_route("POST")
def load(body: dict[str, Any]) -> dict[str, Any]:
    header = _rk.load(_kwargs(body, {"path"}, {"path"})["path"])
    return {"status": "ok", **header}


def _by_method(get: Handler, post: Handler) -> Handler:
    def handler(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        return (post if request.method == "POST" else get)(request, full_url, headers)

    handler.__name__ = get.__name__
    return handler


ROUTES: dict[str, Handler] = {
    "fail-training": fail_training,
    "fail-start": fail_start,
    "set-detections": set_detections,
    "clear-detections": clear_detections,
    "set-evaluation": set_evaluation,
    "advance-time": advance_time,
    "inject-error": inject_error,
    "clear-errors": clear_errors,
    "calls": calls,
    "clear-calls": clear_calls,
    "quotas": _by_method(quotas, set_quotas),
    "inference-unit-hours": inference_unit_hours,
    "state": state,
    "reset": reset,
    # ---- issue 22 (server mode): health, state save/load
    "health": health,
    "save": save,
    "load": load,
}


def unknown_route(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
    """Any other path under the prefix: a JSON 404 naming the routes, not moto's HTML page."""
    name = urlparse(full_url).path.split("/moto-api/rekomock/", 1)[-1]
    return 404, dict(_JSON), json.dumps(
        {"Error": f"no route {name!r}; routes: {sorted(ROUTES)}"})


#: Matches what no route in ROUTES matches; registered after them so they take precedence.
UNKNOWN_ROUTE = PREFIX + "(?P<rekomock_route>.*)"
_RESET = "{0}/moto-api/reset"
_DATA = "{0}/moto-api/data.json"


def _with_clock_reset(moto_reset: Handler) -> Handler:
    """moto's ``/moto-api/reset``, which also puts the mock's clock back."""

    def handler(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        answer = moto_reset(request, full_url, headers)
        if request.method == "POST":
            clock.reset()
        return answer

    handler.__name__ = "reset_response"
    handler.__wrapped__ = moto_reset  # type: ignore[attr-defined]
    return handler


def _with_rekomock_models(moto_data: Handler) -> Handler:
    """moto's ``/moto-api/data.json``, with rekomock's resources under ``rekognition``
    (:mod:`rekomock._service.dashboard`)."""

    def handler(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        status, answer_headers, body = moto_data(request, full_url, headers)
        data = json.loads(body)
        data.setdefault(dashboard.SERVICE, {}).update(dashboard.model_data())
        return status, answer_headers, json.dumps(data)

    handler.__name__ = "model_data"
    handler.__wrapped__ = moto_data  # type: ignore[attr-defined]
    return handler


_WRAPPED = {_RESET: _with_clock_reset, _DATA: _with_rekomock_models}


def install() -> None:
    """Add the routes to moto's ``moto_api`` URL table; idempotent.

    Must run before moto's server builds its ``moto_api`` app (it caches the table then),
    which :mod:`rekomock.server` guarantees.
    """
    global _installed
    from moto.moto_api._internal import urls

    paths: dict[str, Any] = urls.url_paths
    with _lock:
        if _installed:
            return
        for name, handler in ROUTES.items():
            paths[PREFIX + name] = handler
        paths[UNKNOWN_ROUTE] = unknown_route
        for path, wrap in _WRAPPED.items():
            current = paths.get(path)
            if current is not None and not hasattr(current, "__wrapped__"):
                paths[path] = wrap(current)
        _installed = True


def uninstall() -> None:
    """Take the routes out of moto's ``moto_api`` URL table again; idempotent."""
    global _installed
    from moto.moto_api._internal import urls

    paths: dict[str, Any] = urls.url_paths
    with _lock:
        if not _installed:
            return
        for name in ROUTES:
            paths.pop(PREFIX + name, None)
        paths.pop(UNKNOWN_ROUTE, None)
        for path in _WRAPPED:
            current = paths.get(path)
            if current is not None and hasattr(current, "__wrapped__"):
                paths[path] = current.__wrapped__
        _installed = False
