"""Datasets: create, inspect, edit, split, delete and train from them
[CL:md-add-dataset; CL:md-add-images; CL:md-distributing-datasets]."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock.phases import DATASET_CREATING, DATASET_UPDATING
from rekomock.testing import (
    classification_line,
    describe_version,
    detection_line,
    manifest,
    manifest_asset,
)

#: The ``bucket`` fixture's bucket.
BUCKET = "rekomock-test-bucket"


@pytest.fixture
def train_dataset(rekognition: Any, project_arn: str, classification: dict[str, Any]) -> str:
    source = {"GroundTruthManifest": classification["TrainingData"]["Assets"][0][
        "GroundTruthManifest"]}
    return str(rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN",
                                          DatasetSource=source)["DatasetArn"])


def entries(client: Any, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_dataset_entries").paginate(DatasetArn=arn, **kwargs)
    return [json.loads(line) for page in pages for line in page["DatasetEntries"]]


def test_create_from_manifest_and_describe(rekognition: Any, project_arn: str,
                                           train_dataset: str) -> None:
    assert train_dataset.startswith(
        "arn:aws:rekognition:us-east-1:123456789012:project/my-project/dataset/train/")
    desc = rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"]
    assert desc["Status"] == "CREATE_COMPLETE"
    assert desc["StatusMessage"] == "The dataset was successfully created from the manifest file."
    assert desc["StatusMessageCode"] == "SUCCESS"
    assert desc["DatasetStats"] == {"LabeledEntries": 10, "TotalEntries": 10, "TotalLabels": 2,
                                    "ErrorEntries": 0}
    (project,) = rekognition.describe_projects()["ProjectDescriptions"]
    (meta,) = project["Datasets"]
    assert meta["DatasetArn"] == train_dataset and meta["DatasetType"] == "TRAIN"
    assert meta["Status"] == "CREATE_COMPLETE" and meta["StatusMessageCode"] == "SUCCESS"


def test_empty_dataset_and_one_of_each_type(rekognition: Any, project_arn: str) -> None:
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert desc["StatusMessage"] == "The dataset was successfully created."
    assert desc["DatasetStats"] == {"LabeledEntries": 0, "TotalEntries": 0, "TotalLabels": 0,
                                    "ErrorEntries": 0}
    with pytest.raises(rekognition.exceptions.ResourceAlreadyExistsException):
        rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")
    assert len(rekognition.describe_projects()["ProjectDescriptions"][0]["Datasets"]) == 1


def test_create_refusals(rekognition: Any, project_arn: str, bucket: str) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.create_dataset(
            ProjectArn=project_arn.rsplit("/", 2)[0] + "/other/1234567890123",
            DatasetType="TRAIN")
    both = {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "m"}},
            "DatasetArn": project_arn.rsplit("/", 1)[0] + "/dataset/test/1234567890123"}
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN",
                                   DatasetSource=both)
    adapter = rekognition.create_project(ProjectName="adapter", Feature="CONTENT_MODERATION",
                                         AutoUpdate="DISABLED")["ProjectArn"]
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_dataset(ProjectArn=adapter, DatasetType="TRAIN")
    assert rekognition.describe_projects()["ProjectDescriptions"][0]["Datasets"] == []


@pytest.mark.parametrize("where", ["missing key", "bucket in another region"])
def test_missing_manifest_fails_asynchronously(rekognition: Any, s3: Any, project_arn: str,
                                               bucket: str, west_bucket: str, where: str,
                                               rekomock: Controller) -> None:
    if where != "missing key":  # Rekognition only reads buckets of its own region
        s3.put_object(Bucket=west_bucket, Key="nope.manifest", Body=manifest(
            [classification_line(f"s3://{west_bucket}/{i}.png", "x") for i in range(3)]))
        bucket = west_bucket
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": bucket,
                                                            "Name": "nope.manifest"}}},
    )["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert (desc["Status"], desc["StatusMessageCode"]) == ("CREATE_FAILED", "CLIENT_ERROR")
    assert desc["StatusMessage"] == "The manifest file extension or contents are invalid."
    failed = ("CLIENT_ERROR: The manifest file extension or contents are invalid.")
    assert next(r for r in rekomock.resources() if r.kind == "dataset").detail == failed
    assert rekomock.explain(arn) == ("CREATE_FAILED: The manifest file extension or contents "
                                     "are invalid. (CLIENT_ERROR)")
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException):
        rekognition.list_dataset_entries(DatasetArn=arn)


def test_images_from_two_buckets_fail(rekognition: Any, s3: Any, project_arn: str,
                                      bucket: str) -> None:
    lines = [classification_line(f"s3://{bucket}/a.png", "x"),
             classification_line("s3://another-bucket/b.png", "y")]
    s3.put_object(Bucket=bucket, Key="two.manifest", Body=manifest(lines))
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": manifest_asset(bucket, "two.manifest")[
            "Assets"][0]["GroundTruthManifest"]})["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert desc["StatusMessage"] == "The manifest file contains images from multiple S3 buckets."


def _import(rekognition: Any, s3: Any, project_arn: str, lines: list[str]) -> dict[str, Any]:
    s3.put_object(Bucket=BUCKET, Key="lines.manifest", Body="\n".join(lines).encode())
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": manifest_asset(BUCKET, "lines.manifest")[
            "Assets"][0]["GroundTruthManifest"]})["DatasetArn"]
    return {**rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"],
            "DatasetArn": arn}


@pytest.mark.parametrize(("valid", "status"), [(4, "CREATE_FAILED"), (5, "CREATE_COMPLETE")])
def test_a_fifth_of_lines_invalid_fails_the_import(
        rekognition: Any, s3: Any, project_arn: str, bucket: str, valid: int,
        status: str) -> None:
    """Invalid lines must stay under 20 % of a manifest's lines ("Terminal JSON line
    validation errors", Custom Labels guide); one in five is too many, one in six is not."""
    lines = [json.dumps(classification_line(f"s3://{bucket}/{i}.png", "ab"[i % 2]))
             for i in range(valid)] + ["{this is not JSON"]
    desc = _import(rekognition, s3, project_arn, lines)
    assert desc["Status"] == status
    if status == "CREATE_FAILED":
        assert (desc["StatusMessage"], desc["StatusMessageCode"]) == (
            "The manifest file has too many terminal errors.", "CLIENT_ERROR")
    else:
        assert desc["DatasetStats"]["TotalEntries"] == valid


