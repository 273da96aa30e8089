"""Every operation against its own floor: the same call, with the same parameters, answered
by a canned copy of rekomock's response body from a botocore ``before-send`` handler on a
client made under the same mock. The ratio is what rekomock adds to what botocore pays for
that call anyway (signing, serialising the request, parsing that response)."""

from __future__ import annotations

import io
import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from moto.core.models import botocore_stubber

from rekomock import mock_rekognition_custom
from rekomock.testing import (
    OPERATIONS,
    dataset_source,
    describe_version,
    make_png,
    manifest,
    moderation_line,
    put_classification_dataset,
)

from conftest import MEANS, MEDIANS, SHORT, TARGETS, asset

#: Operation -> the most its call may cost, as a multiple of its floor (issue targets).
FLOOR_TARGETS = {
    "CreateProject": 1.25, "DescribeProjects": 1.25, "DescribeProjectVersions": 1.25,
    "DescribeDataset": 1.25, "DetectCustomLabels": 1.25, "ListDatasetEntries": 1.25,
    "ListDatasetLabels": 1.25, "ListTagsForResource": 1.25, "TagResource": 1.25,
    "UntagResource": 1.25, "ListProjectPolicies": 1.25, "DeleteProject": 1.25,
    "CreateProjectVersion": 2.5, "CopyProjectVersion": 2.0, "CreateDataset": 1.5,
    "UpdateDatasetEntries": 1.5, "DistributeDatasetEntries": 1.5,
    "DeleteDataset": 1.25, "DeleteProjectVersion": 1.25, "StartProjectVersion": 1.25,
    "StopProjectVersion": 1.25, "PutProjectPolicy": 1.25, "DeleteProjectPolicy": 1.25,
    "DetectModerationLabels": 1.25,
}
for _op, _target in FLOOR_TARGETS.items():
    TARGETS.append((f"{_op} / its floor (canned before-send, same call)", f"rk.op.{_op}",
                    f"floor.op.{_op}", _target))

KEYS = {"region_name": "us-east-1", "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing"}
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "rekognition:CopyProjectVersion", "Resource": "*"}]})


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


