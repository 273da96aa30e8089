"""The controller over HTTP: ``/moto-api/rekomock/*``, beside moto's own ``/moto-api/``.

Server-mode users (the AWS CLI, other SDKs, other processes) steer the mock with these
routes exactly as in-process tests do with ``rk``. They are added to moto's ``moto_api``
URL table, so they answer in server mode and, while a mock is active, in-process too (at
``http://motoapi.amazonaws.com/moto-api/rekomock/...``, like moto's own ``/moto-api/reset``).

Every route is one controller method, named as it is with ``_`` -> ``-``: GET for the
readers, POST for the rest. It takes and returns JSON; the body (POST) or query (GET)
members are the method's parameter names. A bad request answers 400 ``{"Error": "..."}``, as
moto's own routes do, in the words ``rk`` raises.

The routes, their members and what they answer: docs/reference/control-routes.md.

Deprecated, kept for one release (the answer carries a ``Warning: 299`` header naming the
replacement): ``GET state`` (use ``resources`` and ``now``), ``POST quotas`` (use
``set-quotas``), the member ``project_version_arn`` of ``set-detections`` and
``inference-unit-hours`` (use ``version``) and ``version_name`` of ``fail-start`` (use
``version``, the version's ARN).

moto's ``POST /moto-api/reset`` empties rekomock's state too (its backends are moto
BackendDicts) and, through the wrapper installed here, puts the mock's clock back: the same
reset as ``reset``. moto's ``GET /moto-api/data.json`` lists rekomock's resources
too (:mod:`rekomock._service.dashboard`).
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import dataclasses
import importlib.metadata
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.core.common_types import TYPE_RESPONSE

from .._domain import clock
from .._service import dashboard
from .._service.backend import reset_all
from .._service.controller import Controller

Handler = Callable[[Any, str, Any], TYPE_RESPONSE]

PREFIX = "{0}/moto-api/rekomock/"
_JSON = {"Content-Type": "application/json"}
_lock = threading.Lock()
_installed = False


class BadRequest(ValueError):
    """The route's input is unusable: answered 400 with the message."""


#: What the current request uses that is deprecated: each answered in a ``Warning`` header.
_deprecations: contextvars.ContextVar[list[str]] = contextvars.ContextVar("_deprecations")


def _deprecated(old: str, new: str) -> None:
    _deprecations.get().append(f"{old} is deprecated and goes away in the next release; "
                               f"use {new}")


def _renamed(args: dict[str, Any], route: str, old: str, new: str) -> dict[str, Any]:
    """``args`` with the deprecated member ``old`` of ``route`` renamed ``new``."""
    if old not in args:
        return args
    _deprecated(f"the member {old} of {route}", new)
    if new in args:
        raise BadRequest(f"give {new} only, not {old} and {new}")
    args = dict(args)
    args[new] = args.pop(old)
    return args


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
            notes: list[str] = []
            token = _deprecations.set(notes)
            try:
                args = _body(request) if method == "POST" else _query(full_url)
                result = func(args)
            except (BadRequest, ValueError, TypeError) as err:
                return 400, dict(_JSON), json.dumps({"Error": str(err)})
            finally:
                _deprecations.reset(token)
            answer = dict(_JSON)
            if notes:
                answer["Warning"] = ", ".join(f'299 rekomock "{note}"' for note in notes)
            return 200, answer, json.dumps(result if result is not None
                                           else {"status": "ok"})

        handler.__name__ = f"rekomock_{func.__name__}"
        return handler

    return wrap


_rk = Controller()


@_route("POST")
def fail_training(body: dict[str, Any]) -> None:
    _rk.fail_training(**_kwargs(body, {"message", "project", "version_name", "times"}))


