"""Whether rekomock is active: the one count of activations (mocks and servers).

:mod:`rekomock._wire.patches` starts and stops through here, :mod:`rekomock._wire.routing` and
:mod:`rekomock._wire.fastpath` ask :func:`is_active`. The count rises only once the first
activation's patches are all in: an install that fails leaves rekomock inactive and the count
where it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_lock = threading.RLock()
_depth = 0


def start(install: Callable[[], None]) -> bool:
    """Count one more activation; the first runs ``install`` before it counts. True when
    rekomock just turned on."""
    global _depth
    with _lock:
        if _depth == 0:
            install()
        _depth += 1
        return _depth == 1


def stop(uninstall: Callable[[], None]) -> bool:
    """Count one activation off; the last runs ``uninstall``. True when rekomock just turned
    off."""
    global _depth
    with _lock:
        if _depth == 0:
            raise RuntimeError("rekomock was stopped more often than it was started")
        _depth -= 1
        if _depth == 0:
            uninstall()
        return _depth == 0


def is_active() -> bool:
    return _depth > 0
