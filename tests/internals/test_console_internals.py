"""White-box checks of the console: an unexpected failure in a page, and that the mock's
calls never import the console's pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from console_journey import get, journey

from rekomock import Controller

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def console_url(rekomock: Controller, rekognition: Any, s3: Any) -> str:
    journey(rekomock, rekognition, s3)
    return rekomock.console()


def test_an_unexpected_failure_is_a_page_and_a_log_line(
        console_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from rekomock._wire import console

    def broken(query: dict[str, str]) -> Any:
        raise KeyError("surprise")

    monkeypatch.setitem(console._VIEWS, "calls", broken)
    status, page = get(console_url + "calls")
    assert status == 500 and "KeyError" in page and "Traceback" not in page
    assert any("console page /rekomock/calls failed" in r.message for r in caplog.records)


def test_the_mock_never_imports_the_console() -> None:
    """The API pays nothing for the console: a journey without rk.console() leaves it out."""
    code = (
        f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
        "import boto3\n"
        "from rekomock import mock_rekognition_custom\n"
        "from console_journey import journey\n"
        "with mock_rekognition_custom() as rk:\n"
        "    journey(rk, boto3.client('rekognition', region_name='us-east-1'),\n"
        "            boto3.client('s3', region_name='us-east-1'))\n"
        "print(sorted(m for m in sys.modules if 'console' in m and 'rekomock' in m))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['rekomock._service.console_hook', 'rekomock._wire.console_server']"
