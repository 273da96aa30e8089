"""What a test pays around its calls: entering and leaving the mock, a fresh mock's first
client and call (by default, without moto's boto3 session reset, moto's ``mock_aws`` and
botocore's Stubber doing the same), a whole journey, a suite of journey tests beside moto's
fixture doing their S3 work, importing, and what the pytest plugin costs a suite that does not
use it."""

from __future__ import annotations

import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.moto_api import state_manager

from rekomock import mock_rekognition_custom
from rekomock._domain.lifecycle import VERSION_TRAINING
from rekomock.testing import put_classification_dataset

from conftest import MEANS, MEDIANS, SHORT, SUITE_TESTS, asset, fact


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


def test_stubber_test_overhead(bench_rounds: Any) -> None:
    """The floor of a test that stubs its client: a client from boto3's default session,
    botocore's Stubber around it, one canned call."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

    def first_call() -> Any:
        client = boto3.client("rekognition", region_name="us-east-1", **keys)
        with Stubber(client) as stubber:
            stubber.add_response("describe_projects", {"ProjectDescriptions": []})
            return client.describe_projects()

    bench_rounds("ref.stubber_test", first_call, rounds=TEST_ROUNDS * 4)


def test_test_overhead_against_the_stubber_interleaved() -> None:
    """The default fixture's per-test cost and the Stubber's, one round of each in turn (a
    busy machine weighs on both alike): the figures the ``<= 3x`` target is checked on, by
    median and by mean (garbage collection shows in the mean)."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

    def stubbed() -> Any:
        client = boto3.client("rekognition", region_name="us-east-1", **keys)
        with Stubber(client) as stubber:
            stubber.add_response("describe_projects", {"ProjectDescriptions": []})
            return client.describe_projects()

    times: dict[str, list[float]] = {"rk.test_overhead.interleaved": [],
                                     "ref.stubber_test.interleaved": []}
    for _ in range(3):  # warm-up: the first mock of the process pays one-time costs
        _first_call(None), stubbed()
    for _ in range(20 if SHORT else 100):
        for key, run in zip(times, (lambda: _first_call(None), stubbed), strict=True):
            start = time.perf_counter()
            run()
            times[key].append(time.perf_counter() - start)
    for key, values in times.items():
        MEDIANS[key] = statistics.median(values)
        MEANS[key] = statistics.fmean(values)


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
    """The package alone: what pytest's plugin entry point imports in every session."""
    bench_rounds("import.rekomock", lambda: _import("import rekomock"), rounds=15)


def test_import_the_mock(bench_rounds: Any) -> None:
    bench_rounds("import.rekomock_mock",
                 lambda: _import("from rekomock import mock_rekognition_custom"), rounds=15)


#: A suite that never uses rekomock: what pytest collects in an environment where it is
#: installed (IDE discovery runs the same collection).
TINY_SUITE = """
import pytest


@pytest.mark.parametrize("n", range(20))
def test_plain(n):
    assert n >= 0
"""


@pytest.fixture(scope="module")
def tiny_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny_suite")
    (root / "test_tiny.py").write_text(TINY_SUITE)
    return root


def _collect(root: Path, *options: str) -> None:
    subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider",
                    *options, str(root)], check=True, cwd=root, stdout=subprocess.DEVNULL)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_collect_a_tiny_suite_with_and_without_the_plugin(tiny_suite: Path) -> None:
    """``pytest --co`` in fresh interpreters, with the plugin and with ``-p no:rekomock``,
    interleaved round by round; each round's figure is the child's CPU time (user + system),
    which a shared machine's load disturbs far less than wall-clock time."""
    times: dict[str, list[float]] = {"plugin": [], "no_plugin": []}
    for _ in range(9 if SHORT else 21):
        for key, options in (("plugin", ()), ("no_plugin", ("-p", "no:rekomock"))):
            before = _child_cpu()
            _collect(tiny_suite, *options)
            times[key].append(_child_cpu() - before)
    for key, values in times.items():
        MEDIANS[f"pytest.collect.{key}"] = statistics.median(values)
        MEANS[f"pytest.collect.{key}"] = statistics.fmean(values)

#: The generated suites' conftest: each test's wall time, setup, call and teardown (what the
#: suite pays for it), written out at the end. moto, boto3 and the test's helpers are imported
#: at collection, so the tests share no import cost unevenly.
SUITE_CONFTEST = """
import json
import os
import time

import boto3
import moto
import pytest

import rekomock.testing

TIMES = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    TIMES.append(time.perf_counter() - start)


def pytest_sessionfinish(session):
    with open(os.environ["REKOMOCK_SUITE_TIMES"], "w") as out:
        json.dump(TIMES, out)
"""

