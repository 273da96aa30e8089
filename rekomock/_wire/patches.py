"""Every patch rekomock puts into moto and botocore, with one lifetime.

Each is installed when the first activation starts (a mock or a server) and removed when the
last one stops, as freezegun and responses do with theirs; while none is active, moto and
botocore are exactly as shipped.

- :mod:`rekomock._wire.routing`: the router in moto's Rekognition URL table;
- :mod:`rekomock._wire.fastpath`: the shorter way in, wrapped around moto's ``BotocoreStubber``;
- :mod:`rekomock._wire.control_routes`: ``/moto-api/rekomock/*`` in moto's ``moto_api`` URL table,
  and the clock reset behind ``/moto-api/reset``;
- :mod:`rekomock._wire.waiters`: botocore's waiters move the mock's clock instead of sleeping;
- :mod:`rekomock._wire.retries`: so do botocore's back-offs before retrying rekomock's calls;
- :mod:`rekomock._wire.sessions`: fresh botocore sessions that do not re-read botocore's data.

``tests/test_moto_canaries.py`` guards each moto and botocore internal they touch.
"""

from __future__ import annotations

from . import control_routes, fastpath, retries, routing, sessions, waiters

__all__ = ["activate", "deactivate"]

_PATCHES = (routing, fastpath, control_routes, waiters, retries, sessions)


def activate() -> bool:
    """Count one more activation; the first one installs every patch. True when rekomock
    just turned on."""
    if not routing.activate():
        return False
    for patch in _PATCHES:
        patch.install()
    return True


def deactivate() -> bool:
    """Count one activation off; the last one removes every patch. True when rekomock just
    turned off."""
    if not routing.deactivate():
        return False
    for patch in reversed(_PATCHES):
        patch.uninstall()
    return True
