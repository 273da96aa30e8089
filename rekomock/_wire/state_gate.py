"""Requests and whole-state saves never overlap: each request the server serves holds the
state gate shared, a save or load takes it alone (:mod:`rekomock._service.persistence`).

The save and load routes take it themselves, so their requests are let through ungated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .._service.persistence import STATE_GATE

_UNGATED = ("/moto-api/rekomock/save", "/moto-api/rekomock/load",
            "/moto-api/rekomock/health")


def gated(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The WSGI ``app``, each request of it served holding the state gate shared."""

    def gate(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).rstrip("/") in _UNGATED:
            return app(environ, start_response)
        with STATE_GATE.shared():
            # moto answers whole bodies (lists), so the state is read before the gate opens.
            return list(app(environ, start_response))

    return gate
