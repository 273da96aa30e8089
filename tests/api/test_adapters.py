"""Custom moderation adapters: CONTENT_MODERATION projects and DetectModerationLabels."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock.phases import VERSION_TRAINING
from rekomock.testing import (
    classification_line,
    describe_version,
    make_jpeg,
    make_png,
    manifest,
    manifest_asset,
    moderation_line,
)


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
                  Body=manifest(moderation_line(uri, label) for uri, _, label in images))
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
                            version=arn, image=image)
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


# ------------------------------------------------ the adapter manifest of the Developer Guide

# "Manifest file formats" (Rekognition Developer Guide, using-adapters-manifest-files), verbatim:
# one unsafe class, two unsafe classes, no unsafe class.
PAGE_LINES = {
    ("Rude Gesture",): '{ "source-ref": "s3://foo/bar/1.jpg", "content-moderation-groundtruth": '
                       '{ "ModerationLabels": [ { "Name": "Rude Gesture" } ] } }',
    ("Nudity", "Rude Gesture"): '{ "source-ref": "s3://foo/bar/1.jpg", '
                                '"content-moderation-groundtruth": { "ModerationLabels": [ '
                                '{ "Name": "Rude Gesture" }, { "Name": "Nudity" } ] } }',
    (): '{ "source-ref": "s3://foo/bar/1.jpg", "content-moderation-groundtruth": '
        '{ "ModerationLabels": [] } }',
}


def _moderation_label_members() -> set[str]:
    model = botocore.session.get_session().get_service_model("rekognition")
    return set(model.shape_for("ModerationLabel").members)


def _page_manifest(s3: Any, page_line: str) -> bytes:
    """The page's line for s3://foo/bar/1.jpg, then a few more images of both labels."""
    s3.create_bucket(Bucket="foo")
    s3.put_object(Bucket="foo", Key="bar/1.jpg", Body=make_jpeg(80, 80, seed=1))
    lines = [page_line]
    for i in range(2, 10):
        uri = f"s3://foo/bar/{i}.jpg"
        s3.put_object(Bucket="foo", Key=f"bar/{i}.jpg", Body=make_jpeg(80, 80, seed=i))
        labels = [("Rude Gesture",), ("Nudity",), ()][i % 3]
        lines.append(json.dumps(moderation_line(uri, *labels)))
    body = ("\n".join(lines) + "\n").encode()
    s3.put_object(Bucket="foo", Key="adapter.manifest", Body=body)
    return body


@pytest.mark.parametrize("labels", list(PAGE_LINES), ids=["one", "two", "none"])
def test_adapter_trains_from_the_guides_manifest_lines(
    rekognition: Any, s3: Any, adapter_project: str, labels: tuple[str, ...]
) -> None:
    _page_manifest(s3, PAGE_LINES[labels])
    arn = rekognition.create_project_version(
        ProjectArn=adapter_project, VersionName="adapter-1", OutputConfig={"S3Bucket": "foo"},
        TrainingData=manifest_asset("foo", "adapter.manifest"),
    )["ProjectVersionArn"]
    desc = describe_version(rekognition, adapter_project, "adapter-1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")
    summary_ref = desc["ManifestSummary"]["S3Object"]
    summary = json.loads(s3.get_object(Bucket=summary_ref["Bucket"],
                                       Key=summary_ref["Name"])["Body"].read())
    training = summary["statistics"]["training"]
    assert (training["total_json_lines"], training["valid_json_lines"]) == (9, 9)
    assert training["error_json_line_indices"] == []

    image = {"S3Object": {"Bucket": "foo", "Name": "bar/1.jpg"}}
    answer = rekognition.detect_moderation_labels(Image=image, ProjectVersion=arn)
    assert sorted(x["Name"] for x in answer["ModerationLabels"]) == list(labels)
    assert answer["ProjectVersion"] == arn
    for label in answer["ModerationLabels"]:
        assert set(label) == _moderation_label_members()
        assert label["ParentName"] == "" and label["TaxonomyLevel"] == 1
        assert 50 <= label["Confidence"] <= 100


