"""Errors of a whole manifest, seen as a user sees them: a failed training's StatusMessage
and, for content errors, the manifest summary's ``errors`` where "Understanding the manifest
summary" puts them. Codes and messages are the guide's ("Terminal manifest file errors",
"Terminal manifest content errors"), written out here, never read from rekomock."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

from rekomock.testing import (
    classification_line,
    describe_version,
    detection_line,
    make_png,
    manifest,
    manifest_asset,
)

#: The ``bucket`` fixture's bucket.
BUCKET = "rekomock-test-bucket"

INACCESSIBLE = "The manifest file extension or contents are invalid."
EMPTY = "The manifest file is empty."
TOO_MANY_ROWS = "The manifest file has too many rows."
TOO_MANY_INVALID = {"code": "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
                    "message": "The manifest file contains too many invalid rows."}
MULTIPLE_BUCKETS = {"code": "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS",
                    "message": "The manifest file contains images from multiple S3 buckets."}
TOO_FEW_LABELS = {"code": "ERROR_MANIFEST_TOO_FEW_LABELS",
                  "message": "The manifest file has too few labels."}
TOO_FEW_USABLE = {"code": "ERROR_MANIFEST_TOO_FEW_USABLE_LABELS",
                  "message": "The manifest file has too few usable labels."}
TOO_MANY_LABELS = {"code": "ERROR_MANIFEST_TOO_MANY_LABELS",
                   "message": "The manifest file has too many labels."}
OVERLAP = {"code": "ERROR_INSUFFICIENT_LABEL_OVERLAP",
           "message": "Less than 50% label overlap between the training and testing manifest "
                      "files."}
USABLE_OVERLAP = {"code": "ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP",
                  "message": "Less than 50% usable label overlap between the training and "
                             "testing manifest files."}
AUTOSPLIT = {"code": "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT",
             "message": "The manifest file contains insufficient labeled images per label to "
                        "perform auto-split."}


class Trained(NamedTuple):
    desc: dict[str, Any]
    summary: dict[str, Any] | None


def image_lines(s3: Any, labels: dict[str, int], *, prefix: str = "img",
                bucket: str = BUCKET) -> list[dict[str, Any]]:
    """One uploaded 64 px image and its image-level line per image."""
    lines = []
    for label, count in labels.items():
        for i in range(count):
            key = f"{prefix}/{label}-{i}.png"
            s3.put_object(Bucket=bucket, Key=key,
                          Body=make_png(64, 64, (len(lines) * 7 % 256, len(prefix), 50)))
            lines.append(classification_line(f"s3://{bucket}/{key}", label))
    return lines


def box_lines(s3: Any, labels: dict[str, int], *, prefix: str = "box") -> list[dict[str, Any]]:
    lines = []
    for label, count in labels.items():
        for i in range(count):
            key = f"{prefix}/{label}-{i}.png"
            s3.put_object(Bucket=BUCKET, Key=key, Body=make_png(128, 128, (i, 9, 99)))
            lines.append(detection_line(f"s3://{BUCKET}/{key}", (128, 128),
                                        [(label, 10, 10, 60, 60)]))
    return lines


def train(rekognition: Any, s3: Any, project_arn: str, training: bytes | list[Any],
          testing: bytes | list[Any] | None = None) -> Trained:
    """Train v1 (AutoCreate without ``testing``); its description and manifest summary."""
    for key, body in (("train.manifest", training), ("test.manifest", testing)):
        if body is not None:
            s3.put_object(Bucket=BUCKET, Key=key,
                          Body=body if isinstance(body, bytes) else manifest(body))
    rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
        TrainingData=manifest_asset(BUCKET, "train.manifest"),
        TestingData=({"AutoCreate": True} if testing is None
                     else manifest_asset(BUCKET, "test.manifest")))
    desc = describe_version(rekognition, project_arn, "v1")
    summary = None
    if "ManifestSummary" in desc:
        ref = desc["ManifestSummary"]["S3Object"]
        summary = json.loads(s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read())
    return Trained(desc, summary)


def failed(result: Trained, message: str) -> None:
    assert result.desc["Status"] == "TRAINING_FAILED"
    assert result.desc["StatusMessage"] == message


def completed(result: Trained) -> None:
    assert result.desc["Status"] == "TRAINING_COMPLETED", result.desc.get("StatusMessage")


# -------------------------------------------------------------------- file errors


@pytest.mark.parametrize(("body", "message"), [
    (b"", EMPTY),
    (b"\n\n", EMPTY),
    (b" \r\n\t\n", EMPTY),
    (b"\xef\xbb\xbf\n", EMPTY),  # a byte order mark and nothing else
    (b"\xff\xfe{}", INACCESSIBLE),  # not UTF-8
    (b"a,b,c\n1,2,3\n", INACCESSIBLE),  # CSV: not one JSON object
    (b'[1, 2]\n"x"\n7\n', INACCESSIBLE),
])
def test_file_errors_fail_without_a_summary(rekognition: Any, s3: Any, project_arn: str,
                                            bucket: str, body: bytes, message: str) -> None:
    result = train(rekognition, s3, project_arn, body, body)
    failed(result, message)
    assert result.summary is None
    assert "Validation" not in result.desc["TrainingDataResult"]
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="v1")["KeyCount"] == 0


def test_one_json_object_makes_it_a_manifest(rekognition: Any, s3: Any, project_arn: str,
                                             bucket: str) -> None:
    """Lines that are not objects are line errors once any line is an object."""
    result = train(rekognition, s3, project_arn, b'[1]\n{"source-ref": 1}\n')
    failed(result, TOO_MANY_INVALID["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["invalid_json_lines"] == 2


@pytest.mark.parametrize(("rows", "end"), [(250_001, "\n"), (250_001, ""), (250_002, "\n")])
def test_too_many_rows(rekognition: Any, s3: Any, project_arn: str, bucket: str, rows: int,
                       end: str) -> None:
    """At most 250,000 JSON lines [Guidelines and quotas]."""
    body = ("\n".join(["[]"] * rows) + end).encode()
    failed(train(rekognition, s3, project_arn, body), TOO_MANY_ROWS)


@pytest.mark.parametrize("end", ["\n", ""])
def test_250000_rows_are_read(rekognition: Any, s3: Any, project_arn: str, bucket: str,
                              end: str) -> None:
    """250,000 lines are allowed (these are none of them an object, so the file is not a
    manifest: another error than too many rows), with or without a newline at the end."""
    body = ("\n".join(["[]"] * 250_000) + end).encode()
    failed(train(rekognition, s3, project_arn, body), INACCESSIBLE)


# ----------------------------------------------------------------- content errors


@pytest.mark.parametrize(("invalid", "valid", "ok"), [(2, 5, False), (2, 6, True),
                                                      (0, 4, True)])
def test_too_many_invalid_rows(rekognition: Any, s3: Any, project_arn: str, bucket: str,
                               invalid: int, valid: int, ok: bool) -> None:
    """Invalid lines must be under 20 % of the manifest's lines (3 ignored lines among them,
    which are not invalid)."""
    lines = image_lines(s3, {"a": valid // 2, "b": valid - valid // 2})
    lines += [{"source-ref": f"s3://{BUCKET}/nothing-{i}.png"} for i in range(3)]
    lines += [{"no": "source-ref"}] * invalid
    total = len(lines)
    result = train(rekognition, s3, project_arn, lines, image_lines(s3, {"a": 1, "b": 1},
                                                                    prefix="t"))
    assert result.summary is not None
    stats = result.summary["statistics"]["training"]
    assert (stats["total_json_lines"], stats["invalid_json_lines"]) == (total, invalid)
    assert stats["ignored_json_lines"] == 3
    if ok:
        completed(result)
        assert stats["errors"] == []
    else:
        failed(result, TOO_MANY_INVALID["message"])
        assert stats["errors"] == [TOO_MANY_INVALID]
        assert result.summary["errors"] == []
        assert result.summary["statistics"]["testing"]["errors"] == []


def test_images_in_two_buckets(rekognition: Any, s3: Any, project_arn: str, bucket: str) -> None:
    s3.create_bucket(Bucket="other-bucket")
    lines = image_lines(s3, {"a": 3, "b": 2}) + image_lines(s3, {"a": 1}, bucket="other-bucket")
    result = train(rekognition, s3, project_arn, lines, lines[:1] + lines[3:4])
    failed(result, MULTIPLE_BUCKETS["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["errors"] == [MULTIPLE_BUCKETS]


def test_testing_images_in_another_bucket_than_training_images(
    rekognition: Any, s3: Any, project_arn: str, bucket: str
) -> None:
    """One bucket per manifest: a testing manifest may use another bucket."""
    s3.create_bucket(Bucket="other-bucket")
    testing = image_lines(s3, {"a": 1, "b": 1}, bucket="other-bucket")
    completed(train(rekognition, s3, project_arn, image_lines(s3, {"a": 2, "b": 2}), testing))


@pytest.mark.parametrize(("kind", "labels", "ok"), [
    ("image", {"a": 3}, False), ("image", {"a": 2, "b": 2}, True),
    ("box", {"a": 3}, True),
])
def test_fewest_labels(rekognition: Any, s3: Any, project_arn: str, bucket: str, kind: str,
                       labels: dict[str, int], ok: bool) -> None:
    """Image-level models need two labels, object-localization models one [Guidelines and
    quotas]."""
    make = image_lines if kind == "image" else box_lines
    result = train(rekognition, s3, project_arn, make(s3, labels),
                   make(s3, dict.fromkeys(labels, 1), prefix="t"))
    if ok:
        completed(result)
    else:
        failed(result, TOO_FEW_LABELS["message"])
        assert result.summary is not None
        assert result.summary["statistics"]["training"]["errors"] == [TOO_FEW_LABELS]
        assert result.summary["statistics"]["testing"]["errors"] == [TOO_FEW_LABELS]


def test_no_valid_line_has_too_few_labels(rekognition: Any, s3: Any, project_arn: str,
                                          bucket: str) -> None:
    lines = [{"source-ref": f"s3://{BUCKET}/{i}.png"} for i in range(3)]
    result = train(rekognition, s3, project_arn, lines, lines)
    failed(result, TOO_FEW_LABELS["message"])
    assert result.summary is not None
    stats = result.summary["statistics"]["training"]
    assert stats["use_case"] == "NOT_DETERMINED"
    assert stats["errors"] == [TOO_FEW_LABELS]


def test_too_few_usable_labels(rekognition: Any, s3: Any, project_arn: str, bucket: str) -> None:
    """Two labels, but one in lines of the other kind than the manifest's use case."""
    lines = image_lines(s3, {"a": 3}) + box_lines(s3, {"b": 2})
    result = train(rekognition, s3, project_arn, lines, lines)
    failed(result, TOO_FEW_USABLE["message"])
    assert result.summary is not None
    stats = result.summary["statistics"]["training"]
    assert (stats["use_case"], stats["valid_json_lines"]) == ("IMAGE_LEVEL_LABELS", 5)
    assert stats["errors"] == [TOO_FEW_USABLE]


