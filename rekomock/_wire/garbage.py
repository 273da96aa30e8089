"""Fewer full garbage collections' worth of work per test: freeze what outlives every mock.

A test that uses the mock allocates a few thousand container objects (moto's ``responses``
registrations, a boto3 session and client, the test's state), enough for Python's cyclic
collector to run a full (oldest-generation) collection every dozen tests; a full collection
visits every tracked object of the process, and moto, boto3 and botocore loaded are most of
them. Once the first mock of the process has stopped, its garbage is collected and what is
left — modules, classes, botocore's parsed data, the session template — is moved to the
collector's permanent generation (:func:`gc.freeze`, which the Python documentation
describes for this), so later collections only visit what tests made since. Frozen objects
are still freed when nothing refers to them; only a reference cycle among objects that were
alive at that moment is never collected. Once per process; nothing while a user's
``mock_aws`` still holds state.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze_long_lived_once"]

_lock = threading.Lock()
_frozen = False


def freeze_long_lived_once() -> None:
    """After the process's first mock has stopped: collect, then freeze what survives."""
    global _frozen
    with _lock:
        if _frozen:
            return
        _frozen = True
        gc.collect()
        gc.freeze()
