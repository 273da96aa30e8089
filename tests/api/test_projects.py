"""Projects: CreateProject, DescribeProjects, DeleteProject
[M doc of CreateProject, DescribeProjects; CL:mp-delete-project]."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import boto3
import pytest
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock.phases import PROJECT_CREATING, PROJECT_DELETING
from rekomock.testing import strict_client

PROJECT_ARN = re.compile(
    r"^arn:aws:rekognition:us-east-1:123456789012:project/my-project/(\d{13})$"
)


def names(client: Any, **kwargs: Any) -> list[str]:
    return [
        d["ProjectArn"].split("/")[1]
        for d in client.describe_projects(**kwargs)["ProjectDescriptions"]
    ]


def test_create_project_arn_and_description(rekognition: Any) -> None:
    arn = rekognition.create_project(ProjectName="my-project")["ProjectArn"]
    m = PROJECT_ARN.match(arn)
    assert m, arn
    (desc,) = rekognition.describe_projects()["ProjectDescriptions"]
    assert desc["ProjectArn"] == arn
    assert desc["Status"] == "CREATED"
    assert desc["Datasets"] == []
    assert desc["Feature"] == "CUSTOM_LABELS"
    assert "AutoUpdate" not in desc
    created: datetime = desc["CreationTimestamp"]
    # The ARN's number is the creation time in epoch milliseconds [EX:DescribeProjects].
    assert int(m.group(1)) == round(created.timestamp() * 1000)


def test_project_goes_through_creating_when_progression_is_manual(rekognition: Any) -> None:
    state_manager.set_transition(PROJECT_CREATING, {"progression": "manual", "times": 2})
    rekognition.create_project(ProjectName="slow")
    assert rekognition.describe_projects()["ProjectDescriptions"][0]["Status"] == "CREATING"
    assert rekognition.describe_projects()["ProjectDescriptions"][0]["Status"] == "CREATED"


def test_duplicate_name_is_refused_and_changes_nothing(rekognition: Any) -> None:
    rekognition.create_project(ProjectName="dup")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.create_project(ProjectName="dup")
    assert names(rekognition) == ["dup"]


def test_same_name_in_two_regions_and_two_accounts(
    rekognition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rekognition.create_project(ProjectName="shared-name")
    west = strict_client(boto3.client("rekognition", region_name="us-west-2"))
    arn = west.create_project(ProjectName="shared-name")["ProjectArn"]
    assert ":us-west-2:" in arn
    assert names(west) == ["shared-name"]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    assert names(rekognition) == []
    other = rekognition.create_project(ProjectName="shared-name")["ProjectArn"]
    assert ":111122223333:project/shared-name/" in other
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert len(names(rekognition)) == 1


def test_an_iam_users_access_key_works_in_its_own_account(
    rekognition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's rule: a request signed with an access key IAM made in an account is that
    account's; any other key is the default account's."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="trainer")
    key = iam.create_access_key(UserName="trainer")["AccessKey"]
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    theirs = boto3.client("rekognition", region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"])
    arn = theirs.create_project(ProjectName="theirs")["ProjectArn"]
    assert ":111122223333:project/theirs/" in arn
    assert names(rekognition) == []
    stranger = boto3.client("rekognition", region_name="us-east-1",
                            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                            aws_secret_access_key="x")
    assert ":123456789012:project/" in stranger.create_project(ProjectName="ours")["ProjectArn"]
    assert names(rekognition) == ["ours"]


def test_content_moderation_needs_auto_update(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_project(ProjectName="adapter", Feature="CONTENT_MODERATION")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_project(ProjectName="labels", AutoUpdate="ENABLED")
    assert names(rekognition, Features=["CONTENT_MODERATION", "CUSTOM_LABELS"]) == []


def test_features_filter_and_default(rekognition: Any) -> None:
    rekognition.create_project(ProjectName="labels")
    rekognition.create_project(
        ProjectName="adapter", Feature="CONTENT_MODERATION", AutoUpdate="ENABLED"
    )
    assert names(rekognition) == ["labels"]  # CUSTOM_LABELS only by default [M doc of Features]
    (adapter,) = rekognition.describe_projects(Features=["CONTENT_MODERATION"])[
        "ProjectDescriptions"
    ]
    assert adapter["Feature"] == "CONTENT_MODERATION"
    assert adapter["AutoUpdate"] == "ENABLED"
    both = names(rekognition, Features=["CUSTOM_LABELS", "CONTENT_MODERATION"])
    assert both == ["labels", "adapter"]


def test_project_names_filter_ignores_unknown_names(rekognition: Any) -> None:
    for name in ("a", "b", "c"):
        rekognition.create_project(ProjectName=name)
    assert names(rekognition, ProjectNames=["c", "zzz", "a"]) == ["a", "c"]
    assert names(rekognition, ProjectNames=["zzz"]) == []


def test_paging_oldest_first_empty_token_and_no_token_on_last_page(rekognition: Any) -> None:
    for i in range(5):
        rekognition.create_project(ProjectName=f"p{i}")
    first = rekognition.describe_projects(MaxResults=2, NextToken="")
    assert [d["ProjectArn"].split("/")[1] for d in first["ProjectDescriptions"]] == ["p0", "p1"]
    second = rekognition.describe_projects(MaxResults=2, NextToken=first["NextToken"])
    assert [d["ProjectArn"].split("/")[1] for d in second["ProjectDescriptions"]] == ["p2", "p3"]
    last = rekognition.describe_projects(MaxResults=2, NextToken=second["NextToken"])
    assert [d["ProjectArn"].split("/")[1] for d in last["ProjectDescriptions"]] == ["p4"]
    assert "NextToken" not in last
    exact = rekognition.describe_projects(MaxResults=5)
    assert "NextToken" not in exact


def test_paginator_walks_every_project(rekognition: Any) -> None:
    for i in range(7):
        rekognition.create_project(ProjectName=f"proj-{i}")
    pages = rekognition.get_paginator("describe_projects").paginate(
        PaginationConfig={"PageSize": 3}
    )
    seen = [d["ProjectArn"].split("/")[1] for p in pages for d in p["ProjectDescriptions"]]
    assert seen == [f"proj-{i}" for i in range(7)]


def test_bad_tokens_are_refused(rekognition: Any) -> None:
    for i in range(3):
        rekognition.create_project(ProjectName=f"p{i}")
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.describe_projects(NextToken="not-a-token")
    token = rekognition.describe_projects(MaxResults=1)["NextToken"]
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.describe_projects(NextToken=token, ProjectNames=["p1"])


def test_delete_project(rekognition: Any) -> None:
    arn = rekognition.create_project(ProjectName="doomed")["ProjectArn"]
    rekognition.tag_resource(ResourceArn=arn, Tags={"k": "v"})
    assert rekognition.delete_project(ProjectArn=arn)["Status"] == "DELETING"
    # AWS's delete program polls DescribeProjects(ProjectNames=[name]) until it is empty.
    assert names(rekognition, ProjectNames=["doomed"]) == []
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_project(ProjectArn=arn)
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=arn)
    again = rekognition.create_project(ProjectName="doomed")["ProjectArn"]
    assert rekognition.list_tags_for_resource(ResourceArn=again)["Tags"] == {}


def test_deleting_project_is_listed_until_gone(rekognition: Any) -> None:
    state_manager.set_transition(PROJECT_DELETING, {"progression": "manual", "times": 2})
    arn = rekognition.create_project(ProjectName="slow-delete")["ProjectArn"]
    rekognition.delete_project(ProjectArn=arn)
    (desc,) = rekognition.describe_projects()["ProjectDescriptions"]
    assert desc["Status"] == "DELETING"
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.create_project(ProjectName="slow-delete")
    assert rekognition.describe_projects()["ProjectDescriptions"] == []


def test_delete_unknown_or_foreign_project(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_project(
            ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/nope/1234567890123"
        )
    with pytest.raises(rekognition.exceptions.AccessDeniedException):
        rekognition.delete_project(
            ProjectArn="arn:aws:rekognition:us-east-1:999999999999:project/theirs/1234567890123"
        )


def test_project_quota(rekognition: Any, single_attempt_rekognition: Any,
                       rekomock: Controller) -> None:
    rekomock.set_quotas(projects=2)
    rekognition.create_project(ProjectName="a")
    rekognition.create_project(ProjectName="b")
    with pytest.raises(rekognition.exceptions.LimitExceededException) as err:
        single_attempt_rekognition.create_project(ProjectName="c")
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert names(rekognition) == ["a", "b"]


def test_unserved_region_answers_an_error_not_a_traceback(rekomock: Controller) -> None:
    client = boto3.client("rekognition", region_name="xx-nowhere-1")
    with pytest.raises(client.exceptions.ClientError) as err:
        client.describe_projects()
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"
