"""The stress run behind README's "Under load, faults and bad input" figures: run it by hand
(``python benchmarks/stress_server.py``, about 2 minutes; not collected by pytest) against
``rekomock server`` in child processes, loopback only. Prints one line per measurement.

- load: 64 clients in 4 accounts for 15 s: server errors, wrong answers, isolation;
- SIGTERM under load: 32 busy clients, requests cut by the stop;
- kill -9 under load, then a new server on the same port;
- a 50 MB body, a 64 MiB gzip bomb: the answer, the time, the server's RSS after;
- 1,000 idle connections with the default caps: served, waiting, refused; threads after;
- 100 clients trickling a byte every 0.2 s: cut within the request timeout, others served;
- 16 in-process threads for 30 s.
"""

from __future__ import annotations

import collections
import gzip
import json
import select
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import CREDENTIALS, ServerProcess

from rekomock import mock_rekognition_custom

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/rekognition/"
          "aws4_request, SignedHeaders=host, Signature=0\r\n")


def _request(body: bytes = b"{}", extra: str = "") -> bytes:
    return ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: RekognitionService.DescribeProjects\r\n{SIGNED}{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _connect(url: str) -> socket.socket:
    parsed = urlparse(url)
    return socket.create_connection((parsed.hostname, parsed.port or 80), timeout=60)


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def _proc(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _client(url: str, account: str | None = None) -> Any:
    client = boto3.session.Session().client("rekognition", region_name="us-east-1",
                                            endpoint_url=url, **CREDENTIALS)
    if account:
        def header(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account
        client.meta.events.register("before-send.rekognition", header)
    return client


def load() -> None:
    server = ServerProcess("--quiet")
    outcome: collections.Counter[str] = collections.Counter()
    accounts = ["111111111111", "222222222222", "333333333333", "444444444444"]
    end = time.monotonic() + 15

    def worker(n: int) -> None:
        account = accounts[n % 4]
        client = _client(server.url, account)
        i = 0
        while time.monotonic() < end:
            name = f"w{n}-{i}"
            i += 1
            try:
                arn = client.create_project(ProjectName=name)["ProjectArn"]
                seen = client.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
                others = [p["ProjectArn"] for p in
                          client.describe_projects(MaxResults=100)["ProjectDescriptions"]]
                outcome["calls"] += 3
                if f":{account}:" not in arn or [p["ProjectArn"] for p in seen] != [arn]:
                    outcome["wrong"] += 1
                if any(f":{account}:" not in other for other in others):
                    outcome["leaked across accounts"] += 1
            except ClientError as err:
                status = err.response["ResponseMetadata"]["HTTPStatusCode"]
                outcome["5xx" if status >= 500 else f"error {status}"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.stop() == 0
    tracebacks = server.output().count("Traceback")
    print(f"load, 64 clients x 15 s, 4 accounts: {dict(outcome)}, tracebacks {tracebacks}")


def sigterm_under_load() -> None:
    server = ServerProcess("--quiet")
    outcome: collections.Counter[str] = collections.Counter()
    done = threading.Event()

    def client() -> None:
        while not done.is_set():
            try:
                conn = _connect(server.url)
            except ConnectionRefusedError:
                outcome["refused"] += 1
                time.sleep(0.01)
                continue
            try:
                conn.sendall(_request())
                answer = _read_all(conn)
                outcome["answered" if answer.startswith(b"HTTP/1.1 200") else "cut"] += 1
            except OSError:
                outcome["cut"] += 1
            finally:
                conn.close()

    threads = [threading.Thread(target=client) for _ in range(32)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    code = server.stop(signal.SIGTERM)
    done.set()
    for thread in threads:
        thread.join()
    print(f"SIGTERM under load, 32 clients: exit {code}, {dict(outcome)}")


def kill_9_under_load() -> None:
    server = ServerProcess("--quiet")
    port = str(urlparse(server.url).port)
    outcome: collections.Counter[str] = collections.Counter()
    done = threading.Event()

    def worker() -> None:
        client = _client(server.url)
        while not done.is_set():
            try:
                client.describe_projects()
                outcome["answered"] += 1
            except (EndpointConnectionError, ConnectionError, OSError):
                outcome["connection failed"] += 1
                time.sleep(0.05)
            except Exception as err:  # anything else is what this looks for
                outcome[type(err).__name__] += 1

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    server.proc.kill()
    server.proc.wait()
    time.sleep(0.5)
    started = time.monotonic()
    again = ServerProcess("--quiet", "--port", port)
    ready = time.monotonic() - started
    time.sleep(1)
    done.set()
    for thread in threads:
        thread.join()
    fresh = _client(again.url).describe_projects()["ProjectDescriptions"]
    assert again.stop() == 0
    print(f"kill -9 under load, 16 clients: {dict(outcome)}; a new server on port {port} "
          f"ready in {ready:.1f} s, state empty: {fresh == []}")


def bodies() -> None:
    server = ServerProcess("--quiet")
    pid = server.proc.pid
    rss = _proc(pid, "VmRSS")
    for name, data in (
        ("50 MB body", _request(b"{" + b" " * 50_000_000 + b"}")),
        ("64 MiB gzip bomb", _request(gzip.compress(b" " * (64 * 1024 * 1024), 9),
                                      "Content-Encoding: gzip\r\n")),
    ):
        started = time.monotonic()
        conn = _connect(server.url)
        try:
            conn.sendall(data)
        except OSError:
            pass
        answer = _read_all(conn)
        conn.close()
        seconds = time.monotonic() - started
        status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
        body = answer.partition(b"\r\n\r\n")[2][:80].decode(errors="replace")
        print(f"{name}: {status} {body!r} in {seconds:.2f} s, server RSS "
              f"{rss // 1024} -> {_proc(pid, 'VmRSS') // 1024} MiB")
    served = _client(server.url).describe_projects()["ProjectDescriptions"] == []
    assert server.stop() == 0
    print(f"  still serving after them: {served}")


def idle_connections() -> None:
    server = ServerProcess("--quiet", "--idle-timeout", "5")
    pid = server.proc.pid
    baseline = _proc(pid, "Threads")
    conns = [_connect(server.url) for _ in range(1000)]
    time.sleep(1)
    peak = _proc(pid, "Threads")
    refused = 0
    for conn in conns:
        if select.select([conn], [], [], 0)[0]:
            refused += _read_all(conn).startswith(b"HTTP/1.1 503")
    started = time.monotonic()
    while _proc(pid, "Threads") > baseline + 2 and time.monotonic() - started < 30:
        time.sleep(0.2)
    back = time.monotonic() - started
    for conn in conns:
        conn.close()
    served = _client(server.url).describe_projects()["ProjectDescriptions"] == []
    assert server.stop() == 0
    print(f"1,000 idle connections, --idle-timeout 5, default caps: threads {baseline} -> "
          f"{peak}, {refused} answered 503 at once, back to {baseline} threads "
          f"{back + 1:.1f} s after they were opened, serving after: {served}")


def trickling() -> None:
    server = ServerProcess("--quiet", "--request-timeout", "5")
    outcome: collections.Counter[str] = collections.Counter()
    slowest = [0.0]
    done = threading.Event()

    def trickler() -> None:
        conn = _connect(server.url)
        started = time.monotonic()
        try:
            for byte in _request(json.dumps({"ProjectNames": ["p" * 50] * 10}).encode()):
                if select.select([conn], [], [], 0.2)[0]:
                    break
                conn.send(bytes([byte]))
        except OSError:
            pass
        answer = _read_all(conn)
        conn.close()
        slowest[0] = max(slowest[0], time.monotonic() - started)
        outcome["408" if answer.startswith(b"HTTP/1.1 408") else answer[:12].decode()] += 1

    def normal() -> None:
        client = _client(server.url)
        while not done.is_set():
            client.describe_projects()
            outcome["normal calls served"] += 1

    normal_thread = threading.Thread(target=normal)
    normal_thread.start()
    threads = [threading.Thread(target=trickler) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    normal_thread.join()
    assert server.stop() == 0
    print(f"100 tricklers, --request-timeout 5: {dict(outcome)}, the last cut after "
          f"{slowest[0]:.1f} s")


def in_process_threads() -> None:
    outcome: collections.Counter[str] = collections.Counter()
    end = time.monotonic() + 30
    with mock_rekognition_custom():
        def worker(n: int) -> None:
            client = boto3.client("rekognition", region_name="us-east-1")
            arn = client.create_project(ProjectName=f"t{n}")["ProjectArn"]
            while time.monotonic() < end:
                try:
                    seen = client.describe_projects(ProjectNames=[f"t{n}"])
                    client.tag_resource(ResourceArn=arn, Tags={"n": str(n)})
                    tags = client.list_tags_for_resource(ResourceArn=arn)["Tags"]
                    outcome["calls"] += 3
                    if ([p["ProjectArn"] for p in seen["ProjectDescriptions"]] != [arn]
                            or tags != {"n": str(n)}):
                        outcome["wrong"] += 1
                except Exception as err:
                    outcome[type(err).__name__] += 1

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print(f"16 in-process threads x 30 s: {dict(outcome)}")


if __name__ == "__main__":
    chosen = set(sys.argv[1:])
    for step in (load, sigterm_under_load, kill_9_under_load, bodies, idle_connections,
                 trickling, in_process_threads):
        if not chosen or step.__name__ in chosen:
            step()
