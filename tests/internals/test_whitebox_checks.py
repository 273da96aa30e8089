"""White-box checks moved out of the user-style tests: what only the internals can show (a
decode that does not happen, a freed object, a private rule's arithmetic, a bound on the
record of calls)."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from rekomock.controller import Controller
from rekomock.testing import make_png


def _image_bytes(s3: Any, uri: str) -> bytes:
    bucket, key = uri[5:].split("/", 1)
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_known_images_are_answered_without_decoding(
    rekognition: Any, s3: Any, running_version: str, rekomock: Controller,
    classification: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bytes the model learned, and images with a scripted answer, are valid images already:
    only unknown bytes pay a decode."""
    from rekomock._domain import fingerprint

    decoded: list[int] = []
    real = fingerprint.fingerprint

    def counting(data: bytes) -> Any:
        decoded.append(len(data))
        return real(data)

    monkeypatch.setattr(fingerprint, "fingerprint", counting)
    uri, label = classification["images"][1]
    bucket, key = uri[5:].split("/", 1)
    known = _image_bytes(s3, uri)
    for image in ({"Bytes": known}, {"S3Object": {"Bucket": bucket, "Name": key}}):
        answer = rekognition.detect_custom_labels(ProjectVersionArn=running_version, Image=image)
        assert [x["Name"] for x in answer["CustomLabels"]] == [label]
    scripted = make_png(90, 90, (7, 70, 170))
    s3.put_object(Bucket=bucket, Key="scripted.png", Body=make_png(90, 90, (170, 7, 70)))
    rekomock.set_detections([{"Name": "by-object", "Confidence": 95.0}],
                            version=running_version, image=f"s3://{bucket}/scripted.png")
    rekomock.set_detections([{"Name": "by-bytes", "Confidence": 95.0}],
                            version=running_version, image=scripted)
    decoded.clear()  # set_detections fingerprints the bytes it is given, once
    by_object = rekognition.detect_custom_labels(
        ProjectVersionArn=running_version,
        Image={"S3Object": {"Bucket": bucket, "Name": "scripted.png"}})
    by_bytes = rekognition.detect_custom_labels(ProjectVersionArn=running_version,
                                                Image={"Bytes": scripted})
    assert [x["Name"] for x in by_object["CustomLabels"]] == ["by-object"]
    assert [x["Name"] for x in by_bytes["CustomLabels"]] == ["by-bytes"]
    assert decoded == []
    rekognition.detect_custom_labels(ProjectVersionArn=running_version,
                                     Image={"Bytes": make_png(90, 90, (1, 1, 1))})
    assert len(decoded) == 1  # unknown bytes: decoded once


def test_a_deleted_version_is_freed_but_its_meter_answers(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller) -> None:
    """A long-running server must not keep every model it ever trained."""
    import gc
    import weakref

    from rekomock._service.backend import rekognition_custom_backends

    with freeze_time("2026-01-01 08:00:00") as frozen:
        arn = train("v1")
        backend = rekognition_custom_backends["123456789012"]["us-east-1"]
        version = weakref.ref(backend.find_version(arn))
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=3)
        frozen.tick(3600)
        rekognition.stop_project_version(ProjectVersionArn=arn)
        rekognition.delete_project_version(ProjectVersionArn=arn)
    gc.collect()
    assert version() is None
    assert rekomock.inference_unit_hours(arn) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="no such project version"):
        rekomock.inference_unit_hours(arn.replace("/v1/", "/v2/"))


def test_assumed_threshold_maximises_f1() -> None:
    """Lowering the threshold admits predictions one confidence at a time; the one with the
    best F1 wins (here 60: 3 true positives, 1 false, F1 6/7)."""
    from rekomock._domain.evaluation import _best_threshold

    scored = [(90.0, True), (80.0, True), (70.0, False), (60.0, True)]
    assert _best_threshold(scored, 3) == (0.6, 3, 1)
    assert _best_threshold([], 2) == (0.5, 0, 0)  # nothing predicted


def test_the_record_keeps_the_latest_calls(rekomock: Any, rekognition: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from rekomock._domain import faults

    monkeypatch.setattr(faults, "CALLS_KEPT", 3)
    rekomock.reset()
    for i in range(5):
        rekognition.create_project(ProjectName=f"p{i}")
    assert [c.params["ProjectName"] for c in rekomock.calls] == ["p2", "p3", "p4"]
    rekomock.clear_calls()
    assert list(rekomock.calls) == [] and len(rekomock.calls) == 0
