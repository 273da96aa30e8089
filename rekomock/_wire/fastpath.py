"""A shorter way in for Custom Labels calls made in-process through botocore.

moto answers every in-process call from one botocore ``before-send`` handler (its
``BotocoreStubber``): it scans a few hundred URL patterns, rebuilds the request as a werkzeug
request, then calls the service's handler. For a Custom Labels call that is more than half of
the time spent outside botocore (profile in docs/development/performance.md). While rekomock
is active, moto's stubber first asks :func:`answer` (see :func:`install`), which gives the
same request bytes to the same handler rekomock's router uses and returns the same answer,
skipping that work.

It declines (returns None, leaving the call to moto's pipeline exactly as before) whenever moto
would not hand the call to rekomock just so: moto's stubber disabled (no ``mock_aws`` active,
server mode), a passthrough or service whitelist configured, request recording on, a URL that
is not Rekognition's AWS endpoint (a client with ``endpoint_url``), or an operation rekomock
does not own. Setting :data:`enabled` to False turns it off (as
:data:`rekomock._wire.sessions.enabled` does the fresh sessions): for a suspected bug here, or
to measure what it saves.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

from .._domain.operations import OPERATIONS
from . import lifetime
from .responses import RekognitionCustomResponse

_lock = threading.Lock()
#: moto's own pattern for Rekognition's endpoints (``moto.backend_index``).
_URL: re.Pattern[str] | None = None
#: The off switch: while False, every call takes moto's pipeline (read at every call).
enabled = True


def _url_pattern() -> re.Pattern[str]:
    global _URL
    if _URL is None:
        from moto import backend_index

        _URL = next(p for name, p in backend_index.backend_url_patterns
                    if name == "rekognition")
    return _URL


class _Headers(Mapping[str, str]):
    """The request's headers as moto's normalised request has them: str values (botocore
    holds some as bytes), looked up case-insensitively (botocore's ``HeadersDict`` is). A
    view, not a copy: most calls read three or four of a dozen headers."""

    __slots__ = ("_raw",)

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __getitem__(self, key: str) -> str:
        value = self._raw[key]
        return value.decode("latin-1") if isinstance(value, bytes) else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class _Request:
    """What rekomock's handler reads of a request."""

    __slots__ = ("body", "headers", "method", "url")

    def __init__(self, request: Any) -> None:
        self.method = request.method
        self.url = request.url
        self.body = request.body
        self.headers = _Headers(request.headers)


_moto: tuple[Any, ...] | None = None


def _moto_switches() -> tuple[Any, ...]:
    """moto's stubber, recorder and config switches, looked up once."""
    global _moto
    if _moto is None:
        from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
        from moto.core.models import botocore_stubber
        from moto.moto_api import recorder

        _moto = (botocore_stubber, recorder, passthrough_service, passthrough_url,
                 service_whitelisted)
    return _moto


def takes(request: Any) -> str | None:
    """The Custom Labels action this call is, if the fast path may answer it."""
    if not (enabled and lifetime.is_active()):
        return None
    stubber, recorder, passthrough_service, passthrough_url, whitelisted = _moto_switches()
    if not stubber.enabled or recorder._user_enabled:
        return None
    url: str = request.url
    if not _url_pattern().match(url):
        return None
    if (passthrough_url(url.split("?", 1)[0]) or passthrough_service("rekognition")
            or not whitelisted("rekognition")):
        return None
    target = request.headers.get("X-Amz-Target") or b""
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    action = target.rpartition(".")[2]
    return action if action in OPERATIONS else None


def answer(request: Any, **_: Any) -> Any:
    """botocore ``before-send`` handler: rekomock's answer, or None for moto's pipeline."""
    action = takes(request)
    if action is None:
        return None
    plain = _Request(request)
    status, headers, body = RekognitionCustomResponse.handle(
        action, plain, plain.url, plain.headers)
    return AWSResponse(request.url, status, headers, MockRawResponse(body))


def install() -> None:
    """Wrap moto's ``BotocoreStubber.__call__`` so it tries :func:`answer` first; idempotent.

    Wrapping (rather than adding a second ``before-send`` handler) matters: botocore calls
    every ``before-send`` handler and keeps the first answer, so a second handler would let
    moto execute each call a second time. moto's stubber object stays the registered
    handler, so ``patch_client`` and sessions created before rekomock was imported see it.
    """
    with _lock:
        original = BotocoreStubber.__call__
        if getattr(original, "_rekomock_fastpath", False):
            return

        def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if self.enabled:
                response = answer(request)
                if response is not None:
                    return response
            return original(self, event_name, request, **kwargs)

        __call__._rekomock_fastpath = True  # type: ignore[attr-defined]
        __call__.__wrapped__ = original  # type: ignore[attr-defined]
        BotocoreStubber.__call__ = __call__  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto's stubber its own ``__call__`` back; idempotent."""
    with _lock:
        current = BotocoreStubber.__call__
        if getattr(current, "_rekomock_fastpath", False):
            BotocoreStubber.__call__ = current.__wrapped__  # type: ignore[attr-defined,method-assign]
