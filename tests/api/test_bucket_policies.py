"""S3 buckets of other accounts are used as their bucket policies allow: "For Amazon
Rekognition to process an S3 object, the user must have permission to access the S3 object"
(API reference, S3Object); an OutputConfig bucket "can be in any AWS account as long as the
caller has s3:PutObject permissions" (API reference, OutputConfig). docs/decisions.md,
*S3 access*."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from rekomock import Controller
from rekomock.testing import describe_version, manifest_asset

OWNER = "123456789012"
OTHER = "111122223333"
THEIRS = "their-bucket"


@contextmanager
def as_other(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An S3 client acting for account OTHER while the block runs."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER)
    try:
        yield boto3.client("s3", region_name="us-east-1")
    finally:
        monkeypatch.delenv("MOTO_ACCOUNT_ID")


def bucket_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(principal: Any, action: str = "s3:GetObject", effect: str = "Allow",
              resource: str = f"arn:aws:s3:::{THEIRS}/*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource,
            **extra}


@pytest.fixture
def their_bucket(monkeypatch: pytest.MonkeyPatch, s3: Any, classification: dict[str, Any]
                 ) -> Any:
    """OTHER's bucket holding copies of the owner's images and manifests; returns a function
    that puts its bucket policy."""
    with as_other(monkeypatch) as theirs:
        theirs.create_bucket(Bucket=THEIRS)
        for item in s3.list_objects_v2(Bucket=classification["bucket"])["Contents"]:
            body = s3.get_object(Bucket=classification["bucket"], Key=item["Key"])["Body"]
            data = body.read().replace(f"s3://{classification['bucket']}/".encode(),
                                       f"s3://{THEIRS}/".encode())
            theirs.put_object(Bucket=THEIRS, Key=item["Key"], Body=data)

    def put_policy(*statements: dict[str, Any]) -> None:
        with as_other(monkeypatch) as theirs:
            theirs.put_bucket_policy(Bucket=THEIRS, Policy=bucket_policy(*statements))

    return put_policy


def _detect_theirs(rekognition: Any, running_version: str, classification: dict[str, Any]) -> Any:
    key = classification["images"][0][0].split("/", 3)[3]
    return rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"S3Object": {"Bucket": THEIRS, "Name": key}})


GRANTING = {
    "account id": [statement({"AWS": OWNER})],
    "account root": [statement({"AWS": [f"arn:aws:iam::{OWNER}:root"]})],
    "everyone": [statement("*")],
    "wildcard action": [statement({"AWS": "*"}, action="s3:Get*")],
    "after statements that do not apply": [
        {"Effect": "Allow", "Principal": "*", "NotAction": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{THEIRS}/*"},
        statement("*", effect="Maybe"),
        statement({"AWS": "444455556666"}),
        statement("*", action="s3:PutObject"),
        statement("*", resource="arn:aws:s3:::elsewhere/*"),
        statement({"AWS": [5, OWNER]}),  # a principal that is not a string is passed over
    ],
}
REFUSING = {
    "no policy": [],
    "another account": [statement({"AWS": "444455556666"})],
    "wrong action": [statement("*", action="s3:PutObject")],
    "deny wins": [statement("*"), statement({"AWS": OWNER}, effect="Deny")],
    "conditional allow": [statement("*", Condition={"Bool": {"aws:SecureTransport": "true"}})],
    "other bucket's objects": [statement("*", resource="arn:aws:s3:::elsewhere/*")],
    "an effect that is neither Allow nor Deny": [statement("*", effect="Maybe")],
    "no principal": [{"Effect": "Allow", "Action": "s3:GetObject",
                      "Resource": f"arn:aws:s3:::{THEIRS}/*"}],
    "a principal that is a bare account id": [statement(OWNER)],
}


@pytest.mark.parametrize("statements", GRANTING.values(), ids=GRANTING.keys())
def test_policy_grants_detect(rekognition: Any, running_version: str,
                              classification: dict[str, Any],
                              their_bucket: Any, statements: list[dict[str, Any]]) -> None:
    their_bucket(*statements)
    assert "CustomLabels" in _detect_theirs(rekognition, running_version, classification)


@pytest.mark.parametrize("statements", REFUSING.values(), ids=REFUSING.keys())
def test_policy_refuses_detect(rekognition: Any, running_version: str,
                               classification: dict[str, Any],
                               their_bucket: Any, statements: list[dict[str, Any]]) -> None:
    if statements:
        their_bucket(*statements)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        _detect_theirs(rekognition, running_version, classification)


def test_a_policy_that_is_not_an_object_grants_nothing(
        rekognition: Any, running_version: str, classification: dict[str, Any],
        their_bucket: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with as_other(monkeypatch) as theirs:
        theirs.put_bucket_policy(Bucket=THEIRS, Policy="[]")  # S3 (moto) keeps it as it is
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        _detect_theirs(rekognition, running_version, classification)


def test_own_account_always_reads(rekognition: Any, running_version: str,
                                  classification: dict[str, Any],
                                  s3: Any) -> None:
    s3.put_bucket_policy(Bucket=classification["bucket"], Policy=bucket_policy(
        statement("*", effect="Deny", resource=f"arn:aws:s3:::{classification['bucket']}/*")))
    bucket, key = classification["images"][0][0][5:].split("/", 1)
    assert "CustomLabels" in rekognition.detect_custom_labels(
        ProjectVersionArn=running_version, Image={"S3Object": {"Bucket": bucket, "Name": key}})


def test_training_manifest_needs_read_permission(
        rekognition: Any, project_arn: str, train: Any, classification: dict[str, Any],
        their_bucket: Any, rekomock: Controller) -> None:
    manifests = {"TrainingData": manifest_asset(THEIRS, "manifests/train.manifest"),
                 "TestingData": manifest_asset(THEIRS, "manifests/test.manifest")}
    assert classification["TrainingData"]["Assets"][0]["GroundTruthManifest"]["S3Object"][
        "Name"] == "manifests/train.manifest"
    refused = train("refused", **manifests)
    desc = describe_version(rekognition, project_arn, "refused")
    assert (desc["Status"], desc["StatusMessage"]) == (
        "TRAINING_FAILED", "The S3 bucket permissions are incorrect.")
    assert "bucket's policy does not allow s3:GetObject" in rekomock.explain(refused)
    their_bucket(statement({"AWS": OWNER}))
    train("granted", **manifests)
    assert describe_version(rekognition, project_arn, "granted")["Status"] == "TRAINING_COMPLETED"


def test_training_images_need_read_permission(
        rekognition: Any, project_arn: str, train: Any, s3: Any,
        classification: dict[str, Any], their_bucket: Any) -> None:
    bucket = classification["bucket"]
    their_bucket(statement({"AWS": OWNER}, resource=f"arn:aws:s3:::{THEIRS}/manifests/*"))
    for name in ("train", "test"):  # the owner's manifests naming OTHER's images
        data = s3.get_object(Bucket=THEIRS, Key=f"manifests/{name}.manifest")["Body"].read()
        s3.put_object(Bucket=bucket, Key=f"theirs/{name}.manifest", Body=data)
    manifests = {"TrainingData": manifest_asset(bucket, "theirs/train.manifest"),
                 "TestingData": manifest_asset(bucket, "theirs/test.manifest")}
    train("refused", **manifests)
    desc = describe_version(rekognition, project_arn, "refused")
    assert (desc["Status"], desc["StatusMessage"]) == (
        "TRAINING_FAILED", "The permissions for the images S3 bucket are invalid.")
    their_bucket(statement({"AWS": OWNER}))
    train("granted", **manifests)
    assert describe_version(rekognition, project_arn, "granted")["Status"] == "TRAINING_COMPLETED"


def test_outputs_need_write_permission(
        rekognition: Any, project_arn: str, train: Any, their_bucket: Any,
        monkeypatch: pytest.MonkeyPatch, rekomock: Controller) -> None:
    output = {"S3Bucket": THEIRS, "S3KeyPrefix": "out"}
    their_bucket(statement("*"))  # reading is not writing
    refused = train("refused", OutputConfig=output)
    desc = describe_version(rekognition, project_arn, "refused")
    assert (desc["Status"], desc["StatusMessage"]) == (
        "TRAINING_FAILED", "Unable to write to output S3 bucket.")
    assert "does not allow s3:PutObject" in rekomock.explain(refused)
    their_bucket(statement({"AWS": OWNER}, action="s3:PutObject",
                           resource=f"arn:aws:s3:::{THEIRS}/out/*"))
    train("granted", OutputConfig=output)
    desc = describe_version(rekognition, project_arn, "granted")
    assert desc["Status"] == "TRAINING_COMPLETED"
    key = desc["EvaluationResult"]["Summary"]["S3Object"]["Name"]
    assert key.startswith("out/")
    with as_other(monkeypatch) as theirs:
        theirs.head_object(Bucket=THEIRS, Key=key)


def test_dataset_import_reads_the_manifest_its_policy_names(
        rekognition: Any, project_arn: str, their_bucket: Any) -> None:
    """A policy granting s3:GetObject on the manifest alone is enough for an import (its
    images are read when a version trains)."""
    key = "manifests/train.manifest"
    their_bucket(statement({"AWS": OWNER}, resource=f"arn:aws:s3:::{THEIRS}/{key}"))
    source = {"GroundTruthManifest": {"S3Object": {"Bucket": THEIRS, "Name": key}}}
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN",
                                     DatasetSource=source)["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert desc["Status"] == "CREATE_COMPLETE", desc.get("StatusMessage")
    assert desc["DatasetStats"]["TotalEntries"] == 10


def test_dataset_import_needs_read_permission(
        rekognition: Any, project_arn: str, their_bucket: Any) -> None:
    source = {"GroundTruthManifest": {"S3Object": {"Bucket": THEIRS,
                                                   "Name": "manifests/train.manifest"}}}
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN",
                                     DatasetSource=source)["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert (desc["Status"], desc["StatusMessage"]) == (
        "CREATE_FAILED", "The S3 bucket permissions are incorrect.")
