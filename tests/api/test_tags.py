"""TagResource, UntagResource, ListTagsForResource (docs/decisions.md, *Tags*)."""

from __future__ import annotations

from typing import Any

import pytest

from rekomock import Controller


def test_tags_given_at_creation(rekognition: Any) -> None:
    arn = rekognition.create_project(ProjectName="tagged", Tags={"team": "vision"})["ProjectArn"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "vision"}


def test_tag_overwrite_untag_and_list(rekognition: Any, project_arn: str) -> None:
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {}
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"a": "1", "b": "2"})
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"a": "one"})
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {
        "a": "one",
        "b": "2",
    }
    rekognition.untag_resource(ResourceArn=project_arn, TagKeys=["b", "never-there"])
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {"a": "one"}


def test_unknown_resources(rekognition: Any) -> None:
    missing = "arn:aws:rekognition:us-east-1:123456789012:project/ghost/1234567890123"
    for call in (
        lambda: rekognition.tag_resource(ResourceArn=missing, Tags={"a": "b"}),
        lambda: rekognition.untag_resource(ResourceArn=missing, TagKeys=["a"]),
        lambda: rekognition.list_tags_for_resource(ResourceArn=missing),
        lambda: rekognition.list_tags_for_resource(ResourceArn="x" * 30),
    ):
        with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
            call()


def test_arn_of_another_project_generation_is_not_found(rekognition: Any, project_arn: str) -> None:
    stale = project_arn.rsplit("/", 1)[0] + "/1000000000000"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=stale)


def test_tag_quota_refuses_and_changes_nothing(
    rekognition: Any, single_attempt_rekognition: Any, project_arn: str, rekomock: Controller
) -> None:
    rekomock.set_quotas(tags_per_resource=3)
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"a": "1", "b": "2"})
    with pytest.raises(rekognition.exceptions.ServiceQuotaExceededException):
        rekognition.tag_resource(ResourceArn=project_arn, Tags={"c": "3", "d": "4"})
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {
        "a": "1",
        "b": "2",
    }
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"a": "x", "c": "3"})
    # CreateProject's model has no ServiceQuotaExceededException: its quota error answers
    with pytest.raises(rekognition.exceptions.LimitExceededException):
        single_attempt_rekognition.create_project(
            ProjectName="many-tags", Tags={"1": "", "2": "", "3": "", "4": ""}
        )
    assert [d["ProjectArn"].split("/")[1] for d in
            rekognition.describe_projects()["ProjectDescriptions"]] == ["my-project"]
    # likewise CreateDataset's
    with pytest.raises(rekognition.exceptions.LimitExceededException):
        single_attempt_rekognition.create_dataset(
            ProjectArn=project_arn, DatasetType="TRAIN", Tags={"1": "", "2": "", "3": "", "4": ""})
    (project,) = rekognition.describe_projects()["ProjectDescriptions"]
    assert project["Datasets"] == []
