"""Fixtures shared by the suite: checked clients, a bucket, images and manifests.

The ``rekomock`` fixture itself comes from rekomock's pytest plugin (no import needed).
Every Rekognition client made here asserts that each answer fits the botocore output
shape (``rekomock.testing.strict_client``).
"""

from __future__ import annotations

import os
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, settings

from rekomock.testing import (
    classification_line,
    manifest,
    manifest_asset,
    put_classification_dataset,
    strict_client,
)

pytest_plugins = ["pytester"]

# Hypothesis profiles (HYPOTHESIS_PROFILE; the short "ci" one by default). Under CI (CI set,
# as CI services and .ci/run do) the short profile is derandomized: the same examples on
# every run, so a red build is never luck and a green one always means the same thing.
_UNLIMITED = {"deadline": None, "suppress_health_check": list(HealthCheck)}
settings.register_profile("ci", max_examples=15,
                          derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
                          **_UNLIMITED)
settings.register_profile("medium", max_examples=300, **_UNLIMITED)
settings.register_profile("long", max_examples=5000, **_UNLIMITED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REGION = "us-east-1"
BUCKET = "rekomock-test-bucket"

#: mutmut's stats run (docs/development/mutation-testing.md) learns which tests reach each
#: mutated function, and runs only those against its mutants.
_MUTATION_STATS = os.environ.get("MUTANT_UNDER_TEST") == "stats"


@pytest.fixture(autouse=True)
def _compile_anew_for_mutation_stats() -> None:
    """In the stats run, every test compiles its request checks anew: the process keeps
    them compiled (validation's cache), so otherwise only the first test of each operation
    would reach the compilers, and their mutants would run against that test alone."""
    if _MUTATION_STATS:
        from rekomock._wire import validation

        validation._compiled.clear()


@pytest.fixture
def rekognition(rekomock: Any) -> Any:
    return strict_client(boto3.client("rekognition", region_name=REGION))


@pytest.fixture
def unchecked_rekognition(rekomock: Any) -> Any:
    """A client with client-side validation off: sends whatever a CLI or other SDK might."""
    client = boto3.client(
        "rekognition", region_name=REGION, config=Config(parameter_validation=False)
    )
    return strict_client(client)


#: botocore retries LimitExceededException with random back-off (seconds of real sleep); a
#: test of a quota wants the service's first answer, as a caller with retries off sees it.
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def single_attempt_rekognition(rekomock: Any) -> Any:
    """A client that does not retry: quota errors answer at once, without back-off sleeps."""
    return strict_client(boto3.client("rekognition", region_name=REGION, config=SINGLE_ATTEMPT))


@pytest.fixture
def s3(rekomock: Any) -> Any:
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def west_bucket(rekomock: Any) -> str:
    """A bucket in us-west-2: out of reach for Rekognition in us-east-1."""
    boto3.client("s3", region_name="us-west-2").create_bucket(
        Bucket="west-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    return "west-bucket"


@pytest.fixture
def project_arn(rekognition: Any) -> str:
    return str(rekognition.create_project(ProjectName="my-project")["ProjectArn"])


@pytest.fixture
def classification(s3: Any, bucket: str) -> dict[str, Any]:
    """Ten sunrise/sunset PNGs, a training manifest of all, a testing manifest of half."""
    key, images = put_classification_dataset(s3, bucket, {"sunrise": 5, "sunset": 5})
    test_images = images[::2]
    s3.put_object(
        Bucket=bucket,
        Key="manifests/test.manifest",
        Body=manifest(classification_line(uri, label) for uri, label in test_images),
    )
    return {
        "bucket": bucket,
        "images": images,
        "test_images": test_images,
        "TrainingData": manifest_asset(bucket, key),
        "TestingData": manifest_asset(bucket, "manifests/test.manifest"),
        "OutputConfig": {"S3Bucket": bucket, "S3KeyPrefix": "output"},
    }


@pytest.fixture
def train(rekognition: Any, project_arn: str, classification: dict[str, Any]) -> Any:
    """Train a version of ``my-project`` from the classification manifests."""

    def _train(version_name: str = "v1", **overrides: Any) -> str:
        kwargs: dict[str, Any] = {
            "ProjectArn": project_arn,
            "VersionName": version_name,
            "OutputConfig": classification["OutputConfig"],
            "TrainingData": classification["TrainingData"],
            "TestingData": classification["TestingData"],
        }
        kwargs.update(overrides)
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        return str(rekognition.create_project_version(**kwargs)["ProjectVersionArn"])

    return _train


@pytest.fixture
def running_version(rekognition: Any, project_arn: str, train: Any) -> str:
    """The ARN of version v1, trained on ``classification`` and started with one unit."""
    arn: str = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    return arn


@pytest.fixture(scope="session")
def server_process() -> Any:
    """One ``rekomock server`` child process for the session (see ``server``)."""
    from server_process import ServerProcess

    server = ServerProcess("--quiet")
    yield server
    server.stop()


@pytest.fixture
def server(server_process: Any) -> Any:
    """The session's server process, emptied for this test."""
    server_process.reset()
    return server_process


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Fail the test if anything sleeps in real time (waiters and retries
    must move the mock's clock)."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        raise AssertionError(f"slept {seconds} s in real time")

    monkeypatch.setattr(time, "sleep", sleep)
    return slept
