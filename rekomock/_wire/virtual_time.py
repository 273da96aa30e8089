"""Sleeps that move the mock's clock instead: botocore's waiter polls and retry back-offs.

A :class:`SleepPatch` puts :data:`TIME` in place of the ``time`` module of the botocore module
that sleeps (``botocore.waiter``, ``botocore.endpoint``) and runs the method that sleeps under
:func:`virtual` when the call is one rekomock answers; there a sleep advances
:mod:`rekomock._domain.clock` by the same seconds and returns at once. Every other sleep is
real.
"""

from __future__ import annotations

import threading
import time as _real_time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .._domain import clock

__all__ = ["TIME", "SleepPatch", "virtual"]

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


class SleepPatch:
    """Wraps ``owner.name`` of ``module`` so that the calls ``applies`` to sleep on the mock's
    clock, with :data:`TIME` as ``module.time``; install and uninstall are idempotent."""

    def __init__(self, module: Any, owner: str, name: str,
                 applies: Callable[..., bool]) -> None:
        self._module, self._owner, self._name, self._applies = module, owner, name, applies
        self._saved: tuple[Any, Any] | None = None

    def install(self) -> None:
        if self._saved is not None:
            return
        owner = getattr(self._module, self._owner)
        original = getattr(owner, self._name)
        applies = self._applies

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not applies(*args, **kwargs):
                return original(*args, **kwargs)
            with virtual():
                return original(*args, **kwargs)

        self._saved = (original, self._module.time)
        setattr(owner, self._name, wrapper)
        self._module.time = TIME

    def uninstall(self) -> None:
        if self._saved is None:
            return
        original, self._module.time = self._saved
        setattr(getattr(self._module, self._owner), self._name, original)
        self._saved = None