@_route("POST")
def clear_training_failures(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_training_failures()


@_route("POST")
def fail_start(body: dict[str, Any]) -> None:
    args = _kwargs(body, {"message", "version", "times", "version_name"})
    if "version_name" in args:
        _deprecated("the member version_name of fail-start", "version (a ProjectVersionArn)")
    _rk.fail_start(**args)


@_route("POST")
def clear_start_failures(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_start_failures()


@_route("POST")
def set_detections(body: dict[str, Any]) -> None:
    args = _renamed(body, "set-detections", "project_version_arn", "version")
    args = dict(_kwargs(args, {"labels", "version", "image", "image_base64", "times"},
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
    _rk.set_evaluation(**_kwargs(body, {"f1_score", "labels", "project", "version_name",
                                        "times"}, {"f1_score"}))


@_route("POST")
def clear_evaluations(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_evaluations()


@_route("POST")
def advance_time(body: dict[str, Any]) -> dict[str, Any]:
    _rk.advance_time(_kwargs(body, {"seconds"}, {"seconds"})["seconds"])
    return {"status": "ok", "OffsetSeconds": clock.offset_seconds()}


@_route("GET")
def now(query: dict[str, str]) -> dict[str, Any]:
    _kwargs(query, set())
    return {"Now": _rk.now().isoformat(), "OffsetSeconds": clock.offset_seconds()}


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
    _rk.clear_calls()


def _quota_values() -> dict[str, int]:
    return dataclasses.asdict(_rk.quotas)


@_route("GET")
def quotas(query: dict[str, str]) -> dict[str, int]:
    _kwargs(query, set())
    return _quota_values()


def _set_quotas(body: dict[str, Any]) -> dict[str, int]:
    _rk.set_quotas(**_kwargs(body, set(_quota_values())))
    return _quota_values()


@_route("POST")
def set_quotas(body: dict[str, Any]) -> dict[str, int]:
    return _set_quotas(body)


@_route("POST")
def set_quotas_deprecated(body: dict[str, Any]) -> dict[str, int]:
    """``POST quotas``, the old name of ``set-quotas``."""
    _deprecated("POST /moto-api/rekomock/quotas", "POST /moto-api/rekomock/set-quotas")
    return _set_quotas(body)


@_route("POST")
def clear_quotas(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_quotas()


@_route("GET")
def inference_unit_hours(query: dict[str, str]) -> dict[str, Any]:
    args = _renamed(query, "inference-unit-hours", "project_version_arn", "version")
    arn = _kwargs(args, {"version"}, {"version"})["version"]
    return {"ProjectVersionArn": arn, "InferenceUnitHours": _rk.inference_unit_hours(arn)}


@_route("GET")
def explain(query: dict[str, str]) -> dict[str, Any]:
    arn = _kwargs(query, {"arn"}, {"arn"})["arn"]
    return {"Arn": arn, "Explanation": _rk.explain(arn)}


@_route("GET")
def resources(query: dict[str, str]) -> list[dict[str, str]]:
    _kwargs(query, set())
    return [resource.to_json() for resource in _rk.resources()]


@_route("GET")
def state(query: dict[str, str]) -> dict[str, Any]:
    """Deprecated: ``resources`` and ``now`` answer what it did."""
    _kwargs(query, set())
    _deprecated("GET /moto-api/rekomock/state",
                "GET /moto-api/rekomock/resources and GET /moto-api/rekomock/now")
    rows = [{"where": f"{r.account_id}/{r.region}", "kind": r.kind, "name": r.name,
             "status": r.status, "detail": r.detail} for r in _rk.resources()]
    return {"Resources": rows, "ClockOffsetSeconds": clock.offset_seconds()}


@_route("POST")
def reset(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.reset()


@_route("POST")
def set_capacity(body: dict[str, Any]) -> None:
    args = dict(_kwargs(body, {"tps_per_inference_unit", "version", "scale_up_seconds",
                               "scale_down_seconds"}, {"tps_per_inference_unit"}))
    _rk.set_capacity(args.pop("tps_per_inference_unit"), args.pop("version", None), **args)


@_route("POST")
def clear_capacity(body: dict[str, Any]) -> None:
    _rk.clear_capacity(**_kwargs(body, {"version"}))


@_route("POST")
def fail_inference_units(body: dict[str, Any]) -> None:
    args = dict(_kwargs(body, {"version", "count", "seconds"}, {"version"}))
    _rk.fail_inference_units(args.pop("version"), args.pop("count", 1), **args)


@_route("POST")
def clear_inference_unit_failures(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_inference_unit_failures()


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
    unknown = sorted(_query(full_url))
    if unknown:
        return 400, dict(_JSON), json.dumps(
            {"Error": f"unknown members {unknown}; allowed: []"})
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


# ----------------------------------------------------- capacity and cost: bill, running, clock


@_route("GET")
def bill(query: dict[str, str]) -> dict[str, Any]:
    version = _kwargs(query, {"version"}).get("version")
    return dataclasses.asdict(_rk.bill(version))


@_route("POST")
def set_prices(body: dict[str, Any]) -> None:
    _rk.set_prices(**_kwargs(body, {"training_hour", "inference_hour"}))


@_route("POST")
def clear_prices(body: dict[str, Any]) -> None:
    _kwargs(body, set())
    _rk.clear_prices()


@_route("GET")
def running(query: dict[str, str]) -> dict[str, Any]:
    _kwargs(query, set())
    return {"running": [dataclasses.asdict(model) for model in _rk.running()]}


@_route("POST")
def freeze_clock(body: dict[str, Any]) -> dict[str, Any]:
    _rk.freeze_clock(**_kwargs(body, {"frozen"}))
    return {"status": "ok", "frozen": clock.frozen()}


ROUTES: dict[str, Handler] = {
    "fail-training": fail_training,
    "clear-training-failures": clear_training_failures,
    "fail-start": fail_start,
    "clear-start-failures": clear_start_failures,
    "set-detections": set_detections,
    "clear-detections": clear_detections,
    "set-evaluation": set_evaluation,
    "clear-evaluations": clear_evaluations,
    "advance-time": advance_time,
    "now": now,
    "inject-error": inject_error,
    "clear-errors": clear_errors,
    "calls": calls,
    "clear-calls": clear_calls,
    "quotas": _by_method(quotas, set_quotas_deprecated),
    "set-quotas": set_quotas,
    "clear-quotas": clear_quotas,
    "inference-unit-hours": inference_unit_hours,
    "explain": explain,
    "resources": resources,
    "state": state,
    "reset": reset,
    "set-capacity": set_capacity,
    "clear-capacity": clear_capacity,
    "fail-inference-units": fail_inference_units,
    "clear-inference-unit-failures": clear_inference_unit_failures,
    "bill": bill,
    "set-prices": set_prices,
    "clear-prices": clear_prices,
    "running": running,
    "freeze-clock": freeze_clock,
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
    """moto's ``/moto-api/reset``, which also puts the mock's clock back (rekomock's whole
    reset, ``reset_all``, after moto's)."""

    def handler(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        answer = moto_reset(request, full_url, headers)
        if request.method == "POST":
            reset_all()
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
