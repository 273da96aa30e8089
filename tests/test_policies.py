"""PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy
[CL:md-create-project-policy-document; CL:md-attach-project-policy]."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from rekomock import Controller


def doc(effect: str = "Allow", principal: Any = None, resource: str = "*",
        action: Any = "rekognition:CopyProjectVersion", **extra: Any) -> str:
    statement = {"Effect": effect,
                 "Principal": principal or {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": action, "Resource": resource, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_put_list_update_delete(rekognition: Any, project_arn: str) -> None:
    rev = rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                         PolicyDocument=doc())["PolicyRevisionId"]
    assert re.fullmatch(r"[0-9a-f]{32}", rev)
    (policy,) = rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]
    assert policy["PolicyName"] == "copy" and policy["PolicyRevisionId"] == rev
    assert policy["ProjectArn"] == project_arn
    assert json.loads(policy["PolicyDocument"]) == json.loads(doc())
    assert policy["CreationTimestamp"] == policy["LastUpdatedTimestamp"]
    with pytest.raises(rekognition.exceptions.ResourceAlreadyExistsException):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                       PolicyDocument=doc())
    new_rev = rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                             PolicyDocument=doc(effect="Deny"),
                                             PolicyRevisionId=rev)["PolicyRevisionId"]
    assert new_rev != rev
    with pytest.raises(rekognition.exceptions.InvalidPolicyRevisionIdException):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                       PolicyDocument=doc(), PolicyRevisionId=rev)
    with pytest.raises(rekognition.exceptions.InvalidPolicyRevisionIdException):
        rekognition.delete_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                          PolicyRevisionId=rev)
    (policy,) = rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]
    assert json.loads(policy["PolicyDocument"])["Statement"][0]["Effect"] == "Deny"
    rekognition.delete_project_policy(ProjectArn=project_arn, PolicyName="copy",
                                      PolicyRevisionId=new_rev)
    assert rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"] == []
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_project_policy(ProjectArn=project_arn, PolicyName="copy")


def test_revision_on_a_new_name(rekognition: Any, project_arn: str) -> None:
    with pytest.raises(rekognition.exceptions.InvalidPolicyRevisionIdException):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="new",
                                       PolicyDocument=doc(), PolicyRevisionId="0123abcd")
    assert rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"] == []


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"Version": "2012-10-17"}),
        doc(action="rekognition:DetectCustomLabels"),
        doc(effect="Maybe"),
        doc(NotAction="rekognition:CopyProjectVersion"),
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "rekognition:CopyProjectVersion",
                                   "Resource": "*"}]}),
    ],
)
def test_malformed_documents(rekognition: Any, project_arn: str, document: str) -> None:
    with pytest.raises(rekognition.exceptions.MalformedPolicyDocumentException):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p",
                                       PolicyDocument=document)
    assert rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"] == []


def test_quota_and_paging(rekognition: Any, project_arn: str, rekomock: Controller) -> None:
    for i in range(5):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName=f"p{i}",
                                       PolicyDocument=doc())
    with pytest.raises(rekognition.exceptions.ServiceQuotaExceededException):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p5",
                                       PolicyDocument=doc())
    first = rekognition.list_project_policies(ProjectArn=project_arn, MaxResults=2)
    assert [p["PolicyName"] for p in first["ProjectPolicies"]] == ["p0", "p1"]
    pages = rekognition.get_paginator("list_project_policies").paginate(
        ProjectArn=project_arn, PaginationConfig={"PageSize": 2})
    assert [p["PolicyName"] for pg in pages for p in pg["ProjectPolicies"]] == [
        f"p{i}" for i in range(5)]
    last = rekognition.list_project_policies(ProjectArn=project_arn, MaxResults=5)
    assert "NextToken" not in last


def test_unknown_project_and_bad_input(rekognition: Any, unchecked_rekognition: Any,
                                       project_arn: str) -> None:
    missing = project_arn.rsplit("/", 2)[0] + "/ghost/1234567890123"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.put_project_policy(ProjectArn=missing, PolicyName="p", PolicyDocument=doc())
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_project_policies(ProjectArn=missing)
    with pytest.raises(unchecked_rekognition.exceptions.ClientError) as err:
        unchecked_rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p",
                                                 PolicyDocument=doc(), PolicyRevisionId="xyz!")
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_delete_project_deletes_its_policies(rekognition: Any, project_arn: str) -> None:
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p", PolicyDocument=doc())
    rekognition.delete_project(ProjectArn=project_arn)
    again = rekognition.create_project(ProjectName="my-project")["ProjectArn"]
    assert rekognition.list_project_policies(ProjectArn=again)["ProjectPolicies"] == []
