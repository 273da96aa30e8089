"""The public test helpers of rekomock.testing, used as a user's test uses them: datasets,
a trained or running version in one call, the shape-checking client."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from rekomock import Controller, testing
from rekomock.testing import (
    TrainedVersion,
    dataset_source,
    describe_version,
    held_out,
    manifest_asset,
    put_detection_dataset,
    strict_client,
    trained_version,
)


def test_every_public_helper_is_documented_and_typed() -> None:
    for name in testing.__all__:
        helper = getattr(testing, name)
        assert helper.__doc__, name
        if callable(helper) and not isinstance(helper, type):
            assert "return" in helper.__annotations__, name


def test_trained_version_in_one_call(rekognition: Any, s3: Any) -> None:
    made = trained_version(rekognition, s3, "helper-bucket")
    assert isinstance(made, TrainedVersion)
    project_arn, version_arn, images = made
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["ProjectVersionArn"] == version_arn
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert desc["EvaluationResult"]["F1Score"] == 1.0
    assert sorted({image.label for image in images}) == ["sunrise", "sunset"]
    assert len(images) == 10
    # The bucket was created, the outputs are under s3://helper-bucket/output.
    summary = desc["EvaluationResult"]["Summary"]["S3Object"]
    assert summary["Bucket"] == "helper-bucket" and summary["Name"].startswith("output/")
    # The testing manifest holds every other image of each label.
    testing_key = desc["TestingDataResult"]["Input"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]["Name"]
    body = s3.get_object(Bucket="helper-bucket", Key=testing_key)["Body"].read()
    assert len(body.splitlines()) == 6  # 3 of 5 per label
    tested = [json.loads(line)["source-ref"] for line in body.splitlines()]
    assert tested == [image.uri for image in held_out(images)]
    assert [(i.label, i.uri.rsplit("/", 1)[1]) for i in held_out(images)] == [
        ("sunrise", "sunrise-0.png"), ("sunrise", "sunrise-2.png"), ("sunrise", "sunrise-4.png"),
        ("sunset", "sunset-0.png"), ("sunset", "sunset-2.png"), ("sunset", "sunset-4.png")]


def test_trained_version_started_answers_detections(rekognition: Any, s3: Any) -> None:
    project_arn, arn, images = trained_version(rekognition, s3, "helper-bucket",
                                               {"cat": 2, "dog": 2}, start=True)
    assert describe_version(rekognition, project_arn, "v1")["Status"] == "RUNNING"
    for image in images:
        labels = rekognition.detect_custom_labels(
            ProjectVersionArn=arn, Image={"Bytes": image.data})["CustomLabels"]
        assert [label["Name"] for label in labels] == [image.label]


def test_a_second_version_joins_the_same_project(rekognition: Any, s3: Any) -> None:
    first = trained_version(rekognition, s3, "helper-bucket")
    second = trained_version(rekognition, s3, "helper-bucket", version_name="v2")
    assert first.project_arn == second.project_arn
    assert first.version_arn != second.version_arn
    versions = rekognition.describe_project_versions(ProjectArn=first.project_arn)[
        "ProjectVersionDescriptions"]
    assert sorted(v["ProjectVersionArn"] for v in versions) == sorted(
        [first.version_arn, second.version_arn])


def test_trained_version_of_detection_images(rekognition: Any, s3: Any) -> None:
    project_arn, arn, images = trained_version(
        rekognition, s3, "helper-bucket", {"logo": 3, "badge": 3}, detection=True, start=True)
    assert describe_version(rekognition, project_arn, "v1")["EvaluationResult"][
        "F1Score"] == 1.0
    for image in images:
        (label,) = rekognition.detect_custom_labels(
            ProjectVersionArn=arn, Image={"Bytes": image.data})["CustomLabels"]
        assert label["Name"] == image.label and "Geometry" in label


def test_trained_version_reports_a_failed_training(rekognition: Any, s3: Any,
                                                   rekomock: Controller) -> None:
    rekomock.fail_training(message="The manifest file is empty.")
    with pytest.raises(RuntimeError, match=r"v1 is TRAINING_FAILED: The manifest file is empty\."):
        trained_version(rekognition, s3, "helper-bucket")


def test_put_detection_dataset_writes_valid_object_localization(rekognition: Any, s3: Any,
                                                                bucket: str) -> None:
    key, images = put_detection_dataset(s3, bucket, {"logo": 2, "badge": 1}, size=(200, 100))
    lines = [json.loads(line) for line in
             s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines()]
    assert [line["source-ref"] for line in lines] == [image.uri for image in images]
    for line, image in zip(lines, images, strict=True):
        (box,) = image.boxes
        label, left, top, width, height = box
        assert label == image.label
        assert 0 <= left and left + width <= 200 and 0 <= top and top + height <= 100
        assert line["bounding-box"]["image_size"] == [{"width": 200, "height": 100, "depth": 3}]
        assert line["bounding-box-metadata"]["class-map"] == {"0": image.label}
    assert len({image.data for image in images}) == 3  # distinct pictures
    with pytest.raises(ValueError, match="64 x 64"):
        put_detection_dataset(s3, bucket, {"logo": 1}, size=(63, 100))


def test_manifest_asset_and_dataset_source_are_accepted(rekognition: Any, s3: Any,
                                                       bucket: str) -> None:
    made = trained_version(rekognition, s3, bucket)
    desc = describe_version(rekognition, made.project_arn, "v1")
    training = desc["TrainingDataResult"]["Input"]
    key = training["Assets"][0]["GroundTruthManifest"]["S3Object"]["Name"]
    assert training == manifest_asset(bucket, key)
    dataset = rekognition.create_dataset(ProjectArn=made.project_arn, DatasetType="TRAIN",
                                         DatasetSource=dataset_source(bucket, key))
    assert dataset["DatasetArn"].startswith(made.project_arn.rsplit("/", 1)[0])


def test_strict_client_rejects_an_answer_off_the_model(rekomock: Controller) -> None:
    client = strict_client(boto3.client("rekognition", region_name="us-east-1"))
    assert client.describe_projects()["ProjectDescriptions"] == []

    # A stub answering one member too many (botocore itself would drop it silently).
    client.meta.events.register_first("before-parse.rekognition.DescribeProjects",
                                      lambda response_dict, **_: response_dict.update(
                                          body=b'{"ProjectDescriptions": [], "Extra": 1}'))
    with pytest.raises(ValueError, match="members not in DescribeProjectsResponse"):
        client.describe_projects()


def test_trained_version_against_a_server(server: Any) -> None:
    """The helpers are plain boto3 calls: they work against ``rekomock server`` too."""
    rek = strict_client(server.client("rekognition"))
    project_arn, arn, images = trained_version(rek, server.client("s3"), "served-bucket",
                                               {"cat": 2, "dog": 2}, start=True)
    assert describe_version(rek, project_arn, "v1")["Status"] == "RUNNING"
    labels = rek.detect_custom_labels(ProjectVersionArn=arn,
                                      Image={"Bytes": images[0].data})["CustomLabels"]
    assert [label["Name"] for label in labels] == [images[0].label]