def test_use_case_follows_the_kind_with_more_lines(rekognition: Any, s3: Any, project_arn: str,
                                                   bucket: str) -> None:
    lines = image_lines(s3, {"a": 2, "b": 2}) + box_lines(s3, {"c": 3})
    result = train(rekognition, s3, project_arn, lines, lines)
    completed(result)
    assert result.summary is not None
    for part in ("training", "testing"):
        assert result.summary["statistics"][part]["use_case"] == "IMAGE_LEVEL_LABELS"
    lines = image_lines(s3, {"a": 2, "b": 1}, prefix="x") + box_lines(s3, {"c": 3}, prefix="y")
    rekognition.delete_project_version(ProjectVersionArn=result.desc["ProjectVersionArn"])
    result = train(rekognition, s3, project_arn, lines, lines)
    completed(result)  # a tie goes to object localization
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["use_case"] == "OBJECT_LOCALIZATION"


def _many_labels(s3: Any, count: int, prefix: str) -> list[dict[str, Any]]:
    """``count`` labels over lines of up to 50 labels each, every label on two images."""
    names = [f"label-{i}" for i in range(count)]
    lines = []
    for n in range(2):
        for start in range(0, count, 50):
            key = f"{prefix}/{n}-{start}.png"
            s3.put_object(Bucket=BUCKET, Key=key, Body=make_png(64, 64, (n, start % 256, 1)))
            lines.append(classification_line(f"s3://{BUCKET}/{key}", *names[start:start + 50]))
    return lines


