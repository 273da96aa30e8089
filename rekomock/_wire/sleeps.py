"""Sleeps that move the mock's clock instead: botocore's waiter polls and retry back-offs.

- Waiters: botocore's waiters sleep ``Delay`` seconds between polls (120 s for training, 30 s
  for running). While rekomock is active, a waiter whose operation rekomock answers in-process
  advances :mod:`rekomock._domain.clock` by that delay instead (:data:`WAITERS`), so time-based
  progressions reach their end in milliseconds and timestamps still say how long things
  "took".
- Retries: botocore sleeps between the attempts of a throttled or failed call (its standard
  retry mode backs off up to 20 s, with jitter). The back-off before retrying a Custom Labels
  operation that rekomock answers in-process advances the mock's clock instead
  (:data:`RETRIES`), so a test of retry code (errors from ``rk.inject_error``) takes
  milliseconds, and the time the retries "took" still shows on the mock's clock.

Any other waiter or retry (other services, a client pointed at an ``endpoint_url``: a server)
sleeps as usual.

A :class:`SleepPatch` puts :data:`TIME` in place of the ``time`` module of the botocore module
that sleeps (``botocore.waiter``, ``botocore.endpoint``) and runs the method that sleeps under
:func:`virtual` when the call is one rekomock answers; there a sleep advances the mock's clock
by the same seconds and returns at once. Every other sleep is real.
"""

from __future__ import annotations

import threading
import time as _real_time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.endpoint
import botocore.waiter

from .._domain import clock
from .._domain.operations import OPERATIONS

__all__ = ["RETRIES", "TIME", "WAITERS", "SleepPatch", "virtual"]

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


def _polls_rekomock(waiter: Any, **_: Any) -> bool:
    if waiter.config.operation not in OPERATIONS:
        return False
    method = getattr(waiter._operation_method, "_client_method", None)
    client = getattr(method, "__self__", None)
    meta = getattr(client, "meta", None)
    if meta is None or meta.service_model.service_name != "rekognition":
        return False
    # Only clients moto intercepts in-process (an endpoint_url to a server really sleeps).
    return ".amazonaws.com" in str(meta.endpoint_url)


def _answered_in_process(endpoint: Any, attempts: int, operation_model: Any, *_: Any,
                         **__: Any) -> bool:
    """Whether botocore's ``Endpoint._needs_retry`` is about to back off from a call that
    rekomock answered in-process."""
    return (operation_model.service_model.service_name == "rekognition"
            and operation_model.name in OPERATIONS
            and ".amazonaws.com" in str(endpoint.host))


#: botocore's waiters, polling an operation rekomock answers in-process.
WAITERS = SleepPatch(botocore.waiter, "Waiter", "wait", _polls_rekomock)
#: botocore's back-off before retrying a call rekomock answered in-process.
RETRIES = SleepPatch(botocore.endpoint, "Endpoint", "_needs_retry", _answered_in_process)
