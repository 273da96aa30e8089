"""DetectCustomLabels answering like the model that was trained
[CL:detecting-custom-labels]."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest

from rekomock import Controller
from rekomock.testing import describe_version, make_jpeg, make_png


def _image_bytes(s3: Any, uri: str) -> bytes:
    bucket, key = uri[5:].split("/", 1)
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_known_image_returns_its_ground_truth(rekognition: Any, s3: Any, running_version: str,
                                             classification: dict[str, Any]) -> None:
    uri, label = classification["images"][3]
    by_bytes = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"Bytes": _image_bytes(s3, uri)})["CustomLabels"]
    assert [x["Name"] for x in by_bytes] == [label]
    assert 80 <= by_bytes[0]["Confidence"] <= 100
    assert "Geometry" not in by_bytes[0]
    bucket, key = uri[5:].split("/", 1)
    by_s3 = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"S3Object": {"Bucket": bucket, "Name": key}}
    )["CustomLabels"]
    assert by_s3 == by_bytes  # stable confidences


def test_dataset_helper_images_carry_their_bytes(rekognition: Any, s3: Any, running_version: str,
                                                classification: dict[str, Any]) -> None:
    image = classification["images"][4]
    assert image.data == _image_bytes(s3, image.uri)
    by_bytes = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"Bytes": image.data})["CustomLabels"]
    by_s3 = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"S3Object": image.s3_object})["CustomLabels"]
    assert [x["Name"] for x in by_bytes] == [image.label] and by_s3 == by_bytes


def test_unknown_image_gets_no_label(rekognition: Any, running_version: str) -> None:
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"Bytes": make_png(80, 80, (1, 2, 3))})
    assert answer["CustomLabels"] == []


def test_jpeg_is_accepted(rekognition: Any, running_version: str) -> None:
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"Bytes": make_jpeg(100, 100)})
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
def test_bad_images(rekognition: Any, running_version: str,
                    image: dict[str, Any], error: str) -> None:
    with pytest.raises(rekognition.exceptions.ClientError) as err:
        rekognition.detect_custom_labels(ProjectVersionArn=running_version, Image=image)
    assert err.value.response["Error"]["Code"] == error


def test_raw_bytes_up_to_4mb(rekognition: Any, running_version: str) -> None:
    """Image.Bytes: "the maximum image size you can pass to DetectCustomLabels is 4MB" (the
    API reference's Image page), MB as in the blob's own 5 MB = 5,242,880 bytes; the limit
    is on the decoded bytes, not on their base64 text."""
    png = make_png(64, 64)
    limit = 4 * 1024 * 1024
    at_limit = png + b"\x00" * (limit - len(png))
    answer = rekognition.detect_custom_labels(ProjectVersionArn=running_version,
                                              Image={"Bytes": at_limit})
    assert answer["CustomLabels"] == []
    with pytest.raises(rekognition.exceptions.ImageTooLargeException):
        rekognition.detect_custom_labels(ProjectVersionArn=running_version,
                                         Image={"Bytes": at_limit + b"\x00"})


def test_min_confidence_max_results_and_sorting(rekognition: Any, running_version: str,
                                                rekomock: Controller) -> None:
    image = make_png(90, 90, (9, 9, 9))
    rekomock.set_detections(
        [{"Name": "sunrise", "Confidence": 55.0}, {"Name": "sunset", "Confidence": 91.5},
         {"Name": "dusk", "Confidence": 70.25}],
        image=image,
    )

    def names(**kw: Any) -> list[str]:
        return [x["Name"] for x in rekognition.detect_custom_labels(
            ProjectVersionArn=running_version, Image={"Bytes": image}, **kw)["CustomLabels"]]

    assert names(MinConfidence=0) == ["sunset", "dusk", "sunrise"]
    assert names(MinConfidence=70.25) == ["sunset", "dusk"]  # >=, docs/decisions.md
    assert names(MinConfidence=0, MaxResults=1) == ["sunset"]
    rekomock.clear_detections()
    assert names() == []  # unseen: every label scores below its threshold
    assert sorted(names(MinConfidence=0)) == ["sunrise", "sunset"]


def test_scripted_answers_by_model_and_s3_image(rekognition: Any, s3: Any, running_version: str,
                                                rekomock: Controller,
                                                classification: dict[str, Any]) -> None:
    uri, _ = classification["images"][0]
    box = {"BoundingBox": {"Width": 0.5, "Height": 0.25, "Left": 0.1, "Top": 0.2}}
    rekomock.set_detections([{"Name": "scripted", "Confidence": 99.0, "Geometry": box}],
                            version=running_version, image=uri)
    bucket, key = uri[5:].split("/", 1)
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"S3Object": {"Bucket": bucket, "Name": key}},
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
        "sunrise", "sunset"]


def test_evaluation_includes_scripted_answers(rekognition: Any, s3: Any, project_arn: str,
                                              train: Any, rekomock: Controller,
                                              classification: dict[str, Any]) -> None:
    # Every test image is "seen" as sunset: sunrise recall drops, so does F1.
    for uri, _ in classification["test_images"]:
        rekomock.set_detections([{"Name": "sunset", "Confidence": 90.0}], image=uri)
    train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["EvaluationResult"]["F1Score"] < 1.0


def test_bytes_travel_base64(rekognition: Any, running_version: str, rekomock: Controller) -> None:
    # botocore sends Bytes base64-encoded; the mock matches the decoded image, not its text.
    raw = make_png(70, 70, (5, 5, 5))
    rekomock.set_detections([{"Name": "sunset", "Confidence": 99.0}], image=raw)
    rekomock.set_detections([{"Name": "text", "Confidence": 99.0}],
                            image=base64.b64encode(raw))
    assert [x["Name"] for x in rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"Bytes": raw})["CustomLabels"]] == ["sunset"]


def test_object_localization_answers_boxes(rekognition: Any, s3: Any, project_arn: str,
                                           train: Any) -> None:
    from rekomock.testing import detection_line, manifest, manifest_asset

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


# ------------------------------------------------ the model knows its own data


def _all_images_get_their_labels(rekognition: Any, s3: Any, arn: str,
                                 images: list[tuple[str, str]]) -> None:
    for uri, label in images:
        bucket, key = uri[5:].split("/", 1)
        for image in ({"Bytes": _image_bytes(s3, uri)},
                      {"S3Object": {"Bucket": bucket, "Name": key}}):
            answer = rekognition.detect_custom_labels(ProjectVersionArn=arn, Image=image)
            assert [x["Name"] for x in answer["CustomLabels"]] == [label], uri


@pytest.mark.parametrize("auto_create", [False, True])
def test_every_training_and_testing_image_gets_its_labels_by_default(
    rekognition: Any, s3: Any, project_arn: str, train: Any, bucket: str, auto_create: bool,
) -> None:
    from rekomock.testing import (
        classification_line,
        manifest,
        manifest_asset,
        put_classification_dataset,
    )

    key, images = put_classification_dataset(s3, bucket, {"cat": 45, "dog": 45})
    s3.put_object(Bucket=bucket, Key="test.manifest",
                  Body=manifest(classification_line(u, label) for u, label in images[::9]))
    testing = {"AutoCreate": True} if auto_create else manifest_asset(bucket, "test.manifest")
    arn = train("v1", TrainingData=manifest_asset(bucket, key), TestingData=testing)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    assert describe_version(rekognition, project_arn, "v1")["EvaluationResult"]["F1Score"] == 1.0
    _all_images_get_their_labels(rekognition, s3, arn, images)
    assert rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": make_png(99, 99, (1, 1, 1))})["CustomLabels"] == []


def test_every_training_box_is_found_by_default(rekognition: Any, s3: Any, project_arn: str,
                                                train: Any, bucket: str) -> None:
    from rekomock.testing import detection_line, manifest, manifest_asset

    lines = []
    for i in range(30):
        key = f"boxes/{i}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=make_png(200, 100, (i * 8, 7, 90)))
        lines.append(detection_line(f"s3://{bucket}/{key}", (200, 100),
                                    [("logo", 20, 10, 50, 40), ("logo", 120, 50, 30, 30)]))
    s3.put_object(Bucket=bucket, Key="train.manifest", Body=manifest(lines[5:]))
    s3.put_object(Bucket=bucket, Key="test.manifest", Body=manifest(lines[:5]))
    arn = train("boxes", TrainingData=manifest_asset(bucket, "train.manifest"),
                TestingData=manifest_asset(bucket, "test.manifest"))
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    for i in range(30):
        found = rekognition.detect_custom_labels(
            ProjectVersionArn=arn,
            Image={"S3Object": {"Bucket": bucket, "Name": f"boxes/{i}.png"}})["CustomLabels"]
        assert len(found) == 2, i


def _thresholds(s3: Any, desc: dict[str, Any]) -> dict[str, float]:
    import json

    summary = json.loads(s3.get_object(
        Bucket="rekomock-test-bucket",
        Key=desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])["Body"].read())
    return {r["Label"]: r["Metrics"]["Threshold"] for r in summary["LabelEvaluationResults"]}


def test_min_confidence_zero_returns_every_label(rekognition: Any, s3: Any, project_arn: str,
                                                 running_version: str,
                                                 classification: dict[str, Any]) -> None:
    thresholds = _thresholds(s3, describe_version(rekognition, project_arn, "v1"))
    uri, label = classification["images"][6]
    image = {"Bytes": _image_bytes(s3, uri)}

    def detect(**kw: Any) -> list[dict[str, Any]]:
        return list(rekognition.detect_custom_labels(
            ProjectVersionArn=running_version, Image=image, **kw)["CustomLabels"])

    (own,) = detect()
    everything = detect(MinConfidence=0)
    assert [x["Name"] for x in everything] == [label, {"sunrise", "sunset"}.difference(
        [label]).pop()]
    assert everything[0] == own  # its own label first, with its confidence
    other = everything[1]
    assert 0 < other["Confidence"] < thresholds[other["Name"]] * 100
    assert detect(MinConfidence=0) == everything  # stable
    assert detect(MinConfidence=50) == [own]
    image = {"Bytes": make_png(77, 77, (4, 5, 6))}  # never seen: every label, below threshold
    unseen = detect(MinConfidence=0)
    assert sorted(x["Name"] for x in unseen) == ["sunrise", "sunset"]
    assert all(x["Confidence"] < thresholds[x["Name"]] * 100 for x in unseen)
    assert detect() == []
    # A label the image doesn't show scores 5-50 % of its threshold, to three decimals, one
    # score for each label and image (docs/decisions.md, *DetectCustomLabels*).
    shares = {}
    for rgb in ((4, 5, 6), (7, 8, 9)):
        image = {"Bytes": make_png(77, 77, rgb)}
        for x in detect(MinConfidence=0):
            share = x["Confidence"] / (thresholds[x["Name"]] * 100)
            assert 0.05 <= share <= 0.5 and round(x["Confidence"], 3) == x["Confidence"]
            shares[rgb, x["Name"]] = share
    assert any(x["Confidence"] != int(x["Confidence"]) for x in detect(MinConfidence=0))
    values = sorted(shares.values())
    assert len(values) == 4 and min(b - a for a, b in itertools.pairwise(values)) > 1e-3


def test_object_detection_with_min_confidence_zero_answers_its_boxes(
    rekognition: Any, s3: Any, train: Any, bucket: str,
) -> None:
    from rekomock.testing import detection_line, manifest, manifest_asset

    lines = []
    for i, label in enumerate(["logo", "logo", "badge", "badge"]):
        s3.put_object(Bucket=bucket, Key=f"b/{i}.png", Body=make_png(100, 100, (i, 50, 50)))
        lines.append(detection_line(f"s3://{bucket}/b/{i}.png", (100, 100),
                                    [(label, 10, 10, 40, 40)]))
    s3.put_object(Bucket=bucket, Key="b.manifest", Body=manifest(lines))
    asset = manifest_asset(bucket, "b.manifest")
    arn = train("boxes", TrainingData=asset, TestingData=asset)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    (found,) = rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"S3Object": {"Bucket": bucket, "Name": "b/0.png"}},
        MinConfidence=0)["CustomLabels"]
    assert found["Name"] == "logo" and "BoundingBox" in found["Geometry"]
    assert rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": make_png(90, 90, (1, 2, 3))},
        MinConfidence=0)["CustomLabels"] == []


def test_scripted_polygon_is_refused(rekomock: Controller) -> None:
    box = {"Width": 0.5, "Height": 0.25, "Left": 0.1, "Top": 0.2}
    with pytest.raises(ValueError, match="Polygon"):
        rekomock.set_detections([{"Name": "x", "Confidence": 90.0, "Geometry": {
            "BoundingBox": box, "Polygon": [{"X": 0.1, "Y": 0.2}]}}])


# ------------------------------------------------------- buckets of the region


def test_image_in_another_region_is_refused(rekognition: Any, s3: Any, running_version: str,
                                            west_bucket: str) -> None:
    s3.put_object(Bucket=west_bucket, Key="img.png", Body=make_png())
    west_image = {"S3Object": {"Bucket": west_bucket, "Name": "img.png"}}
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_custom_labels(ProjectVersionArn=running_version, Image=west_image)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_moderation_labels(Image=west_image)


# ------------------------------------------------------------------ broken images


def _truncated_jpeg() -> bytes:
    """A JPEG cut in its scan data: the frame header says 100 x 100, the pixels stop."""
    whole = make_jpeg(100, 100, seed=3)
    return whole[: len(whole) * 2 // 3]


def _png_with_garbage() -> bytes:
    """A PNG whose signature and IHDR (size, CRC) are right and whose chunks are noise."""
    header = make_png(100, 100, (10, 200, 30))[:33]
    return header + bytes(range(256)) * 4


BROKEN = {"truncated JPEG": _truncated_jpeg(), "PNG with garbage after its header":
          _png_with_garbage()}


@pytest.mark.parametrize("broken", list(BROKEN.values()), ids=list(BROKEN))
@pytest.mark.parametrize("source", ["Bytes", "S3Object"])
def test_broken_images_are_an_invalid_format(rekognition: Any, s3: Any, running_version: str,
                                            broken: bytes, source: str) -> None:
    """A header that reads right over data that does not decode is not a picture the model
    has not seen: the service cannot read it (InvalidImageFormatException, the API
    reference's DetectCustomLabels page: "The provided image format is not supported")."""
    image: dict[str, Any] = {"Bytes": broken}
    if source == "S3Object":
        s3.put_object(Bucket="rekomock-test-bucket", Key="broken/image", Body=broken)
        image = {"S3Object": {"Bucket": "rekomock-test-bucket", "Name": "broken/image"}}
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_custom_labels(ProjectVersionArn=running_version, Image=image)
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_custom_labels(ProjectVersionArn=running_version, Image=image,
                                         MinConfidence=0)


def test_broken_image_is_refused_even_with_an_answer_for_any_image(
    rekognition: Any, running_version: str, rekomock: Controller
) -> None:
    rekomock.set_detections([{"Name": "anything", "Confidence": 90.0}])
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_custom_labels(ProjectVersionArn=running_version,
                                         Image={"Bytes": _truncated_jpeg()})


def test_moderation_base_model_refuses_a_broken_image(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_moderation_labels(Image={"Bytes": _png_with_garbage()})
    assert rekognition.detect_moderation_labels(
        Image={"Bytes": make_png(80, 80)})["ModerationLabels"] == []

