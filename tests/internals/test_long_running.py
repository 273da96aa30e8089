"""A mock left running for days: retraining the same versions must not grow it, and a reset
gives back what rekomock holds. Memory is measured with tracemalloc *including* moto's S3
bookkeeping (its instance tracker keeps every object ever created until moto's reset)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto.s3.models import FakeAcl, FakeGrant, FakeGrantee, FakeKey

from rekomock import mock_rekognition_custom
from rekomock.testing import manifest_asset, put_classification_dataset

BUCKET = "long-running"
#: Growth allowed per 1,000 cycles: generous (about 0.25 MiB measured; 23 MiB before
#: overwritten outputs were released).
MAX_GROWTH_PER_1000 = 2 * 1024 * 1024
TRACKED = (FakeKey, FakeAcl, FakeGrant, FakeGrantee)


def _cycles(rek: Any, s3: Any) -> Callable[[], None]:
    """One create -> train -> start -> detect -> stop -> delete cycle, always the same names,
    so each training overwrites the previous one's output objects."""
    key, images = put_classification_dataset(s3, BUCKET, {"cat": 2, "dog": 2})
    bucket, name = images[0][0][5:].split("/", 1)

    def cycle() -> None:
        project = rek.create_project(ProjectName="soak")["ProjectArn"]
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1",
            OutputConfig={"S3Bucket": BUCKET, "S3KeyPrefix": "out"},
            TrainingData=manifest_asset(BUCKET, key),
            TestingData=manifest_asset(BUCKET, key))["ProjectVersionArn"]
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
        rek.detect_custom_labels(ProjectVersionArn=version,
                                 Image={"S3Object": {"Bucket": bucket, "Name": name}})
        rek.stop_project_version(ProjectVersionArn=version)
        rek.delete_project_version(ProjectVersionArn=version)
        rek.delete_project(ProjectArn=project)

    return cycle


def _tracked() -> list[int]:
    return [len(model.instances_tracked) for model in TRACKED]  # type: ignore[attr-defined]


def test_retraining_the_same_versions_does_not_grow() -> None:
    warm_up, measured = 60, 180
    tracemalloc.start()
    try:
        with mock_rekognition_custom() as rk:
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket=BUCKET)
            rek = boto3.client("rekognition", region_name="us-east-1")
            cycle = _cycles(rek, s3)
            for _ in range(warm_up):  # warms the caches
                cycle()
            rk.clear_calls()  # the record of calls is bounded (the latest 1,000)
            gc.collect()
            before, tracked = tracemalloc.get_traced_memory()[0], _tracked()
            for _ in range(measured):
                cycle()
            rk.clear_calls()
            gc.collect()
            growth = tracemalloc.get_traced_memory()[0] - before
            assert _tracked() == tracked  # moto's tracker holds no replaced object
    finally:
        tracemalloc.stop()
    per_1000 = growth / measured * 1000
    assert per_1000 < MAX_GROWTH_PER_1000, f"{per_1000 / 2**20:.2f} MiB per 1,000 cycles"


def test_an_overwritten_output_object_is_released(rekognition: Any, s3: Any, bucket: str,
                                                  classification_manifest: str) -> None:
    project = rekognition.create_project(ProjectName="overwrite")["ProjectArn"]

    def train() -> dict[str, Any]:
        rekognition.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": bucket},
            TrainingData=manifest_asset(bucket, classification_manifest),
            TestingData=manifest_asset(bucket, classification_manifest))
        return _outputs(bucket)

    first = train()
    rekognition.delete_project_version(ProjectVersionArn=_only_version(rekognition, project))
    second = train()
    assert set(first) == set(second) and first
    for name, old in first.items():
        assert old.disposed and second[name] is not old
        assert all(old is not k for k in FakeKey.instances_tracked)  # type: ignore[attr-defined]
        assert all(old.acl is not a for a in FakeAcl.instances_tracked)  # type: ignore[attr-defined]
        assert s3.get_object(Bucket=bucket, Key=name)["Body"].read() == second[name].value


def test_a_versioned_bucket_keeps_every_version(rekognition: Any, s3: Any, bucket: str,
                                                classification_manifest: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    project = rekognition.create_project(ProjectName="versioned")["ProjectArn"]
    for _ in range(2):
        rekognition.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": bucket},
            TrainingData=manifest_asset(bucket, classification_manifest),
            TestingData=manifest_asset(bucket, classification_manifest))
        rekognition.delete_project_version(ProjectVersionArn=_only_version(rekognition,
                                                                           project))
    key = next(k for k in _outputs(bucket) if k.startswith("EvaluationResultSummary"))
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    assert len(versions) == 2
    for version in versions:  # the older one is still readable: nothing was released
        s3.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])["Body"].read()


def test_reset_frees_what_rekomock_holds() -> None:
    """Resources never deleted, their meters, tags, steering and the record of calls are all
    freed by ``rk.reset()`` (training outputs stay in S3: they are moto's S3 objects, emptied
    by moto's own reset)."""
    from rekomock._service.backend import rekognition_custom_backends
    from rekomock._service.steering import steering

    with mock_rekognition_custom() as rk:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        rek = boto3.client("rekognition", region_name="us-east-1")
        key, _ = put_classification_dataset(s3, BUCKET, {"cat": 2, "dog": 2})
        for i in range(5):
            project = rek.create_project(ProjectName=f"kept-{i}")["ProjectArn"]
            version = rek.create_project_version(
                ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
                TrainingData=manifest_asset(BUCKET, key),
            TestingData=manifest_asset(BUCKET, key))["ProjectVersionArn"]
            rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
            rek.tag_resource(ResourceArn=project, Tags={"team": "vision"})
            rk.inject_error("DescribeProjects", "ThrottlingException")
        backend = rekognition_custom_backends["123456789012"]["us-east-1"]
        held = [weakref.ref(obj) for obj in (
            steering(), steering().calls,
            *backend.projects_by_arn.values(),
            *(v for p in backend.projects_by_arn.values() for v in p.versions_by_name.values()),
        )]
        assert len(held) == 2 + 5 * 2 and len(backend.meters) == 5
        del project, version
        rk.reset()
        gc.collect()
        assert [ref for ref in held if ref() is not None] == []
        assert backend.meters == {}  # moto's BaseBackend.reset empties a backend in place
        assert list(rk.calls) == [] and rek.describe_projects()["ProjectDescriptions"] == []


# ---------------------------------------------------------------------- helpers


@pytest.fixture
def classification_manifest(s3: Any, bucket: str) -> str:
    key, _ = put_classification_dataset(s3, bucket, {"cat": 2, "dog": 2})
    return key


def _outputs(bucket: str) -> dict[str, Any]:
    """The training outputs in moto's S3, as moto's objects (``FakeKey``)."""
    from moto.s3.models import s3_backends

    found = s3_backends["123456789012"]["aws"].get_bucket(bucket)
    return {name: found.keys[name] for name in list(found.keys)
            if not name.startswith(("images/", "manifests/"))}


def _only_version(rek: Any, project: str) -> str:
    (desc,) = rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"]
    return str(desc["ProjectVersionArn"])