@pytest.mark.parametrize(("labels", "status"), [(250, "CREATE_COMPLETE"),
                                                (251, "CREATE_FAILED")])
def test_a_dataset_holds_250_labels_at_most(
        rekognition: Any, s3: Any, project_arn: str, bucket: str, labels: int,
        status: str) -> None:
    lines = [json.dumps(classification_line(f"s3://{bucket}/{i}.png", f"label-{i}"))
             for i in range(labels)]
    desc = _import(rekognition, s3, project_arn, lines)
    assert desc["Status"] == status
    if status == "CREATE_FAILED":
        assert desc["StatusMessage"] == "The manifest file has too many labels."
        return
    # An update counts the labels the dataset has already.
    arn = desc["DatasetArn"]
    for label, outcome in (("label-0", "UPDATE_COMPLETE"), ("one-more", "UPDATE_FAILED")):
        rekognition.update_dataset_entries(DatasetArn=arn, Changes={"GroundTruth": manifest(
            [classification_line(f"s3://{bucket}/new.png", label)])})
        after = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
        assert after["Status"] == outcome
    assert after["StatusMessage"] == "The manifest file has too many labels."
    assert after["DatasetStats"]["TotalLabels"] == 250


def test_import_reads_the_manifest_version_asked_for(rekognition: Any, s3: Any,
                                                     project_arn: str, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="versioned.manifest", Body=manifest(
        [classification_line(f"s3://{bucket}/{i}.png", "ab"[i % 2]) for i in range(4)]))
    s3.put_object(Bucket=bucket, Key="versioned.manifest", Body=manifest(
        [classification_line(f"s3://{bucket}/{i}.png", "ab"[i % 2]) for i in range(6)]))
    source = {"GroundTruthManifest": {"S3Object": {
        "Bucket": bucket, "Name": "versioned.manifest", "Version": first["VersionId"]}}}
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN",
                                     DatasetSource=source)["DatasetArn"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert desc["DatasetStats"]["TotalEntries"] == 4


def test_list_entries_and_filters(rekognition: Any, s3: Any, project_arn: str,
                                  bucket: str) -> None:
    lines: list[dict[str, Any]] = [
        classification_line(f"s3://{bucket}/img/cat-1.png", "cat"),
        classification_line(f"s3://{bucket}/img/dog-1.png", "dog"),
        classification_line(f"s3://{bucket}/img/both.png", "cat", "dog"),
        {"source-ref": f"s3://{bucket}/img/unlabeled.png"},
        detection_line(f"s3://{bucket}/img/box.png", (100, 100), [("cat", 0, 0, 500, 10)]),
        *(classification_line(f"s3://{bucket}/more/{i}.png", "dog") for i in range(5)),
    ]
    s3.put_object(Bucket=bucket, Key="mix.manifest",
                  Body=manifest(lines) + b"this is not json\n")
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": bucket,
                                                            "Name": "mix.manifest"}}},
    )["DatasetArn"]

    def refs(**kw: Any) -> list[str]:
        return [e["source-ref"].rsplit("/", 1)[1] for e in entries(rekognition, arn, **kw)]

    # The invalid JSON line is dropped; the bad box is kept with its errors.
    more = [f"{i}.png" for i in range(5)]
    assert refs() == ["cat-1.png", "dog-1.png", "both.png", "unlabeled.png", "box.png", *more]
    assert refs(HasErrors=False) == refs()  # AWS's own listing program sends HasErrors=False
    assert refs(ContainsLabels=["dog"]) == ["dog-1.png", "both.png", *more]
    assert refs(ContainsLabels=["cat", "dog"]) == ["cat-1.png", "dog-1.png", "both.png", *more]
    # The bad box's image is labeled all the same, as the guide's example entry with errors is.
    assert refs(Labeled=False) == ["unlabeled.png"]
    assert refs(Labeled=True, ContainsLabels=["cat"]) == ["cat-1.png", "both.png"]
    assert refs(SourceRefContains="-1") == ["cat-1.png", "dog-1.png"]
    assert refs(HasErrors=True) == ["box.png"]
    first = json.loads(rekognition.list_dataset_entries(DatasetArn=arn)["DatasetEntries"][0])
    assert first["cl-metadata"] == {"is_labeled": True}
    box = entries(rekognition, arn, HasErrors=True)[0]
    assert box["cl-metadata"] == {"is_labeled": True}
    assert "errors" not in box and box["cl-errors"]
    desc = rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    assert desc["DatasetStats"] == {"LabeledEntries": 9, "TotalEntries": 10, "TotalLabels": 2,
                                    "ErrorEntries": 1}
    # A copy has the same entries, errors and labels, found by the same filters.
    other = rekognition.create_project(ProjectName="other")["ProjectArn"]
    copy = rekognition.create_dataset(ProjectArn=other, DatasetType="TRAIN",
                                      DatasetSource={"DatasetArn": arn})["DatasetArn"]
    for kw in ({}, {"HasErrors": True}, {"Labeled": False}, {"ContainsLabels": ["cat"]}):
        assert entries(rekognition, copy, **kw) == entries(rekognition, arn, **kw), kw
    assert rekognition.describe_dataset(DatasetArn=copy)["DatasetDescription"][
        "DatasetStats"] == desc["DatasetStats"]