class World:
    """A mock with a trained, running version, a project with datasets, a version for the
    lifecycle calls, a trained moderation adapter, and clients."""

    def __init__(self) -> None:
        self.rek = boto3.session.Session().client("rekognition", **KEYS)
        s3 = boto3.session.Session().client("s3", **KEYS)
        s3.create_bucket(Bucket="bench")
        self.key, images = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        self.training = asset(self.key)
        self.names = (f"p{i}" for i in itertools.count())
        self.project = self.rek.create_project(ProjectName="bench")["ProjectArn"]
        self.version = self.new_version(self.project, "v1")
        self.rek.start_project_version(ProjectVersionArn=self.version, MinInferenceUnits=1)
        bucket, name = images[0][0][5:].split("/", 1)
        self.image = {"S3Object": {"Bucket": bucket, "Name": name}}
        self.datasets = self.new_project()
        self.train, self.test = (self.create_dataset(self.datasets, kind)
                                 for kind in ("TRAIN", "TEST"))
        self.line = json.dumps(json.loads(
            s3.get_object(Bucket="bench", Key=self.key)["Body"].read().splitlines()[0]))
        # A project of their own: the versions the lifecycle and delete calls use must not
        # lengthen DescribeProjectVersions' answer.
        self.lifecycle = self.new_project()
        self.switched = self.new_version(self.lifecycle, "switched")
        self.adapter, self.moderated = self._adapter(s3)

    def _adapter(self, s3: Any) -> tuple[str, dict[str, Any]]:
        """A trained CONTENT_MODERATION adapter and one of the images it learnt."""
        keys = []
        for i in range(4):
            keys.append(f"moderation/{i}.png")
            s3.put_object(Bucket="bench", Key=keys[-1], Body=make_png(64, 64, (i * 60, 200, 5)))
        s3.put_object(Bucket="bench", Key="moderation.manifest", Body=manifest(
            moderation_line(f"s3://bench/{key}", "Explicit" if i % 2 else "Violence")
            for i, key in enumerate(keys)))
        project = self.rek.create_project(ProjectName="moderation",
                                          Feature="CONTENT_MODERATION",
                                          AutoUpdate="ENABLED")["ProjectArn"]
        adapter = self.rek.create_project_version(
            ProjectArn=project, VersionName="adapter", OutputConfig={"S3Bucket": "bench"},
            TrainingData=asset("moderation.manifest"))["ProjectVersionArn"]
        return str(adapter), {"S3Object": {"Bucket": "bench", "Name": keys[1]}}

    def new_project(self) -> str:
        return str(self.rek.create_project(ProjectName=next(self.names))["ProjectArn"])

    def new_version(self, project: str, name: str) -> str:
        return str(self.rek.create_project_version(
            ProjectArn=project, VersionName=name, OutputConfig={"S3Bucket": "bench"},
            TrainingData=self.training, TestingData=self.training)["ProjectVersionArn"])

    def create_dataset(self, project: str, kind: str) -> str:
        return str(self.rek.create_dataset(
            ProjectArn=project, DatasetType=kind,
            DatasetSource=dataset_source("bench", self.key))["DatasetArn"])

    def calls(self) -> dict[str, Callable[[], dict[str, Any]]]:
        """Operation -> its parameters for one more call (made fresh when a call uses
        them up; making them is not timed)."""
        versions = itertools.count(2)
        return {
            "CreateProject": lambda: {"ProjectName": next(self.names)},
            "DescribeProjects": lambda: {"ProjectNames": ["bench"]},
            "DescribeProjectVersions": lambda: {"ProjectArn": self.project},
            "DescribeDataset": lambda: {"DatasetArn": self.train},
            "DetectCustomLabels": lambda: {"ProjectVersionArn": self.version,
                                           "Image": self.image},
            "ListDatasetEntries": lambda: {"DatasetArn": self.train},
            "ListDatasetLabels": lambda: {"DatasetArn": self.train},
            "ListTagsForResource": lambda: {"ResourceArn": self.project},
            "TagResource": lambda: {"ResourceArn": self.project, "Tags": {"k": "v"}},
            "UntagResource": lambda: {"ResourceArn": self.project, "TagKeys": ["absent"]},
            "ListProjectPolicies": lambda: {"ProjectArn": self.project},
            "DeleteProject": lambda: {"ProjectArn": self.new_project()},
            "CreateProjectVersion": lambda: {
                "ProjectArn": self.project, "VersionName": f"v{next(versions)}",
                "OutputConfig": {"S3Bucket": "bench"}, "TrainingData": self.training,
                "TestingData": self.training},
            "CopyProjectVersion": lambda: {
                "SourceProjectArn": self.project, "SourceProjectVersionArn": self.version,
                "DestinationProjectArn": self.project, "VersionName": f"c{next(versions)}",
                "OutputConfig": {"S3Bucket": "bench"}},
            "CreateDataset": lambda: {"ProjectArn": self.new_project(), "DatasetType": "TRAIN",
                                      "DatasetSource": dataset_source("bench", self.key)},
            "UpdateDatasetEntries": lambda: {"DatasetArn": self.train,
                                             "Changes": {"GroundTruth": self.line.encode()}},
            "DistributeDatasetEntries": lambda: {"Datasets": [
                {"Arn": arn} for arn in self._fresh_pair()]},
            "DeleteDataset": lambda: {"DatasetArn": self.rek.create_dataset(
                ProjectArn=self.new_project(), DatasetType="TEST")["DatasetArn"]},
            "DeleteProjectVersion": lambda: {
                "ProjectVersionArn": self.new_version(self.lifecycle, f"d{next(versions)}")},
            "StartProjectVersion": lambda: {"ProjectVersionArn": self._switched(running=False),
                                            "MinInferenceUnits": 1},
            "StopProjectVersion": lambda: {"ProjectVersionArn": self._switched(running=True)},
            "PutProjectPolicy": lambda: {"ProjectArn": self.new_project(),
                                         "PolicyName": "share", "PolicyDocument": POLICY},
            "DeleteProjectPolicy": lambda: {"ProjectArn": self._with_policy(),
                                            "PolicyName": "share"},
            "DetectModerationLabels": lambda: {"ProjectVersion": self.adapter,
                                               "Image": self.moderated},
        }

    def _switched(self, running: bool) -> str:
        """The lifecycle version, started or stopped first if it is not as the call needs
        it: the mock's default progressions move it one state per describe."""
        for _ in range(5):
            status = describe_version(self.rek, self.lifecycle, "switched")["Status"]
            if status == "RUNNING":
                if running:
                    return self.switched
                self.rek.stop_project_version(ProjectVersionArn=self.switched)
            elif status in ("TRAINING_COMPLETED", "STOPPED"):
                if not running:
                    return self.switched
                self.rek.start_project_version(ProjectVersionArn=self.switched,
                                               MinInferenceUnits=1)
        raise AssertionError(f"the lifecycle version stays {status}")

    def _with_policy(self) -> str:
        project = self.new_project()
        self.rek.put_project_policy(ProjectArn=project, PolicyName="share",
                                    PolicyDocument=POLICY)
        return project

    def _fresh_pair(self) -> tuple[str, str]:
        project = self.new_project()
        test = self.rek.create_dataset(ProjectArn=project, DatasetType="TEST")["DatasetArn"]
        return (self.create_dataset(project, "TRAIN"), str(test))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with mock_rekognition_custom() as rk:
        rk.set_quotas(projects=10**9)
        yield World()