def test_adapter_refuses_ground_truth_classification_lines(
    rekognition: Any, s3: Any, bucket: str, adapter_project: str
) -> None:
    """The adapter manifest "must contain [...] the content-moderation-groundtruth field"."""
    lines = []
    for i in range(6):
        key = f"gt/{i}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=make_png(64, 64, (i * 40, 1, 1)))
        lines.append(classification_line(f"s3://{bucket}/{key}", "Violence" if i % 2 else "Drugs"))
    s3.put_object(Bucket=bucket, Key="moderation.manifest", Body=manifest(lines))
    _train_adapter(rekognition, adapter_project, bucket)
    desc = describe_version(rekognition, adapter_project, "adapter-1")
    assert desc["Status"] == "TRAINING_FAILED"
    assert desc["StatusMessage"] == "The manifest file contains too many invalid rows."
    ref = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    body = s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read().decode()
    first = json.loads(body.splitlines()[0])
    assert first["errors"] == [{"code": "ERROR_NO_LABEL_ATTRIBUTES",
                                "message": "No label attributes found."}]


def test_adapter_line_with_a_malformed_attribute_is_invalid(
    rekognition: Any, s3: Any, bucket: str, adapter_project: str, adapter_data: Any
) -> None:
    lines = [moderation_line(uri, label) for uri, _, label in adapter_data]
    lines[0]["content-moderation-groundtruth"] = {"ModerationLabels": [{"Label": "Violence"}]}
    s3.put_object(Bucket=bucket, Key="moderation.manifest", Body=manifest(lines))
    _train_adapter(rekognition, adapter_project, bucket)
    desc = describe_version(rekognition, adapter_project, "adapter-1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    ref = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    body = s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read().decode()
    attribute = json.loads(body.splitlines()[0])["content-moderation-groundtruth"]
    assert [e["code"] for e in attribute["errors"]] == ["ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"]


def test_custom_labels_project_does_not_read_adapter_lines(
    rekognition: Any, s3: Any, project_arn: str
) -> None:
    _page_manifest(s3, PAGE_LINES[("Rude Gesture",)])
    rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": "foo"},
        TrainingData=manifest_asset("foo", "adapter.manifest"),
        TestingData={"AutoCreate": True},
    )
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_FAILED"
    assert desc["StatusMessage"] == "The manifest file contains too many invalid rows."


def test_adapter_learns_from_safe_images_only(rekognition: Any, s3: Any, bucket: str,
                                              adapter_project: str) -> None:
    """False-positive images alone ("Preparing your datasets") make a valid adapter."""
    lines = []
    for i in range(5):
        key = f"safe/{i}.jpg"
        s3.put_object(Bucket=bucket, Key=key, Body=make_jpeg(64, 64, seed=40 + i))
        lines.append(moderation_line(f"s3://{bucket}/{key}"))
    s3.put_object(Bucket=bucket, Key="moderation.manifest", Body=manifest(lines))
    arn = _train_adapter(rekognition, adapter_project, bucket)
    desc = describe_version(rekognition, adapter_project, "adapter-1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")
    answer = rekognition.detect_moderation_labels(
        Image={"S3Object": {"Bucket": bucket, "Name": "safe/0.jpg"}}, ProjectVersion=arn)
    assert answer["ModerationLabels"] == []


