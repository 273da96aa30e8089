"""O(page): a page from 10,000 versions or 100,000 dataset entries costs what the same page
from 100 costs (moto's own S3 listing, the reference, is in ``test_scale_moto_s3``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from rekomock import mock_rekognition_custom
from rekomock.testing import classification_line, manifest, put_classification_dataset

from conftest import LABELS, MANY_ENTRIES, MANY_VERSIONS, PAGE, asset


def _page_token(call: Any, pages: int, **kwargs: Any) -> str:
    """The NextToken that starts page number ``pages`` (0-based) of a listing."""
    token = ""
    for _ in range(pages):
        token = call(MaxResults=PAGE, **({"NextToken": token} if token else {}), **kwargs)[
            "NextToken"]
    return token


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    with mock_rekognition_custom() as rk:
        rk.set_quotas(versions_per_project=max(rk.quotas.versions_per_project, MANY_VERSIONS))
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        key, _ = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        rek = boto3.client("rekognition", region_name="us-east-1")
        projects = {}
        for count in (PAGE, MANY_VERSIONS):
            arn = rek.create_project(ProjectName=f"versions-{count}")["ProjectArn"]
            for i in range(count):
                rek.create_project_version(
                    ProjectArn=arn, VersionName=f"v{i}", OutputConfig={"S3Bucket": "bench"},
                    TrainingData=asset(key), TestingData=asset(key))
            projects[count] = arn
        datasets = {}
        for count in (PAGE, 3 * PAGE, 1_000, MANY_ENTRIES):
            lines = (classification_line(f"s3://bench/images/img-{i:06d}.png",
                                         LABELS[i % 3]) for i in range(count))
            s3.put_object(Bucket="bench", Key=f"entries-{count}.manifest",
                          Body=manifest(lines))
            project = rek.create_project(ProjectName=f"entries-{count}")["ProjectArn"]
            datasets[count] = rek.create_dataset(
                ProjectArn=project, DatasetType="TRAIN", DatasetSource={
                    "GroundTruthManifest": {"S3Object": {
                        "Bucket": "bench", "Name": f"entries-{count}.manifest"}}})[
                "DatasetArn"]
        yield {"rek": rek, "projects": projects, "datasets": datasets}


#: listing -> (operation, result member, parent parameter, where the ARNs are, large size)
LISTINGS = {
    "versions": ("describe_project_versions", "ProjectVersionDescriptions", "ProjectArn",
                 "projects", MANY_VERSIONS),
    "entries": ("list_dataset_entries", "DatasetEntries", "DatasetArn", "datasets",
                MANY_ENTRIES),
}
FILTER = {"ContainsLabels": ["b"], "Labeled": True, "SourceRefContains": "img-"}


@pytest.mark.parametrize("listing, page, size", [
    ("versions", "first", "100"), ("versions", "first", "many"), ("versions", "middle", "many"),
    ("entries", "first", "100"), ("entries", "first", "many"), ("entries", "middle", "many"),
    # A page of 100 matches (label "b", one entry in three): from 300 entries or from many.
    ("entries", "filtered", "100"), ("entries", "filtered", "many"),
])
def test_page_of_100(bench: Any, world: dict[str, Any], listing: str, page: str,
                     size: str) -> None:
    operation, member, parent, where, many = LISTINGS[listing]
    call = getattr(world["rek"], operation)
    small = 3 * PAGE if page == "filtered" else PAGE
    params: dict[str, Any] = {parent: world[where][small if size == "100" else many],
                              "MaxResults": PAGE}
    if page == "middle":
        params["NextToken"] = _page_token(call, many // PAGE // 2,
                                          **{parent: params[parent]})
    if page == "filtered":
        params.update(FILTER)
    out = bench(f"rk.{listing}.{page}.{size}", lambda: call(**params))
    assert len(out[member]) == PAGE


@pytest.mark.parametrize("size", [1_000, MANY_ENTRIES])
def test_a_selective_source_ref_filter(bench: Any, world: dict[str, Any], size: int) -> None:
    """``SourceRefContains`` matching one entry: no index answers a substring, so the page
    scans the entries from its start (O(entries), not O(page))."""
    out = bench(f"rk.entries.selective_ref.{'many' if size == MANY_ENTRIES else size}",
                lambda: world["rek"].list_dataset_entries(
                    DatasetArn=world["datasets"][size], SourceRefContains="img-000500.",
                    MaxResults=PAGE))
    assert len(out["DatasetEntries"]) == 1
