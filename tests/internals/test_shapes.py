"""The response-shape checker every test client carries (rekomock.shapes): it must refuse
what the service would never answer, or every shape assertion of the suite is empty."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from rekomock._domain import exceptions, versions
from rekomock._domain.shapes import ShapeError, check_body, check_value, service_model


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def _version(**extra: Any) -> dict[str, Any]:
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v1/1700000000000"
    return {"ProjectVersionDescriptions": [{
        "ProjectVersionArn": arn, "CreationTimestamp": 1700000000.0, "Status": "RUNNING",
        "MinInferenceUnits": 1, **extra}]}


def test_an_unmodelled_member_in_a_live_answer_fails_the_call(
    rekognition: Any, project_arn: str, train: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    train("v1")
    describe = versions.ProjectVersion.describe
    monkeypatch.setattr(versions.ProjectVersion, "describe",
                        lambda self: {**describe(self), "Unmodelled": 1})
    with pytest.raises(ShapeError, match="Unmodelled"):
        rekognition.describe_project_versions(ProjectArn=project_arn)


def test_an_unmodelled_member_in_a_live_error_fails_the_call(
    rekognition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = exceptions.RekognitionError.body
    monkeypatch.setattr(exceptions.RekognitionError, "body",
                        lambda self: json.dumps({**json.loads(body(self)), "Extra": 1}))
    with pytest.raises(ShapeError, match="Extra"):
        rekognition.describe_project_versions(
            ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/x/1234567890123")


def test_a_well_formed_answer_passes() -> None:
    check_body("DescribeProjectVersions", 200, _body(_version()))
    check_body("DeleteDataset", 200, b"{}")
    check_body("ListTagsForResource", 200, _body({"Tags": {"ключ": "значение 1", "k": ""}}))


@pytest.mark.parametrize(("body", "complaint"), [
    (_version(Unmodelled=1), "members not in"),
    (_version(Status="SLEEPING"), "not in enum"),
    (_version(MinInferenceUnits="1"), "not int"),
    (_version(MinInferenceUnits=0), "below 1"),
    (_version(CreationTimestamp="2026-01-01"), "epoch seconds"),
    (_version(OutputConfig={"S3Bucket": "b", "Other": 1}), "members not in"),
    (_version(ProjectVersionArn="arn:aws:rekognition:us-east-1:1:project/p/version/v/1"), "!~"),
    (_version(EvaluationResult={"F1Score": "high"}), "EvaluationResult.F1Score"),
    ({"ProjectVersionDescriptions": {}}, "expected list"),
    ({"ProjectVersionDescriptions": [], "NextToken": "x" * 1025}, "longer than 1024"),
])
def test_answers_the_service_never_gives_are_refused(body: dict[str, Any],
                                                     complaint: str) -> None:
    with pytest.raises(ShapeError, match=complaint):
        check_body("DescribeProjectVersions", 200, _body(body))


def test_an_output_without_members_must_be_empty() -> None:
    with pytest.raises(ShapeError, match="members not in DeleteDatasetResponse"):
        check_body("DeleteDataset", 200, b'{"Status": "DELETING"}')


@pytest.mark.parametrize(("key", "value"), [
    ("aws:reserved", "v"),  # (?!aws:)
    ("k#", "v"),  # not a letter, separator, digit or _.:/=+-@
    ("k", "tab\there"),  # a control character is in none of \p{L} \p{Z} \p{N}
    ("k", "日本\u200b"),  # zero-width space: category Cf
])
def test_unicode_class_patterns_are_checked(key: str, value: str) -> None:
    with pytest.raises(ShapeError, match="!~"):
        check_body("ListTagsForResource", 200, _body({"Tags": {key: value}}))


ERROR = {"__type": "ResourceNotFoundException", "Message": "gone", "Code":
         "ResourceNotFoundException", "Logref": "4e5e6f43-0b0a-4f55-b9c6-a9c6d1e3b6f0"}


@pytest.mark.parametrize("body", [
    ERROR,
    {"__type": "ValidationException", "Message": "1 validation error detected: ..."},
    {"__type": "InternalServerError", "Message": "try again"},
])
def test_documented_error_bodies_pass(body: dict[str, Any]) -> None:
    check_body("DescribeProjectVersions", 500 if "Internal" in body["__type"] else 400,
               _body(body))


@pytest.mark.parametrize(("status", "body", "complaint"), [
    (400, {k: v for k, v in ERROR.items() if k != "__type"}, "without __type"),
    (400, {**ERROR, "__type": "InvalidPolicyRevisionIdException",
           "Code": "InvalidPolicyRevisionIdException"}, "not one of its errors"),
    (400, {**ERROR, "StackTrace": "..."}, "not modelled"),
    (400, {k: v for k, v in ERROR.items() if k != "Message"}, "without Message"),
    (400, {**ERROR, "Code": "AccessDeniedException"}, "Code differs"),
    (400, {**ERROR, "Logref": 7}, "Logref"),
    (302, ERROR, "HTTP status"),
    (400, ["ResourceNotFoundException"], "not an object"),
])
def test_error_bodies_the_service_never_gives_are_refused(status: int, body: Any,
                                                          complaint: str) -> None:
    with pytest.raises(ShapeError, match=complaint):
        check_body("DescribeProjectVersions", status, _body(body))


def test_blobs_must_be_base64_within_their_size() -> None:
    # The model's one output blob: GetFaceLivenessSessionResults' ReferenceImage.Bytes.
    blob = service_model().shape_for("LivenessImageBlob")
    check_value(blob, base64.b64encode(b"\x89PNG").decode(), "Bytes")
    with pytest.raises(ShapeError, match="base64"):
        check_value(blob, b"\x89PNG", "Bytes")  # raw bytes do not travel in JSON
    with pytest.raises(ShapeError, match="not base64"):
        check_value(blob, "not base64!", "Bytes")
    with pytest.raises(ShapeError, match="fewer than 1"):
        check_value(blob, "", "Bytes")
    too_big = base64.b64encode(b"\x00" * (blob.metadata["max"] + 1)).decode()
    with pytest.raises(ShapeError, match="more than"):
        check_value(blob, too_big, "Bytes")
