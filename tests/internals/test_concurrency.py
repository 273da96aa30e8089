"""Eight threads against one mock, in-process and against the server: no lost or duplicated
resources, no undocumented error."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from server_process import ServerProcess

from rekomock import mock_rekognition_custom
from rekomock._service.steering import steering
from rekomock.testing import manifest_asset, put_classification_dataset

THREADS = 8
ROUNDS = 25


def test_threads_racing_in_process() -> None:
    with mock_rekognition_custom():
        _race(lambda service: boto3.session.Session().client(service,
                                                              region_name="us-east-1"))


def test_threads_racing_against_the_server(server: ServerProcess) -> None:
    _race(server.client)


def test_a_crashing_worker_fails_the_race() -> None:
    """The harness itself: an error in any worker (here in its describe calls) is a failure."""

    def crash(**_: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("injected crash")

    def make_client(service: str) -> Any:
        client = boto3.session.Session().client(service, region_name="us-east-1")
        client.meta.events.register("before-call.rekognition.DescribeProjects", crash)
        return client

    with mock_rekognition_custom(), pytest.raises(AssertionError, match="injected crash"):
        _race(make_client)


def _in_threads(work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(n)`` in THREADS threads; every exception any of them raised."""
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as err:  # a thread's death is a failure, not a warning
            errors.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _race(make_client: Callable[[str], Any]) -> None:
    """8 threads x 25 rounds of creates on a shared name pool, tags, starts and stops."""
    s3 = make_client("s3")
    s3.create_bucket(Bucket="race-bucket")
    key, _ = put_classification_dataset(s3, "race-bucket", {"a": 2, "b": 2})
    asset = manifest_asset("race-bucket", key)
    shared = make_client("rekognition")
    project = shared.create_project(ProjectName="shared")["ProjectArn"]

    created_projects: Counter[str] = Counter()
    created_versions: Counter[str] = Counter()
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS, timeout=120)

    def worker(n: int) -> None:
        client = make_client("rekognition")
        rnd = random.Random(n)
        start.wait()
        for i in range(ROUNDS):
            try:
                name = f"p{rnd.randrange(40)}"  # shared pool: many collisions
                client.create_project(ProjectName=name)
                with lock:
                    created_projects[name] += 1
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceInUseException":
                    unexpected.append(err)
            try:
                version = f"v{rnd.randrange(20)}"
                arn = client.create_project_version(
                    ProjectArn=project, VersionName=version,
                    OutputConfig={"S3Bucket": "race-bucket"},
                    TrainingData=asset, TestingData=asset)["ProjectVersionArn"]
                with lock:
                    created_versions[version] += 1
                client.tag_resource(ResourceArn=arn, Tags={"thread": str(n)})
                if i % 3 == 0:
                    client.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
                    client.stop_project_version(ProjectVersionArn=arn)
            except ClientError as err:
                if err.response["Error"]["Code"] not in ("ResourceInUseException",
                                                         "ResourceNotFoundException"):
                    unexpected.append(err)
            client.describe_projects(MaxResults=5)
            client.describe_project_versions(ProjectArn=project, MaxResults=3)

    unexpected.extend(_in_threads(worker))
    assert not unexpected, unexpected
    assert all(count == 1 for count in created_projects.values())
    assert all(count == 1 for count in created_versions.values())
    names = {d["ProjectArn"].split("/")[1] for page in
             shared.get_paginator("describe_projects").paginate()
             for d in page["ProjectDescriptions"]}
    assert names == {"shared", *created_projects}
    versions = [d["ProjectVersionArn"].split("/")[3] for page in
                shared.get_paginator("describe_project_versions").paginate(
                    ProjectArn=project)
                for d in page["ProjectVersionDescriptions"]]
    assert sorted(versions) == sorted(created_versions)
    statuses = {d["Status"] for d in shared.describe_project_versions(
        ProjectArn=project)["ProjectVersionDescriptions"]}
    assert statuses <= {"TRAINING_COMPLETED", "STOPPED"}


class _SlowToTake(list):  # type: ignore[type-arg]
    def __delitem__(self, index: Any) -> None:
        time.sleep(0.02)
        super().__delitem__(index)


def test_two_accounts_training_at_once_share_the_queued_failures() -> None:
    """Queued ``fail_training`` settings are shared by every account: two accounts training
    at once on the threaded server take each setting exactly once, none twice, none lost."""
    from rekomock.server import RekomockServer

    per_account, queued = 12, 10
    with RekomockServer() as running:
        def client(service: str, **creds: Any) -> Any:
            keys = creds or {"aws_access_key_id": "testing",
                             "aws_secret_access_key": "testing"}
            return boto3.session.Session().client(service, region_name="us-east-1",
                                                  endpoint_url=running.endpoint_url, **keys)

        role = client("sts").assume_role(RoleArn="arn:aws:iam::111111111111:role/trainer",
                                         RoleSessionName="ci")["Credentials"]
        accounts = [{}, {"aws_access_key_id": role["AccessKeyId"],
                         "aws_secret_access_key": role["SecretAccessKey"],
                         "aws_session_token": role["SessionToken"]}]
        worlds = []
        for n, creds in enumerate(accounts):
            s3 = client("s3", **creds)
            s3.create_bucket(Bucket=f"queue-bucket-{n}")
            key, _ = put_classification_dataset(s3, f"queue-bucket-{n}", {"a": 2, "b": 2})
            rek = client("rekognition", **creds)
            project = rek.create_project(ProjectName="queued")["ProjectArn"]
            worlds.append((rek, project, f"queue-bucket-{n}", key))
        for i in range(queued):
            answer = requests.post(running.endpoint_url + "/moto-api/rekomock/fail-training",
                                   json={"message": f"failure {i}"}, timeout=30)
            assert answer.status_code == 200
        # Widen the window between finding a setting and taking it, so that without one
        # lock over the queues both accounts would take the same one.
        state = steering()
        state.training_failures = _SlowToTake(state.training_failures)
        start = threading.Barrier(len(worlds), timeout=120)
        errors: list[BaseException] = []

        def train(world: tuple[Any, str, str, str]) -> None:
            rek, project, bucket, key = world
            asset = manifest_asset(bucket, key)
            try:
                start.wait()
                for v in range(per_account):
                    rek.create_project_version(
                        ProjectArn=project, VersionName=f"v{v}",
                        OutputConfig={"S3Bucket": bucket}, TrainingData=asset,
                        TestingData=asset)
            except BaseException as err:  # a thread's death is a failure
                errors.append(err)

        threads = [threading.Thread(target=train, args=(w,)) for w in worlds]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        messages: list[str] = []
        for rek, project, _, _ in worlds:
            for page in rek.get_paginator("describe_project_versions").paginate(
                    ProjectArn=project):
                for desc in page["ProjectVersionDescriptions"]:
                    assert desc["Status"] in ("TRAINING_COMPLETED", "TRAINING_FAILED"), desc
                    if desc["Status"] == "TRAINING_FAILED":
                        messages.append(desc["StatusMessage"])
        assert sorted(messages) == sorted(f"failure {i}" for i in range(queued))
