"""Custom moderation adapters: CONTENT_MODERATION projects and DetectModerationLabels."""

from __future__ import annotations

from typing import Any

import pytest
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock._domain.lifecycle import VERSION_TRAINING
from rekomock.testing import classification_line, make_png, manifest

from conftest import describe_version, manifest_asset


@pytest.fixture
def adapter_project(rekognition: Any) -> str:
    return str(rekognition.create_project(ProjectName="moderation", Feature="CONTENT_MODERATION",
                                          AutoUpdate="ENABLED")["ProjectArn"])


@pytest.fixture
def adapter_data(s3: Any, bucket: str) -> list[tuple[str, bytes, str]]:
    images = []
    for i in range(8):
        label = "Explicit" if i % 2 else "Violence"
        key = f"moderation/{i}.png"
        data = make_png(64, 64, (i * 30, 200, 5))
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        images.append((f"s3://{bucket}/{key}", data, label))
    s3.put_object(Bucket=bucket, Key="moderation.manifest",
                  Body=manifest(classification_line(uri, label) for uri, _, label in images))
    return images


def _train_adapter(rekognition: Any, project: str, bucket: str, **extra: Any) -> str:
    return str(rekognition.create_project_version(
        ProjectArn=project, VersionName="adapter-1",
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": "adapters"},
        TrainingData=manifest_asset(bucket, "moderation.manifest"), **extra,
    )["ProjectVersionArn"])


def test_adapter_trains_and_describes(rekognition: Any, adapter_project: str, bucket: str,
                                      adapter_data: Any) -> None:
    arn = _train_adapter(rekognition, adapter_project, bucket,
                         FeatureConfig={"ContentModeration": {"ConfidenceThreshold": 60}})
    desc = describe_version(rekognition, adapter_project, "adapter-1")
    assert desc["ProjectVersionArn"] == arn
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert desc["Feature"] == "CONTENT_MODERATION"
    assert desc["BaseModelVersion"]
    assert desc["FeatureConfig"] == {"ContentModeration": {"ConfidenceThreshold": 60.0}}
    assert desc["TestingDataResult"]["Input"] == {"AutoCreate": True}
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)


def test_adapter_needs_a_training_manifest(rekognition: Any, adapter_project: str,
                                           bucket: str) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_project_version(ProjectArn=adapter_project, VersionName="a",
                                           OutputConfig={"S3Bucket": bucket})


def test_detect_moderation_labels_with_the_adapter(rekognition: Any, adapter_project: str,
                                                   bucket: str, adapter_data: Any) -> None:
    arn = _train_adapter(rekognition, adapter_project, bucket)
    _, data, label = adapter_data[3]
    answer = rekognition.detect_moderation_labels(Image={"Bytes": data}, ProjectVersion=arn)
    assert [x["Name"] for x in answer["ModerationLabels"]] == [label]
    assert answer["ProjectVersion"] == arn
    assert answer["ModerationModelVersion"]
    unseen = rekognition.detect_moderation_labels(Image={"Bytes": make_png(70, 70, (3, 3, 3))},
                                                  ProjectVersion=arn)
    assert unseen["ModerationLabels"] == []


def test_detect_moderation_labels_without_adapter_is_plain(rekognition: Any,
                                                           adapter_data: Any) -> None:
    _, data, _ = adapter_data[0]
    answer = rekognition.detect_moderation_labels(Image={"Bytes": data})
    assert answer["ModerationLabels"] == []
    assert "ProjectVersion" not in answer
    again = rekognition.detect_moderation_labels(Image={"Bytes": data})
    assert again["ModerationLabels"] == answer["ModerationLabels"]


def test_min_confidence_defaults_to_50(rekognition: Any, adapter_project: str, bucket: str,
                                       adapter_data: Any, rekomock: Controller) -> None:
    arn = _train_adapter(rekognition, adapter_project, bucket)
    image = make_png(90, 90, (7, 7, 7))
    rekomock.set_detections([{"Name": "Violence", "Confidence": 49.0},
                             {"Name": "Explicit", "Confidence": 77.0}],
                            project_version_arn=arn, image=image)
    names = [x["Name"] for x in rekognition.detect_moderation_labels(
        Image={"Bytes": image}, ProjectVersion=arn)["ModerationLabels"]]
    assert names == ["Explicit"]
    names = [x["Name"] for x in rekognition.detect_moderation_labels(
        Image={"Bytes": image}, ProjectVersion=arn, MinConfidence=10)["ModerationLabels"]]
    assert names == ["Explicit", "Violence"]


def test_adapter_and_model_are_not_interchangeable(rekognition: Any, adapter_project: str,
                                                   bucket: str, adapter_data: Any,
                                                   train: Any) -> None:
    adapter = _train_adapter(rekognition, adapter_project, bucket)
    model = train("v1")
    rekognition.start_project_version(ProjectVersionArn=model, MinInferenceUnits=1)
    image = {"Bytes": adapter_data[0][1]}
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_custom_labels(ProjectVersionArn=adapter, Image=image)
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_moderation_labels(ProjectVersion=model, Image=image)


def test_adapter_in_training_is_not_ready(rekognition: Any, adapter_project: str, bucket: str,
                                          adapter_data: Any) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 9})
    arn = _train_adapter(rekognition, adapter_project, bucket)
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException):
        rekognition.detect_moderation_labels(ProjectVersion=arn,
                                             Image={"Bytes": adapter_data[0][1]})
