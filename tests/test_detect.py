"""DetectCustomLabels answering like the model that was trained (SPEC §6)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from rekomock import Controller
from rekomock.testing import make_jpeg, make_png

from conftest import describe_version


@pytest.fixture
def running(rekognition: Any, project_arn: str, train: Any) -> str:
    arn: str = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    return arn


def _image_bytes(s3: Any, uri: str) -> bytes:
    bucket, key = uri[5:].split("/", 1)
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_known_image_returns_its_ground_truth(rekognition: Any, s3: Any, running: str,
                                             classification: dict[str, Any]) -> None:
    uri, label = classification["images"][3]
    by_bytes = rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"Bytes": _image_bytes(s3, uri)})["CustomLabels"]
    assert [x["Name"] for x in by_bytes] == [label]
    assert 80 <= by_bytes[0]["Confidence"] <= 100
    assert "Geometry" not in by_bytes[0]
    bucket, key = uri[5:].split("/", 1)
    by_s3 = rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"S3Object": {"Bucket": bucket, "Name": key}}
    )["CustomLabels"]
    assert by_s3 == by_bytes  # stable confidences


def test_unknown_image_gets_no_label(rekognition: Any, running: str) -> None:
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"Bytes": make_png(80, 80, (1, 2, 3))})
    assert answer["CustomLabels"] == []


def test_jpeg_is_accepted(rekognition: Any, running: str) -> None:
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"Bytes": make_jpeg(100, 100)})
    assert answer["CustomLabels"] == []


def test_model_must_be_running(rekognition: Any, project_arn: str, train: Any) -> None:
    arn = train("v1")
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException):
        rekognition.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": make_png()})
    missing = arn.rsplit("/", 3)[0] + "/version/ghost/1234567890123"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.detect_custom_labels(ProjectVersionArn=missing, Image={"Bytes": make_png()})


@pytest.mark.parametrize(
    ("image", "error"),
    [
        ({"Bytes": b"GIF89a" + b"\x00" * 100}, "InvalidImageFormatException"),
        ({"Bytes": b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"IHDR" + b"\x00" * 20},
         "InvalidImageFormatException"),
        ({"Bytes": make_png(5000, 64)}, "ImageTooLargeException"),
        ({"Bytes": make_png(32, 32)}, "InvalidParameterException"),
        ({"Bytes": make_png(64, 2000)}, "InvalidParameterException"),
        ({"S3Object": {"Bucket": "rekomock-test-bucket", "Name": "nope.png"}},
         "InvalidS3ObjectException"),
        ({"S3Object": {"Bucket": "no-such-bucket-anywhere", "Name": "x.png"}},
         "InvalidS3ObjectException"),
        ({}, "InvalidParameterException"),
    ],
)
def test_bad_images(rekognition: Any, running: str, image: dict[str, Any], error: str) -> None:
    with pytest.raises(rekognition.exceptions.ClientError) as err:
        rekognition.detect_custom_labels(ProjectVersionArn=running, Image=image)
    assert err.value.response["Error"]["Code"] == error


def test_raw_bytes_up_to_4mb(rekognition: Any, running: str) -> None:
    """Image.Bytes: "the maximum image size you can pass to DetectCustomLabels is 4MB" (the
    API reference's Image page), MB as in the blob's own 5 MB = 5,242,880 bytes; the limit
    is on the decoded bytes, not on their base64 text."""
    png = make_png(64, 64)
    limit = 4 * 1024 * 1024
    at_limit = png + b"\x00" * (limit - len(png))
    answer = rekognition.detect_custom_labels(ProjectVersionArn=running,
                                              Image={"Bytes": at_limit})
    assert answer["CustomLabels"] == []
    with pytest.raises(rekognition.exceptions.ImageTooLargeException):
        rekognition.detect_custom_labels(ProjectVersionArn=running,
                                         Image={"Bytes": at_limit + b"\x00"})


def test_min_confidence_max_results_and_sorting(rekognition: Any, running: str,
                                                rekomock: Controller) -> None:
    image = make_png(90, 90, (9, 9, 9))
    rekomock.set_detections(
        [{"Name": "sunrise", "Confidence": 55.0}, {"Name": "sunset", "Confidence": 91.5},
         {"Name": "dusk", "Confidence": 70.25}],
        image=image,
    )

    def names(**kw: Any) -> list[str]:
        return [x["Name"] for x in rekognition.detect_custom_labels(
            ProjectVersionArn=running, Image={"Bytes": image}, **kw)["CustomLabels"]]

    assert names(MinConfidence=0) == ["sunset", "dusk", "sunrise"]
    assert names(MinConfidence=70.25) == ["sunset", "dusk"]  # >= (SPEC §10.14)
    assert names(MinConfidence=0, MaxResults=1) == ["sunset"]
    rekomock.clear_detections()
    assert names(MinConfidence=0) == []


def test_scripted_answers_by_model_and_s3_image(rekognition: Any, s3: Any, running: str,
                                                rekomock: Controller,
                                                classification: dict[str, Any]) -> None:
    uri, _ = classification["images"][0]
    box = {"BoundingBox": {"Width": 0.5, "Height": 0.25, "Left": 0.1, "Top": 0.2}}
    rekomock.set_detections([{"Name": "scripted", "Confidence": 99.0, "Geometry": box}],
                            project_version_arn=running, image=uri)
    bucket, key = uri[5:].split("/", 1)
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"S3Object": {"Bucket": bucket, "Name": key}},
        MinConfidence=0)["CustomLabels"]
    assert answer == [{"Name": "scripted", "Confidence": 99.0, "Geometry": box}]
    with pytest.raises(ValueError):
        rekomock.set_detections([{"Name": "x", "Confidence": 150}])


def test_without_min_confidence_each_label_threshold_applies(
    rekognition: Any, s3: Any, project_arn: str, train: Any, rekomock: Controller,
    classification: dict[str, Any],
) -> None:
    rekomock.set_evaluation(0.5, labels={"sunrise": {"Threshold": 0.999}})
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["EvaluationResult"]["F1Score"] == 0.5
    sunrise = next(u for u, label in classification["images"] if label == "sunrise")
    data = _image_bytes(s3, sunrise)
    assert rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": data})["CustomLabels"] == []
    assert [x["Name"] for x in rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": data}, MinConfidence=0)["CustomLabels"]] == [
        "sunrise"]


def test_evaluation_includes_scripted_answers(rekognition: Any, s3: Any, project_arn: str,
                                              train: Any, rekomock: Controller,
                                              classification: dict[str, Any]) -> None:
    # Every test image is "seen" as sunset: sunrise recall drops, so does F1.
    for uri, _ in classification["test_images"]:
        rekomock.set_detections([{"Name": "sunset", "Confidence": 90.0}], image=uri)
    train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["EvaluationResult"]["F1Score"] < 1.0


def test_bytes_travel_base64(rekognition: Any, running: str, rekomock: Controller) -> None:
    # botocore sends Bytes base64-encoded; the mock matches the decoded image, not its text.
    raw = make_png(70, 70, (5, 5, 5))
    rekomock.set_detections([{"Name": "sunset", "Confidence": 99.0}], image=raw)
    rekomock.set_detections([{"Name": "text", "Confidence": 99.0}],
                            image=base64.b64encode(raw))
    assert [x["Name"] for x in rekognition.detect_custom_labels(
        ProjectVersionArn=running, Image={"Bytes": raw})["CustomLabels"]] == ["sunset"]


def test_object_localization_answers_boxes(rekognition: Any, s3: Any, project_arn: str,
                                           train: Any) -> None:
    from rekomock.testing import detection_line, manifest

    from conftest import manifest_asset

    lines, images = [], []
    for i in range(4):
        key = f"boxes/{i}.png"
        data = make_png(200, 100, (i * 50, 0, 90))
        s3.put_object(Bucket="rekomock-test-bucket", Key=key, Body=data)
        images.append(data)
        lines.append(detection_line(f"s3://rekomock-test-bucket/{key}", (200, 100),
                                    [("logo", 20, 10, 50, 40)]))
    s3.put_object(Bucket="rekomock-test-bucket", Key="b.manifest", Body=manifest(lines))
    asset = manifest_asset("rekomock-test-bucket", "b.manifest")
    arn = train("boxes", TrainingData=asset, TestingData=asset)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    (label,) = rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": images[2]})["CustomLabels"]
    assert label["Name"] == "logo"
    assert label["Geometry"]["BoundingBox"] == pytest.approx(
        {"Width": 0.25, "Height": 0.4, "Left": 0.1, "Top": 0.1})


def test_evaluation_agrees_with_detection(rekognition: Any, s3: Any, project_arn: str,
                                          train: Any, rekomock: Controller,
                                          classification: dict[str, Any]) -> None:
    import json

    wrong = [uri for uri, label in classification["test_images"] if label == "sunrise"][:1]
    for uri in wrong:
        rekomock.set_detections([{"Name": "sunset", "Confidence": 88.0}], image=uri)
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    desc = describe_version(rekognition, project_arn, "v1")
    summary = json.loads(s3.get_object(
        Bucket="rekomock-test-bucket",
        Key=desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])["Body"].read())
    reported = {r["Label"]: r["Metrics"] for r in summary["LabelEvaluationResults"]}
    # Re-measure from DetectCustomLabels answers (assumed thresholds apply: no MinConfidence).
    for label in ("sunrise", "sunset"):
        tp = fp = fn = 0
        for uri, truth in classification["test_images"]:
            bucket, key = uri[5:].split("/", 1)
            names = {x["Name"] for x in rekognition.detect_custom_labels(
                ProjectVersionArn=arn,
                Image={"S3Object": {"Bucket": bucket, "Name": key}})["CustomLabels"]}
            tp += label in names and truth == label
            fp += label in names and truth != label
            fn += label not in names and truth == label
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        assert reported[label]["Precision"] == pytest.approx(precision)
        assert reported[label]["Recall"] == pytest.approx(recall)
    assert desc["EvaluationResult"]["F1Score"] == pytest.approx(
        sum(m["F1Score"] for m in reported.values()) / 2)
    assert desc["EvaluationResult"]["F1Score"] < 1.0


@pytest.mark.parametrize("f1", [0.95, 0.4])
def test_set_evaluation_drives_deploy_decisions(rekognition: Any, project_arn: str,
                                                train: Any, rekomock: Controller,
                                                f1: float) -> None:
    rekomock.set_evaluation(f1, version_name="v2")
    train("v1")
    train("v2")
    assert describe_version(rekognition, project_arn, "v1")["EvaluationResult"]["F1Score"] == 1.0
    score = describe_version(rekognition, project_arn, "v2")["EvaluationResult"]["F1Score"]
    assert score == pytest.approx(f1)
    with pytest.raises(ValueError):
        rekomock.set_evaluation(1.5)
