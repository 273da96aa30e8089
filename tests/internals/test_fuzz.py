"""Property-based robustness: every request drawn from the botocore input shapes (valid or
breaking a constraint) gets a success that fits the output shape or a documented AWS error,
never a traceback; a refused call changes no state. ``HYPOTHESIS_PROFILE=long`` runs the
long profile (docs/development/robustness.md)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from snapshot import state
from strategies import FUZZ_BUCKET, allowed_errors, deeply_nested, populate, raw_json, request

from rekomock import mock_rekognition_custom
from rekomock._domain.operations import OPERATIONS as IMPLEMENTED
from rekomock._domain.shapes import check_body
from rekomock._wire.routing import RekognitionRouter
from rekomock.testing import classification_line, make_png, manifest, strict_client

OPERATIONS = sorted(IMPLEMENTED)
BUCKET = FUZZ_BUCKET


def _xform(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


@pytest.fixture
def world() -> Iterator[tuple[Any, dict[str, list[str]]]]:
    """An active mock holding a little of everything, and the live names the strategies use."""
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        client = strict_client(boto3.client("rekognition", region_name="us-east-1",
                                           config=Config(parameter_validation=False)))
        known = populate(s3, client)
        yield client, known


@pytest.mark.parametrize("operation", OPERATIONS)
def test_requests_from_the_model(world: tuple[Any, dict[str, list[str]]],
                                 operation: str) -> None:
    client, known = world
    allowed = allowed_errors(operation)
    method = getattr(client, _xform(operation))

    @given(body=request(operation, known))
    def check(body: dict[str, Any]) -> None:
        before = state()
        try:
            method(**body)
        except ClientError as err:
            code = err.response["Error"]["Code"]
            assert code in allowed, f"{operation} answered {code}: {err}"
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] < 500
            assert state() == before, f"refused {operation} changed state"

    check()


class _Request:
    """The little a handler reads of a request."""

    def __init__(self, target: str, body: bytes) -> None:
        self.headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
        self.body = body
        self.method = "POST"


def _dispatch(target: str, body: bytes) -> tuple[int, dict[str, str], str]:
    status, headers, text = RekognitionRouter.dispatch(
        _Request(target, body), "https://rekognition.us-east-1.amazonaws.com/", {})
    return int(status), headers, text


@pytest.mark.parametrize("operation", OPERATIONS)
def test_raw_bodies_on_the_wire(world: tuple[Any, dict[str, list[str]]],
                                operation: str) -> None:
    allowed = allowed_errors(operation) | {"SerializationException"}

    @given(payload=st.one_of(raw_json().map(lambda v: json.dumps(v).encode()),
                             st.binary(max_size=40), deeply_nested()))
    def check(payload: bytes) -> None:
        before = state()
        status, _, text = _dispatch(f"RekognitionService.{operation}", payload)
        assert status < 500
        if status >= 300:
            error = json.loads(text)
            assert error["__type"] in allowed, error
            assert state() == before
        else:
            check_body(operation, status, text.encode())

    check()


def test_unknown_targets_and_huge_bodies(world: Any) -> None:
    status, _, text = _dispatch("RekognitionService.CallAction", b"{}")
    assert (status, json.loads(text)["__type"]) == (400, "UnknownOperationException")
    status, _, text = _dispatch("RekognitionService.SetupClass", b"{}")
    assert json.loads(text)["__type"] == "UnknownOperationException"
    huge = json.dumps({"ProjectName": "p" * 5_000_000}).encode()
    status, _, text = _dispatch("RekognitionService.CreateProject", huge)
    assert (status, json.loads(text)["__type"]) == (400, "ValidationException")
    big_image = base64.b64encode(make_png() + b"\0" * (6 * 1024 * 1024)).decode()
    body = json.dumps({"ProjectVersionArn": world[1]["ProjectVersionArn"][0],
                       "Image": {"Bytes": big_image}}).encode()
    status, _, text = _dispatch("RekognitionService.DetectCustomLabels", body)
    assert (status, json.loads(text)["__type"]) == (400, "ValidationException")
    status, _, text = _dispatch("RekognitionService.DescribeProjects", b"\xff\xfe not utf-8")
    assert (status, json.loads(text)["__type"]) == (400, "SerializationException")
    status, _, text = _dispatch("RekognitionService.DescribeProjects", b"[]")
    assert json.loads(text)["__type"] == "SerializationException"


@pytest.mark.parametrize("body", [
    b"[" * 1_000,
    b"[" * 100_000 + b"]" * 100_000,
    b'{"ProjectName": ' + b'{"a":' * 5_000 + b"1" + b"}" * 5_000 + b"}",
], ids=["1000-unclosed", "100000-closed", "5000-objects-in-a-member"])
def test_deeply_nested_json_is_a_serialization_error(world: Any, body: bytes) -> None:
    before = state()
    status, _, text = _dispatch("RekognitionService.CreateProject", body)
    assert (status, json.loads(text)["__type"]) == (400, "SerializationException")
    assert state() == before


def test_control_routes_refuse_deeply_nested_json(world: Any) -> None:
    answer = requests.post("http://motoapi.amazonaws.com/moto-api/rekomock/set-evaluation",
                           data=b"[" * 1_000, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["Error"] == "the body is not JSON"


def test_update_with_a_bad_manifest_blob_is_not_a_crash(world: Any) -> None:
    client, known = world
    body = manifest([classification_line(f"s3://{BUCKET}/x.png", "a")]) + b"\xff\xfe\n"
    client.update_dataset_entries(DatasetArn=known["DatasetArn"][0],
                                  Changes={"GroundTruth": body})
    desc = client.describe_dataset(DatasetArn=known["DatasetArn"][0])["DatasetDescription"]
    # bytes that are not UTF-8 make the whole file unreadable, as for CreateDataset's manifest
    assert (desc["Status"], desc["StatusMessage"]) == (
        "UPDATE_FAILED", "The manifest file extension or contents are invalid.")
    client.update_dataset_entries(DatasetArn=known["DatasetArn"][0],
                                  Changes={"GroundTruth": make_png()})
    desc = client.describe_dataset(DatasetArn=known["DatasetArn"][0])["DatasetDescription"]
    assert desc["Status"] == "UPDATE_FAILED"