def _floor_client(operation: str, body: bytes) -> Any:
    client = boto3.session.Session().client("rekognition", **KEYS)
    headers = {"Content-Type": "application/x-amz-json-1.1"}

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Raw(body))

    # botocore calls every before-send handler and keeps the first answer: without moto's
    # stubber off this client, the mock would still execute each floor call.
    client.meta.events.unregister("before-send", botocore_stubber)
    client.meta.events.register_first(f"before-send.rekognition.{operation}", answer)
    return client


def test_every_operation_has_a_floor() -> None:
    """A Custom Labels operation rekomock serves cannot be left out of the floors."""
    assert set(FLOOR_TARGETS) == OPERATIONS


@pytest.mark.parametrize("operation", list(FLOOR_TARGETS))
def test_operation_against_its_floor(benchmark: Any, world: World, operation: str) -> None:
    params = world.calls()[operation]
    bodies: list[bytes] = []
    world.rek.meta.events.register(
        f"response-received.rekognition.{operation}",
        lambda response_dict, **_: bodies.append(response_dict["body"]))
    method = xform_name(operation)
    getattr(world.rek, method)(**params())
    floor = getattr(_floor_client(operation, bodies[0]), method)
    rekomock = getattr(world.rek, method)
    rounds = 40 if SHORT else 200
    # Interleaved, one round each in turn, so that a busy machine weighs on both alike.
    times: dict[str, list[float]] = {"rk": [], "floor": []}
    for _ in range(rounds):
        for key, call in (("rk", rekomock), ("floor", floor)):
            kwargs = params()
            start = time.perf_counter()
            call(**kwargs)
            times[key].append(time.perf_counter() - start)
    for key, values in times.items():
        MEDIANS[f"{key}.op.{operation}"] = statistics.median(values)
        MEANS[f"{key}.op.{operation}"] = statistics.fmean(values)
    benchmark.extra_info["key"] = f"rk.op.{operation}"
    benchmark.pedantic(rekomock, kwargs=params(), rounds=1, iterations=1)
