"""Memory of a mock left running: growth per 1,000 create -> train -> start -> detect ->
stop -> delete cycles with the same names (each training overwrites the previous outputs).

Measured with tracemalloc over everything the process allocates, moto's S3 bookkeeping
included (its instance tracker keeps every object created until moto's reset, unless rekomock
releases what it overwrites). Tracing starts before the warm-up, which fills the bounded record
of calls, so a record replaced by a newer one is not counted as growth. Asserted in every
profile: memory does not depend on the machine's load.
"""

from __future__ import annotations

import gc
import logging
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from rekomock import mock_rekognition_custom
from rekomock.server import RekomockServer
from rekomock.testing import put_classification_dataset

from conftest import SHORT, fact

#: Target: below 1 MiB of growth per 1,000 cycles (2026-12-03: about 0.93 MiB with the
#: capacity meters, 0.25 MiB before them; it was 23 MiB before overwritten training outputs
#: were released).
TARGET_PER_1000 = 1024 * 1024
CYCLES = 300 if SHORT else 1_000
WARM_UP = 160  # 7 calls a cycle: the record of the latest 1,000 calls is full by then
BUCKET = "soak"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
               "region_name": "us-east-1"}


@contextmanager
def _clients(mode: str) -> Iterator[dict[str, Any]]:
    if mode == "in-process":
        with mock_rekognition_custom():
            yield {}
    else:
        # As `rekomock server --quiet`: pytest keeps every log record of a test in memory.
        log = logging.getLogger("werkzeug")
        level = log.level
        log.setLevel(logging.WARNING)
        try:
            with RekomockServer() as server:
                yield {"endpoint_url": server.endpoint_url, **CREDENTIALS}
        finally:
            log.setLevel(level)


@pytest.mark.parametrize("mode", ["in-process", "server"])
def test_growth_per_1000_cycles(mode: str) -> None:
    tracemalloc.start()
    try:
        with _clients(mode) as options:
            s3 = boto3.client("s3", **{"region_name": "us-east-1", **options})
            rek = boto3.client("rekognition", **{"region_name": "us-east-1", **options})
            s3.create_bucket(Bucket=BUCKET)
            key, images = put_classification_dataset(s3, BUCKET, {"cat": 2, "dog": 2})
            bucket, name = images[0][0][5:].split("/", 1)
            data = {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET,
                                                                     "Name": key}}}]}

            def cycle() -> None:
                project = rek.create_project(ProjectName="soak")["ProjectArn"]
                version = rek.create_project_version(
                    ProjectArn=project, VersionName="v1",
                    OutputConfig={"S3Bucket": BUCKET, "S3KeyPrefix": "out"},
                    TrainingData=data, TestingData=data)["ProjectVersionArn"]
                rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
                rek.detect_custom_labels(ProjectVersionArn=version,
                                         Image={"S3Object": {"Bucket": bucket, "Name": name}})
                rek.stop_project_version(ProjectVersionArn=version)
                rek.delete_project_version(ProjectVersionArn=version)
                rek.delete_project(ProjectArn=project)

            for _ in range(WARM_UP):
                cycle()
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(CYCLES):
                cycle()
            gc.collect()
            growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    per_1000 = growth / CYCLES * 1000
    fact(f"memory growth per 1,000 retraining cycles, {mode} (moto's S3 included)",
         f"{per_1000 / 2**20:.2f} MiB (target < {TARGET_PER_1000 / 2**20:g} MiB; "
         f"{CYCLES:,} cycles)")
    assert per_1000 < TARGET_PER_1000, f"{per_1000 / 2**20:.2f} MiB"
