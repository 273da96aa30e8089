"""moto's ``responses`` registrations, built once per process instead of once per mock.

Every fresh ``mock_aws`` start registers one ``CallbackResponse`` per HTTP method and URL
pattern of every moto backend with ``responses`` (7 methods by ~184 patterns, ~1,300
objects), and drops them at the next reset: the same objects every time, a fifth of a
test's fixed cost and most of its garbage. While rekomock's own ``mock_aws`` starts, moto's
``CallbackResponse`` is swapped for a factory that hands back the response built for that
(method, pattern, callback) the first time, its recorded calls cleared, so what ``responses``
holds and answers is what moto would have built. moto is left as shipped otherwise (a user's
own ``mock_aws`` builds its own); ``tests/test_moto_canaries.py`` guards the names used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core import models as moto_models

__all__ = ["reused"]

#: moto imports it from moto.core.custom_responses_mock and builds them by this name.
_NAME = "CallbackResponse"
_BUILD: Any = getattr(moto_models, _NAME)
_built: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()


def _callback_response(*args: Any, **kwargs: Any) -> Any:
    """moto's ``CallbackResponse(method=..., url=..., callback=...)``, the same object for the
    same three (its calls cleared); anything else is built afresh."""
    if args or set(kwargs) != {"method", "url", "callback"}:
        return _BUILD(*args, **kwargs)
    key = (kwargs["method"], kwargs["url"], kwargs["callback"])
    response = _built.get(key)
    if response is None:
        response = _built[key] = _BUILD(**kwargs)
    else:
        response.calls.reset()
    return response


@contextmanager
def reused() -> Iterator[None]:
    """Around a ``mock_aws`` start: its registrations come from the ones already built."""
    with _lock:
        setattr(moto_models, _NAME, _callback_response)
        try:
            yield
        finally:
            setattr(moto_models, _NAME, _BUILD)