def test_entries_paging(rekognition: Any, train_dataset: str) -> None:
    first = rekognition.list_dataset_entries(DatasetArn=train_dataset, MaxResults=4,
                                             NextToken="")
    assert len(first["DatasetEntries"]) == 4
    rest = rekognition.list_dataset_entries(DatasetArn=train_dataset, MaxResults=100,
                                            NextToken=first["NextToken"])
    assert len(rest["DatasetEntries"]) == 6 and "NextToken" not in rest
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.list_dataset_entries(DatasetArn=train_dataset, NextToken=first["NextToken"],
                                         Labeled=True)


def test_list_labels(rekognition: Any, s3: Any, project_arn: str, bucket: str) -> None:
    lines = [classification_line(f"s3://{bucket}/{i}.png", "camellia" if i else "leaves")
             for i in range(3)]
    lines.append(detection_line(f"s3://{bucket}/box.png", (100, 100),
                                [("leaves", 1, 1, 20, 20), ("leaves", 30, 30, 20, 20)]))
    s3.put_object(Bucket=bucket, Key="l.manifest", Body=manifest(lines))
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": bucket,
                                                            "Name": "l.manifest"}}},
    )["DatasetArn"]
    labels = rekognition.list_dataset_labels(DatasetArn=arn)["DatasetLabelDescriptions"]
    assert labels == [
        {"LabelName": "camellia", "LabelStats": {"EntryCount": 2}},
        {"LabelName": "leaves", "LabelStats": {"EntryCount": 2, "BoundingBoxCount": 1}},
    ]
    page = rekognition.list_dataset_labels(DatasetArn=arn, MaxResults=1)
    assert len(page["DatasetLabelDescriptions"]) == 1 and page["NextToken"]
    pages = rekognition.get_paginator("list_dataset_labels").paginate(
        DatasetArn=arn, PaginationConfig={"PageSize": 1})
    assert [d["LabelName"] for p in pages for d in p["DatasetLabelDescriptions"]] == [
        "camellia", "leaves"]