@pytest.mark.parametrize(("count", "ok"), [(250, True), (251, False)])
def test_too_many_labels(rekognition: Any, s3: Any, project_arn: str, bucket: str, count: int,
                         ok: bool) -> None:
    """At most 250 labels per manifest [Guidelines and quotas]."""
    lines = _many_labels(s3, count, "many")
    result = train(rekognition, s3, project_arn, lines, _many_labels(s3, count, "t"))
    if ok:
        completed(result)
    else:
        failed(result, TOO_MANY_LABELS["message"])
        assert result.summary is not None
        assert result.summary["statistics"]["training"]["errors"] == [TOO_MANY_LABELS]


@pytest.mark.parametrize(("train_labels", "test_labels", "ok"), [
    (["a", "b"], ["a", "c"], True),  # 50 %
    (["a", "b", "c"], ["a", "d"], False),  # 33 %
    (["a", "b"], ["c", "d"], False),
])
def test_label_overlap(rekognition: Any, s3: Any, project_arn: str, bucket: str,
                       train_labels: list[str], test_labels: list[str], ok: bool) -> None:
    """At least 50 % of the training labels must be in the testing manifest."""
    result = train(rekognition, s3, project_arn,
                   image_lines(s3, dict.fromkeys(train_labels, 2)),
                   image_lines(s3, dict.fromkeys(test_labels, 1), prefix="t"))
    assert result.summary is not None
    if ok:
        completed(result)
        assert result.summary["errors"] == []
    else:
        failed(result, OVERLAP["message"])
        assert result.summary["errors"] == [OVERLAP]  # top level: it spans both manifests
        assert result.summary["statistics"]["training"]["errors"] == []


