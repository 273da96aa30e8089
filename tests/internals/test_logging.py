"""The ``rekomock`` logger (docs/how-to/logging.md): silent by default; at DEBUG one record per
answered Custom Labels call, in-process and in server mode alike; at INFO the decisions a user
would otherwise have to guess; never an image's bytes, a request body or a credential."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from rekomock import Controller
from rekomock._wire import fastpath
from rekomock.server import RekomockServer
from rekomock.testing import make_png, put_classification_dataset

REGION = "us-east-1"
#: Credentials only this file uses: any of them in a record is a leak.
ACCESS_KEY = "logging-test-access-key"
SECRET_KEY = "logging-test-secret-key-never-logged"


def _client(service: str, **kwargs: Any) -> Any:
    return boto3.client(service, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, **kwargs)


def _records(caplog: pytest.LogCaptureFixture, level: int | None = None) -> list[Any]:
    return [r for r in caplog.records
            if r.name.startswith("rekomock") and (level is None or r.levelno == level)]


def _calls(caplog: pytest.LogCaptureFixture) -> list[Any]:
    return [r for r in _records(caplog, logging.DEBUG) if hasattr(r, "request_id")]


def _messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in _records(caplog, level)]


@pytest.fixture
def trained(rekomock: Controller) -> Iterator[dict[str, Any]]:
    """A running model trained on four images, and one of them."""
    s3 = _client("s3")
    s3.create_bucket(Bucket="log-images")
    key, images = put_classification_dataset(s3, "log-images", {"cat": 2, "dog": 2})
    rek = _client("rekognition")
    project = rek.create_project(ProjectName="log-images")["ProjectArn"]
    data = {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "log-images",
                                                             "Name": key}}}]}
    version = rek.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "log-images"},
        TrainingData=data, TestingData=data)["ProjectVersionArn"]
    rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    rek.describe_project_versions(ProjectArn=project)  # sees RUNNING
    yield {"rek": rek, "s3": s3, "project": project, "version": version, "images": images,
           "data": data}


def test_silent_by_default(caplog: pytest.LogCaptureFixture, trained: dict[str, Any]) -> None:
    """No handler, no level of its own: the application's logging config decides."""
    logger = logging.getLogger("rekomock")
    assert logger.handlers == [] and logger.level == logging.NOTSET and logger.propagate
    trained["rek"].detect_custom_labels(ProjectVersionArn=trained["version"],
                                        Image={"Bytes": make_png(80, 80, (1, 2, 3))})
    assert _records(caplog) == []


def test_each_answered_call_at_debug(caplog: pytest.LogCaptureFixture,
                                     trained: dict[str, Any]) -> None:
    rek, version = trained["rek"], trained["version"]
    caplog.set_level(logging.DEBUG, logger="rekomock")
    answer = rek.detect_custom_labels(ProjectVersionArn=version,
                                      Image={"S3Object": trained["images"][0].s3_object})
    (record,) = _calls(caplog)
    assert (record.operation, record.account_id, record.region, record.status,
            record.error) == ("DetectCustomLabels", "123456789012", REGION, 200, None)
    assert record.request_id == answer["ResponseMetadata"]["RequestId"]
    assert 0 < record.duration_ms < 10_000
    assert record.name == "rekomock._wire.responses"
    message = record.getMessage()
    assert message.startswith("DetectCustomLabels account=123456789012 region=us-east-1 "
                              "status=200 request_id=")
    assert message.endswith(" ms") and record.request_id in message


def test_refused_calls_at_debug_with_their_error(caplog: pytest.LogCaptureFixture,
                                                 rekomock: Controller) -> None:
    rek = _client("rekognition")
    caplog.set_level(logging.DEBUG, logger="rekomock")
    rekomock.inject_error("DescribeProjects", "InternalServerError")
    with pytest.raises(ClientError):
        _client("rekognition", config=_no_retries()).describe_projects()
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.delete_project(ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/"
                                      "gone/1700000000000")
    assert [(r.operation, r.status, r.error) for r in _calls(caplog)] == [
        ("DescribeProjects", 500, "InternalServerError"),
        ("DeleteProject", 400, "ResourceNotFoundException"),
    ]
    assert "status=400 error=ResourceNotFoundException request_id=" in \
        _calls(caplog)[-1].getMessage()


def _no_retries() -> Any:
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1})


def test_moto_pipeline_and_server_mode_log_the_same(caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    rekomock: Controller) -> None:
    """The fast path, moto's own pipeline (fast path off) and a server all answer through
    one handler, which logs."""
    caplog.set_level(logging.DEBUG, logger="rekomock")
    _client("rekognition").create_project(ProjectName="fast")
    monkeypatch.setattr(fastpath, "enabled", False)
    _client("rekognition").create_project(ProjectName="moto-pipeline")
    with RekomockServer() as server:
        _client("rekognition", endpoint_url=server.endpoint_url).create_project(
            ProjectName="served")
    assert [(r.operation, r.status) for r in _calls(caplog)] == [("CreateProject", 200)] * 3


def test_phases_reached_at_info(caplog: pytest.LogCaptureFixture,
                                trained: dict[str, Any]) -> None:
    rek, version = trained["rek"], trained["version"]
    caplog.set_level(logging.INFO, logger="rekomock")
    rek.stop_project_version(ProjectVersionArn=version)
    rek.describe_project_versions(ProjectArn=trained["project"])
    rek.delete_project_version(ProjectVersionArn=version)
    assert _messages(caplog, logging.INFO) == [f"{version} reached STOPPED",
                                               f"{version} deleted"]
    assert _calls(caplog) == []  # calls only at DEBUG