def test_update_adds_and_replaces(rekognition: Any, train_dataset: str, bucket: str) -> None:
    changes = manifest([
        classification_line(f"s3://{bucket}/images/sunrise-0.png", "sunset"),  # replace
        classification_line(f"s3://{bucket}/images/new.png", "dusk"),  # add
    ])
    rekognition.update_dataset_entries(DatasetArn=train_dataset,
                                       Changes={"GroundTruth": changes})
    desc = rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"]
    assert desc["Status"] == "UPDATE_COMPLETE"
    assert desc["StatusMessage"] == "The dataset was successfully updated."
    assert desc["DatasetStats"]["TotalEntries"] == 11
    assert desc["DatasetStats"]["TotalLabels"] == 3
    first = entries(rekognition, train_dataset)[0]
    assert first["source-ref"].endswith("sunrise-0.png")  # keeps its place
    assert first["sunset-label-metadata"]["class-name"] == "sunset"
    assert "sunrise-label" not in first


def test_failed_update_keeps_entries(rekognition: Any, train_dataset: str) -> None:
    bad = manifest([classification_line("s3://somewhere-else/x.png", "x")])
    rekognition.update_dataset_entries(DatasetArn=train_dataset, Changes={"GroundTruth": bad})
    desc = rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"]
    assert (desc["Status"], desc["StatusMessageCode"]) == ("UPDATE_FAILED", "CLIENT_ERROR")
    assert desc["StatusMessage"] == "The manifest file contains images from multiple S3 buckets."
    assert desc["DatasetStats"]["TotalEntries"] == 10
    # An update after a failed update is allowed.
    rekognition.update_dataset_entries(
        DatasetArn=train_dataset,
        Changes={"GroundTruth": manifest([classification_line(
            "s3://rekomock-test-bucket/images/extra.png", "sunset")])})
    desc = rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"]
    assert desc["Status"] == "UPDATE_COMPLETE" and desc["DatasetStats"]["TotalEntries"] == 11


def test_busy_dataset_refuses_changes(rekognition: Any, train_dataset: str) -> None:
    state_manager.set_transition(DATASET_UPDATING, {"progression": "manual", "times": 99})
    change = {"GroundTruth": manifest([classification_line(
        "s3://rekomock-test-bucket/images/more.png", "sunset")])}
    rekognition.update_dataset_entries(DatasetArn=train_dataset, Changes=change)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.update_dataset_entries(DatasetArn=train_dataset, Changes=change)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_dataset(DatasetArn=train_dataset)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.list_dataset_entries(DatasetArn=train_dataset)
    assert rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"][
        "Status"] == "UPDATE_IN_PROGRESS"