def test_usable_label_overlap(rekognition: Any, s3: Any, project_arn: str, bucket: str) -> None:
    """The testing manifest has the training labels, but in lines of the other kind."""
    training = box_lines(s3, {"a": 2, "b": 2})
    testing = image_lines(s3, {"a": 1, "b": 1}, prefix="t") + box_lines(s3, {"c": 1}, prefix="u")
    result = train(rekognition, s3, project_arn, training, testing)
    failed(result, USABLE_OVERLAP["message"])
    assert result.summary is not None
    assert result.summary["errors"] == [USABLE_OVERLAP]
    testing_stats = result.summary["statistics"]["testing"]
    assert testing_stats["use_case"] == "OBJECT_LOCALIZATION"  # the training manifest's
    assert testing_stats["valid_json_lines"] == 3


def test_the_first_error_is_the_status_message(rekognition: Any, s3: Any, project_arn: str,
                                               bucket: str) -> None:
    """Top-level errors come first, then the training manifest's, then the testing one's."""
    training = [*image_lines(s3, {"a": 3}), {"x": 1}]
    testing = image_lines(s3, {"z": 1, "y": 1}, prefix="t") + [{"x": 1}] * 2
    result = train(rekognition, s3, project_arn, training, testing)
    failed(result, OVERLAP["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["errors"] == [TOO_MANY_INVALID,
                                                                  TOO_FEW_LABELS]
    assert result.summary["statistics"]["testing"]["errors"] == [TOO_MANY_INVALID]
    rekognition.delete_project_version(ProjectVersionArn=result.desc["ProjectVersionArn"])
    result = train(rekognition, s3, project_arn, training, image_lines(s3, {"a": 1}, prefix="u")
                   + [{"x": 1}] * 2)
    failed(result, TOO_MANY_INVALID["message"])
    rekognition.delete_project_version(ProjectVersionArn=result.desc["ProjectVersionArn"])
    result = train(rekognition, s3, project_arn, image_lines(s3, {"a": 2, "b": 2}, prefix="v"),
                   [*image_lines(s3, {"a": 1}, prefix="w"), {"x": 1}])
    failed(result, TOO_MANY_INVALID["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["errors"] == []


# --------------------------------------------------------------------- auto split


def _testing_images(s3: Any, desc: dict[str, Any]) -> dict[str, int]:
    ref = desc["EvaluationResult"]["Summary"]["S3Object"]
    summary = json.loads(s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read())
    return {r["Label"]: r["NumberOfTestingImages"] for r in summary["LabelEvaluationResults"]}


def test_auto_split_moves_a_fifth_of_each_label(rekognition: Any, s3: Any, project_arn: str,
                                                bucket: str) -> None:
    """About 20 % of each label's images, rounded, at least one, never all."""
    lines = image_lines(s3, {"a": 13, "b": 2, "c": 8, "d": 3})
    result = train(rekognition, s3, project_arn, lines)
    completed(result)
    assert _testing_images(s3, result.desc) == {"a": 3, "b": 1, "c": 2, "d": 1}
    assert result.summary is not None
    testing = result.summary["statistics"]["testing"]
    assert (testing["total_json_lines"], testing["valid_json_lines"]) == (7, 7)
    assert testing["use_case"] == "IMAGE_LEVEL_LABELS"
    assert result.summary["statistics"]["training"]["total_json_lines"] == 26


def test_auto_split_needs_two_images_per_label(rekognition: Any, s3: Any, project_arn: str,
                                               bucket: str) -> None:
    result = train(rekognition, s3, project_arn, image_lines(s3, {"a": 4, "b": 1}))
    failed(result, AUTOSPLIT["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["errors"] == [AUTOSPLIT]
    assert result.summary["statistics"]["testing"]["total_json_lines"] == 0


def test_auto_split_of_labels_that_always_share_images(rekognition: Any, s3: Any,
                                                        project_arn: str, bucket: str) -> None:
    """Three images labelled {a, b}, {a, c}, {b, c}: any image moved to testing leaves
    another label with one image, so one label gets no testing image."""
    lines = []
    for i, labels in enumerate([("a", "b"), ("a", "c"), ("b", "c")]):
        s3.put_object(Bucket=BUCKET, Key=f"{i}.png", Body=make_png(64, 64, (i, 1, 1)))
        lines.append(classification_line(f"s3://{BUCKET}/{i}.png", *labels))
    failed(train(rekognition, s3, project_arn, lines), AUTOSPLIT["message"])


def test_auto_split_is_not_tried_after_a_content_error(rekognition: Any, s3: Any,
                                                       project_arn: str, bucket: str) -> None:
    result = train(rekognition, s3, project_arn, image_lines(s3, {"a": 1}))
    failed(result, TOO_FEW_LABELS["message"])
    assert result.summary is not None
    assert result.summary["statistics"]["training"]["errors"] == [TOO_FEW_LABELS]
