"""The evaluation manifest snapshot agrees with the summary file and EvaluationResult, label by
label: its flags follow the assumed threshold ("Interpreting the evaluation manifest snapshot",
"Metrics for evaluating your model" in the Custom Labels guide)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rekomock import Controller
from rekomock.testing import describe_version

BUCKET = "rekomock-test-bucket"


def _outputs(s3: Any, desc: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    summary_key = desc["EvaluationResult"]["Summary"]["S3Object"]["Name"]
    summary = json.loads(s3.get_object(Bucket=BUCKET, Key=summary_key)["Body"].read())
    snap_key = desc["TestingDataResult"]["Output"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]["Name"]
    body = s3.get_object(Bucket=BUCKET, Key=snap_key)["Body"].read()
    return summary, [json.loads(x) for x in body.splitlines()]


def _boxes(line: dict[str, Any], attribute: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, annotation) of each box of an object-detection attribute, named through the
    attribute's class-map."""
    class_map = line[f"{attribute}-metadata"]["class-map"]
    return [(class_map[str(a["class_id"])], a) for a in line[attribute]["annotations"]]


def _flagged(flags: dict[str, Any]) -> dict[str, Any]:
    assert sum(flags[f] for f in ("is-true-positive", "is-false-positive",
                                  "is-true-negative", "is-false-negative")) == 1
    return flags


def _snapshot_metrics(lines: list[dict[str, Any]], label: str) -> tuple[float, float]:
    """(precision, recall) of ``label`` counted from the snapshot's flags alone: per image for
    classification (ground truth by ``class-name``), per box for object detection (ground
    truth and predictions by ``class-map``)."""
    tp = fp = positives = 0
    for line in lines:
        if "rekognition-custom-labels-evaluation" in line:  # object detection
            truth = [name for name, _ in _boxes(line, "rekognition-custom-labels-training-0")]
            positives += truth.count(label)
            objects = line["rekognition-custom-labels-evaluation-metadata"]["objects"]
            predicted = _boxes(line, "rekognition-custom-labels-evaluation")
            assert len(objects) == len(predicted)
            for (name, _), obj in zip(predicted, objects, strict=True):
                if name != label:
                    continue
                flags = _flagged(obj["rekognition-custom-labels-evaluation-details"])
                assert not flags["is-present-in-ground-truth"] or label in truth
                tp += flags["is-true-positive"]
                fp += flags["is-false-positive"]
            continue
        names = {m["class-name"] for k, m in line.items()
                 if k.startswith("rekognition-custom-labels-training-") and k.endswith("-metadata")}
        positives += label in names
        for key, meta in line.items():
            if not (key.startswith("rekognition-custom-labels-evaluation-")
                    and key.endswith("-metadata")) or meta["class-name"] != label:
                continue
            flags = _flagged(meta["rekognition-custom-labels-evaluation-details"])
            assert flags["is-present-in-ground-truth"] == (label in names)
            tp += flags["is-true-positive"]
            fp += flags["is-false-positive"]
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / positives if positives else 0.0)


