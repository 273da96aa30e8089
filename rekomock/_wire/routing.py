"""Plugging rekomock into moto's request routing (``moto/core/botocore_stubber.py``).

moto routes every Rekognition request (one URL, ``POST /``) to the handler in
``moto.rekognition.urls.url_paths["{0}/$"]``. :func:`install` puts :class:`RekognitionRouter`
there and keeps the previous handler. While rekomock is *active* (:mod:`rekomock._wire.lifetime`)
the router sends Custom Labels actions to rekomock; everything else, and everything while
inactive, goes to moto's own handler, so moto's DetectLabels & co. keep working and plain
``mock_aws`` keeps moto's canned DetectCustomLabels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .._domain.exceptions import UnknownOperationException
from .._domain.operations import OPERATIONS
from .._domain.shapes import service_model
from . import lifetime

_ROUTE = "{0}/$"
_lock = threading.RLock()
_previous: Callable[..., Any] | None = None
_model_operations: frozenset[str] | None = None


def _operations_in_model() -> frozenset[str]:
    global _model_operations
    if _model_operations is None:
        _model_operations = frozenset(service_model().operation_names)
    return _model_operations


class RekognitionRouter:
    """The handler moto calls for every Rekognition request.

    It is a classmethod named ``dispatch`` because moto's server names its Flask endpoints
    after ``handler.__self__.__name__`` when the handler is called ``dispatch``.
    """

    @classmethod
    def dispatch(cls, request: Any, full_url: str, headers: Any) -> Any:
        if lifetime.is_active():
            target = request.headers.get("X-Amz-Target") or ""
            action = target.rpartition(".")[2]
            from .responses import RekognitionCustomResponse

            if action in OPERATIONS:
                return RekognitionCustomResponse.handle(action, request, full_url, headers)
            if action not in _operations_in_model():
                # moto would call any public method this names (RecursionError, 500s).
                return UnknownOperationException(
                    f"Unknown operation {target or '(none)'}"
                ).to_response()
        assert _previous is not None
        return _previous(request, full_url, headers)


_ROUTER_FUNCTION = vars(RekognitionRouter)["dispatch"].__func__


def install() -> None:
    """Put the router in moto's Rekognition URL table; idempotent."""
    global _previous
    from moto.rekognition import urls

    with _lock:
        current = urls.url_paths.get(_ROUTE)
        if getattr(current, "__func__", None) is _ROUTER_FUNCTION:
            return
        _previous = current
        urls.url_paths[_ROUTE] = RekognitionRouter.dispatch


def uninstall() -> None:
    """Give moto's own handler its place back; idempotent."""
    global _previous
    from moto.rekognition import urls

    with _lock:
        current = urls.url_paths.get(_ROUTE)
        if _previous is not None and getattr(current, "__func__", None) is _ROUTER_FUNCTION:
            urls.url_paths[_ROUTE] = _previous
        _previous = None
