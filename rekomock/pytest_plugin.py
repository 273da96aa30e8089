"""pytest plugin (``pytest11`` entry point): fixtures, no import needed.

``rekomock`` activates the mock and yields the controller; ``rekognition_client`` and
``s3_client`` are boto3 clients under it; ``aws_credentials`` sets the fake credentials
moto's documentation recommends, for clients made outside the mock; ``rekomock_server`` is one
server for the session, for suites that use server mode (one per pytest-xdist worker, each
worker being its own process).

The clients are typed with the ``mypy_boto3_rekognition`` and ``mypy_boto3_s3`` stubs where
they are installed (``pip install mypy-boto3-rekognition mypy-boto3-s3``); without them a type
checker sees ``Any``, as for any boto3 client. Neither is a dependency. A test that ends with a
model running is warned (``rekomock.RunningModelWarning``) or failed, as the ini option
``rekomock_running_models`` says; ``rekomock_freeze_clock`` freezes the mock's clock.

Loaded in every pytest session where rekomock is installed, so it imports nothing heavy at
module level.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import pytest

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client

    from ._service.controller import Controller
    from .server import RekomockServer

__all__ = ["aws_credentials", "rekognition_client", "rekomock", "rekomock_server", "s3_client"]

RESET_SESSION_INI = "rekomock_reset_boto3_session"
RUNNING_MODELS_INI = "rekomock_running_models"
RUNNING_MODELS_MODES = ("warn", "error", "ignore")
FREEZE_CLOCK_INI = "rekomock_freeze_clock"
#: moto's recommended fake environment for tests (credentials and region).
FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        RESET_SESSION_INI,
        type="bool",
        default=True,
        help="Give each test a fresh boto3 default session, as moto does (default: true). "
        "false keeps the first test's session, with its credentials, region and config, "
        "for the whole run, saving a millisecond or two per test.",
    )
    parser.addini(
        RUNNING_MODELS_INI,
        default="warn",
        help="When a test using the rekomock fixture ends with a Custom Labels model "
        "STARTING or RUNNING: warn (RunningModelWarning, the default), error (the test fails "
        "at teardown) or ignore.",
    )
    parser.addini(
        FREEZE_CLOCK_INI,
        type="bool",
        default=False,
        help="Freeze the mock's clock in tests using the rekomock fixture (also after "
        "rk.reset()): only rk.advance_time, waiters and retry back-offs move it (default: "
        "false).",
    )


def pytest_configure(config: pytest.Config) -> None:
    mode = config.getini(RUNNING_MODELS_INI)
    if mode not in RUNNING_MODELS_MODES:
        raise pytest.UsageError(f"{RUNNING_MODELS_INI} must be one of "
                                f"{', '.join(RUNNING_MODELS_MODES)}, not {mode!r}")


@pytest.fixture
def rekomock(request: pytest.FixtureRequest) -> Iterator[Controller]:
    """An active ``mock_rekognition_custom`` for the test; yields the controller ``rk``."""
    from .mock import mock_rekognition_custom

    config = None
    if not request.config.getini(RESET_SESSION_INI):
        # moto's documented switch: keep boto3.DEFAULT_SESSION between tests. Requests are
        # still intercepted, but signed with whatever the first test's session resolved.
        config = {"core": {"reset_boto3_session": False}}
    from ._domain import clock

    freeze = bool(request.config.getini(FREEZE_CLOCK_INI))
    frozen_before = clock.frozen_by_default()
    if freeze:
        clock.freeze_by_default(True)
    try:
        with mock_rekognition_custom(config=config) as rk:  # type: ignore[arg-type]
            if freeze:
                rk.freeze_clock()  # also when the mock was already active
            yield rk
            _check_running(request, rk)
    finally:
        if freeze:
            clock.freeze_by_default(frozen_before)


def _check_running(request: pytest.FixtureRequest, rk: Controller) -> None:
    """Warn (or fail) if the test leaves models running: on AWS they cost money by the hour
    until stopped, and forgetting to stop them is the costliest Custom Labels bug."""
    mode = request.config.getini(RUNNING_MODELS_INI)
    if mode == "ignore":
        return
    running = rk.running()
    if not running:
        return
    from ._domain.billing import RunningModelWarning

    per_hour = sum(model.cost_per_hour for model in running)
    message = (f"{request.node.nodeid} ended with {len(running)} Custom Labels model(s) "
               f"running, ${per_hour:.2f} per hour on AWS until stopped: "
               + "; ".join(str(model) for model in running)
               + f". Stop them with StopProjectVersion ({RUNNING_MODELS_INI} = ignore "
               "silences this).")
    if mode == "error":
        pytest.fail(message, pytrace=False)
    warnings.warn(RunningModelWarning(message), stacklevel=2)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region in the environment for the test (restored after it), so
    sessions and clients made outside the mock never find real ones."""
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def rekognition_client(rekomock: Controller) -> RekognitionClient:
    """A boto3 Rekognition client under the mock (region: ``AWS_DEFAULT_REGION``, else
    us-east-1)."""
    import boto3

    return cast("RekognitionClient", boto3.client("rekognition"))


@pytest.fixture
def s3_client(rekomock: Controller) -> S3Client:
    """A boto3 S3 client under the mock, in the same region as ``rekognition_client``."""
    import boto3

    return cast("S3Client", boto3.client("s3"))


@pytest.fixture(scope="session")
def rekomock_server() -> Iterator[RekomockServer]:
    """A :class:`~rekomock.server.RekomockServer` running for the whole session on a free
    port (its ``endpoint_url``): one per process, so one per pytest-xdist worker. It serves the
    process's state, which lasts from test to test; a test that also asks for ``rekomock``
    starts empty and can steer the server with ``rk``."""
    from .server import RekomockServer

    with RekomockServer() as server:
        yield server