def _answers(lines: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(source-ref, label, confidence) of each prediction of a classification snapshot."""
    return [(line["source-ref"], meta["class-name"], meta["confidence"])
            for line in lines for key, meta in line.items()
            if key.startswith("rekognition-custom-labels-evaluation-")
            and key.endswith("-metadata")]


def _assert_agree(s3: Any, desc: dict[str, Any]) -> dict[str, Any]:
    summary, lines = _outputs(s3, desc)
    assert summary["AggregatedEvaluationResults"]["F1Score"] == desc["EvaluationResult"][
        "F1Score"]
    reported = {r["Label"]: r["Metrics"] for r in summary["LabelEvaluationResults"]}
    for label, metrics in reported.items():
        precision, recall = _snapshot_metrics(lines, label)
        assert precision == pytest.approx(metrics["Precision"]), label
        assert recall == pytest.approx(metrics["Recall"]), label
    return reported


def test_default_evaluation_snapshot_agrees(rekognition: Any, s3: Any, project_arn: str,
                                            train: Any) -> None:
    train("v1")
    _assert_agree(s3, describe_version(rekognition, project_arn, "v1"))


@pytest.mark.parametrize("confidence", [1.0, 99.5])
def test_scripted_detections_snapshot_agrees(rekognition: Any, s3: Any, project_arn: str,
                                             train: Any, rekomock: Controller,
                                             classification: dict[str, Any],
                                             confidence: float) -> None:
    # A wrong label on every sunrise test image: below the threshold it is a true negative,
    # above it a false positive; either way snapshot and summary tell the same story.
    for uri, truth in classification["test_images"]:
        if truth == "sunrise":
            rekomock.set_detections([{"Name": "sunset", "Confidence": confidence},
                                     {"Name": "sunrise", "Confidence": 2.0}], image=uri)
    train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    _assert_agree(s3, desc)
    _, lines = _outputs(s3, desc)
    flags = [m["rekognition-custom-labels-evaluation-details"]
             for line in lines for k, m in line.items()
             if k.startswith("rekognition-custom-labels-evaluation-") and k.endswith("-metadata")
             and m["class-name"] == "sunset" and m["confidence"] == confidence / 100]
    assert flags
    assert all(f["is-present-in-ground-truth"] is False for f in flags)


def test_an_answer_scripted_once_shows_in_the_snapshot_too(
        rekognition: Any, s3: Any, project_arn: str, train: Any, rekomock: Controller,
        classification: dict[str, Any]) -> None:
    """An evaluation answers each test image once: an answer scripted for one use is in the
    snapshot as in the figures, and copying the model uses no answer up."""
    for uri, truth in classification["test_images"]:
        if truth == "sunrise":
            rekomock.set_detections([{"Name": "sunset", "Confidence": 99.0}], image=uri,
                                    times=1)
    arn = train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    reported = _assert_agree(s3, desc)
    assert reported["sunrise"]["Recall"] == 0.0
    rekomock.set_detections([{"Name": "sunset", "Confidence": 98.0}], times=1)
    copy = rekognition.copy_project_version(
        SourceProjectArn=project_arn, SourceProjectVersionArn=arn,
        DestinationProjectArn=project_arn, VersionName="copy",
        OutputConfig=classification["OutputConfig"])["ProjectVersionArn"]
    copied = describe_version(rekognition, project_arn, "copy")
    assert _answers(_outputs(s3, copied)[1]) == _answers(_outputs(s3, desc)[1])
    rekognition.start_project_version(ProjectVersionArn=copy, MinInferenceUnits=1)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project_arn, VersionNames=["copy"])
    uri = classification["test_images"][0][0]
    bucket, key = uri[5:].split("/", 1)
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=copy, Image={"S3Object": {"Bucket": bucket, "Name": key}})
    assert [(x["Name"], x["Confidence"]) for x in answer["CustomLabels"]] == [("sunset", 98.0)]


def test_chosen_threshold_snapshot_agrees(rekognition: Any, s3: Any, project_arn: str,
                                          train: Any, rekomock: Controller) -> None:
    # A threshold above every confidence: nothing counts as positive, in every output.
    rekomock.set_evaluation(0.5, labels={"sunrise": {"Threshold": 0.999}})
    train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    reported = _assert_agree(s3, desc)
    assert reported["sunrise"]["Threshold"] == 0.999
    assert reported["sunrise"]["Recall"] == 0.0
    assert desc["EvaluationResult"]["F1Score"] == 0.5


def test_a_chosen_threshold_re_measures_its_label_there(
        rekognition: Any, s3: Any, project_arn: str, train: Any, rekomock: Controller,
        classification: dict[str, Any]) -> None:
    """A label given only a threshold is measured again at it: a prediction counts when its
    confidence reaches the threshold; figures given are reported as they are; the aggregate
    precision and recall stay measured."""
    # (sunrise, sunset) confidences on the 3 sunrise and 2 sunset test images.
    confidences = iter([(90.0, 85.0), (55.0, 5.0), (60.0, 5.0), (55.0, 80.0), (20.0, 10.0)])
    for uri, _ in classification["test_images"]:
        sunrise, sunset = next(confidences)
        rekomock.set_detections([{"Name": "sunrise", "Confidence": sunrise},
                                 {"Name": "sunset", "Confidence": sunset}], image=uri)
    train("measured")
    rekomock.set_evaluation(0.5, labels={"sunrise": {"Threshold": 0.55},
                                         "sunset": {"Threshold": 0.5, "F1Score": 0.3}})
    train("chosen")
    measured = _outputs(s3, describe_version(rekognition, project_arn, "measured"))[0]
    desc = describe_version(rekognition, project_arn, "chosen")
    summary, lines = _outputs(s3, desc)
    reported = {r["Label"]: r["Metrics"] for r in summary["LabelEvaluationResults"]}
    # 90, 55 and 60 are sunrise images, 55 a sunset one; 20 falls below the threshold.
    assert reported["sunrise"] == {"F1Score": pytest.approx(6 / 7), "Threshold": 0.55,
                                   "Precision": 0.75, "Recall": 1.0}
    assert _snapshot_metrics(lines, "sunrise") == (0.75, 1.0)
    # At 0.5, sunset finds one of its two images (80) and one sunrise image (85); its given
    # F1 is reported as given.
    assert reported["sunset"] == {"F1Score": 0.3, "Threshold": 0.5, "Precision": 0.5,
                                  "Recall": 0.5}

    def images(summary: dict[str, Any]) -> dict[str, int]:
        return {r["Label"]: r["NumberOfTestingImages"] for r in summary["LabelEvaluationResults"]}

    assert images(summary) == images(measured) == {"sunrise": 3, "sunset": 2}
    aggregate = summary["AggregatedEvaluationResults"]
    assert aggregate["F1Score"] == desc["EvaluationResult"]["F1Score"] == 0.5
    for figure in ("Precision", "Recall", "ConfusionMatrix"):
        assert aggregate[figure] == measured["AggregatedEvaluationResults"][figure]


# The object-detection line of the guide's example testing snapshot ("Interpreting the
# evaluation manifest snapshot", Custom Labels guide), verbatim but for its "..." elisions.
GUIDE_OBJECT_DETECTION_LINE = """
{
  "source-ref": "s3://test-bucket/dataset/beckham.jpeg",
  "rekognition-custom-labels-training-0": {
    "annotations": [
      {
        "class_id": 0,
        "width": 39,
        "top": 409,
        "height": 63,
        "left": 712
      }
    ],
    "image_size": [
      {
        "width": 1024,
        "depth": 3,
        "height": 768
      }
    ]
  },
  "rekognition-custom-labels-training-0-metadata": {
    "job-name": "rekognition-custom-labels-training-job",
    "class-map": {
      "0": "Cap"
    },
    "human-annotated": "yes",
    "objects": [
      {
        "confidence": 1.0
      }
    ],
    "creation-date": "2019-10-21T22:02:18.432644",
    "type": "groundtruth/object-detection"
  },
  "rekognition-custom-labels-evaluation": {
    "annotations": [
      {
        "class_id": 0,
        "width": 39,
        "top": 409,
        "height": 63,
        "left": 712
      }
    ],
    "image_size": [
      {
        "width": 1024,
        "depth": 3,
        "height": 768
      }
    ]
  },
  "rekognition-custom-labels-evaluation-metadata": {
    "confidence": 0.95,
    "job-name": "rekognition-custom-labels-evaluation-job",
    "class-map": {
      "0": "Cap"
    },
    "human-annotated": "no",
    "objects": [
      {
        "confidence": 0.95,
        "rekognition-custom-labels-evaluation-details": {
          "version": 1,
          "ground-truth-labelling-jobs": ["rekognition-custom-labels-training-job"],
          "is-true-positive": true,
          "is-true-negative": false,
          "is-false-positive": false,
          "is-false-negative": false,
          "is-present-in-ground-truth": true
        }
      }
    ],
    "creation-date": "2019-10-21T22:02:18.432644",
    "type": "groundtruth/object-detection"
  }
}
"""

# 200x100 px images; (label, left, top, width, height) px.
LOGO = ("logo", 10, 10, 50, 40)
BADGE = ("badge", 100, 20, 30, 30)


def _shape(value: Any) -> Any:
    """Keys and value kinds of a JSON value, its lists by their first element (and a
    class-map by its first class)."""
    if isinstance(value, dict) and value and all(k.isdigit() for k in value):
        return {"<class id>": _shape(next(iter(value.values())))}
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if isinstance(value, bool):
        return bool
    return float if isinstance(value, int) else type(value)


def _bounding_box(left: int, top: int, width: int, height: int) -> dict[str, Any]:
    return {"BoundingBox": {"Left": left / 200, "Top": top / 100, "Width": width / 200,
                            "Height": height / 100}}


def _train_detector(rekognition: Any, s3: Any, project_arn: str, train: Any) -> dict[str, Any]:
    from rekomock.testing import detection_line, make_png, manifest, manifest_asset

    lines = []
    for i in range(4):
        key = f"boxes/img-{i}.png"
        s3.put_object(Bucket=BUCKET, Key=key, Body=make_png(200, 100, (i * 40, 10, 10)))
        lines.append(detection_line(f"s3://{BUCKET}/{key}", (200, 100), [LOGO, BADGE]))
    s3.put_object(Bucket=BUCKET, Key="boxes.manifest", Body=manifest(lines))
    asset = manifest_asset(BUCKET, "boxes.manifest")
    train("v1", TrainingData=asset, TestingData=asset)
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc["StatusMessage"]
    return desc


def test_object_detection_snapshot_has_the_guides_structure(rekognition: Any, s3: Any,
                                                            project_arn: str,
                                                            train: Any) -> None:
    _, lines = _outputs(s3, _train_detector(rekognition, s3, project_arn, train))
    guide = json.loads(GUIDE_OBJECT_DETECTION_LINE)
    for line in lines:
        assert _shape(line) == _shape(guide)
        meta = line["rekognition-custom-labels-evaluation-metadata"]
        assert meta["type"] == "groundtruth/object-detection"
        assert meta["human-annotated"] == "no"
        assert meta["job-name"] == "rekognition-custom-labels-evaluation-job"
        assert line["rekognition-custom-labels-evaluation"]["image_size"] == [
            {"width": 200, "height": 100, "depth": 3}]
        # The model finds the boxes it learnt: predicted boxes are the ground truth's, in px.
        predicted = sorted((name, a["left"], a["top"], a["width"], a["height"])
                           for name, a in _boxes(line, "rekognition-custom-labels-evaluation"))
        assert predicted == [BADGE, LOGO]
        assert meta["confidence"] == max(o["confidence"] for o in meta["objects"])
        assert all(o["rekognition-custom-labels-evaluation-details"]["is-true-positive"]
                   for o in meta["objects"])


def test_object_detection_snapshot_agrees(rekognition: Any, s3: Any, project_arn: str,
                                          train: Any, rekomock: Controller) -> None:
    # On one test image: the logo found twice (the second box claims no ground truth), the
    # badge found in the wrong place (IoU 0) and in the right place with little confidence.
    _, left, top, width, height = LOGO
    _, b_left, b_top, b_width, b_height = BADGE
    rekomock.set_detections([
        {"Name": "logo", "Confidence": 95.0,
         "Geometry": _bounding_box(left, top, width, height)},
        {"Name": "logo", "Confidence": 90.0,
         "Geometry": _bounding_box(left + 1, top, width, height)},
        {"Name": "badge", "Confidence": 92.0, "Geometry": _bounding_box(160, 60, 30, 30)},
        {"Name": "badge", "Confidence": 3.0,
         "Geometry": _bounding_box(b_left, b_top, b_width, b_height)},
    ], image=f"s3://{BUCKET}/boxes/img-0.png")
    desc = _train_detector(rekognition, s3, project_arn, train)
    reported = _assert_agree(s3, desc)
    assert set(reported) == {"logo", "badge"}
    assert 0 < reported["logo"]["Precision"] < 1  # the duplicate box is a false positive

    _, lines = _outputs(s3, desc)
    (scripted,) = [line for line in lines if line["source-ref"].endswith("img-0.png")]
    objects = scripted["rekognition-custom-labels-evaluation-metadata"]["objects"]
    found = {(name, obj["confidence"]): obj["rekognition-custom-labels-evaluation-details"]
             for (name, _), obj in zip(_boxes(scripted, "rekognition-custom-labels-evaluation"),
                                       objects, strict=True)}
    assert found[("logo", 0.95)]["is-true-positive"]
    assert found[("logo", 0.90)]["is-false-positive"]
    assert not found[("logo", 0.90)]["is-present-in-ground-truth"]
    assert not found[("badge", 0.92)]["is-present-in-ground-truth"]
    assert found[("badge", 0.03)]["is-present-in-ground-truth"]
    annotations = {(name, a["left"]) for name, a in
                   _boxes(scripted, "rekognition-custom-labels-evaluation")}
    assert annotations == {("logo", 10), ("logo", 11), ("badge", 160), ("badge", 100)}


def test_the_most_confident_box_claims_the_object_first(rekognition: Any, s3: Any,
                                                         project_arn: str, train: Any,
                                                         rekomock: Controller) -> None:
    """Whatever order the model lists its boxes in, the most confident one that overlaps an
    object enough claims it; another box on it finds no object."""
    _, left, top, width, height = LOGO
    rekomock.set_detections([
        {"Name": "logo", "Confidence": 60.0, "Geometry": _bounding_box(left, top, width, height)},
        {"Name": "logo", "Confidence": 90.0,
         "Geometry": _bounding_box(left + 2, top, width, height)},
    ], image=f"s3://{BUCKET}/boxes/img-0.png")
    desc = _train_detector(rekognition, s3, project_arn, train)
    _assert_agree(s3, desc)
    _, lines = _outputs(s3, desc)
    (scripted,) = [line for line in lines if line["source-ref"].endswith("img-0.png")]
    objects = scripted["rekognition-custom-labels-evaluation-metadata"]["objects"]
    flags = {obj["confidence"]: obj["rekognition-custom-labels-evaluation-details"]
             for obj in objects}
    assert flags[0.9]["is-present-in-ground-truth"] and flags[0.9]["is-true-positive"]
    assert not flags[0.6]["is-present-in-ground-truth"]


def test_object_detection_ignores_a_label_without_a_box(rekognition: Any, s3: Any,
                                                        project_arn: str, train: Any,
                                                        rekomock: Controller) -> None:
    # A scripted label with no Geometry is not a located object: it is neither a snapshot
    # box nor a false positive in the figures (docs/decisions.md, *Evaluation outputs*).
    _, left, top, width, height = LOGO
    rekomock.set_detections([
        {"Name": "logo", "Confidence": 95.0, "Geometry": _bounding_box(left, top, width, height)},
        {"Name": "badge", "Confidence": 99.0},
    ], image=f"s3://{BUCKET}/boxes/img-0.png")
    desc = _train_detector(rekognition, s3, project_arn, train)
    reported = _assert_agree(s3, desc)
    assert reported["badge"]["Precision"] == 1.0
    _, lines = _outputs(s3, desc)
    (scripted,) = [line for line in lines if line["source-ref"].endswith("img-0.png")]
    assert [name for name, _ in _boxes(scripted, "rekognition-custom-labels-evaluation")] == [
        "logo"]
    assert scripted["rekognition-custom-labels-evaluation-metadata"]["class-map"] == {"1": "logo"}
