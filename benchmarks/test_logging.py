"""What rekomock's logging costs a DetectCustomLabels call: nothing measurable while the
``rekomock`` logger is off (the default), against a baseline whose rekomock loggers are
stand-ins answering "not enabled" from C (the nearest to no logging code: botocore's and moto's
own logging unchanged, unlike ``logging.disable``); and, for reference, the call logged at
DEBUG. The check itself is timed too: one per call on this path."""

from __future__ import annotations

import io
import logging
import timeit
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from rekomock import mock_rekognition_custom
from rekomock.testing import put_classification_dataset

from conftest import asset, fact

LOGGER = logging.getLogger("rekomock")


@pytest.fixture
def detect() -> Iterator[Any]:
    """One DetectCustomLabels call of a running model on an image it knows (S3)."""
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, images = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="bench")["ProjectArn"]
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "bench"},
            TrainingData=asset(key), TestingData=asset(key))["ProjectVersionArn"]
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
        image = {"S3Object": images[0].s3_object}
        yield lambda: rek.detect_custom_labels(ProjectVersionArn=version, Image=image)


@pytest.fixture
def logger_off() -> Iterator[None]:
    """The default, whatever the run's ``--log-level``: the rekomock logger not enabled."""
    level = LOGGER.level
    LOGGER.setLevel(logging.WARNING)
    yield
    LOGGER.setLevel(level)


def test_detect_logger_off(bench: Any, detect: Any, logger_off: None) -> None:
    assert not LOGGER.isEnabledFor(logging.INFO)
    out = bench("rk.detect.logging.off", detect)
    assert [x["Name"] for x in out["CustomLabels"]] == ["cat"]
    responses = logging.getLogger("rekomock._wire.responses")
    per_check = min(timeit.repeat(lambda: responses.isEnabledFor(logging.DEBUG),
                                  number=10_000, repeat=5)) / 10_000
    call = min(timeit.repeat(detect, number=20, repeat=5)) / 20
    fact("the disabled logger's check, once per DetectCustomLabels call",
         f"{per_check * 1e9:,.0f} ns = {per_check / call:.3%} of the call")


class _NoLogger:
    """A logger that is never enabled, at the cost of a C call: the baseline."""

    isEnabledFor = staticmethod(frozenset().__contains__)


def test_detect_without_rekomock_logging(bench: Any, detect: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from rekomock._service import backend, steering
    from rekomock._wire import responses

    for module in (responses, steering, backend):
        monkeypatch.setattr(module, "_log", _NoLogger())
    out = bench("rk.detect.logging.absent", detect)
    assert [x["Name"] for x in out["CustomLabels"]] == ["cat"]


def test_detect_logged_at_debug(bench: Any, detect: Any) -> None:
    """A handler formatting every record into memory: what turning DEBUG on costs."""
    handler = logging.StreamHandler(io.StringIO())
    level = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.DEBUG)
    try:
        bench("rk.detect.logging.debug", detect)
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)
    assert "DetectCustomLabels account=" in handler.stream.getvalue()
