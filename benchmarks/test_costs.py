"""What a test pays around its calls: entering and leaving the mock, a fresh mock's first
client and call (by default, without moto's boto3 session reset, and moto's ``mock_aws``
doing the same), a whole journey, and importing."""

from __future__ import annotations

import itertools
import subprocess
import sys
from typing import Any

import boto3
from moto import mock_aws
from moto.moto_api import state_manager

from rekomock import mock_rekognition_custom
from rekomock._domain.lifecycle import VERSION_TRAINING
from rekomock.testing import put_classification_dataset

from conftest import asset


def test_enter_and_leave_the_mock(bench: Any) -> None:
    def enter_leave() -> None:
        with mock_rekognition_custom():
            pass

    bench("rk.enter_exit", enter_leave)


def _first_call(config: Any) -> Any:
    with mock_rekognition_custom(config=config):
        return boto3.client("rekognition", region_name="us-east-1").describe_projects()


#: Rounds of the per-test benchmarks: each takes milliseconds, and the ratio to moto's needs
#: steady medians on both sides.
TEST_ROUNDS = 25


def test_test_overhead_with_session_reset(bench_rounds: Any) -> None:
    """What the ``rekomock`` fixture costs a test that makes one client and one call."""
    bench_rounds("rk.test_overhead.reset", lambda: _first_call(None), rounds=TEST_ROUNDS)


def test_moto_test_overhead(bench_rounds: Any) -> None:
    """The same fixed work under moto's ``mock_aws``: its canned DetectCustomLabels."""
    version = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1700000000000"

    def first_call() -> Any:
        with mock_aws():
            return boto3.client("rekognition", region_name="us-east-1").detect_custom_labels(
                ProjectVersionArn=version, Image={"Bytes": b"image"})

    bench_rounds("moto.test_overhead", first_call, rounds=TEST_ROUNDS)


def test_test_overhead_without_session_reset(bench_rounds: Any) -> None:
    """The same with ``rekomock_reset_boto3_session = false`` (moto's switch)."""
    no_reset = {"core": {"reset_boto3_session": False}}
    bench_rounds("rk.test_overhead.no_reset", lambda: _first_call(no_reset),
                 rounds=TEST_ROUNDS)


class Journey:
    """Bucket, manifests, project, train, wait, start, wait, detect, stop, delete — the
    calls of a user's test, with clients made once (their cost is the per-test overhead
    above)."""

    def __init__(self) -> None:
        self.s3 = boto3.client("s3", region_name="us-east-1")
        self.rek = boto3.client("rekognition", region_name="us-east-1")
        self.runs = itertools.count()

    def __call__(self) -> None:
        s3, rek, n = self.s3, self.rek, next(self.runs)
        bucket = f"journey-{n}"
        s3.create_bucket(Bucket=bucket)
        key, images = put_classification_dataset(s3, bucket, {"cat": 3, "dog": 3})
        training = asset(key, bucket)
        project = rek.create_project(ProjectName=bucket)["ProjectArn"]
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": bucket},
            TrainingData=training, TestingData=training)["ProjectVersionArn"]
        rek.get_waiter("project_version_training_completed").wait(
            ProjectArn=project, VersionNames=["v1"])
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
        rek.get_waiter("project_version_running").wait(ProjectArn=project,
                                                       VersionNames=["v1"])
        image_bucket, name = images[0][0][5:].split("/", 1)
        labels = rek.detect_custom_labels(
            ProjectVersionArn=version,
            Image={"S3Object": {"Bucket": image_bucket, "Name": name}})["CustomLabels"]
        assert labels[0]["Name"] == images[0][1]
        rek.stop_project_version(ProjectVersionArn=version)
        rek.delete_project_version(ProjectVersionArn=version)
        rek.delete_project(ProjectArn=project)


def test_whole_journey(bench: Any) -> None:
    with mock_rekognition_custom():
        bench("rk.journey", Journey())


def test_whole_journey_with_an_hour_of_training(bench: Any) -> None:
    """The same with a time-based one-hour training: the waiter polls 30 times, moving the
    mock's clock by its 120 s delay each time instead of sleeping."""
    with mock_rekognition_custom():
        state_manager.set_transition(VERSION_TRAINING, {"progression": "time",
                                                        "seconds": 3600})
        bench("rk.journey.hour", Journey())


def _import(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_empty_interpreter(bench_rounds: Any) -> None:
    bench_rounds("import.empty", lambda: _import("pass"), rounds=15)


def test_import_moto_and_boto3(bench_rounds: Any) -> None:
    bench_rounds("import.moto_boto3", lambda: _import("import moto, boto3"), rounds=15)


def test_import_rekomock(bench_rounds: Any) -> None:
    bench_rounds("import.rekomock", lambda: _import("import rekomock"), rounds=15)
