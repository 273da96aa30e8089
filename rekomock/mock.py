"""``mock_rekognition_custom``: one entry point as decorator, context manager and fixture.

It composes moto's ``mock_aws`` (never subclasses it: moto's nesting counter is a class
attribute) and turns rekomock's router on for as long as it is active. Semantics:

- alone, it mocks S3 and every other service exactly as ``mock_aws`` does;
- inside an active ``mock_aws`` it shares that mock's state and leaves it running on exit;
- a fresh activation (none active before) starts with empty Custom Labels state and a
  fresh clock; nested activations share state;
- as with ``mock_aws``, boto3's default session is rebuilt for each fresh activation;
  :mod:`rekomock._wire.sessions` makes that cheap without sharing anything a test can change;
- on a class it decorates every test method the way moto's class decorator does, including
  ``setUp``/``setup_method`` keeping their data for the test;
- a client made without ``region_name`` gets the region of the environment or the profile,
  as boto3 resolves it, else ``us-east-1`` (:mod:`rekomock._wire.sessions`): the same under every
  entry point.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from moto import mock_aws
from moto.core.config import DefaultConfig

if TYPE_CHECKING:
    from .controller import Controller

T = TypeVar("T")

__all__ = ["MockRekognitionCustom", "mock_rekognition_custom"]

# The wire and the service are imported when first needed, not by ``import rekomock``: most
# of their cost is only worth paying once a mock is made.


def activate() -> bool:
    """Count one more activation (a mock or a server); the first one installs rekomock's
    patches (:mod:`rekomock._wire.patches`). True when rekomock just turned on."""
    from ._wire import patches

    return patches.activate()


def deactivate() -> bool:
    """Count one activation off; the last one removes the patches. True when rekomock just
    turned off."""
    from ._wire import patches

    return patches.deactivate()


class MockRekognitionCustom:
    """The object behind :func:`mock_rekognition_custom`; re-entrant."""

    def __init__(self, config: DefaultConfig | None = None) -> None:
        self._config = config
        self._inner: list[Any] = []
        from .controller import Controller

        self.controller = Controller()

    # --------------------------------------------------------- start / stop

    def start(self, reset: bool = True) -> Controller:
        inner = mock_aws(config=self._config)
        from ._wire import registrations

        with registrations.reused():
            inner.start(reset=reset)
        try:
            turned_on = activate()
        except BaseException:
            inner.stop()  # a patch that failed to install leaves neither mock running
            raise
        self._inner.append(inner)
        if turned_on and reset:
            from ._service.backend import reset_all

            reset_all()
        return self.controller

    def stop(self, remove_data: bool = True) -> None:
        if not self._inner:
            raise RuntimeError("Called stop() before start().")
        inner = self._inner.pop()
        turned_off = deactivate()
        inner.stop(remove_data=remove_data)
        if turned_off and not type(inner)._nested_count:
            from ._wire import garbage

            garbage.freeze_long_lived_once()

    def __enter__(self) -> Controller:
        return self.start()

    def __exit__(self, *args: object) -> None:
        self.stop()

    # ------------------------------------------------------------ decorator

    @overload
    def __call__(self, func: type[T], reset: bool = ..., remove_data: bool = ...) -> type[T]: ...

    @overload
    def __call__(
        self, func: Callable[..., T], reset: bool = ..., remove_data: bool = ...
    ) -> Callable[..., T]: ...

    def __call__(self, func: Any, reset: bool = True, remove_data: bool = True) -> Any:
        if inspect.isclass(func):
            return self._decorate_class(func)
        if inspect.iscoroutinefunction(func):
            return self._decorate_coroutine(func, reset, remove_data)
        return self._decorate_callable(func, reset, remove_data)

    def _decorate_callable(
        self, func: Callable[..., T], reset: bool, remove_data: bool
    ) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper

    def _decorate_coroutine(
        self, func: Callable[..., Awaitable[T]], reset: bool, remove_data: bool
    ) -> Callable[..., Awaitable[T]]:
        # moto's own decorator is sync-only: on a coroutine function it stops before the
        # body runs (getmoto/moto#7201). Keep the mock active across the awaited body.
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> T:
            self.start(reset=reset)
            try:
                return await func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper

    def _decorate_class(self, klass: type[T]) -> type[T]:
        # moto's class contract: setUp/setup_method start with a reset and keep their data
        # for the test; test methods reset only when there is no setup method; private,
        # static and class methods are left alone. moto's implementation only calls
        # ``self(method, reset=..., remove_data=...)``, so it drives ours unchanged.
        from moto.core.models import MockAWS

        decorate: Any = MockAWS._decorate_class
        decorated: type[T] = decorate(self, klass)
        return decorated


@overload
def mock_rekognition_custom(func: type[T]) -> type[T]: ...


@overload
def mock_rekognition_custom(func: Callable[..., T]) -> Callable[..., T]: ...


@overload
def mock_rekognition_custom(
    func: None = None, config: DefaultConfig | None = None
) -> MockRekognitionCustom: ...


def mock_rekognition_custom(func: Any = None, config: DefaultConfig | None = None) -> Any:
    """Mock Rekognition Custom Labels (and, through moto, the rest of AWS).

    Use as ``@mock_rekognition_custom`` on a function, coroutine function or class, or as
    ``with mock_rekognition_custom() as rk:``; ``config`` is passed to moto's ``mock_aws``.
    """
    if func is not None:
        return MockRekognitionCustom(config)(func)
    return MockRekognitionCustom(config)
