"""Where ``rk.console()`` finds the console's server.

The controller lives in the service layer and the console's web server in the wire layer
above it, so the wire hands its opener down here while rekomock is active
(:mod:`rekomock._wire.console_server`, one of :mod:`rekomock._wire.patches`).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["open_console", "provide", "withdraw"]

_opener: Callable[[], str] | None = None


def provide(opener: Callable[[], str]) -> None:
    global _opener
    _opener = opener


def withdraw() -> None:
    global _opener
    _opener = None


def open_console() -> str:
    """The URL of the console, started if it is not running."""
    if _opener is None:
        raise RuntimeError("the console serves an active mock: call rk.console() inside "
                           "mock_rekognition_custom() or the rekomock fixture")
    return _opener()
