"""pytest plugin (``pytest11`` entry point): the ``rekomock`` fixture, no import needed.

Loaded in every pytest session where rekomock is installed, so it imports nothing heavy at
module level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .controller import Controller

RESET_SESSION_INI = "rekomock_reset_boto3_session"


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
def rekomock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Controller]:
    """An active ``mock_rekognition_custom`` for the test; yields the controller ``rk``."""
    from .core import mock_rekognition_custom

    if not os.environ.get("AWS_DEFAULT_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    config = None
    if not request.config.getini(RESET_SESSION_INI):
        # moto's documented switch: keep boto3.DEFAULT_SESSION between tests. Requests are
        # still intercepted, but signed with whatever the first test's session resolved.
        config = {"core": {"reset_boto3_session": False}}
    with mock_rekognition_custom(config=config) as rk:  # type: ignore[arg-type]
        yield rk
