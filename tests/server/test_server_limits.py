"""Server mode's limits: no client can hold the server. A request must fully arrive within
the request timeout, at most ``max_connections`` are served at once, a gzip body is never
inflated beyond the body cap, and whatever the HTTP layer refuses answers JSON with a request
id. Only loopback gets traffic; timeouts are small so the tests are quick."""

from __future__ import annotations

import gzip
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.exceptions import ClientError
from server_process import CREDENTIALS, ServerProcess

from rekomock.server import RekomockServer

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/rekognition/"
          "aws4_request, SignedHeaders=host, Signature=0\r\n")
BODY_CAP = 16 * 1024 * 1024


def _request(body: bytes = b"{}", target: str = "DescribeProjects", extra: str = "") -> bytes:
    """A Rekognition call as an SDK sends it, with ``extra`` header lines."""
    return (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Target: RekognitionService.{target}\r\n{SIGNED}{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _connect(url: str) -> socket.socket:
    parsed = urlparse(url)
    assert parsed.hostname == "127.0.0.1"
    return socket.create_connection((parsed.hostname, parsed.port or 80), timeout=30)


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:  # what was read before the reset is the answer
        pass
    return b"".join(chunks)


def _parse(answer: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def _exchange(url: str, data: bytes) -> tuple[int, dict[str, str], Any]:
    conn = _connect(url)
    try:
        try:
            conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError):  # refused before it was all sent
            pass
        return _parse(_read_all(conn))
    finally:
        conn.close()


def _trickle(url: str, data: bytes, interval: float = 0.1) -> tuple[float, bytes]:
    """Send ``data`` a byte every ``interval`` seconds until the server answers; the time
    from the first byte to the answer, and the answer."""
    conn = _connect(url)
    started = time.monotonic()
    try:
        for byte in data:
            if select.select([conn], [], [], interval)[0]:
                break
            conn.send(bytes([byte]))
        return time.monotonic() - started, _read_all(conn)
    except (BrokenPipeError, ConnectionResetError):
        return time.monotonic() - started, _read_all(conn)
    finally:
        conn.close()


def _rekognition(url: str) -> Any:
    return boto3.session.Session().client("rekognition", region_name="us-east-1",
                                          endpoint_url=url, **CREDENTIALS)


@pytest.fixture(scope="module")
def limited() -> Iterator[str]:
    with RekomockServer(request_timeout=1, max_connections=8, idle_timeout=10) as running:
        yield running.endpoint_url


# ------------------------------------------------------------ request timeout


@pytest.mark.parametrize("where", ["request line", "headers", "body"])
def test_a_trickling_client_is_cut_off_while_others_are_served(limited: str,
                                                               where: str) -> None:
    data = _request(json.dumps({"ProjectNames": ["p" * 40] * 5}).encode())
    sent_at_once = {"request line": 0, "headers": 40, "body": data.index(b"\r\n\r\n") + 4}[where]
    outcome: dict[str, Any] = {}

    def trickle() -> None:
        conn = _connect(limited)
        started = time.monotonic()
        try:
            conn.sendall(data[:sent_at_once])
            for byte in data[sent_at_once:]:
                if select.select([conn], [], [], 0.1)[0]:
                    break
                conn.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            pass
        outcome["answer"] = _read_all(conn)
        outcome["seconds"] = time.monotonic() - started
        conn.close()

    thread = threading.Thread(target=trickle)
    thread.start()
    client = _rekognition(limited)
    served = 0
    while thread.is_alive():  # a normal client is served meanwhile
        assert client.describe_projects()["ProjectDescriptions"] == []
        served += 1
        time.sleep(0.05)
    thread.join()
    assert served >= 3
    # Sending it all would take (len(data) - sent_at_once) / 10 seconds: 30 s and more.
    assert outcome["seconds"] < 4, outcome
    status, headers, body = _parse(outcome["answer"])
    assert status == 408
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-requestid"]
    assert body == {"__type": "RequestTimeout",
                    "Message": "the request did not arrive within 1 seconds"}


def test_a_slow_but_steady_request_within_the_timeout_is_served(limited: str) -> None:
    data = _request()
    conn = _connect(limited)
    try:
        for part in (data[:30], data[30:-2], data[-2:]):
            conn.sendall(part)
            time.sleep(0.2)
        status, _, body = _parse(_read_all(conn))
    finally:
        conn.close()
    assert status == 200 and body == {"ProjectDescriptions": []}


def test_the_request_timeout_flag() -> None:
    server = ServerProcess("--quiet", "--request-timeout", "1", "--max-connections", "1")
    try:
        seconds, answer = _trickle(server.url, _request())
        assert seconds < 4
        status, headers, body = _parse(answer)
        assert status == 408 and headers["x-amzn-requestid"]
        assert body["__type"] == "RequestTimeout"
        assert server.client("rekognition").describe_projects()["ProjectDescriptions"] == []
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output()


@pytest.mark.parametrize("flag, value", [("--max-connections", "0"),
                                         ("--request-timeout", "0")])
def test_limits_out_of_range_are_refused(flag: str, value: str) -> None:
    with pytest.raises(RuntimeError, match="exited") as raised:
        ServerProcess(flag, value)
    assert "must be" in str(raised.value) and "Traceback" not in str(raised.value)


# ----------------------------------------------------------- connection cap


def test_connections_beyond_the_cap_wait_then_beyond_twice_are_refused() -> None:
    with RekomockServer(max_connections=2, idle_timeout=10, request_timeout=10) as running:
        url = running.endpoint_url
        holders = [_connect(url) for _ in range(2)]
        for holder in holders:
            holder.sendall(_request()[:20])  # each holds a thread, its request unfinished
        time.sleep(0.3)
        waiting = [_connect(url) for _ in range(2)]
        for conn in waiting:
            conn.sendall(_request())
        time.sleep(0.3)
        for conn in waiting:  # no thread for them yet: no answer
            assert not select.select([conn], [], [], 0.2)[0]
        started = time.monotonic()
        status, headers, body = _exchange(url, _request())
        assert time.monotonic() - started < 2
        assert status == 503 and headers["x-amzn-requestid"]
        assert headers["content-type"] == "application/x-amz-json-1.1"
        assert body["__type"] == "ServiceUnavailable"
        for holder in holders:  # the holders leave: the waiting ones are served
            holder.close()
        for conn in waiting:
            conn.settimeout(10)
            status, _, body = _parse(_read_all(conn))
            conn.close()
            assert status == 200 and body == {"ProjectDescriptions": []}
        assert _rekognition(url).describe_projects()["ProjectDescriptions"] == []


def test_connections_waiting_at_a_stop_are_closed() -> None:
    running = RekomockServer(max_connections=1, idle_timeout=10, request_timeout=10,
                             drain_timeout=0.5)
    url = running.start()
    holder = _connect(url)
    holder.sendall(_request()[:20])
    time.sleep(0.2)
    waiting = _connect(url)  # sends nothing: no request to drain
    time.sleep(0.2)
    running.stop()
    waiting.settimeout(5)
    assert waiting.recv(1) == b""
    waiting.close()
    holder.close()


# ------------------------------------------------------------------- bodies


def _gzip_bomb() -> bytes:
    """64 MiB of JSON whitespace in about 64 KiB."""
    return gzip.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}", compresslevel=9)


def test_a_gzip_bomb_is_refused_like_an_oversized_body(limited: str) -> None:
    started = time.monotonic()
    bomb = _exchange(limited, _request(_gzip_bomb(), extra="Content-Encoding: gzip\r\n"))
    assert time.monotonic() - started < 5
    oversized = _exchange(limited, _request(b"{" + b" " * BODY_CAP + b"}"))
    for status, headers, body in (bomb, oversized):
        assert status == 413 and headers["x-amzn-requestid"]
        assert headers["content-type"] == "application/x-amz-json-1.1"
        assert body["__type"] == "RequestEntityTooLargeException"
        assert body["Message"] == f"Request must be smaller than {BODY_CAP} bytes."


def test_a_gzip_bomb_to_one_of_motos_services_is_refused(limited: str) -> None:
    data = _request(_gzip_bomb(), extra="Content-Encoding: gzip\r\n").replace(
        b"RekognitionService.DescribeProjects", b"AmazonSQS.ListQueues").replace(
        b"/rekognition/", b"/sqs/")
    status, headers, body = _exchange(limited, data)
    assert status == 413 and headers["x-amzn-requestid"]
    assert body["__type"] == "RequestEntityTooLargeException"


def test_a_small_gzip_body_is_served(limited: str) -> None:
    body = gzip.compress(json.dumps({"MaxResults": 5}).encode())
    status, _, answer = _exchange(limited, _request(body, extra="Content-Encoding: gzip\r\n"))
    assert status == 200 and answer == {"ProjectDescriptions": []}


def test_a_gzip_bomb_in_process_is_refused_like_an_oversized_body(rekognition: Any) -> None:
    def send(body: bytes, encoding: str | None) -> dict[str, Any]:
        def replace_body(request: Any, **_: Any) -> None:
            request.data = body
            if encoding:
                request.headers["Content-Encoding"] = encoding

        handler = rekognition.meta.events.register("before-sign.rekognition.DescribeProjects",
                                                   replace_body)
        try:
            with pytest.raises(ClientError) as raised:
                rekognition.describe_projects()
        finally:
            rekognition.meta.events.unregister("before-sign.rekognition.DescribeProjects",
                                               handler)
        response: dict[str, Any] = raised.value.response
        return response

    for response in (send(_gzip_bomb(), "gzip"), send(b" " * (BODY_CAP + 1), None)):
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 413
        assert response["ResponseMetadata"]["RequestId"]
        assert response["Error"] == {"Code": "RequestEntityTooLargeException",
                                     "Message": f"Request must be smaller than {BODY_CAP} bytes."}


# ------------------------------------------------------------------ headers


HEADER_CASES = {
    "a 70 KB header": (_request(extra=f"X-Padding: {'a' * 70_000}\r\n"), 431),
    "150 headers": (_request(extra="".join(f"X-Header-{i}: v\r\n" for i in range(150))), 431),
    "a 1 MB Authorization header": (
        _request().replace(b"Signature=0", b"Signature=" + b"0" * 1_000_000), 431),
    "a 70 KB URI": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
    "a request line that is not HTTP": (b"NOT HTTP AT ALL\r\n\r\n", 400),
}


@pytest.mark.parametrize("case", HEADER_CASES)
def test_requests_the_http_layer_refuses_answer_json_with_a_request_id(limited: str,
                                                                       case: str) -> None:
    data, expected = HEADER_CASES[case]
    status, headers, body = _exchange(limited, data)
    assert status == expected
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-requestid"]
    assert set(body) == {"__type", "Message"} and body["Message"]
    assert _rekognition(limited).describe_projects()["ProjectDescriptions"] == []
