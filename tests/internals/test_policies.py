"""PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy
[CL:md-create-project-policy-document; CL:md-attach-project-policy]."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from rekomock import Controller
from rekomock._domain.policies import ProjectPolicy, decide


def doc(effect: str = "Allow", principal: Any = None, resource: Any = "*",
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


COPY = "rekognition:CopyProjectVersion"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "The policy document is not valid JSON."),
        (json.dumps({"Version": "2012-10-17"}), "The policy document needs a Statement."),
        (json.dumps(["Statement"]), "The policy document needs a Statement."),
        (json.dumps({"Statement": []}), "The policy document has no statement."),
        (json.dumps({"Statement": ["Allow"]}), "A statement must be an object."),
        (doc(action="rekognition:DetectCustomLabels"),
         "The only supported action is rekognition:CopyProjectVersion."),
        (doc(action=[]), "The only supported action is rekognition:CopyProjectVersion."),
        (doc(action=[COPY, 7]), "The only supported action is rekognition:CopyProjectVersion."),
        (doc(effect="Maybe"), "Effect must be Allow or Deny."),
        (doc(NotAction=COPY), "NotAction is not supported."),
        (doc(NotResource="*"), "NotResource is not supported."),
        (doc(NotPrincipal="*"), "NotPrincipal is not supported."),
        (json.dumps({"Statement": [{"Effect": "Allow", "Action": COPY, "Resource": "*"}]}),
         "A statement needs Principal."),
        (json.dumps({"Statement": [{"Effect": "Allow", "Action": COPY, "Principal": "*"}]}),
         "A statement needs Resource."),
        (doc(resource=["*", 3]), "Resource must be a string or a list."),
        (doc(principal={"Service": "rekognition.amazonaws.com"}),
         'Principal must be "*" or {"AWS": ...}.'),
        (doc(principal={"AWS": ["111122223333", 5]}), 'Principal must be "*" or {"AWS": ...}.'),
        (doc(principal="someone"), 'Principal must be "*" or {"AWS": ...}.'),
    ],
)
def test_malformed_documents(rekognition: Any, project_arn: str, document: str,
                             message: str) -> None:
    with pytest.raises(rekognition.exceptions.MalformedPolicyDocumentException) as err:
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p",
                                       PolicyDocument=document)
    assert err.value.response["Error"]["Message"] == message
    assert rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"] == []


def test_actions_match_case_insensitively(rekognition: Any, project_arn: str) -> None:
    for i, action in enumerate(["Rekognition:copyProjectVersion", "rekognition:Copy*",
                                ["rekognition:*"]]):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName=f"p{i}",
                                       PolicyDocument=doc(action=action))


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


# ------------------------------------------------------ evaluation (IAM's order)

SOURCE = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v1/1700000000000"
CALLER = "111122223333"


def statement(effect: str = "Allow", principal: Any = "*", resource: Any = SOURCE,
              action: Any = COPY) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}


def verdict(*statements: dict[str, Any], caller_arn: str | None = None,
            resource: str = SOURCE) -> bool | None:
    policy = ProjectPolicy("p", json.dumps({"Version": "2012-10-17",
                                            "Statement": list(statements)}))
    return decide([policy], CALLER, caller_arn, resource)


ROLE = f"arn:aws:iam::{CALLER}:role/Copier"
SESSION = f"arn:aws:sts::{CALLER}:assumed-role/Copier/session-1"
USER = f"arn:aws:iam::{CALLER}:user/team/alice"


@pytest.mark.parametrize(("statements", "caller_arn", "expected"), [
    ([statement()], None, True),
    ([statement(principal={"AWS": "*"})], None, True),
    ([statement(principal={"AWS": CALLER})], None, True),
    ([statement(principal={"AWS": ["444455556666", f"arn:aws:iam::{CALLER}:root"]})], None,
     True),
    ([statement(principal={"AWS": "444455556666"})], None, None),
    ([statement(principal={"AWS": "arn:aws:iam::444455556666:root"})], None, None),
    ([statement(principal={"AWS": ROLE})], SESSION, True),
    ([statement(principal={"AWS": ROLE})], None, None),
    ([statement(principal={"AWS": ROLE})], SESSION.replace("Copier", "Other"), None),
    ([statement(principal={"AWS": USER})], USER, True),
    ([statement(principal={"AWS": USER})], USER.replace("alice", "bob"), None),
    ([statement(principal={"AWS": "444455556666"}), statement()], None, True),
    ([statement(resource=SOURCE.replace("v1", "v2")), statement()], None, True),
    ([statement(resource=SOURCE.upper())], None, None),  # ARNs match case-sensitively
    ([statement(resource=SOURCE[:-13] + "*")], None, True),
    ([statement(resource=SOURCE[:-1] + "?")], None, True),
    ([statement(resource=SOURCE.replace("v1", "v?"))], None, True),
    ([statement(), statement(effect="Deny")], None, False),
    ([statement(effect="Deny", principal={"AWS": "444455556666"}), statement()], None, True),
    ([statement(action="REKOGNITION:COPYPROJECTVERSION")], None, True),
])
def test_policy_evaluation(statements: list[dict[str, Any]], caller_arn: str | None,
                           expected: bool | None) -> None:
    assert verdict(*statements, caller_arn=caller_arn) is expected


def test_brackets_in_a_resource_are_literal() -> None:
    """IAM has no character classes: ``[`` is just a character."""
    assert verdict(statement(resource="arn:x:[ab]"), resource="arn:x:[ab]") is True
    assert verdict(statement(resource="arn:x:[ab]"), resource="arn:x:a") is None


def test_a_replaced_document_is_the_one_evaluated() -> None:
    policy = ProjectPolicy("p", json.dumps({"Statement": [statement()]}))
    policy.replace(json.dumps({"Statement": [statement(effect="Deny")]}))
    assert decide([policy], CALLER, None, SOURCE) is False
