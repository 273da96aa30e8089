"""moto's IAM enforcement (``set_initial_no_auth_action_count``) covers every Custom Labels
operation: unknown keys and bad signatures are refused, and callers' IAM policies decide,
for the action ``rekognition:<Operation>`` on the ARNs the request names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import settings
from moto.core import set_initial_no_auth_action_count
from moto.core.authorization import ActionAuthenticatorMixin
from server_process import ServerProcess

from rekomock import mock_rekognition_custom
from rekomock._domain.operations import OPERATIONS as IMPLEMENTED
from rekomock._wire import fastpath
from rekomock.testing import make_png

ACCOUNT = "123456789012"
PROJECT = f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/p1/1700000000000"
OTHER_PROJECT = f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/p2/1700000000000"
VERSION = f"{PROJECT.rsplit('/', 1)[0]}/version/v1/1700000000001"
DATASET = f"{PROJECT.rsplit('/', 1)[0]}/dataset/train/1700000000002"
TEST_DATASET = f"{PROJECT.rsplit('/', 1)[0]}/dataset/test/1700000000003"
S3_IMAGE = {"S3Object": {"Bucket": "bucket", "Name": "i.png"}}

#: A well-formed request of every operation, and the resource it must be authorised on.
REQUESTS: dict[str, tuple[dict[str, Any], str]] = {
    "CreateProject": ({"ProjectName": "p1"}, "*"),
    "DescribeProjects": ({}, "*"),
    "DeleteProject": ({"ProjectArn": PROJECT}, PROJECT),
    "CreateDataset": ({"ProjectArn": PROJECT, "DatasetType": "TRAIN"}, PROJECT),
    "DescribeDataset": ({"DatasetArn": DATASET}, DATASET),
    "DeleteDataset": ({"DatasetArn": DATASET}, DATASET),
    "ListDatasetEntries": ({"DatasetArn": DATASET}, DATASET),
    "ListDatasetLabels": ({"DatasetArn": DATASET}, DATASET),
    "UpdateDatasetEntries": ({"DatasetArn": DATASET, "Changes": {"GroundTruth": b"{}"}},
                             DATASET),
    "DistributeDatasetEntries": ({"Datasets": [{"Arn": DATASET}, {"Arn": TEST_DATASET}]},
                                 DATASET),
    "CreateProjectVersion": ({"ProjectArn": PROJECT, "VersionName": "v1",
                              "OutputConfig": {"S3Bucket": "bucket"}}, PROJECT),
    "DescribeProjectVersions": ({"ProjectArn": PROJECT}, PROJECT),
    "CopyProjectVersion": ({"SourceProjectArn": PROJECT, "SourceProjectVersionArn": VERSION,
                            "DestinationProjectArn": OTHER_PROJECT, "VersionName": "copy",
                            "OutputConfig": {"S3Bucket": "bucket"}}, OTHER_PROJECT),
    "StartProjectVersion": ({"ProjectVersionArn": VERSION, "MinInferenceUnits": 1}, VERSION),
    "StopProjectVersion": ({"ProjectVersionArn": VERSION}, VERSION),
    "DeleteProjectVersion": ({"ProjectVersionArn": VERSION}, VERSION),
    "DetectCustomLabels": ({"ProjectVersionArn": VERSION, "Image": S3_IMAGE}, VERSION),
    "DetectModerationLabels": ({"Image": S3_IMAGE}, "*"),
    "PutProjectPolicy": ({"ProjectArn": PROJECT, "PolicyName": "n", "PolicyDocument": "{}"},
                         PROJECT),
    "ListProjectPolicies": ({"ProjectArn": PROJECT}, PROJECT),
    "DeleteProjectPolicy": ({"ProjectArn": PROJECT, "PolicyName": "n"}, PROJECT),
    "TagResource": ({"ResourceArn": PROJECT, "Tags": {"k": "v"}}, PROJECT),
    "UntagResource": ({"ResourceArn": PROJECT, "TagKeys": ["k"]}, PROJECT),
    "ListTagsForResource": ({"ResourceArn": PROJECT}, PROJECT),
}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user(iam: Any, name: str, policy: str | None = None) -> dict[str, str]:
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="rekognition", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"]}


def _code(call: Any, **params: Any) -> str:
    try:
        call(**params)
    except ClientError as err:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return str(err.response["Error"]["Code"])
    return "allowed"


@pytest.fixture(params=[True, False], ids=["fast-path", "moto-pipeline"])
def users(request: pytest.FixtureRequest) -> Iterator[dict[str, dict[str, str]]]:
    """Users made while moto does not check yet (8 IAM calls), then checked: what moto's
    ``set_initial_no_auth_action_count(8)`` does around a test function."""
    saved = fastpath.enabled, settings.INITIAL_NO_AUTH_ACTION_COUNT, \
        ActionAuthenticatorMixin.request_count
    fastpath.enabled = request.param
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 8
    ActionAuthenticatorMixin.request_count = 0
    try:
        with mock_rekognition_custom():
            iam = boto3.client("iam", region_name="us-east-1")
            yield {
                "nobody": _user(iam, "nobody"),
                "reader": _user(iam, "reader", _policy(
                    {"Effect": "Allow", "Action": ["rekognition:Describe*",
                                                   "rekognition:CreateProject"],
                     "Resource": "*"},
                    {"Effect": "Allow", "Action": "rekognition:DeleteProject",
                     "Resource": "arn:aws:rekognition:*:*:project/mine/*"})),
                "admin": _user(iam, "admin", _policy(
                    {"Effect": "Allow", "Action": "rekognition:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "rekognition:DeleteProject",
                     "Resource": "*"})),
            }
    finally:
        (fastpath.enabled, settings.INITIAL_NO_AUTH_ACTION_COUNT,
         ActionAuthenticatorMixin.request_count) = saved


def test_motos_decorator_covers_custom_labels() -> None:
    with mock_rekognition_custom():

        @set_initial_no_auth_action_count(2)
        def run() -> None:
            iam = boto3.client("iam", region_name="us-east-1")
            nobody = _user(iam, "nobody")  # CreateUser, CreateAccessKey
            assert _code(_client(nobody).describe_projects) == "AccessDeniedException"
            s3 = boto3.client("s3", region_name="us-east-1", **nobody)
            with pytest.raises(ClientError):  # as moto's own services
                s3.list_buckets()

        run()
        # Outside the decorated function, nothing is checked again.
        assert boto3.client("rekognition", region_name="us-east-1").describe_projects()[
            "ProjectDescriptions"] == []


def _client(credentials: dict[str, str]) -> Any:
    return boto3.client("rekognition", region_name="us-east-1", **credentials)


def test_every_operation_needs_its_iam_action(users: dict[str, dict[str, str]]) -> None:
    assert set(REQUESTS) == IMPLEMENTED
    rek = _client(users["nobody"])
    for operation, (params, resource) in REQUESTS.items():
        from botocore import xform_name

        try:
            getattr(rek, xform_name(operation))(**params)
        except ClientError as err:
            error = err.response["Error"]
        else:
            raise AssertionError(f"{operation} was allowed without a policy")
        assert error["Code"] == "AccessDeniedException", (operation, error)
        assert error["Message"] == (
            f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
            f"rekognition:{operation} on resource: {resource}")


def test_policies_decide_per_action_and_resource(users: dict[str, dict[str, str]]) -> None:
    reader, admin = _client(users["reader"]), _client(users["admin"])
    mine = reader.create_project(ProjectName="mine")["ProjectArn"]
    theirs = admin.create_project(ProjectName="theirs")["ProjectArn"]
    assert [p["ProjectArn"] for p in reader.describe_projects()["ProjectDescriptions"]] == [
        mine, theirs]
    assert _code(reader.delete_project, ProjectArn=theirs) == "AccessDeniedException"
    assert _code(reader.delete_project, ProjectArn=mine) == "allowed"
    assert _code(admin.delete_project, ProjectArn=theirs) == "AccessDeniedException"  # Deny
    # Tagging on create needs rekognition:TagResource too.
    assert _code(reader.create_project, ProjectName="tagged",
                 Tags={"team": "a"}) == "AccessDeniedException"
    assert _code(admin.create_project, ProjectName="tagged", Tags={"team": "a"}) == "allowed"
    names = {p["ProjectArn"].split("/")[1]
             for p in admin.describe_projects()["ProjectDescriptions"]}
    assert names == {"theirs", "tagged"}  # refused calls changed nothing


def test_unknown_keys_and_bad_signatures_are_refused(users: dict[str, dict[str, str]]) -> None:
    unknown = _client({"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
                       "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
    assert _code(unknown.describe_projects) == "UnrecognizedClientException"
    wrong_secret = _client({**users["admin"], "aws_secret_access_key": "not-the-secret"})
    assert _code(wrong_secret.describe_projects) == "InvalidSignatureException"
    assert _code(wrong_secret.detect_custom_labels, ProjectVersionArn=VERSION,
                 Image={"Bytes": make_png()}) == "InvalidSignatureException"
    assert _code(_client(users["admin"]).describe_projects) == "allowed"


def test_iam_enforcement_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "5")
    server = ServerProcess("--quiet")
    try:
        iam = server.client("iam")
        nobody = _user(iam, "nobody")
        reader = _user(iam, "reader", _policy(
            {"Effect": "Allow", "Action": "rekognition:DescribeProjects", "Resource": "*"}))
        rek = server.client("rekognition", **reader)
        assert rek.describe_projects()["ProjectDescriptions"] == []
        assert _code(rek.create_project, ProjectName="p") == "AccessDeniedException"
        assert _code(server.client("rekognition", **nobody).describe_projects) == (
            "AccessDeniedException")
        assert _code(server.client("rekognition", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                                   aws_secret_access_key="x").describe_projects) == (
            "UnrecognizedClientException")
        assert _code(server.client("rekognition", **{**reader, "aws_secret_access_key": "x"})
                     .describe_projects) == "InvalidSignatureException"
    finally:
        assert server.stop() == 0