def _adapter_validation(rekognition: Any, s3: Any, project: str, bucket: str,
                        lines: list[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    s3.put_object(Bucket=bucket, Key="moderation.manifest", Body=manifest(lines))
    _train_adapter(rekognition, project, bucket)
    desc = describe_version(rekognition, project, "adapter-1")
    ref = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    body = s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read()
    return desc, [json.loads(line) for line in body.splitlines()]


def test_adapter_lines_each_malformed_attribute(rekognition: Any, s3: Any, bucket: str,
                                                adapter_project: str, adapter_data: Any) -> None:
    """Each way the content-moderation-groundtruth field can be wrong, and a label name over
    256 characters, as the validation manifest shows them; old service fields are dropped."""
    good = [moderation_line(uri, label) for uri, _, label in adapter_data]
    attribute = "content-moderation-groundtruth"
    bad_format = {"code": "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT",
                  "message": f"The format of the label attribute {attribute} is invalid."}
    too_long = {"code": "ERROR_INVALID_LABEL_NAME_LENGTH",
                "message": "The length of a label name is too long. The maximum length is 256 "
                           "characters."}
    ref = f"s3://{bucket}/moderation/extra.png"
    cases = [
        ({attribute: ["Violence"]}, "top"),
        ({attribute: {"Labels": []}}, "inside"),
        ({attribute: {"ModerationLabels": {"Name": "Violence"}}}, "inside"),
        ({attribute: {"ModerationLabels": ["Violence"]}}, "inside"),
        ({attribute: {"ModerationLabels": [{"Name": "Violence"}, {"Name": ""}]}}, "inside"),
        ({attribute: {"ModerationLabels": [{"Name": "Violence"}, {"Name": 3}]}}, "inside"),
    ]
    bad = [{"source-ref": f"s3://{bucket}/moderation/bad-{i}.png", **case}
           for i, (case, _) in enumerate(cases)]
    s3.put_object(Bucket=bucket, Key="moderation/extra.png", Body=make_png(64, 64, (9, 9, 9)))
    stale = [{"code": "ERROR_OLD", "message": "old"}]
    relabelled = {"source-ref": ref, attribute: {"ModerationLabels": [{"Name": "Violence"}],
                                                 "errors": stale, "warnings": stale}}
    s3.put_object(Bucket=bucket, Key="moderation/long.png", Body=make_png(64, 64, (8, 8, 8)))
    longest = {"source-ref": f"s3://{bucket}/moderation/long.png",
               attribute: {"ModerationLabels": [{"Name": "V" * 256}]}}
    duplicate = {"source-ref": f"s3://{bucket}/moderation/0.png",
                 attribute: {"ModerationLabels": [{"Name": "Violence"}]}}
    _, validated = _adapter_validation(
        rekognition, s3, adapter_project, bucket,
        [*good, *bad, relabelled, {"source-ref": f"s3://{bucket}/moderation/x.png",
                                   attribute: {"ModerationLabels": [{"Name": "V" * 257}]}},
         duplicate, longest])
    checked = validated[len(good):len(good) + len(bad)]
    for line, (case, where), got in zip(bad, cases, checked, strict=True):
        expected = json.loads(json.dumps(line))
        if where == "top":
            expected["errors"] = [bad_format]
        else:
            expected[attribute]["errors"] = [bad_format]
        assert got == expected, case
    rest = validated[len(good) + len(bad):]
    assert rest[0] == {"source-ref": ref, attribute: {"ModerationLabels": [{"Name": "Violence"}]}}
    assert rest[1][attribute]["errors"] == [too_long]
    assert "errors" not in rest[1]
    assert rest[2]["errors"][0]["code"] == "ERROR_DUPLICATE_SOURCE_REF"
    assert rest[3] == longest  # 256 characters are allowed


@pytest.mark.parametrize("safe", [5, 2])
def test_adapter_safe_images_are_split_like_a_label(rekognition: Any, s3: Any, bucket: str,
                                                    adapter_project: str, safe: int) -> None:
    """Without TestingData the split keeps safe images (no label) on both sides too."""
    lines = []
    for i in range(5 + safe):
        key = f"mix/{i}.jpg"
        s3.put_object(Bucket=bucket, Key=key, Body=make_jpeg(64, 64, seed=70 + i))
        lines.append(moderation_line(f"s3://{bucket}/{key}", *(["Violence"] if i < 5 else [])))
    desc, validated = _adapter_validation(rekognition, s3, adapter_project, bucket, lines)
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")
    assert all("errors" not in line for line in validated)
    ref = desc["TestingDataResult"]["Output"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    tested = [json.loads(x) for x in s3.get_object(
        Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read().splitlines()]
    labelled = [t for t in tested if "rekognition-custom-labels-training-0" in t]
    assert len(labelled) == 1 and len(tested) == 2  # one image of each of the two groups


def test_adapter_with_one_safe_image_needs_two_per_label(rekognition: Any, s3: Any, bucket: str,
                                                         adapter_project: str) -> None:
    lines = []
    for i in range(4):
        key = f"one/{i}.jpg"
        s3.put_object(Bucket=bucket, Key=key, Body=make_jpeg(64, 64, seed=90 + i))
        lines.append(moderation_line(f"s3://{bucket}/{key}", *(["Violence"] if i < 3 else [])))
    desc, _ = _adapter_validation(rekognition, s3, adapter_project, bucket, lines)
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")
