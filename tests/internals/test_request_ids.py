"""Every answer carries a unique request id, as AWS's do: SDKs read it as
``ResponseMetadata.RequestId`` (the JS SDK as ``$metadata.requestId``) on successes and errors,
whichever way the call reaches the mock."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from rekomock import mock_rekognition_custom
from rekomock._wire import fastpath

NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _ids_of_every_kind_of_answer(rek: Any, rk: Any) -> list[str]:
    """A success, an AWS error, a validation error and an injected failure."""
    ids = [rek.create_project(ProjectName="ids")["ResponseMetadata"]["RequestId"]]
    failing = [
        lambda: rek.create_project(ProjectName="ids"),           # ResourceInUseException
        lambda: rek.describe_projects(MaxResults=1000),          # ValidationException
        lambda: rk.inject_error("DescribeProjects", "InternalServerError")
        or rek.describe_projects(),
    ]
    for call in failing:
        with pytest.raises(ClientError) as err:
            call()
        ids.append(err.value.response["ResponseMetadata"]["RequestId"])
    return ids


def _assert_unique_uuids(ids: list[str]) -> None:
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        assert str(uuid.UUID(request_id)) == request_id
        assert uuid.UUID(request_id).version == 4


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "moto-routing"])
def test_every_in_process_answer_has_a_request_id(monkeypatch: pytest.MonkeyPatch,
                                                  fast: bool) -> None:
    monkeypatch.setattr(fastpath, "enabled", fast)
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name="us-east-1", config=NO_RETRY)
        ids = _ids_of_every_kind_of_answer(rek, rk)
        assert [c.request_id for c in rk.calls] == ids
    _assert_unique_uuids(ids)


def test_serialization_and_unknown_operation_errors_have_a_request_id() -> None:
    with mock_rekognition_custom():
        rek = boto3.client("rekognition", region_name="us-east-1", config=NO_RETRY)
        answers: list[dict[str, Any]] = []

        def send(target: str, body: bytes) -> Any:
            def replace(request: Any, **_: Any) -> None:
                request.headers["X-Amz-Target"] = target
                request.data = body

            rek.meta.events.register_first("before-sign.rekognition.DescribeProjects",
                                           replace)
            try:
                with pytest.raises(ClientError) as err:
                    rek.describe_projects()
            finally:
                rek.meta.events.unregister("before-sign.rekognition.DescribeProjects",
                                           replace)
            answers.append(err.value.response)

        send("RekognitionService.DescribeProjects", b"{not json")
        send("RekognitionService.NoSuchOperation", b"{}")
    codes = [a["Error"]["Code"] for a in answers]
    assert codes == ["SerializationException", "UnknownOperationException"]
    _assert_unique_uuids([a["ResponseMetadata"]["RequestId"] for a in answers])


def test_request_ids_follow_moto_seed() -> None:
    """``POST /moto-api/seed`` (here ``mock_random.seed``) makes the ids repeatable."""
    from moto.moto_api._internal import mock_random

    runs = []
    for _ in range(2):
        with mock_rekognition_custom():
            rek = boto3.client("rekognition", region_name="us-east-1")
            mock_random.seed(7)
            runs.append([rek.describe_projects()["ResponseMetadata"]["RequestId"]
                         for _ in range(2)])
    assert runs[0] == runs[1] and runs[0][0] != runs[0][1]


def test_every_answer_over_http_has_a_request_id(server: Any) -> None:
    rek = server.client("rekognition", config=NO_RETRY)
    ids = [rek.create_project(ProjectName="ids")["ResponseMetadata"]["RequestId"]]
    inject = {"operation": "DescribeProjects", "code": "ThrottlingException"}
    for call in (lambda: rek.create_project(ProjectName="ids"),
                 lambda: rek.describe_projects(MaxResults=1000),
                 lambda: server.control("inject-error", inject) and rek.describe_projects()):
        with pytest.raises(ClientError) as err:
            call()
        ids.append(err.value.response["ResponseMetadata"]["RequestId"])
    # A client of another SDK: the raw header on the wire.
    status, headers, _ = server.request(
        "POST", "/", json.dumps({}).encode(),
        {"X-Amz-Target": "RekognitionService.NoSuchOperation",
         "Content-Type": "application/x-amz-json-1.1",
         "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/"
                          "rekognition/aws4_request, SignedHeaders=host, Signature=0"})
    assert status == 400
    ids.append({k.lower(): v for k, v in headers.items()}["x-amzn-requestid"])
    _assert_unique_uuids(ids)
    _, calls = server.control("calls")
    assert [c["request_id"] for c in calls] == ids[:4]
