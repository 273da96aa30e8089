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


@pytest.fixture
def rekomock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Controller]:
    """An active ``mock_rekognition_custom`` for the test; yields the controller ``rk``."""
    from .core import mock_rekognition_custom

    if not os.environ.get("AWS_DEFAULT_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_rekognition_custom() as rk:
        yield rk
