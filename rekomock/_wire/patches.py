"""Every patch rekomock puts into moto and botocore, with one lifetime.

Each is installed when the first activation starts (a mock or a server) and removed when the
last one stops, as freezegun and responses do with theirs; while none is active, moto and
botocore are exactly as shipped. The count of activations is :mod:`rekomock._wire.lifetime`'s;
it rises only once every patch is in (one that fails to install takes out the ones before it).

- :mod:`rekomock._wire.routing`: the router in moto's Rekognition URL table;
- :mod:`rekomock._wire.fastpath`: the shorter way in, wrapped around moto's ``BotocoreStubber``;
- :mod:`rekomock._wire.control_routes`: ``/moto-api/rekomock/*`` in moto's ``moto_api`` URL table,
  and the clock reset behind ``/moto-api/reset``;
- :mod:`rekomock._wire.sleeps`: botocore's waiters and retry back-offs move the mock's clock
  instead of sleeping;
- :mod:`rekomock._wire.sessions`: fresh botocore sessions that do not re-read botocore's data;
- :mod:`rekomock._wire.console_server`: ``rk.console()``'s server, stopped with the last mock;
- the phases' default progressions in moto's state manager (:mod:`rekomock._domain.lifecycle`);
  removing them also drops the transitions users set, since the state manager outlives every
  reset;
- :mod:`rekomock._service.metrics`: Custom Labels' datapoints in moto's CloudWatch.

Two more live only for a moment, outside this lifetime: while rekomock's own ``mock_aws``
starts, :mod:`rekomock._wire.registrations` hands it the ``responses`` registrations already
built; after the process's first mock stops, :mod:`rekomock._wire.garbage` freezes what
outlives it for the garbage collector.

``tests/internals/test_moto_canaries.py`` guards each moto and botocore internal they touch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .._domain import lifecycle
from .._service import metrics
from . import console_server, control_routes, fastpath, lifetime, routing, sessions, sleeps

__all__: list[str] = []


class _Patch(NamedTuple):
    """How to put one patch in and take it out again (both idempotent)."""

    install: Callable[[], None]
    uninstall: Callable[[], None]


_PATCHES = (
    _Patch(routing.install, routing.uninstall),
    _Patch(fastpath.install, fastpath.uninstall),
    _Patch(control_routes.install, control_routes.uninstall),
    _Patch(sleeps.WAITERS.install, sleeps.WAITERS.uninstall),
    _Patch(sleeps.RETRIES.install, sleeps.RETRIES.uninstall),
    _Patch(sessions.install, sessions.uninstall),
    # The phases' default progressions in moto's state manager.
    _Patch(lifecycle.register_defaults, lifecycle.unset_user_transitions),
    # Custom Labels' datapoints in moto's CloudWatch.
    _Patch(metrics.install, metrics.uninstall),
    # rk.console()'s server: offered while active, stopped when rekomock turns off.
    _Patch(console_server.install, console_server.uninstall),
)


def _install_all() -> None:
    installed: list[_Patch] = []
    try:
        for patch in _PATCHES:
            patch.install()
            installed.append(patch)
    except BaseException:
        for patch in reversed(installed):
            patch.uninstall()
        raise


def _uninstall_all() -> None:
    for patch in reversed(_PATCHES):
        patch.uninstall()


def activate() -> bool:
    """Count one more activation; the first one installs every patch. True when rekomock
    just turned on."""
    return lifetime.start(_install_all)


def deactivate() -> bool:
    """Count one activation off; the last one removes every patch. True when rekomock just
    turned off."""
    return lifetime.stop(_uninstall_all)