def test_creation_in_progress_with_manual_progression(rekognition: Any, project_arn: str) -> None:
    state_manager.set_transition(DATASET_CREATING, {"progression": "manual", "times": 2})
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")["DatasetArn"]
    statuses = [rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]["Status"]
                for _ in range(2)]
    assert statuses == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_distribute(rekognition: Any, project_arn: str, train_dataset: str) -> None:
    test = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")["DatasetArn"]
    rekognition.distribute_dataset_entries(Datasets=[{"Arn": train_dataset}, {"Arn": test}])
    train_desc = rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"]
    test_desc = rekognition.describe_dataset(DatasetArn=test)["DatasetDescription"]
    assert train_desc["Status"] == test_desc["Status"] == "UPDATE_COMPLETE"
    assert train_desc["DatasetStats"]["TotalEntries"] == 8
    assert test_desc["DatasetStats"]["TotalEntries"] == 2
    assert test_desc["DatasetStats"]["TotalLabels"] == 2  # one image of each label
    moved = {e["source-ref"] for e in entries(rekognition, test)}
    kept = {e["source-ref"] for e in entries(rekognition, train_dataset)}
    assert not moved & kept
    # The test dataset is no longer empty: a second distribution is refused.
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.distribute_dataset_entries(Datasets=[{"Arn": train_dataset},
                                                         {"Arn": test}])


def test_distribute_needs_enough_images(rekognition: Any, s3: Any, project_arn: str,
                                        bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="few.manifest", Body=manifest([
        classification_line(f"s3://{bucket}/a.png", "a"),
        classification_line(f"s3://{bucket}/b.png", "b")]))
    train = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": bucket,
                                                            "Name": "few.manifest"}}},
    )["DatasetArn"]
    test = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")["DatasetArn"]
    rekognition.distribute_dataset_entries(Datasets=[{"Arn": test}, {"Arn": train}])
    desc = rekognition.describe_dataset(DatasetArn=train)["DatasetDescription"]
    assert desc["Status"] == "UPDATE_FAILED"
    assert desc["StatusMessage"] == (
        "The manifest file doesn't have enough labeled images to distribute the dataset.")
    assert desc["DatasetStats"]["TotalEntries"] == 2


def test_distribute_refusals(rekognition: Any, project_arn: str, train_dataset: str) -> None:
    other = rekognition.create_project(ProjectName="other")["ProjectArn"]
    foreign_test = rekognition.create_dataset(ProjectArn=other, DatasetType="TEST")["DatasetArn"]
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.distribute_dataset_entries(Datasets=[{"Arn": train_dataset},
                                                         {"Arn": foreign_test}])
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.distribute_dataset_entries(Datasets=[{"Arn": train_dataset},
                                                         {"Arn": train_dataset}])


def test_copy_from_another_dataset(rekognition: Any, train_dataset: str) -> None:
    other = rekognition.create_project(ProjectName="other")["ProjectArn"]
    arn = rekognition.create_dataset(ProjectArn=other, DatasetType="TRAIN",
                                     DatasetSource={"DatasetArn": train_dataset})["DatasetArn"]
    assert entries(rekognition, arn) == entries(rekognition, train_dataset)
    assert rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"]["DatasetStats"][
        "TotalEntries"] == 10


def test_a_copy_counts_the_same_boxes(rekognition: Any, s3: Any, project_arn: str,
                                      bucket: str) -> None:
    lines = [json.dumps(detection_line(f"s3://{bucket}/{i}.png", (100, 100),
                                       [("cat", 0, 0, 10, 10), ("dog", 20, 20, 10, 10)]))
             for i in range(3)]
    arn = _import(rekognition, s3, project_arn, lines)["DatasetArn"]
    labels = rekognition.list_dataset_labels(DatasetArn=arn)["DatasetLabelDescriptions"]
    assert [d["LabelStats"] for d in labels] == [{"EntryCount": 3, "BoundingBoxCount": 3}] * 2
    copy = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST",
                                      DatasetSource={"DatasetArn": arn})["DatasetArn"]
    assert rekognition.list_dataset_labels(DatasetArn=copy)["DatasetLabelDescriptions"] == labels


