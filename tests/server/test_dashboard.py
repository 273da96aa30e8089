"""moto's dashboard data (`/moto-api/data.json`) lists rekomock's resources, and
`/moto-api/rekomock/health` answers container health checks."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import requests
from server_process import ServerProcess

from rekomock import mock_rekognition_custom
from rekomock.testing import put_classification_dataset

DATA = "http://motoapi.amazonaws.com/moto-api/data.json"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "rekognition:CopyProjectVersion", "Resource": "*"}]})


def _journey(rek: Any, s3: Any) -> dict[str, str]:
    """A project with a tag, TRAIN and TEST datasets, a trained version and a policy."""
    s3.create_bucket(Bucket="dash-bucket")
    key, _ = put_classification_dataset(s3, "dash-bucket", {"a": 2, "b": 2})
    project = rek.create_project(ProjectName="dash", Tags={"team": "vision"})["ProjectArn"]
    asset = {"GroundTruthManifest": {"S3Object": {"Bucket": "dash-bucket", "Name": key}}}
    dataset = rek.create_dataset(ProjectArn=project, DatasetType="TRAIN",
                                 DatasetSource=asset)["DatasetArn"]
    rek.create_dataset(ProjectArn=project, DatasetType="TEST", DatasetSource=asset)
    version = rek.create_project_version(
        ProjectArn=project, VersionName="v1",
        OutputConfig={"S3Bucket": "dash-bucket"})["ProjectVersionArn"]
    rek.put_project_policy(ProjectArn=project, PolicyName="share", PolicyDocument=POLICY)
    return {"project": project, "dataset": dataset, "version": version}


def _check(data: dict[str, Any], arns: dict[str, str]) -> None:
    assert "s3" in data  # moto's own models are still there
    ours = data["rekognition"]
    (project,) = ours["CustomLabelsProject"]
    assert project["ProjectArn"] == arns["project"]
    assert (project["name"], project["account_id"], project["region_name"]) == (
        "dash", "123456789012", "us-east-1")
    assert project["Status"] == "CREATED"
    assert project["tags"] == {"team": "vision"}
    train, test = ours["CustomLabelsDataset"]
    assert test["DatasetType"] == "TEST"
    dataset = train
    assert dataset["DatasetArn"] == arns["dataset"]
    assert dataset["DatasetType"] == "TRAIN"
    assert dataset["DatasetStats"]["TotalEntries"] == 4
    (version,) = ours["CustomLabelsProjectVersion"]
    assert version["ProjectVersionArn"] == arns["version"]
    assert version["Status"] == "TRAINING_COMPLETED"
    assert 0 <= version["EvaluationResult"]["F1Score"] <= 1
    assert version["project_arn"] == arns["project"]
    (policy,) = ours["CustomLabelsProjectPolicy"]
    assert (policy["PolicyName"], policy["ProjectArn"]) == ("share", arns["project"])
    assert policy["PolicyDocument"] == POLICY


def test_data_json_lists_rekomock_resources_in_process() -> None:
    with mock_rekognition_custom():
        rek = boto3.client("rekognition", region_name="us-east-1")
        arns = _journey(rek, boto3.client("s3", region_name="us-east-1"))
        answer = requests.get(DATA, timeout=10)
        assert answer.status_code == 200
        _check(answer.json(), arns)

        rek.delete_project_policy(ProjectArn=arns["project"], PolicyName="share")
        rek.delete_project_version(ProjectVersionArn=arns["version"])
        after = requests.get(DATA, timeout=10).json()["rekognition"]
        assert after["CustomLabelsProjectPolicy"] == []
        assert after["CustomLabelsProjectVersion"] == []  # deleted ones are left out
        assert len(after["CustomLabelsProject"]) == 1


def test_data_json_is_empty_for_rekomock_after_a_reset() -> None:
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name="us-east-1")
        rek.create_project(ProjectName="gone-soon")
        rk.reset()
        ours = requests.get(DATA, timeout=10).json()["rekognition"]
        assert all(ours[name] == [] for name in ("CustomLabelsProject", "CustomLabelsDataset",
                                                 "CustomLabelsProjectVersion",
                                                 "CustomLabelsProjectPolicy"))


def test_data_json_over_http(server: ServerProcess) -> None:
    arns = _journey(server.client("rekognition"), server.client("s3"))
    status, _, body = server.request("GET", "/moto-api/data.json")
    assert status == 200
    _check(json.loads(body), arns)


def test_health_answers_quickly_over_http(server: ServerProcess) -> None:
    started = time.perf_counter()
    status, headers, body = server.request("GET", "/moto-api/rekomock/health")
    elapsed = time.perf_counter() - started
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert answer["status"] == "running"
    assert answer["service"] == "rekomock"
    assert answer["uptime_seconds"] >= 0
    assert elapsed < 1.0
    assert server.request("POST", "/moto-api/rekomock/health", b"{}")[0] == 405


def test_health_in_process() -> None:
    with mock_rekognition_custom():
        answer = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/health",
                              timeout=5)
        assert answer.status_code == 200 and answer.json()["status"] == "running"
