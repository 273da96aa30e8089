"""Waiters that poll rekomock move the mock's clock instead of sleeping.

botocore's waiters sleep ``Delay`` seconds between polls (120 s for training, 30 s for
running). While rekomock is active, a waiter whose operation rekomock answers in-process
advances :mod:`rekomock._domain.clock` by that delay instead, so time-based progressions reach their
end in milliseconds and timestamps still say how long things "took". Any other waiter (other
services, a client pointed at a real endpoint) sleeps as usual.
"""

from __future__ import annotations

from typing import Any

import botocore.waiter

from .._domain.operations import OPERATIONS
from .virtual_time import SleepPatch


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


_PATCH = SleepPatch(botocore.waiter, "Waiter", "wait", _polls_rekomock)
install = _PATCH.install
uninstall = _PATCH.uninstall
