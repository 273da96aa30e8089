"""CopyProjectVersion within and across accounts, guarded by project policies
[CL:md-copy-model-overview; CL:md-attach-project-policy]."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock.phases import VERSION_COPYING, VERSION_TRAINING
from rekomock.testing import describe_version, strict_client

OWNER = "123456789012"
OTHER = "111122223333"


def policy(principal: Any, effect: str = "Allow", resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": effect, "Principal": principal, "Action": "rekognition:CopyProjectVersion",
        "Resource": resource}]})


def _copy(client: Any, source_project: str, source_version: str, dest: str,
          name: str = "copy-1", bucket: str = "rekomock-test-bucket") -> str:
    return str(client.copy_project_version(
        SourceProjectArn=source_project, SourceProjectVersionArn=source_version,
        DestinationProjectArn=dest, VersionName=name,
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": "copies"},
    )["ProjectVersionArn"])


def test_same_account_copy(rekognition: Any, s3: Any, project_arn: str, train: Any,
                           classification: dict[str, Any]) -> None:
    source = train("v1")
    dest = rekognition.create_project(ProjectName="destination")["ProjectArn"]
    arn = _copy(rekognition, project_arn, source, dest, "copied")
    assert arn.startswith(f"arn:aws:rekognition:us-east-1:{OWNER}:project/destination/"
                          "version/copied/")
    desc = describe_version(rekognition, dest, "copied")
    original = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "COPYING_COMPLETED"
    assert desc["StatusMessage"] == "The model is ready to run."
    assert desc["SourceProjectVersionArn"] == source
    assert desc["EvaluationResult"]["F1Score"] == original["EvaluationResult"]["F1Score"]
    assert "BillableTrainingTimeInSeconds" not in desc
    summary_key = desc["EvaluationResult"]["Summary"]["S3Object"]["Name"]
    assert summary_key == "copies/EvaluationResultSummary-destination-copied.json"
    s3.head_object(Bucket="rekomock-test-bucket", Key=summary_key)
    # The copy runs and answers exactly as the source does.
    for arn_ in (source, arn):
        rekognition.start_project_version(ProjectVersionArn=arn_, MinInferenceUnits=1)
    bucket, key = classification["images"][2][0][5:].split("/", 1)
    answers = [rekognition.detect_custom_labels(
        ProjectVersionArn=a, Image={"S3Object": {"Bucket": bucket, "Name": key}})["CustomLabels"]
        for a in (source, arn)]
    assert answers[0] == answers[1] and answers[0]


def test_copy_in_progress_then_completed(rekognition: Any, project_arn: str, train: Any) -> None:
    state_manager.set_transition(VERSION_COPYING, {"progression": "manual", "times": 2})
    source = train("v1")
    arn = _copy(rekognition, project_arn, source, project_arn)
    statuses = [describe_version(rekognition, project_arn, "copy-1")["Status"]
                for _ in range(2)]
    assert statuses == ["COPYING_IN_PROGRESS", "COPYING_COMPLETED"]
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)


def test_copy_to_missing_bucket_fails(rekognition: Any, project_arn: str, train: Any,
                                      rekomock: Controller) -> None:
    source = train("v1")
    arn = _copy(rekognition, project_arn, source, project_arn, bucket="no-such-bucket-here")
    desc = describe_version(rekognition, project_arn, "copy-1")
    assert (desc["Status"], desc["StatusMessage"]) == (
        "COPYING_FAILED", "Unable to write to output S3 bucket.")
    assert rekomock.explain(arn) == (
        "COPYING_FAILED: Unable to write to output S3 bucket. -- OutputConfig bucket "
        "'no-such-bucket-here' does not exist in account 123456789012")
    assert "Unable to write to output S3 bucket." in str(rekomock)
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)


def test_copy_refusals(rekognition: Any, project_arn: str, train: Any,
                       rekomock: Controller) -> None:
    source = train("v1")
    _copy(rekognition, project_arn, source, project_arn, "taken")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        _copy(rekognition, project_arn, source, project_arn, "taken")
    missing = source.rsplit("/", 3)[0] + "/version/ghost/1234567890123"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        _copy(rekognition, project_arn, missing, project_arn, "x")
    rekomock.fail_training(version_name="bad")
    bad = train("bad")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        _copy(rekognition, project_arn, bad, project_arn, "y")
    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 9})
    busy = train("busy")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        _copy(rekognition, project_arn, busy, project_arn, "z")
    names = {d["ProjectVersionArn"].split("/")[3] for d in rekognition.describe_project_versions(
        ProjectArn=project_arn)["ProjectVersionDescriptions"]}
    assert names == {"v1", "taken", "bad", "busy"}


def _other_account_client(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client of account OTHER, which may write its copies into the owner's test bucket
    (its bucket policy allows s3:PutObject to everyone)."""
    owner_s3 = boto3.client("s3", region_name="us-east-1")
    owner_s3.put_bucket_policy(Bucket="rekomock-test-bucket", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::rekomock-test-bucket/copies/*"}]}))
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER)
    return strict_client(boto3.client("rekognition", region_name="us-east-1"))


def test_cross_account_needs_a_policy(rekognition: Any, project_arn: str, train: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    source = train("v1")
    unshared = train("v2")
    other = _other_account_client(monkeypatch)
    dest = other.create_project(ProjectName="theirs")["ProjectArn"]
    with pytest.raises(other.exceptions.AccessDeniedException):
        _copy(other, project_arn, source, dest)
    assert other.describe_project_versions(ProjectArn=dest)["ProjectVersionDescriptions"] == []

    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="share",
                                   PolicyDocument=policy({"AWS": f"arn:aws:iam::{OTHER}:root"},
                                                         resource=source))
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER)
    with pytest.raises(other.exceptions.AccessDeniedException):
        _copy(other, project_arn, unshared, dest)  # the policy names v1 only
    arn = _copy(other, project_arn, source, dest)
    assert arn.startswith(f"arn:aws:rekognition:us-east-1:{OTHER}:project/theirs/version/")
    desc = describe_version(other, dest, "copy-1")
    assert desc["Status"] == "COPYING_COMPLETED" and desc["SourceProjectVersionArn"] == source


def test_deny_and_wildcards(rekognition: Any, project_arn: str, train: Any,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    source = train("v1")
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="everyone",
                                   PolicyDocument=policy("*", resource=f"{project_arn[:-13]}*"))
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="not-them",
                                   PolicyDocument=policy({"AWS": OTHER}, effect="Deny"))
    other = _other_account_client(monkeypatch)
    dest = other.create_project(ProjectName="theirs")["ProjectArn"]
    with pytest.raises(other.exceptions.AccessDeniedException):
        _copy(other, project_arn, source, dest)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    third = strict_client(boto3.client("rekognition", region_name="us-east-1"))
    third_dest = third.create_project(ProjectName="third")["ProjectArn"]
    _copy(third, project_arn, source, third_dest)  # "*" principal, wildcard resource


def test_same_account_policy_can_restrict(rekognition: Any, project_arn: str,
                                          train: Any) -> None:
    source = train("v1")
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="no",
                                   PolicyDocument=policy({"AWS": OWNER}, effect="Deny"))
    with pytest.raises(rekognition.exceptions.AccessDeniedException):
        _copy(rekognition, project_arn, source, project_arn)


def test_role_principal(rekognition: Any, project_arn: str, train: Any,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    source = train("v1")
    _other_account_client(monkeypatch)  # shares the output bucket
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    rekognition.put_project_policy(
        ProjectArn=project_arn, PolicyName="role",
        PolicyDocument=policy({"AWS": f"arn:aws:iam::{OTHER}:role/Copier"}))
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER}:role/Copier",
                            RoleSessionName="copy")["Credentials"]
    as_role = strict_client(boto3.client(
        "rekognition", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"]))
    dest = as_role.create_project(ProjectName="role-dest")["ProjectArn"]
    assert f":{OTHER}:" in dest
    _copy(as_role, project_arn, source, dest)
    other_role = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER}:role/Someone",
                                 RoleSessionName="other")["Credentials"]
    as_other = boto3.client(
        "rekognition", region_name="us-east-1", aws_access_key_id=other_role["AccessKeyId"],
        aws_secret_access_key=other_role["SecretAccessKey"],
        aws_session_token=other_role["SessionToken"])
    with pytest.raises(as_other.exceptions.AccessDeniedException):
        _copy(as_other, project_arn, source, dest, "second")


def test_accounts_are_isolated(rekognition: Any, project_arn: str, train: Any,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    source = train("v1", Tags={"k": "v"})
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p",
                                   PolicyDocument=policy("*"))
    other = _other_account_client(monkeypatch)
    assert other.describe_projects()["ProjectDescriptions"] == []
    for call in (
        lambda: other.describe_project_versions(ProjectArn=project_arn),
        lambda: other.list_project_policies(ProjectArn=project_arn),
        lambda: other.list_tags_for_resource(ResourceArn=source),
        lambda: other.start_project_version(ProjectVersionArn=source, MinInferenceUnits=1),
        lambda: other.delete_project(ProjectArn=project_arn),
    ):
        with pytest.raises(other.exceptions.AccessDeniedException):
            call()