def test_delete_dataset(rekognition: Any, project_arn: str, train_dataset: str) -> None:
    rekognition.tag_resource(ResourceArn=train_dataset, Tags={"k": "v"})
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_project(ProjectArn=project_arn)  # docs/decisions.md, *Projects*
    answer = rekognition.delete_dataset(DatasetArn=train_dataset)
    assert set(answer) == {"ResponseMetadata"}  # DeleteDataset's output has no member
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException) as err:
        rekognition.describe_dataset(DatasetArn=train_dataset)
    # AWS's delete-dataset program loops until it sees exactly this code.
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=train_dataset)
    assert rekognition.describe_projects()["ProjectDescriptions"][0]["Datasets"] == []
    assert rekognition.delete_project(ProjectArn=project_arn)["Status"] == "DELETING"


def test_dataset_tags(rekognition: Any, project_arn: str) -> None:
    arn = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST",
                                     Tags={"a": "b"})["DatasetArn"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "b"}


def test_journey_manifest_list_update_distribute_train(rekognition: Any, s3: Any,
                                                       project_arn: str, train_dataset: str,
                                                       classification: dict[str, Any]) -> None:
    assert len(entries(rekognition, train_dataset)) == 10
    extra = [f"s3://rekomock-test-bucket/images/extra-{i}.png" for i in range(2)]
    from rekomock.testing import make_png

    for i, uri in enumerate(extra):
        s3.put_object(Bucket=BUCKET, Key=uri.split("/", 3)[3],
                      Body=make_png(64, 64, (250, i, 250)))
    rekognition.update_dataset_entries(DatasetArn=train_dataset, Changes={
        "GroundTruth": manifest(classification_line(u, "sunset") for u in extra)})
    test = rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST")["DatasetArn"]
    rekognition.distribute_dataset_entries(Datasets=[{"Arn": train_dataset}, {"Arn": test}])
    # Manifests are refused once the project has datasets.
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_project_version(
            ProjectArn=project_arn, VersionName="m", OutputConfig=classification["OutputConfig"],
            TrainingData=classification["TrainingData"], TestingData=classification["TestingData"])
    rekognition.create_project_version(ProjectArn=project_arn, VersionName="v1",
                                       OutputConfig=classification["OutputConfig"])
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=project_arn, VersionNames=["v1"])
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["EvaluationResult"]["F1Score"] == 1.0
    assert desc["TrainingDataResult"]["Input"] == {}
    assert desc["TestingDataResult"]["Input"] == {"AutoCreate": False}
    summary = json.loads(s3.get_object(
        Bucket=BUCKET,
        Key=desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])["Body"].read())
    details = summary["EvaluationDetails"]
    assert details["NumberOfTrainingImages"] + details["NumberOfTestingImages"] == 12
    # Training leaves the datasets as they were.
    assert rekognition.describe_dataset(DatasetArn=train_dataset)["DatasetDescription"][
        "DatasetStats"]["TotalEntries"] == details["NumberOfTrainingImages"]


def test_training_from_datasets_needs_both(rekognition: Any, project_arn: str,
                                           train_dataset: str,
                                           classification: dict[str, Any]) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.create_project_version(ProjectArn=project_arn, VersionName="v1",
                                           OutputConfig=classification["OutputConfig"])
    assert rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] == []


@pytest.mark.parametrize("images_bucket", ["west-bucket", "no-such-bucket"])
def test_images_in_another_region_are_missing_images(
    rekognition: Any, s3: Any, project_arn: str, west_bucket: str, images_bucket: str,
) -> None:
    from rekomock.testing import make_png

    lines = []
    for i, label in enumerate(["cat", "dog"] * 3):
        s3.put_object(Bucket=west_bucket, Key=f"{i}.png", Body=make_png(64, 64, (i, 9, 9)))
        lines.append(classification_line(f"s3://{images_bucket}/{i}.png", label))
    for dataset_type in ("TRAIN", "TEST"):
        arn = rekognition.create_dataset(ProjectArn=project_arn,
                                         DatasetType=dataset_type)["DatasetArn"]
        rekognition.update_dataset_entries(DatasetArn=arn,
                                           Changes={"GroundTruth": manifest(lines)})
    s3.create_bucket(Bucket="out")
    rekognition.create_project_version(ProjectArn=project_arn, VersionName="v1",
                                       OutputConfig={"S3Bucket": "out"})
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_FAILED"
    assert desc["StatusMessage"] == "The manifest file contains too many invalid rows."
