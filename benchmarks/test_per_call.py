"""One call, side by side: the Stubber floor, a canned before-send answer, moto's own
pipeline (its hard-coded DetectCustomLabels, S3 GetObject) and rekomock's operations."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto import mock_aws

from rekomock import mock_rekognition_custom
from rekomock.testing import put_classification_dataset

from conftest import asset

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
ARN = ("arn:aws:rekognition:us-east-1:123456789012:project/bench/version/v1/"
       "1700000000000")
CANNED = {"CustomLabels": [{"Name": "cat", "Confidence": 99.0}]}
IMAGE = {"S3Object": {"Bucket": "bench", "Name": "images/cat.png"}}


# ------------------------------------------------------------------ references


def test_stubber_floor(bench: Any) -> None:
    """botocore's Stubber: no serialisation on the wire, no HTTP, no mock."""
    client = boto3.session.Session().client("rekognition", region_name="us-east-1", **KEYS)
    with Stubber(client) as stubber:
        def call() -> Any:
            stubber.add_response("detect_custom_labels", CANNED)
            return client.detect_custom_labels(ProjectVersionArn=ARN, Image=IMAGE)

        bench("ref.stubber", call)


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def test_canned_before_send(bench: Any) -> None:
    """The cheapest HTTP-shaped in-process answer: a canned body from ``before-send``."""
    client = boto3.session.Session().client("rekognition", region_name="us-east-1", **KEYS)
    body = json.dumps(CANNED).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1"}

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register_first("before-send.rekognition.DetectCustomLabels", answer)
    bench("ref.before_send",
          lambda: client.detect_custom_labels(ProjectVersionArn=ARN, Image=IMAGE))


def test_moto_canned_detect_custom_labels(bench: Any) -> None:
    """moto's own pipeline, its hard-coded answer (plain ``mock_aws``, rekomock inactive)."""
    with mock_aws():
        client = boto3.client("rekognition", region_name="us-east-1")
        bench("moto.detect_custom_labels",
              lambda: client.detect_custom_labels(ProjectVersionArn=ARN, Image=IMAGE))


def test_moto_s3_get_object(bench: Any) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        s3.put_object(Bucket="bench", Key="k", Body=b"x" * 1024)
        bench("moto.s3_get_object",
              lambda: s3.get_object(Bucket="bench", Key="k")["Body"].read())


# -------------------------------------------------------------------- rekomock


@pytest.fixture
def trained() -> Iterator[dict[str, Any]]:
    """A project with one trained, running version, and an image it knows."""
    with mock_rekognition_custom() as rk:
        rk.set_quotas(projects=10**9)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, images = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="bench")["ProjectArn"]
        training = asset(key)
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "bench"},
            TrainingData=training, TestingData=training)["ProjectVersionArn"]
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
        bucket, name = images[0][0][5:].split("/", 1)
        yield {"rek": rek, "project": project, "version": version,
               "image": {"S3Object": {"Bucket": bucket, "Name": name}}}


def test_create_project(bench: Any, trained: dict[str, Any]) -> None:
    rek, names = trained["rek"], (f"p{i}" for i in itertools.count())
    bench("rk.create_project", lambda: rek.create_project(ProjectName=next(names)))


def test_describe_projects(bench: Any, trained: dict[str, Any]) -> None:
    rek = trained["rek"]
    out = bench("rk.describe_projects", rek.describe_projects)
    assert len(out["ProjectDescriptions"]) == 1


def test_describe_project_versions_of_one(bench: Any, trained: dict[str, Any]) -> None:
    rek = trained["rek"]
    out = bench("rk.describe_project_versions.1",
                lambda: rek.describe_project_versions(ProjectArn=trained["project"]))
    assert out["ProjectVersionDescriptions"][0]["Status"] == "RUNNING"


def test_detect_custom_labels(bench: Any, trained: dict[str, Any]) -> None:
    rek = trained["rek"]
    out = bench("rk.detect_custom_labels", lambda: rek.detect_custom_labels(
        ProjectVersionArn=trained["version"], Image=trained["image"]))
    assert [x["Name"] for x in out["CustomLabels"]] == ["cat"]
