"""Unhappy paths: AWS errors injected with ``rk.inject_error`` (as the service sends them, so
botocore retries them as on AWS) and the record of the calls made, ``rk.calls``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from rekomock import mock_rekognition_custom
from rekomock.testing import describe_version, strict_client

REGION = "us-east-1"

STANDARD_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 3})
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _client(config: Config) -> Any:
    return strict_client(boto3.client("rekognition", region_name=REGION, config=config))


def _running(rekognition: Any, train: Any) -> str:
    arn = str(train("v1"))
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    return arn


# ------------------------------------------------------------------ retries


def test_standard_retries_survive_two_throttles(rekomock: Any) -> None:
    rekognition = _client(STANDARD_RETRIES)
    rekomock.inject_error("CreateProject", "ThrottlingException", times=2)

    answer = rekognition.create_project(ProjectName="patient")

    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert [(c.operation, c.error) for c in rekomock.calls] == [
        ("CreateProject", "ThrottlingException"),
        ("CreateProject", "ThrottlingException"),
        ("CreateProject", None),
    ]
    assert {c.params["ProjectName"] for c in rekomock.calls} == {"patient"}
    (project,) = rekognition.describe_projects()["ProjectDescriptions"]
    assert project["ProjectArn"] == answer["ProjectArn"]   # created once


def test_retries_move_the_mock_clock_instead_of_sleeping(rekomock: Any,
                                                         no_real_sleep: list[float]) -> None:
    rekognition = _client(STANDARD_RETRIES)
    rekomock.inject_error("CreateProject", "ThrottlingException", times=2)
    before = rekomock.now()
    rekognition.create_project(ProjectName="patient")
    assert no_real_sleep == []
    assert rekomock.now() > before  # the back-offs passed, on the mock's clock


@pytest.mark.parametrize("code, status, attempts", [
    ("ThrottlingException", 500, 2),                     # throttling: retried
    ("ProvisionedThroughputExceededException", 400, 2),  # throttling: retried
    ("InternalServerError", 500, 2),                     # transient: retried
    ("AccessDeniedException", 400, 1),                   # not retried
    ("InvalidParameterException", 400, 1),
])
def test_errors_are_classified_by_botocore_as_on_aws(rekomock: Any, code: str, status: int,
                                                     attempts: int) -> None:
    rekognition = _client(Config(retries={"mode": "standard", "total_max_attempts": 2}))
    rekomock.inject_error("DescribeProjects", code, times=None)
    with pytest.raises(ClientError) as err:
        rekognition.describe_projects()
    answer = err.value.response
    assert answer["Error"]["Code"] == code
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == status
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == f"{code}:"
    assert [(c.error, c.status) for c in rekomock.calls] == [(code, status)] * attempts
    assert isinstance(err.value, getattr(rekognition.exceptions, code))


def test_the_docs_retry_example_runs(rekomock: Any) -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "failure-testing.md"
    (example,) = re.findall(r"```python\n(.+?)\n```", page.read_text(), re.S)
    namespace: dict[str, Any] = {}
    exec(compile(example, str(page), "exec"), namespace)
    namespace["test_survives_two_throttles"](rekomock)
    assert len(rekomock.calls) == 3


# ------------------------------------------------------------ no state change


def test_internal_server_error_changes_nothing(rekomock: Any, rekognition: Any,
                                               project_arn: str, train: Any, s3: Any,
                                               bucket: str) -> None:
    arn = train("v1")
    outputs_before = s3.list_objects_v2(Bucket=bucket)["KeyCount"]
    rekomock.inject_error("StartProjectVersion", "InternalServerError")
    rekomock.inject_error("CreateProjectVersion", "InternalServerError", message="Try again.")
    client = _client(NO_RETRIES)

    with pytest.raises(client.exceptions.InternalServerError) as err:
        client.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert describe_version(rekognition, project_arn, "v1")["Status"] == "TRAINING_COMPLETED"
    assert rekomock.inference_unit_hours(arn) == 0

    with pytest.raises(client.exceptions.InternalServerError) as err:
        client.create_project_version(ProjectArn=project_arn, VersionName="v2",
                                      OutputConfig={"S3Bucket": bucket})
    assert err.value.response["Error"]["Message"] == "Try again."
    versions = rekognition.describe_project_versions(ProjectArn=project_arn)
    assert [v["ProjectVersionArn"] for v in versions["ProjectVersionDescriptions"]] == [arn]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == outputs_before


# -------------------------------------------------------------- the rules


def test_only_documented_errors_are_accepted(rekomock: Any) -> None:
    with pytest.raises(ValueError) as err:
        rekomock.inject_error("CreateProject", "InvalidS3ObjectException")
    message = str(err.value)
    assert "CreateProject" in message and "InvalidS3ObjectException" in message
    for valid in ("AccessDeniedException", "InternalServerError", "ThrottlingException",
                  "ProvisionedThroughputExceededException", "ResourceInUseException"):
        assert valid in message
    with pytest.raises(ValueError, match="not a Custom Labels operation"):
        rekomock.inject_error("DetectLabels", "ThrottlingException")
    with pytest.raises(ValueError, match="no request members"):
        rekomock.inject_error("DetectCustomLabels", "ThrottlingException",
                              matching={"ProjectArn": "arn"})
    with pytest.raises(ValueError, match="times"):
        rekomock.inject_error("CreateProject", "ThrottlingException", times=0)
    with pytest.raises(ValueError, match="probability"):
        rekomock.inject_error("CreateProject", "ThrottlingException", probability=0)
    with pytest.raises(TypeError):
        rekomock.inject_error("CreateProject", "ThrottlingException", attempts=2)


def test_injection_is_used_up_after_times(rekomock: Any) -> None:
    client = _client(NO_RETRIES)
    rekomock.inject_error("describe_projects", "ThrottlingException", times=2)
    for _ in range(2):
        with pytest.raises(client.exceptions.ThrottlingException):
            client.describe_projects()
    assert client.describe_projects()["ProjectDescriptions"] == []
    assert [c.error for c in rekomock.calls] == ["ThrottlingException"] * 2 + [None]


def test_until_cleared_with_times_none(rekomock: Any) -> None:
    client = _client(NO_RETRIES)
    rekomock.inject_error("DescribeProjects", "AccessDeniedException", times=None)
    for _ in range(5):
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.describe_projects()
    rekomock.clear_errors()
    assert client.describe_projects()["ProjectDescriptions"] == []


def test_rules_narrowed_to_a_model_a_region_or_an_account(rekomock: Any,
                                                          rekognition: Any,
                                                          train: Any) -> None:
    first, second = _running(rekognition, train), str(train("v2"))
    rekognition.start_project_version(ProjectVersionArn=second, MinInferenceUnits=1)
    image = {"Bytes": b"\x89PNG not an image"}
    rekomock.inject_error("DetectCustomLabels", "ThrottlingException", times=None,
                          matching={"ProjectVersionArn": second})
    client = _client(NO_RETRIES)
    with pytest.raises(client.exceptions.InvalidImageFormatException):
        client.detect_custom_labels(ProjectVersionArn=first, Image=image)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.detect_custom_labels(ProjectVersionArn=second, Image=image)

    rekomock.inject_error("DescribeProjects", "InternalServerError", times=None,
                          region="eu-west-1")
    rekomock.inject_error("DescribeProjects", "AccessDeniedException", times=None,
                          account_id="111122223333")
    assert client.describe_projects()["ProjectDescriptions"]
    ireland = boto3.client("rekognition", region_name="eu-west-1", config=NO_RETRIES)
    with pytest.raises(ireland.exceptions.InternalServerError):
        ireland.describe_projects()
    assert [(c.region, c.error) for c in rekomock.calls[-2:]] == [
        ("us-east-1", None), ("eu-west-1", "InternalServerError")]


def test_probability_is_deterministic_for_a_seed() -> None:
    def outcomes(seed: int) -> list[str | None]:
        with mock_rekognition_custom() as rk:
            client = _client(NO_RETRIES)
            rk.inject_error("DescribeProjects", "ThrottlingException", times=None,
                            probability=0.5, seed=seed)
            for _ in range(40):
                try:
                    client.describe_projects()
                except client.exceptions.ThrottlingException:
                    pass
            return [c.error for c in rk.calls]

    first = outcomes(1)
    assert first == outcomes(1)
    assert 5 < first.count("ThrottlingException") < 35
    assert first != outcomes(2)


# ------------------------------------------------------------------- rk.calls


def test_calls_of_a_full_journey(rekomock: Any, rekognition: Any, train: Any,
                                 classification: dict[str, Any]) -> None:
    project = rekognition.create_project(ProjectName="journey")["ProjectArn"]
    rekomock.clear_calls()
    version = train("v1", ProjectArn=project)
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=project, VersionNames=["v1"])
    rekognition.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project, VersionNames=["v1"])
    uri, label = classification["images"][0]
    bucket, key = uri[5:].split("/", 1)
    labels = rekognition.detect_custom_labels(
        ProjectVersionArn=version, Image={"S3Object": {"Bucket": bucket, "Name": key}})
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_project(ProjectArn=project)
    rekognition.stop_project_version(ProjectVersionArn=version)

    calls = rekomock.calls
    assert [c.operation for c in calls] == [
        "CreateProjectVersion", "DescribeProjectVersions", "StartProjectVersion",
        "DescribeProjectVersions", "DetectCustomLabels", "DeleteProject",
        "StopProjectVersion"]
    assert [c.error for c in calls] == [None] * 5 + ["ResourceInUseException", None]
    assert [c.status for c in calls] == [200] * 5 + [400, 200]
    assert {(c.account_id, c.region) for c in calls} == {("123456789012", REGION)}
    start = calls[2]
    assert start.params == {"ProjectVersionArn": version, "MinInferenceUnits": 1}
    assert calls[-1].params == {"ProjectVersionArn": version}  # it stops what it started
    assert calls[4].params["Image"] == {"S3Object": {"Bucket": bucket, "Name": key}}
    assert calls[4].request_id == labels["ResponseMetadata"]["RequestId"]
    assert [x["Name"] for x in labels["CustomLabels"]] == [label]
    assert calls[0].params["TrainingData"] == classification["TrainingData"]


def test_calls_record_refused_requests_as_received(rekomock: Any,
                                                   unchecked_rekognition: Any) -> None:
    with pytest.raises(ClientError):
        unchecked_rekognition.create_project(ProjectName="bad name!")
    (call,) = rekomock.calls
    assert call.params == {"ProjectName": "bad name!"}
    assert (call.error, call.status) == ("ValidationException", 400)
    assert call.to_json()["operation"] == "CreateProject"


def test_blobs_are_recorded_as_sent_on_the_wire(rekomock: Any, rekognition: Any) -> None:
    with pytest.raises(ClientError):
        rekognition.detect_moderation_labels(Image={"Bytes": b"abc"})
    assert rekomock.calls[-1].params["Image"] == {"Bytes": "YWJj"}


def test_only_calls_answered_by_rekomock_are_recorded() -> None:
    with mock_aws():
        client = boto3.client("rekognition", region_name=REGION)
        with mock_rekognition_custom() as rk:
            client.create_project(ProjectName="recorded")
            client.detect_labels(Image={"Bytes": b"x"})        # moto's own operation
        # rekomock off, moto still on: moto answers its canned DetectCustomLabels
        client.detect_custom_labels(
            ProjectVersionArn="arn:aws:rekognition:us-east-1:123456789012:project/p/"
                              "version/v/1", Image={"Bytes": b"x"})
        assert [c.operation for c in rk.calls] == ["CreateProject"]


# ---------------------------------------------------------------------- reset


def test_reset_and_fresh_activations_clear_injections_and_calls() -> None:
    with mock_rekognition_custom() as rk:
        client = _client(NO_RETRIES)
        rk.inject_error("DescribeProjects", "ThrottlingException", times=None)
        with pytest.raises(client.exceptions.ThrottlingException):
            client.describe_projects()
        with mock_rekognition_custom() as inner:             # nested: shares state
            assert len(inner.calls) == 1
        rk.reset()
        assert len(rk.calls) == 0
        assert client.describe_projects()["ProjectDescriptions"] == []
        rk.inject_error("DescribeProjects", "ThrottlingException", times=None)
    with mock_rekognition_custom() as rk:
        client = _client(NO_RETRIES)
        assert len(rk.calls) == 0
        assert client.describe_projects()["ProjectDescriptions"] == []


# ------------------------------------------------------------------ over HTTP


def test_routes_from_another_process(server: Any) -> None:
    rek = server.client("rekognition", config=STANDARD_RETRIES)
    assert server.control("inject-error", {"operation": "CreateProject",
                                           "code": "ThrottlingException",
                                           "times": 2}) == (200, {"status": "ok"})
    arn = rek.create_project(ProjectName="served")["ProjectArn"]
    status, calls = server.control("calls")
    assert status == 200
    assert [(c["operation"], c["error"], c["status"]) for c in calls] == [
        ("CreateProject", "ThrottlingException", 500),
        ("CreateProject", "ThrottlingException", 500),
        ("CreateProject", None, 200)]
    assert {(c["account_id"], c["region"]) for c in calls} == {("123456789012", "us-east-1")}
    assert calls[-1]["params"] == {"ProjectName": "served"}
    assert server.control("clear-calls", {}) == (200, {"status": "ok"})
    assert server.control("calls") == (200, [])

    assert server.control("inject-error", {"operation": "describe_projects",
                                           "code": "AccessDeniedException", "times": None,
                                           "message": "No."})[0] == 200
    for _ in range(2):
        with pytest.raises(rek.exceptions.AccessDeniedException, match=r"No\."):
            rek.describe_projects()
    assert server.control("clear-errors", {}) == (200, {"status": "ok"})
    (project,) = rek.describe_projects()["ProjectDescriptions"]
    assert project["ProjectArn"] == arn
    assert [c["error"] for c in server.control("calls")[1]] == [
        "AccessDeniedException", "AccessDeniedException", None]


def test_reset_over_http_clears_injections_and_calls(server: Any) -> None:
    rek = server.client("rekognition", config=NO_RETRIES)
    server.control("inject-error", {"operation": "DescribeProjects",
                                    "code": "InternalServerError", "times": None})
    with pytest.raises(rek.exceptions.InternalServerError):
        rek.describe_projects()
    assert server.control("reset", {})[0] == 200
    assert server.control("calls") == (200, [])
    assert rek.describe_projects()["ProjectDescriptions"] == []
    server.control("inject-error", {"operation": "DescribeProjects",
                                    "code": "InternalServerError", "times": None})
    server.reset()                                     # moto's POST /moto-api/reset
    assert rek.describe_projects()["ProjectDescriptions"] == []


@pytest.mark.parametrize("body", [
    {"operation": "CreateProject"},                                    # code missing
    {"operation": "CreateProject", "code": "InvalidS3ObjectException"},  # undocumented
    {"operation": "DetectLabels", "code": "ThrottlingException"},     # not Custom Labels
    {"operation": "CreateProject", "code": "ThrottlingException", "times": 0},
    {"operation": "CreateProject", "code": "ThrottlingException", "times": "2"},
    {"operation": "CreateProject", "code": "ThrottlingException", "probability": 2},
    {"operation": "CreateProject", "code": "ThrottlingException", "matching": []},
    {"operation": "CreateProject", "code": "ThrottlingException", "attempts": 2},
    {"operation": 3, "code": "ThrottlingException"},
])
def test_inject_error_route_refuses_bad_requests(server: Any, body: dict[str, Any]) -> None:
    status, answer = server.control("inject-error", body)
    assert status == 400 and answer["Error"]
