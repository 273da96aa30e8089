"""Server mode over HTTPS, for clients that insist on it: moto_server's ``--ssl`` (a
self-signed certificate made at start) and ``--ssl-cert``/``--ssl-key`` (yours), with their
environment variables. The HTTP layer's limits hold over TLS as over plain HTTP."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.exceptions import SSLError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from server_process import CREDENTIALS, ServerProcess

import rekomock.server
from rekomock.__main__ import main
from rekomock.server import RekomockServer, TLSConfigError

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/rekognition/"
          "aws4_request, SignedHeaders=host, Signature=0\r\n")


@pytest.fixture(autouse=True)
def _no_insecure_warnings() -> Iterator[None]:
    """``verify=False`` is the point of the self-signed tests: urllib3 need not say so."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        yield


# ------------------------------------------------------------ certificates


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small CA and a server certificate it signed for 127.0.0.1 and localhost, as PEM
    files: ``ca``, ``cert``, ``key``."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rekomock test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
              .issuer_name(ca_name).public_key(server_key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([
                  x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                  critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                  ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    files = {"ca": folder / "ca.pem", "cert": folder / "server.pem",
             "key": folder / "server-key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(_pem_key(server_key))
    return files


def _rekognition(url: str, **kwargs: Any) -> Any:
    return boto3.session.Session().client("rekognition", region_name="us-east-1",
                                          endpoint_url=url, **CREDENTIALS, **kwargs)


def _round_trip(client: Any) -> None:
    arn = client.create_project(ProjectName="over-tls")["ProjectArn"]
    described = client.describe_projects(ProjectNames=["over-tls"])["ProjectDescriptions"]
    assert [d["ProjectArn"] for d in described] == [arn]
    client.delete_project(ProjectArn=arn)


# ------------------------------------------------------------------ serving


def test_self_signed_https_for_a_client_that_skips_verification() -> None:
    with RekomockServer(ssl=True) as running:
        assert running.endpoint_url.startswith("https://127.0.0.1:")
        _round_trip(_rekognition(running.endpoint_url, verify=False))
        with pytest.raises(SSLError):  # a verifying client: the certificate is no CA's
            _rekognition(running.endpoint_url).describe_projects()


def test_a_certificate_the_client_verifies(certificates: dict[str, Path]) -> None:
    with RekomockServer(ssl_cert=str(certificates["cert"]),
                        ssl_key=str(certificates["key"])) as running:
        url = running.endpoint_url
        assert url.startswith("https://")
        _round_trip(_rekognition(url, verify=str(certificates["ca"])))
        port = urlparse(url).port
        _round_trip(_rekognition(f"https://localhost:{port}", verify=str(certificates["ca"])))
        with pytest.raises(SSLError):  # without the CA, the chain is not trusted
            _rekognition(url).describe_projects()


def test_moto_services_answer_over_https_too(certificates: dict[str, Path]) -> None:
    with RekomockServer(ssl_cert=str(certificates["cert"]),
                        ssl_key=str(certificates["key"])) as running:
        s3 = boto3.session.Session().client("s3", region_name="us-east-1",
                                            endpoint_url=running.endpoint_url,
                                            verify=str(certificates["ca"]), **CREDENTIALS)
        s3.create_bucket(Bucket="tls-bucket")
        s3.put_object(Bucket="tls-bucket", Key="k", Body=b"over tls")
        assert s3.get_object(Bucket="tls-bucket", Key="k")["Body"].read() == b"over tls"


def test_a_plain_http_client_is_not_served_and_others_still_are() -> None:
    with RekomockServer(ssl=True, idle_timeout=5, request_timeout=5) as running:
        plain = running.endpoint_url.replace("https://", "http://")
        with pytest.raises(Exception):  # noqa: B017 - the connection ends, however it ends
            _rekognition(plain, config=_one_attempt()).describe_projects()
        _round_trip(_rekognition(running.endpoint_url, verify=False))


def _one_attempt() -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=10,
                  connect_timeout=5)


# ---------------------------------------------------------- limits over TLS


def _tls_connect(url: str) -> ssl.SSLSocket:
    parsed = urlparse(url)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
    return context.wrap_socket(raw, server_hostname=parsed.hostname)


def _request(extra: str = "", body: bytes = b"{}") -> bytes:
    return ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: RekognitionService.DescribeProjects\r\n{SIGNED}{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, ssl.SSLError):  # what was read before is the answer
        pass
    return b"".join(chunks)


def _parse(answer: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


@pytest.fixture(scope="module")
def limited() -> Iterator[str]:
    with RekomockServer(ssl=True, request_timeout=1, max_connections=2,
                        idle_timeout=10) as running:
        yield running.endpoint_url


def test_a_refusal_over_https_answers_json(limited: str) -> None:
    conn = _tls_connect(limited)
    try:
        conn.sendall(_request("".join(f"X-Filler-{n}: x\r\n" for n in range(150))))
        status, headers, body = _parse(_read_all(conn))
    finally:
        conn.close()
    assert status == 431
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-requestid"]
    assert body["__type"] == "RequestHeaderFieldsTooLarge" and body["Message"]


def test_a_trickling_https_client_is_cut_off_with_a_json_408(limited: str) -> None:
    data = _request(body=json.dumps({"ProjectNames": ["p" * 40] * 5}).encode())
    conn = _tls_connect(limited)
    started = time.monotonic()
    try:
        answer = b""
        for byte in data:  # a byte a record, every 0.1 s: all of it would take 50 s
            conn.send(bytes([byte]))
            conn.settimeout(0.1)  # (select would also see TLS's own records: tickets)
            try:
                answer = conn.recv(65536)
            except TimeoutError:
                continue
            finally:
                conn.settimeout(30)
            break
        answer += _read_all(conn)
    finally:
        conn.close()
    assert time.monotonic() - started < 4
    status, headers, body = _parse(answer)
    assert status == 408 and headers["x-amzn-requestid"]
    assert body == {"__type": "RequestTimeout",
                    "Message": "the request did not arrive within 1 seconds"}


def test_a_client_that_never_negotiates_holds_no_one_up(limited: str) -> None:
    parsed = urlparse(limited)
    silent = socket.create_connection((parsed.hostname, parsed.port), timeout=10)
    try:
        started = time.monotonic()
        _round_trip(_rekognition(limited, verify=False))  # served meanwhile
        assert silent.recv(1) == b""  # the handshake it never began is given up on
        assert time.monotonic() - started < 5
    finally:
        silent.close()


def _client_hello() -> bytes:
    """The first flight of a TLS client, as bytes to send by hand."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = context.wrap_bio(incoming, outgoing)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


def test_a_trickled_handshake_is_cut_off_at_the_request_timeout(limited: str) -> None:
    parsed = urlparse(limited)
    conn = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
    started = time.monotonic()
    closed = False
    try:
        for byte in _client_hello():  # a byte every 0.2 s: all of it would take 100 s
            conn.send(bytes([byte]))
            conn.settimeout(0.2)
            try:
                closed = conn.recv(1) == b""
            except TimeoutError:
                continue
            break
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    finally:
        conn.close()
    assert closed and time.monotonic() - started < 4


def test_connections_beyond_the_cap_wait_for_a_free_one_over_tls(limited: str) -> None:
    holders = [_tls_connect(limited) for _ in range(2)]
    for holder in holders:
        holder.sendall(_request()[:20])
    time.sleep(0.3)
    answers: list[bytes] = []

    def wait_in_line() -> None:
        conn = _tls_connect(limited)  # the handshake too waits for a free thread
        conn.sendall(_request())
        answers.append(_read_all(conn))
        conn.close()

    waiting = threading.Thread(target=wait_in_line)
    waiting.start()
    time.sleep(0.3)
    assert answers == []
    for holder in holders:  # cut off by the request timeout, or leaving: a thread frees up
        holder.close()
    waiting.join(timeout=10)
    status, _, body = _parse(answers[0])
    assert status == 200 and body == {"ProjectDescriptions": []}


# ---------------------------------------------------------- configuration


def _fake_certificate(tmp_path: Path) -> tuple[str, str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n")
    key.write_bytes(_pem_key(_key()))
    return str(cert), str(key)


@pytest.mark.parametrize(("args", "words"), [
    (["--ssl-cert", "{cert}"], "--ssl-cert needs --ssl-key"),
    (["-k", "{key}"], "--ssl-key needs --ssl-cert"),
    (["-c", "{missing}", "-k", "{key}"], "No such file or directory"),
    (["-c", "{bad}", "-k", "{key}"], "cannot load the certificate"),
    (["-c", "{cert}", "-k", "{other_key}"], "cannot load the certificate"),  # not its key
])
def test_unusable_certificates_exit_2_with_a_message(
        certificates: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        args: list[str], words: str) -> None:
    bad, other_key = _fake_certificate(tmp_path)
    names = {"cert": str(certificates["cert"]), "key": str(certificates["key"]), "bad": bad,
             "other_key": other_key, "missing": str(tmp_path / "missing.pem")}
    assert main(["server", "--port", "0", *(a.format(**names) for a in args)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("rekomock: ")
    assert "Traceback" not in err


def test_rekomock_server_refuses_half_a_certificate(certificates: dict[str, Path]) -> None:
    server = RekomockServer(ssl_cert=str(certificates["cert"]))
    with pytest.raises(TLSConfigError, match="--ssl-cert needs --ssl-key"):
        server.start()
    # Nothing was started: the same object serves once told the key.
    with RekomockServer(ssl_cert=str(certificates["cert"]),
                        ssl_key=str(certificates["key"])) as running:
        _round_trip(_rekognition(running.endpoint_url, verify=str(certificates["ca"])))


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `rekomock server` would serve with, instead of serving."""
    for name in ("REKOMOCK_SSL", "REKOMOCK_SSL_CERT", "REKOMOCK_SSL_KEY"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, Any] = {}

    def serve(host: str, port: int, **options: Any) -> int:
        seen.update(options)
        return 0

    monkeypatch.setattr(rekomock.server, "serve", serve)
    return seen


def test_tls_variables_and_flags(served: dict[str, Any],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["server"]) == 0
    assert (served["ssl"], served["ssl_cert"], served["ssl_key"]) == (False, None, None)
    monkeypatch.setenv("REKOMOCK_SSL", "yes")
    monkeypatch.setenv("REKOMOCK_SSL_CERT", "/etc/tls/cert.pem")
    monkeypatch.setenv("REKOMOCK_SSL_KEY", "/etc/tls/key.pem")
    assert main(["server"]) == 0
    assert (served["ssl"], served["ssl_cert"], served["ssl_key"]) == (
        True, "/etc/tls/cert.pem", "/etc/tls/key.pem")
    assert main(["server", "-c", "/mine/cert.pem", "-k", "/mine/key.pem"]) == 0
    assert (served["ssl_cert"], served["ssl_key"]) == ("/mine/cert.pem", "/mine/key.pem")
    monkeypatch.setenv("REKOMOCK_SSL", "sometimes")
    with pytest.raises(SystemExit) as exited:
        main(["server"])
    assert exited.value.code == 2


def test_server_process_over_https(certificates: dict[str, Path]) -> None:
    server = ServerProcess("--quiet", "-s")
    try:
        assert server.url.startswith("https://127.0.0.1:")
        _round_trip(server.client("rekognition", verify=False))
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output()
    trusted = ServerProcess("--quiet", env={"REKOMOCK_SSL_CERT": str(certificates["cert"]),
                                            "REKOMOCK_SSL_KEY": str(certificates["key"])})
    try:
        assert trusted.url.startswith("https://")
        _round_trip(trusted.client("rekognition", verify=str(certificates["ca"])))
    finally:
        assert trusted.stop() == 0
