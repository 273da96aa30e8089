"""Retries of calls rekomock answers move the mock's clock instead of sleeping.

botocore sleeps between the attempts of a throttled or failed call (its standard retry mode
backs off up to 20 s, with jitter). While rekomock is active, the back-off before retrying a
Custom Labels operation that rekomock answers in-process advances the mock's clock instead,
so a test of retry code (errors from ``rk.inject_error``) takes milliseconds, and the time
the retries "took" still shows on the mock's clock. Other services, and clients pointed at
an ``endpoint_url`` (a server), sleep as usual.
"""

from __future__ import annotations

from typing import Any

from .._domain.operations import OPERATIONS
from .virtual_time import TIME, virtual

__all__ = ["install", "uninstall"]

_installed: tuple[Any, Any] | None = None


def _answered_in_process(endpoint: Any, operation_model: Any) -> bool:
    return (operation_model.service_model.service_name == "rekognition"
            and operation_model.name in OPERATIONS
            and ".amazonaws.com" in str(endpoint.host))


def install() -> None:
    """Wrap ``botocore.endpoint.Endpoint._needs_retry`` (where botocore sleeps before a
    retry); idempotent."""
    global _installed
    import botocore.endpoint

    if _installed is not None:
        return
    original = botocore.endpoint.Endpoint._needs_retry

    def _needs_retry(self: Any, attempts: int, operation_model: Any, *args: Any,
                     **kwargs: Any) -> Any:
        if not _answered_in_process(self, operation_model):
            return original(self, attempts, operation_model, *args, **kwargs)
        with virtual():
            return original(self, attempts, operation_model, *args, **kwargs)

    _installed = (original, botocore.endpoint.time)
    botocore.endpoint.Endpoint._needs_retry = _needs_retry
    botocore.endpoint.time = TIME


def uninstall() -> None:
    global _installed
    import botocore.endpoint

    if _installed is None:
        return
    botocore.endpoint.Endpoint._needs_retry, botocore.endpoint.time = _installed
    _installed = None