def test_training_reaching_its_end_at_info(caplog: pytest.LogCaptureFixture,
                                           rekomock: Controller,
                                           trained: dict[str, Any]) -> None:
    rek, project = trained["rek"], trained["project"]
    caplog.set_level(logging.INFO, logger="rekomock")
    v2 = rek.create_project_version(
        ProjectArn=project, VersionName="v2", OutputConfig={"S3Bucket": "log-images"},
        TrainingData=trained["data"], TestingData=trained["data"])["ProjectVersionArn"]
    rekomock.fail_training(message="The manifest file is empty.")
    v3 = rek.create_project_version(
        ProjectArn=project, VersionName="v3", OutputConfig={"S3Bucket": "log-images"},
        TrainingData=trained["data"], TestingData=trained["data"])["ProjectVersionArn"]
    assert _messages(caplog, logging.INFO) == [
        f"{v2} reached TRAINING_COMPLETED",
        f"{v3} reached TRAINING_FAILED: The manifest file is empty. -- "
        "rk.fail_training() asked for this failure",
    ]
    assert rekomock.explain(v3).endswith(_messages(caplog, logging.INFO)[-1].split(" -- ")[1])


def test_training_failure_cause_at_info(caplog: pytest.LogCaptureFixture,
                                        trained: dict[str, Any]) -> None:
    """The cause the service keeps to itself: here, the manifest's key is missing."""
    rek = trained["rek"]
    caplog.set_level(logging.INFO, logger="rekomock")
    missing = {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "log-images",
                                                                "Name": "nope.manifest"}}}]}
    arn = rek.create_project_version(
        ProjectArn=trained["project"], VersionName="v2", OutputConfig={"S3Bucket": "log-images"},
        TrainingData=missing, TestingData={"AutoCreate": True})["ProjectVersionArn"]
    (message,) = _messages(caplog, logging.INFO)
    assert message.startswith(f"{arn} reached TRAINING_FAILED: ")
    assert "nope.manifest" in message.split(" -- ", 1)[1]


def test_failed_start_at_info(caplog: pytest.LogCaptureFixture, rekomock: Controller,
                              trained: dict[str, Any]) -> None:
    rek, version = trained["rek"], trained["version"]
    rek.stop_project_version(ProjectVersionArn=version)
    rek.describe_project_versions(ProjectArn=trained["project"])
    caplog.set_level(logging.INFO, logger="rekomock")
    rekomock.fail_start(message="Not enough capacity.")
    rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    assert _messages(caplog, logging.INFO) == [
        f"{version} reached FAILED: Not enough capacity. -- "
        "rk.fail_start() asked for this failure"]


def test_unknown_image_at_info(caplog: pytest.LogCaptureFixture,
                               trained: dict[str, Any]) -> None:
    rek, s3, version = trained["rek"], trained["s3"], trained["version"]
    caplog.set_level(logging.INFO, logger="rekomock")
    rek.detect_custom_labels(ProjectVersionArn=version,
                             Image={"S3Object": trained["images"][1].s3_object})
    assert _records(caplog) == []  # a known image: nothing to explain
    stranger = make_png(80, 80, (1, 2, 3))
    s3.put_object(Bucket="log-images", Key="stranger.png", Body=stranger)
    in_s3 = {"S3Object": {"Bucket": "log-images", "Name": "stranger.png"}}
    for image in ({"Bytes": stranger}, in_s3):
        assert rek.detect_custom_labels(ProjectVersionArn=version,
                                        Image=image)["CustomLabels"] == []
    by_bytes, by_s3 = _messages(caplog, logging.INFO)
    assert by_bytes.startswith(f"{version} never saw this image (bytes with SHA-256 ")
    assert by_s3 == (f"{version} never saw this image (s3://log-images/stranger.png) and has no "
                     "answer scripted for it: no label above its thresholds")


def test_scripted_answer_is_not_an_unknown_image(caplog: pytest.LogCaptureFixture,
                                                 rekomock: Controller,
                                                 trained: dict[str, Any]) -> None:
    stranger = make_png(80, 80, (1, 2, 3))
    rekomock.set_detections([{"Name": "cat", "Confidence": 90.0}], image=stranger)
    caplog.set_level(logging.INFO, logger="rekomock")
    trained["rek"].detect_custom_labels(ProjectVersionArn=trained["version"],
                                        Image={"Bytes": stranger})
    assert _records(caplog) == []


def test_no_image_bytes_body_or_credentials_in_any_record(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
        trained: dict[str, Any]) -> None:
    """A whole journey at DEBUG, Bytes and S3 images, fast path and moto's pipeline."""
    rek, version = trained["rek"], trained["version"]
    caplog.set_level(logging.DEBUG, logger="rekomock")
    known = trained["images"][2]
    stranger = make_png(96, 96, (9, 8, 7))
    for enabled in (True, False):
        monkeypatch.setattr(fastpath, "enabled", enabled)
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": known.data})
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": stranger})
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"S3Object": known.s3_object})
    rek.stop_project_version(ProjectVersionArn=version)
    rek.describe_project_versions(ProjectArn=trained["project"])
    records = _records(caplog)
    assert len(_calls(caplog)) == 8 and len(records) > 8
    forbidden = [SECRET_KEY, ACCESS_KEY, "Image", "Bytes"]
    for data in (known.data, stranger):
        encoded = base64.b64encode(data).decode()
        forbidden += [encoded[:24], encoded[-24:]]
    for record in records:
        text = record.getMessage() + repr(vars(record))
        assert not [word for word in forbidden if word in text], text
        assert not any(isinstance(v, (bytes, bytearray)) for v in vars(record).values())