#: A user's suite: the default ``rekomock`` fixture (through ``rekognition_client`` and
#: ``s3_client``), a model trained and started with ``trained_version``, a detection, a stop.
JOURNEY_SUITE = """
import pytest

from rekomock.testing import trained_version


@pytest.mark.parametrize("n", range({tests}))
def test_journey(rekognition_client, s3_client, n):
    _, version, images = trained_version(rekognition_client, s3_client, "journey",
                                         {{"cat": 3, "dog": 3}}, start=True)
    bucket, name = images[0].uri[5:].split("/", 1)
    labels = rekognition_client.detect_custom_labels(
        ProjectVersionArn=version,
        Image={{"S3Object": {{"Bucket": bucket, "Name": name}}}})["CustomLabels"]
    assert labels[0]["Name"] == images[0].label
    rekognition_client.stop_project_version(ProjectVersionArn=version)
"""

#: The same S3 work under moto's own fixture, as moto's documentation writes it: the
#: journey's own calls (bucket, images, both manifests), and as client calls what the
#: training and the detection do in moto's S3 (read both manifests and the images, write the
#: six output files, read the detected image).
MOTO_S3_SUITE = """
import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from rekomock.testing import classification_line, held_out, manifest, put_classification_dataset

OUTPUTS = ("ManifestSummary", "TrainingManifestWithValidation",
           "TestingManifestWithValidation", "EvaluationResultSummary", "TrainingGroundTruth",
           "TestingGroundTruth")


@pytest.fixture
def aws_credentials(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN",
                 "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def s3(aws_credentials):
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


@pytest.mark.parametrize("n", range({tests}))
def test_s3_work(s3, n):
    try:
        s3.head_bucket(Bucket="journey")
    except ClientError:
        s3.create_bucket(Bucket="journey")
    prefix = "my-project/v1"
    train_key, images = put_classification_dataset(
        s3, "journey", {{"cat": 3, "dog": 3}}, prefix=f"{{prefix}}/images",
        manifest_key=f"{{prefix}}/train.manifest")
    tested = held_out(images)
    test_key = f"{{prefix}}/test.manifest"
    s3.put_object(Bucket="journey", Key=test_key,
                  Body=manifest(classification_line(i.uri, i.label) for i in tested))
    read = [train_key, *(image.uri[5:].split("/", 1)[1] for image in images), test_key]
    for key in read:
        s3.get_object(Bucket="journey", Key=key)["Body"].read()
    for output in OUTPUTS:
        s3.put_object(Bucket="journey", Key=f"output/{{output}}-my-project-v1.json", Body=b"{{}}")
    s3.get_object(Bucket="journey", Key=read[1])["Body"].read()
"""


def _suite_times(root: Path, suite: str, *options: str) -> list[float]:
    """Each test's wall time in a fresh ``pytest`` run of ``suite``."""
    (root / "conftest.py").write_text(SUITE_CONFTEST)
    (root / "test_suite.py").write_text(suite.format(tests=SUITE_TESTS))
    times = root / "times.json"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options,
                    str(root)], check=True, cwd=root, stdout=subprocess.DEVNULL,
                   env={**os.environ, "REKOMOCK_SUITE_TIMES": str(times)})
    values: list[float] = json.loads(times.read_text())
    assert len(values) == SUITE_TESTS
    return values


def test_a_suite_of_journeys_against_moto_doing_its_s3_work(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """100 tests of train, start, detect, stop under the default fixture, and 100 tests
    under moto's ``mock_aws`` fixture doing the same S3 work: each suite in its own fresh
    pytest, each test's figure its setup, call and teardown."""
    suites = {"suite.rk.journey": (JOURNEY_SUITE, ()),
              "suite.moto.s3_work": (MOTO_S3_SUITE, ("-p", "no:rekomock"))}
    for key, (suite, options) in suites.items():
        values = _suite_times(tmp_path_factory.mktemp(key), suite, *options)
        MEDIANS[key] = statistics.median(values)
        MEANS[key] = statistics.fmean(values)
        fact(f"{key}.total", f"{sum(values):.2f} s for {SUITE_TESTS} tests "
                             "(setup, call and teardown; collection and start excluded)")
