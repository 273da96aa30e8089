"""Memory: what one trained version and one dataset entry keep alive (tracemalloc).

Memory does not depend on the machine's load, so its targets are asserted in every profile.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import boto3

from rekomock import mock_rekognition_custom
from rekomock.testing import classification_line, manifest, put_classification_dataset

from conftest import LABELS, asset, fact

#: A trained version of 4 images with its 6 output files in moto's S3 (2026-11-29: 53.7 KiB).
MAX_BYTES_PER_VERSION = 64 * 1024
#: A dataset entry beyond the text of its manifest line (2026-11-29: 385 B).
MAX_BYTES_PER_ENTRY = 512


def _retained(build: Any) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keep = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del keep
    return after - before


def _retained_outside(build: Any, pattern: str) -> int:
    """What ``build`` leaves allocated, not counting allocations made in files matching
    ``pattern`` (anywhere in their traceback)."""
    gc.collect()
    tracemalloc.start(25)
    try:
        before = tracemalloc.take_snapshot()
        build()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    outside = [tracemalloc.Filter(False, pattern, all_frames=True)]
    return sum(stat.size_diff for stat in after.filter_traces(outside).compare_to(
        before.filter_traces(outside), "filename"))


def test_memory_per_version() -> None:
    count = 200
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, _ = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        arn = rek.create_project(ProjectName="memory")["ProjectArn"]
        rek.create_project_version(ProjectArn=arn, VersionName="warm",
                                   OutputConfig={"S3Bucket": "bench"},
                                   TrainingData=asset(key), TestingData=asset(key))

        def build() -> None:
            for i in range(count):
                rek.create_project_version(
                    ProjectArn=arn, VersionName=f"v{i}", OutputConfig={"S3Bucket": "bench"},
                    TrainingData=asset(key), TestingData=asset(key))

        per_version = _retained(build) / count
    fact("memory per trained version (incl. its 6 output files in moto's S3)",
         f"{per_version / 1024:.1f} KiB")
    assert 0 < per_version <= MAX_BYTES_PER_VERSION, f"{per_version / 1024:.1f} KiB"


#: What a trained-then-deleted version may keep (its inference-unit meter, nothing more).
DELETED_VERSION_TARGET = 4 * 1024


def test_memory_per_deleted_version() -> None:
    """A long-running server must not grow with the versions it has trained and deleted.

    Each round trains a version, reads its meter and deletes it. Measured net of moto's S3
    bookkeeping: moto keeps every object ever written (deleted or not) until a reset, and
    the training outputs a version leaves in S3 stay there, as with the real service."""
    count = 200
    with mock_rekognition_custom() as rk:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, _ = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        arn = rek.create_project(ProjectName="memory")["ProjectArn"]

        def train_and_delete(name: str) -> None:
            version = rek.create_project_version(
                ProjectArn=arn, VersionName=name, OutputConfig={"S3Bucket": "bench"},
                TrainingData=asset(key), TestingData=asset(key))["ProjectVersionArn"]
            rk.inference_unit_hours(version)
            rek.delete_project_version(ProjectVersionArn=version)

        train_and_delete("warm")

        def build() -> None:
            for i in range(count):
                train_and_delete(f"v{i}")
            rk.clear_calls()  # the call record is bounded (the latest 1,000 calls)

        per_version = _retained_outside(build, "*/moto/s3/*") / count
    fact("memory per trained-then-deleted version (net of moto's S3 bookkeeping)",
         f"{per_version / 1024:.2f} KiB (target ≤ {DELETED_VERSION_TARGET / 1024:g} KiB)")
    assert per_version <= DELETED_VERSION_TARGET


def test_memory_per_dataset_entry() -> None:
    count = 20_000
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        lines = [classification_line(f"s3://bench/images/img-{i:06d}.png", LABELS[i % 3])
                 for i in range(count)]
        body = manifest(lines)
        s3.put_object(Bucket="bench", Key="m.manifest", Body=body)
        line_bytes = len(body) - count  # without the newlines
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="memory")["ProjectArn"]
        del lines, body

        def build() -> None:
            rek.create_dataset(ProjectArn=project, DatasetType="TRAIN", DatasetSource={
                "GroundTruthManifest": {"S3Object": {"Bucket": "bench",
                                                     "Name": "m.manifest"}}})

        retained = _retained(build)
    beyond = (retained - line_bytes) / count
    fact("memory per dataset entry beyond its manifest line",
         f"{beyond:.0f} B (line {line_bytes / count:.0f} B, total {retained / count:.0f} B)")
    assert 0 < beyond <= MAX_BYTES_PER_ENTRY, f"{beyond:.0f} B"
