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

import botocore.endpoint

from .._domain.operations import OPERATIONS
from .virtual_time import SleepPatch

__all__ = ["install", "uninstall"]


def _answered_in_process(endpoint: Any, attempts: int, operation_model: Any, *_: Any,
                         **__: Any) -> bool:
    """Whether botocore's ``Endpoint._needs_retry`` is about to back off from a call that
    rekomock answered in-process."""
    return (operation_model.service_model.service_name == "rekognition"
            and operation_model.name in OPERATIONS
            and ".amazonaws.com" in str(endpoint.host))


_PATCH = SleepPatch(botocore.endpoint, "Endpoint", "_needs_retry", _answered_in_process)
install = _PATCH.install
uninstall = _PATCH.uninstall
