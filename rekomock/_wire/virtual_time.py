"""Sleeps that move the mock's clock instead: botocore's waiter polls and retry back-offs.

A patch puts :data:`TIME` in place of the ``time`` module of the botocore module that sleeps
(``botocore.waiter``, ``botocore.endpoint``) and runs the calls that rekomock answers under
:func:`virtual`; there a sleep advances :mod:`rekomock._domain.clock` by the same seconds and
returns at once. Every other sleep is real.
"""

from __future__ import annotations

import threading
import time as _real_time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._domain import clock

__all__ = ["TIME", "virtual"]

_local = threading.local()


class _TimeShim:
    """Stands in for the ``time`` module inside a botocore module that sleeps."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        if getattr(_local, "virtual", False):
            clock.advance(seconds)
        else:
            _real_time.sleep(seconds)


TIME = _TimeShim()


@contextmanager
def virtual() -> Iterator[None]:
    """Within this block (this thread only), the shim's sleeps move the mock's clock."""
    previous = getattr(_local, "virtual", False)
    _local.virtual = True
    try:
        yield
    finally:
        _local.virtual = previous
