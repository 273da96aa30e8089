"""The fast path answers Custom Labels calls inside moto's stubber, and leaves every call it
must not answer to moto's pipeline unchanged."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import botocore_stubber as stubber_module

from rekomock import mock_rekognition_custom
from rekomock._wire import fastpath
from rekomock.testing import make_png


class _Request:
    def __init__(self, url: str, target: bytes | str) -> None:
        self.url = url
        self.headers = {"X-Amz-Target": target}


URL = "https://rekognition.us-east-1.amazonaws.com/"


@pytest.fixture
def moto_pipeline_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the calls that go through moto's own pipeline (its stubber's URL scan)."""
    seen: list[str] = []
    real = stubber_module.BotocoreStubber.process_request

    def counting(self: Any, request: Any) -> Any:
        seen.append(request.url)
        return real(self, request)

    monkeypatch.setattr(stubber_module.BotocoreStubber, "process_request", counting)
    return seen


def test_custom_labels_calls_skip_moto_pipeline(rekognition: Any,
                                                moto_pipeline_calls: list[str]) -> None:
    arn = rekognition.create_project(ProjectName="fast")["ProjectArn"]
    assert rekognition.describe_projects()["ProjectDescriptions"][0]["ProjectArn"] == arn
    assert moto_pipeline_calls == []


def test_each_call_runs_once(rekognition: Any) -> None:
    rekognition.create_project(ProjectName="once")  # a second run would answer ResourceInUse
    assert len(rekognition.describe_projects()["ProjectDescriptions"]) == 1


def test_same_answer_with_and_without_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = []
    for enabled in (True, False):
        monkeypatch.setattr(fastpath, "enabled", enabled)
        with mock_rekognition_custom():
            rek = boto3.client("rekognition", region_name="eu-west-1")
            arn = rek.create_project(ProjectName="same")["ProjectArn"]
            with pytest.raises(rek.exceptions.ResourceInUseException) as err:
                rek.create_project(ProjectName="same")
            desc = rek.describe_projects()["ProjectDescriptions"][0]
            answers.append((arn.rsplit("/", 1)[0], desc["Status"], desc["Feature"],
                            err.value.response["Error"]["Code"],
                            err.value.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert answers[0] == answers[1]


def test_other_rekognition_operations_take_moto_pipeline(
        rekomock: Any, moto_pipeline_calls: list[str]) -> None:
    moto_own = boto3.client("rekognition", region_name="us-east-1")  # moto's shapes, unchecked
    assert moto_own.detect_labels(Image={"Bytes": make_png()})["Labels"]
    assert moto_pipeline_calls == [URL]


def test_plain_mock_aws_keeps_moto_answer(moto_pipeline_calls: list[str]) -> None:
    with mock_aws():
        labels = boto3.client("rekognition", region_name="us-east-1").detect_custom_labels(
            ProjectVersionArn="arn:aws:rekognition:us-east-1:123456789012:project/x/version/"
            "y/1", Image={"Bytes": make_png()})["CustomLabels"]
    assert labels and moto_pipeline_calls == [URL]


def test_declines_what_moto_would_not_route_to_rekomock() -> None:
    with mock_rekognition_custom():
        assert fastpath.takes(_Request(URL, b"RekognitionService.DescribeProjects")) == (
            "DescribeProjects")
        assert fastpath.takes(_Request(URL, "RekognitionService.DetectLabels")) is None
        assert fastpath.takes(_Request("http://127.0.0.1:5000/",
                                       "RekognitionService.DescribeProjects")) is None
    with mock_rekognition_custom(config={"core": {"passthrough": {
            "services": ["rekognition"]}}}):  # type: ignore[arg-type]
        assert fastpath.takes(_Request(URL, "RekognitionService.DescribeProjects")) is None
    with mock_rekognition_custom(config={"core": {"service_whitelist": ["s3"]}}):  # type: ignore[arg-type]
        assert fastpath.takes(_Request(URL, "RekognitionService.DescribeProjects")) is None
    assert fastpath.takes(_Request(URL, "RekognitionService.DescribeProjects")) is None


def test_recording_takes_moto_pipeline(rekognition: Any, moto_pipeline_calls: list[str],
                                       monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Any) -> None:
    from moto.moto_api import recorder

    # moto writes its recording to ./moto_recording unless told otherwise.
    monkeypatch.setattr(recorder, "_location", str(tmp_path / "moto_recording"))
    recorder.start_recording()
    try:
        rekognition.describe_projects()
    finally:
        recorder.stop_recording()
        recorder.reset_recording()
    assert moto_pipeline_calls == [URL]
