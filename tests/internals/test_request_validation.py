"""Server-side validation from the botocore model, through boto3 with client checks off."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from rekomock._wire.validation import validate_request

OPERATIONS = [
    "CreateProject", "DescribeProjects", "DeleteProject", "CreateDataset", "DescribeDataset",
    "DeleteDataset", "ListDatasetEntries", "ListDatasetLabels", "UpdateDatasetEntries",
    "DistributeDatasetEntries", "CreateProjectVersion", "DescribeProjectVersions",
    "StartProjectVersion", "StopProjectVersion", "DeleteProjectVersion", "CopyProjectVersion",
    "DetectCustomLabels", "PutProjectPolicy", "ListProjectPolicies", "DeleteProjectPolicy",
    "TagResource", "UntagResource", "ListTagsForResource", "DetectModerationLabels",
]


DATASET_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/train/1700000000000"


def _error(call: Any) -> dict[str, str]:
    with pytest.raises(Exception) as err:
        call()
    return dict(err.value.response["Error"])  # type: ignore[attr-defined]


def test_pattern_violation_message(unchecked_rekognition: Any) -> None:
    error = _error(lambda: unchecked_rekognition.create_project(ProjectName="has space"))
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value 'has space' at 'projectName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-]+"
    )
    assert unchecked_rekognition.describe_projects()["ProjectDescriptions"] == []


def test_several_violations_are_counted(unchecked_rekognition: Any) -> None:
    error = _error(lambda: unchecked_rekognition.create_project(
        ProjectName="x" * 256, Feature="SOMETHING"))
    assert error["Message"].startswith("2 validation errors detected: ")
    assert "Member must have length less than or equal to 255" in error["Message"]
    assert "Member must satisfy enum value set: [CONTENT_MODERATION, CUSTOM_LABELS]" in (
        error["Message"])


def test_missing_required_member(unchecked_rekognition: Any) -> None:
    error = _error(lambda: unchecked_rekognition.create_project())
    assert error["Message"] == ("1 validation error detected: Value null at 'projectName' "
                                "failed to satisfy constraint: Member must not be null")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"MaxResults": 101}, "at 'maxResults' failed to satisfy constraint: Member must have "
                              "value less than or equal to 100"),
        ({"MaxResults": 0}, "Member must have value greater than or equal to 1"),
        ({"ProjectNames": [f"p{i}" for i in range(11)]},
         "at 'projectNames' failed to satisfy constraint: Member must have length less than "
         "or equal to 10"),
        ({"ProjectNames": ["bad name"]}, "at 'projectNames.1.member'"),
        ({"Features": ["NOPE"]}, "at 'features.1.member'"),
        ({"NextToken": "t" * 1025}, "at 'nextToken'"),
    ],
)
def test_describe_projects_limits(unchecked_rekognition: Any, kwargs: dict[str, Any],
                                  fragment: str) -> None:
    error = _error(lambda: unchecked_rekognition.describe_projects(**kwargs))
    assert error["Code"] == "ValidationException"
    assert fragment in error["Message"]


@pytest.mark.parametrize("last", [24, 25])
def test_a_list_is_shown_whole_up_to_256_characters(unchecked_rekognition: Any,
                                                    last: int) -> None:
    names = [f"{i:02d}".ljust(21, "x") for i in range(10)] + ["z" * last]
    shown = "[" + ", ".join(names) + "]"
    assert len(shown) == 232 + last  # 256 characters, or one more
    if len(shown) > 256:
        shown = shown[:256] + "..."
    error = _error(lambda: unchecked_rekognition.describe_projects(ProjectNames=names))
    assert error["Message"] == (
        f"1 validation error detected: Value '{shown}' at 'projectNames' failed to satisfy "
        "constraint: Member must have length less than or equal to 10")


def test_maps_structures_and_blobs_are_shown_as_the_service_shows_them(
        unchecked_rekognition: Any, project_arn: str) -> None:
    tags = {f"t{i}": "v" for i in range(201)}
    error = _error(lambda: unchecked_rekognition.tag_resource(ResourceArn=project_arn,
                                                              Tags=tags))
    shown = ("{" + ", ".join(f"{k}={v}" for k, v in tags.items()) + "}")[:256] + "..."
    assert error["Message"] == (
        f"1 validation error detected: Value '{shown}' at 'tags' failed to satisfy "
        "constraint: Member must have length less than or equal to 200")
    arn = unchecked_rekognition.create_dataset(ProjectArn=project_arn,
                                               DatasetType="TRAIN")["DatasetArn"]
    error = _error(lambda: unchecked_rekognition.distribute_dataset_entries(
        Datasets=[{"Arn": arn}] * 3))
    shown = f"[{{Arn={arn}}}, {{Arn={arn}}}, {{Arn={arn}}}]"[:256] + "..."
    assert error["Message"] == (
        f"1 validation error detected: Value '{shown}' at 'datasets' failed to satisfy "
        "constraint: Member must have length less than or equal to 2")
    version = f"{project_arn.rsplit('/', 1)[0]}/version/v/1700000000000"
    error = _error(lambda: unchecked_rekognition.detect_custom_labels(
        ProjectVersionArn=version, Image={"Bytes": b""}))
    assert error["Message"] == (
        "1 validation error detected: Value 'java.nio.HeapByteBuffer' at 'image.bytes' failed "
        "to satisfy constraint: Member must have length greater than or equal to 1")


def test_tags_patterns(unchecked_rekognition: Any, project_arn: str) -> None:
    error = _error(lambda: unchecked_rekognition.tag_resource(
        ResourceArn=project_arn, Tags={"aws:reserved": "x"}))
    assert error["Code"] == "ValidationException"
    assert "Map keys must satisfy constraint" in error["Message"]
    unchecked_rekognition.tag_resource(ResourceArn=project_arn, Tags={"équipe": "vision 1",
                                                                     "键": "值"})
    error = _error(lambda: unchecked_rekognition.tag_resource(
        ResourceArn=project_arn, Tags={"ok": "no#hash"}))
    assert "Map value must satisfy constraint" in error["Message"]
    assert unchecked_rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {
        "équipe": "vision 1", "键": "值"}


def test_nested_paths(unchecked_rekognition: Any, project_arn: str) -> None:
    error = _error(lambda: unchecked_rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": "ab"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "b"}}}]},
        TestingData={"AutoCreate": True}))
    assert "at 'outputConfig.s3Bucket'" in error["Message"]
    assert "at 'trainingData.assets.1.member.groundTruthManifest.s3Object.bucket'" in (
        error["Message"])
    assert error["Message"].startswith("2 validation errors")


def test_numbers_out_of_range(unchecked_rekognition: Any) -> None:
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1234567890123"
    error = _error(lambda: unchecked_rekognition.start_project_version(
        ProjectVersionArn=arn, MinInferenceUnits=0))
    assert "Member must have value greater than or equal to 1" in error["Message"]
    error = _error(lambda: unchecked_rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": b"x"}, MinConfidence=100.5))
    assert "at 'minConfidence'" in error["Message"]


def test_wrong_json_types_are_serialization_errors(unchecked_rekognition: Any) -> None:
    for kwargs, expected in (({"MaxResults": "ten"}, "number"), ({"MaxResults": True}, "number"),
                             ({"MaxResults": 1.5}, "integer"), ({"Features": [1]}, "string"),
                             ({"ProjectNames": [["p"]]}, "string")):
        error = _error(lambda kwargs=kwargs: unchecked_rekognition.describe_projects(**kwargs))
        assert (error["Code"], error["Message"]) == (
            "SerializationException", f"Unexpected value type: expected {expected}."), kwargs
    assert unchecked_rekognition.describe_projects(MaxResults=5.0)["ProjectDescriptions"] == []
    error = _error(lambda: unchecked_rekognition.list_dataset_entries(DatasetArn=DATASET_ARN,
                                                                      Labeled="yes"))
    assert (error["Code"], error["Message"]) == (
        "SerializationException", "Unexpected value type: expected boolean.")


@pytest.mark.parametrize(("sent", "message"), [
    (5, "Unexpected value type: expected blob."),
    ("@@@@", "Blob is not valid base64."),
])
def test_a_blob_that_is_not_base64_text_is_a_serialization_error(
        unchecked_rekognition: Any, sent: Any, message: str) -> None:

    def replace_blob(request: Any, **_: Any) -> None:
        request.data = json.dumps(
            {"DatasetArn": DATASET_ARN, "Changes": {"GroundTruth": sent}}).encode()

    unchecked_rekognition.meta.events.register(
        "before-sign.rekognition.UpdateDatasetEntries", replace_blob)
    error = _error(lambda: unchecked_rekognition.update_dataset_entries(
        DatasetArn=DATASET_ARN, Changes={"GroundTruth": b"{}"}))
    assert (error["Code"], error["Message"]) == ("SerializationException", message)


def test_body_that_is_not_json(rekognition: Any) -> None:
    def garble(request: Any, **_: Any) -> None:
        request.data = b"{not json"

    rekognition.meta.events.register("before-sign.rekognition.DescribeProjects", garble)
    assert _error(lambda: rekognition.describe_projects())["Code"] == "SerializationException"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_compiles_and_checks_required_members(operation: str) -> None:
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model(operation).input_shape
    if shape.required_members:
        from rekomock._domain.exceptions import ValidationException

        with pytest.raises(ValidationException) as err:
            validate_request(operation, {})
        assert err.value.message.startswith(f"{len(shape.required_members)} validation error")
    else:
        assert validate_request(operation, {}) == {}
