"""Capacity: what a throughput limit adds to DetectCustomLabels, and what a model running for
a virtual year keeps (the unit timeline, not per-minute datapoints).

Memory does not depend on the machine's load, so its target is asserted in every profile.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from rekomock import mock_rekognition_custom
from rekomock._domain.capacity import Capacity, Run
from rekomock.testing import put_classification_dataset

from conftest import asset, fact

#: What a running model may keep after a virtual year of running, with a day of sustained
#: load every week scaling it up and down (2026-12-03: about 20 KiB).
MAX_BYTES_PER_MODEL_YEAR = 64 * 1024


@pytest.fixture
def running() -> Iterator[dict[str, Any]]:
    with mock_rekognition_custom() as rk:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, images = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="bench")["ProjectArn"]
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "bench"},
            TrainingData=asset(key), TestingData=asset(key))["ProjectVersionArn"]
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1,
                                  MaxInferenceUnits=4)
        rek.describe_project_versions(ProjectArn=project)
        bucket, name = images[0][0][5:].split("/", 1)
        yield {"rk": rk, "rek": rek, "version": version,
               "image": {"S3Object": {"Bucket": bucket, "Name": name}}}


def test_detect_without_limit(bench: Any, running: dict[str, Any]) -> None:
    rek = running["rek"]
    bench("rk.detect_custom_labels.no_limit", lambda: rek.detect_custom_labels(
        ProjectVersionArn=running["version"], Image=running["image"]))


def test_detect_with_limit(bench: Any, running: dict[str, Any]) -> None:
    """A limit high enough that no call is refused: the cost of counting and scaling."""
    rek = running["rek"]
    running["rk"].set_capacity(1_000_000)
    out = bench("rk.detect_custom_labels.limit", lambda: rek.detect_custom_labels(
        ProjectVersionArn=running["version"], Image=running["image"]))
    assert [x["Name"] for x in out["CustomLabels"]] == ["cat"]


def test_admission_alone(bench: Any) -> None:
    """The rule a limited call pays: count it, keep the window's peak, decide."""
    run = Run(0.0, 1, 4)
    capacity = Capacity(1_000_000)
    moments = iter(i * 1e-4 for i in range(10**9))
    bench("capacity.admit", lambda: run.admit(next(moments), capacity))


def test_memory_per_model_year() -> None:
    """A year of a running model: 52 days of sustained load scale it to 4 units and back."""
    capacity = Capacity(1, scale_up_seconds=300, scale_down_seconds=900)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run = Run(0.0, 1, 4)
        day = 86400.0
        for week in range(52):
            busy = week * 7 * day
            for second in range(0, 3600, 10):  # an hour of 4 calls a second, sampled
                for _ in range(4):
                    run.admit(busy + second, capacity)
        run.unit_seconds(365 * day)
        points = sum(1 for _ in run.datapoints(365 * day))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    fact("memory per running model over a virtual year (52 scale-ups and downs)",
         f"{kept / 1024:.1f} KiB, {points:,} datapoints computed per query")
    assert kept <= MAX_BYTES_PER_MODEL_YEAR, f"{kept / 1024:.1f} KiB"
