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

_UNGATED = ("/moto-api/rekomock/save", "/moto-api/rekomock/load",
            "/moto-api/rekomock/health")
_READS = ("GET", "HEAD", "OPTIONS")
logger = logging.getLogger(__name__)


def gated(app: Callable[..., Iterable[bytes]],
          durable: Callable[[], None] | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI ``app``, each request of it served holding the state gate shared (alone,
    then ``durable()``, for a request that may change the state when ``durable`` is given).
    """

    def gate(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).rstrip("/") in _UNGATED:
            return app(environ, start_response)
        if durable is not None and environ.get("REQUEST_METHOD", "GET") not in _READS:
            with STATE_GATE.exclusive():
                body = list(app(environ, start_response))
                try:
                    durable()
                except Exception as err:  # the answer must not claim what is not on disk
                    logger.error("the state was not saved: %s", err)
                    start_response("503 Service Unavailable",
                                   [("Content-Type", "application/json")], sys.exc_info())
                    return [json.dumps({"Error": f"the state was not saved: {err}"}).encode()]
            return body
        with STATE_GATE.shared():
            # moto answers whole bodies (lists), so the state is read before the gate opens.
            return list(app(environ, start_response))

    return gate
