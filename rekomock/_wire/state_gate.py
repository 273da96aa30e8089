"""Requests and whole-state saves never overlap: each request the server serves holds the
state gate shared, a save or load takes it alone (:mod:`rekomock._service.persistence`).

With a ``durable`` callback (``rekomock server --durable``), every request that may change
the state (any method but GET, HEAD and OPTIONS: Rekognition's calls are all POSTs and
even its reads move progressions and record calls) is served alone and the callback saves
the state before the answer leaves: an answered request is on disk.

The save, load and health routes are let through ungated: the first two take the gate
themselves, the last must answer at once.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from .._service.persistence import STATE_GATE

_LOAD = "/moto-api/rekomock/load"
_UNGATED = ("/moto-api/rekomock/save", _LOAD, "/moto-api/rekomock/health")
_READS = ("GET", "HEAD", "OPTIONS")
logger = logging.getLogger(__name__)


def gated(app: Callable[..., Iterable[bytes]],
          durable: Callable[[], None] | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI ``app``, each request of it served holding the state gate shared (alone,
    then ``durable()``, for a request that may change the state when ``durable`` is given).
    """

    def gate(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "")).rstrip("/")
        method = environ.get("REQUEST_METHOD", "GET")
        if path in _UNGATED:
            body = _whole(app(environ, start_response))
            if durable is not None and path == _LOAD and method == "POST":
                with STATE_GATE.exclusive():  # what was loaded is on disk before the answer
                    return _saved(durable, body, start_response)
            return body
        if durable is not None and method not in _READS:
            with STATE_GATE.exclusive():
                return _saved(durable, _whole(app(environ, start_response)), start_response)
        with STATE_GATE.shared():
            # moto answers whole bodies, so the state is read before the gate opens.
            return _whole(app(environ, start_response))

    return gate


def _whole(answer: Iterable[bytes]) -> list[bytes]:
    """The answer's body, read out, and the answer closed as WSGI asks."""
    try:
        return list(answer)
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()


def _saved(durable: Callable[[], None], body: list[bytes],
           start_response: Callable[..., Any]) -> list[bytes]:
    """``body`` once ``durable()`` has saved the state; a 503 if it could not: the answer
    must not claim what is not on disk."""
    try:
        durable()
    except Exception as err:
        logger.error("the state was not saved: %s", err)
        start_response("503 Service Unavailable", [("Content-Type", "application/json")],
                       sys.exc_info())
        return [json.dumps({"Error": f"the state was not saved: {err}"}).encode()]
    return body
