"""Robustness at the HTTP layer in server mode: raw bodies that are not JSON, not UTF-8, JSON
of the wrong type, unknown targets and huge bodies each get the error AWS gives, as JSON 1.1
with a documented code, never a 500 or an HTML page; a refused call changes nothing and the
server keeps serving. ``HYPOTHESIS_PROFILE`` picks the profile (tests/conftest.py)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from server_process import ServerProcess
from strategies import allowed_errors, deeply_nested, populate, raw_json, request

from rekomock.testing import OPERATIONS as SERVED
from rekomock.testing import check_answer, make_png


def _headers(target: str | None, region: str = "us-east-1") -> dict[str, str]:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261129/"
                         f"{region}/rekognition/aws4_request, SignedHeaders=host, "
                         "Signature=0",
    }
    if target is not None:
        headers["X-Amz-Target"] = target
    return headers


def _call(server: ServerProcess, target: str | None, body: bytes,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return server.request("POST", "/", body, {**_headers(target), **(headers or {})})


def _error(status: int, headers: dict[str, str], text: bytes) -> str:
    assert 400 <= status < 500, (status, text[:300])
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    error = json.loads(text)
    assert set(error) >= {"__type", "Message"}, error
    return str(error["__type"])


def _state(server: ServerProcess) -> Any:
    """The resources and the mock's clock, as the control routes show them."""
    (status, resources), (clock_status, now) = server.control("resources"), server.control("now")
    assert status == clock_status == 200
    return resources, now["OffsetSeconds"]


@pytest.fixture(scope="module")
def world(server_process: ServerProcess) -> tuple[ServerProcess, dict[str, list[str]]]:
    """The server holding a little of everything, and the names the strategies use."""
    server = server_process
    server.reset()
    known = populate(server.client("s3"), server.client("rekognition"))
    return server, known


def _wire(body: dict[str, Any]) -> bytes:
    """A request as an SDK puts it on the wire: blobs travel base64."""
    return json.dumps(body, default=lambda b: base64.b64encode(b).decode()).encode()


@pytest.mark.parametrize("operation", sorted(SERVED))
def test_raw_bodies_over_http(world: tuple[ServerProcess, dict[str, list[str]]],
                              operation: str) -> None:
    server, known = world
    allowed = allowed_errors(operation)

    @given(payload=st.one_of(
        request(operation, known).map(_wire),
        raw_json().map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=60),
        deeply_nested(),
    ))
    def check(payload: bytes) -> None:
        before = _state(server)
        status, headers, text = _call(server, f"RekognitionService.{operation}", payload)
        if status >= 300:
            code = _error(status, headers, text)
            assert code in allowed, (operation, code, text)
            assert _state(server) == before, f"refused {operation} changed state"
        else:
            check_answer(operation, status, text)

    check()


def _assert_still_serving(server: ServerProcess) -> None:
    status, _, text = _call(server, "RekognitionService.DescribeProjects", b"{}")
    assert status == 200 and "ProjectDescriptions" in json.loads(text)


@pytest.mark.parametrize("target, body, code", [
    ("RekognitionService.DescribeProjects", b"this is not json", "SerializationException"),
    ("RekognitionService.DescribeProjects", b"\xff\xfe\xfa not utf-8", "SerializationException"),
    ("RekognitionService.DescribeProjects", b"[1, 2, 3]", "SerializationException"),
    ("RekognitionService.DescribeProjects", b'"a string"', "SerializationException"),
    ("RekognitionService.DescribeProjects", b'{"MaxResults": "ten"}', "SerializationException"),
    ("RekognitionService.CreateProject", b'{"ProjectName": 42}', "SerializationException"),
    ("RekognitionService.CreateProject", b"{}", "ValidationException"),
    ("RekognitionService.CreateProject", b'{"ProjectName": "a b"}', "ValidationException"),
    ("RekognitionService.NoSuchOperation", b"{}", "UnknownOperationException"),
    ("RekognitionService.CallAction", b"{}", "UnknownOperationException"),
    ("RekognitionService.SetupClass", b"{}", "UnknownOperationException"),
    (None, b"{}", "UnknownOperationException"),
])
def test_malformed_requests_get_aws_errors(world: tuple[ServerProcess, Any], target: str | None,
                                           body: bytes, code: str) -> None:
    server, _ = world
    before = _state(server)
    assert _error(*_call(server, target, body)) == code
    assert _state(server) == before
    _assert_still_serving(server)


@pytest.mark.parametrize("body", [b"[" * 1_000, b"[" * 100_000 + b"]" * 100_000,
                                  b'{"ProjectName": ' + b'{"a":' * 5_000 + b"}"],
                         ids=["1000-unclosed", "100000-closed", "5000-objects-in-a-member"])
def test_deeply_nested_json(world: tuple[ServerProcess, Any], body: bytes) -> None:
    server, _ = world
    before = _state(server)
    assert _error(*_call(server, "RekognitionService.CreateProject",
                         body)) == "SerializationException"
    status, headers, text = server.request("POST", "/moto-api/rekomock/fail-training", body,
                                           {"Content-Type": "application/json"})
    assert (status, headers["Content-Type"]) == (400, "application/json")
    assert json.loads(text) == {"Error": "the body is not JSON"}
    assert _state(server) == before
    _assert_still_serving(server)


def test_huge_bodies(world: tuple[ServerProcess, dict[str, list[str]]]) -> None:
    server, known = world
    before = _state(server)
    huge_name = json.dumps({"ProjectName": "p" * 5_000_000}).encode()
    assert _error(*_call(server, "RekognitionService.CreateProject",
                         huge_name)) == "ValidationException"
    big_image = base64.b64encode(make_png() + b"\0" * (6 * 1024 * 1024)).decode()
    body = json.dumps({"ProjectVersionArn": known["ProjectVersionArn"][0],
                       "Image": {"Bytes": big_image}}).encode()
    assert _error(*_call(server, "RekognitionService.DetectCustomLabels",
                         body)) == "ValidationException"
    garbage = b"\x00\xff" * 4_000_000
    assert _error(*_call(server, "RekognitionService.DescribeProjects",
                         garbage)) == "SerializationException"
    assert _state(server) == before
    _assert_still_serving(server)


def test_gzip_bodies_are_read(world: tuple[ServerProcess, Any]) -> None:
    server, _ = world
    body = gzip.compress(json.dumps({"ProjectNames": ["world"]}).encode())
    status, _, text = _call(server, "RekognitionService.DescribeProjects", body,
                            {"Content-Encoding": "gzip"})
    assert status == 200
    assert [p["ProjectArn"].split("/")[1]
            for p in json.loads(text)["ProjectDescriptions"]] == ["world"]


def _moto_server_inflates_bodies() -> bool:
    from moto.moto_server import utilities

    return hasattr(utilities, "decompress_request_body")


@pytest.mark.skipif(_moto_server_inflates_bodies(), reason=(
    "moto < 5.2.4's server inflates gzip bodies itself, before any handler, and answers a "
    "broken one with its own 500 (docs/reference/compatibility.md)"))
def test_broken_gzip_is_a_serialization_error(world: tuple[ServerProcess, Any]) -> None:
    server, _ = world
    body = gzip.compress(b'{"ProjectNames": ["world"]}')[:-12]
    assert _error(*_call(server, "RekognitionService.DescribeProjects", body,
                         {"Content-Encoding": "gzip"})) == "SerializationException"
    _assert_still_serving(server)
