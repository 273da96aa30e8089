"""pytest plugin (``pytest11`` entry point): fixtures, no import needed.

``rekomock`` activates the mock and yields the controller; ``rekognition_client`` and
``s3_client`` are boto3 clients under it; ``aws_credentials`` sets the fake credentials
moto's documentation recommends, for clients made outside the mock; ``rekomock_server`` is one
server for the session, for suites that use server mode (one per pytest-xdist worker, each
worker being its own process).

The clients are typed with the ``mypy_boto3_rekognition`` and ``mypy_boto3_s3`` stubs where
they are installed (``pip install mypy-boto3-rekognition mypy-boto3-s3``); without them a type
checker sees ``Any``, as for any boto3 client. Neither is a dependency.

Loaded in every pytest session where rekomock is installed, so it imports nothing heavy at
module level.
"""

from __future__ import annotations

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


@pytest.fixture
def rekomock(request: pytest.FixtureRequest) -> Iterator[Controller]:
    """An active ``mock_rekognition_custom`` for the test; yields the controller ``rk``."""
    from .mock import mock_rekognition_custom

    config = None
    if not request.config.getini(RESET_SESSION_INI):
        # moto's documented switch: keep boto3.DEFAULT_SESSION between tests. Requests are
        # still intercepted, but signed with whatever the first test's session resolved.
        config = {"core": {"reset_boto3_session": False}}
    with mock_rekognition_custom(config=config) as rk:  # type: ignore[arg-type]
        yield rk


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
