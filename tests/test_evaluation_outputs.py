"""The evaluation manifest snapshot agrees with the summary file and EvaluationResult, label by
label: its flags follow the assumed threshold ("Interpreting the evaluation manifest snapshot",
"Metrics for evaluating your model" in the Custom Labels guide)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rekomock import Controller

from conftest import describe_version

BUCKET = "rekomock-test-bucket"


def _outputs(s3: Any, desc: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    summary_key = desc["EvaluationResult"]["Summary"]["S3Object"]["Name"]
    summary = json.loads(s3.get_object(Bucket=BUCKET, Key=summary_key)["Body"].read())
    snap_key = desc["TestingDataResult"]["Output"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]["Name"]
    body = s3.get_object(Bucket=BUCKET, Key=snap_key)["Body"].read()
    return summary, [json.loads(x) for x in body.splitlines()]


def _snapshot_metrics(lines: list[dict[str, Any]], label: str) -> tuple[float, float]:
    """(precision, recall) of ``label`` counted from the snapshot's flags alone."""
    tp = fp = positives = 0
    for line in lines:
        truth = {m["class-name"] for k, m in line.items()
                 if k.startswith("rekognition-custom-labels-training-") and k.endswith("-metadata")}
        positives += label in truth
        for key, meta in line.items():
            if not (key.startswith("rekognition-custom-labels-evaluation-")
                    and key.endswith("-metadata")) or meta["class-name"] != label:
                continue
            flags = meta["rekognition-custom-labels-evaluation-details"]
            assert sum(flags[f] for f in ("is-true-positive", "is-false-positive",
                                          "is-true-negative", "is-false-negative")) == 1
            assert flags["is-present-in-ground-truth"] == (label in truth)
            tp += flags["is-true-positive"]
            fp += flags["is-false-positive"]
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / positives if positives else 0.0)


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
