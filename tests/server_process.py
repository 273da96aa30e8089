"""A rekomock server in another process, as the AWS CLI and other SDKs meet it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import IO, Any

import boto3

from rekomock.phases import MODEL_NAMES

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class ServerProcess:
    """``python -m rekomock server --port 0`` in a child process, its output in a file."""

    def __init__(self, *args: str, env: dict[str, str] | None = None,
                 port: str | None = "0") -> None:
        # The child writes through a copy of this descriptor, sharing its offset: read with
        # os.pread, which leaves the offset alone, or a seek could make the child overwrite.
        self.log: IO[bytes] = tempfile.TemporaryFile()
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith(("AWS_", "MOTO_", "REKOMOCK_", "TEST_SERVER_MODE"))}
        environ.update(env or {})
        port_args = ["--port", port] if port is not None else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rekomock", "server", *port_args, *args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environ,
        )
        self.url = self._wait_ready()

    def output(self) -> str:
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def _wait_ready(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"ready at (https?://\S+)", self.output())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.output()}")
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start: {self.output()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    # ------------------------------------------------------------- clients

    def client(self, service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        params = {**CREDENTIALS, **kwargs}
        return boto3.session.Session().client(service, region_name=region,
                                              endpoint_url=self.url, **params)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def control(self, name: str, body: dict[str, Any] | None = None,
                query: str = "") -> tuple[int, Any]:
        """Call a ``/moto-api/rekomock/`` route; POST when there is a body."""
        if body is None:
            status, _, text = self.request("GET", f"/moto-api/rekomock/{name}{query}")
        else:
            status, _, text = self.request("POST", f"/moto-api/rekomock/{name}",
                                           json.dumps(body).encode(),
                                           {"Content-Type": "application/json"})
        return status, json.loads(text) if text else None

    def set_transition(self, model_name: str, transition: dict[str, Any]) -> None:
        status, _, _ = self.request(
            "POST", "/moto-api/state-manager/set-transition",
            json.dumps({"model_name": model_name, "transition": transition}).encode(),
            {"Content-Type": "application/json"})
        assert status == 201

    def reset(self) -> None:
        """Empty the server's state and drop transitions a test set."""
        for name in MODEL_NAMES:
            self.request("POST", "/moto-api/state-manager/unset-transition",
                         json.dumps({"model_name": name}).encode(),
                         {"Content-Type": "application/json"})
        status, _, _ = self.request("POST", "/moto-api/reset")
        assert status == 200
