"""The whole mock's state saved and loaded: `rk.save(path)` / `rk.load(path)`, the HTTP
routes, and `rekomock server --state-dir` across a restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.moto_api import state_manager

from rekomock import mock_rekognition_custom
from rekomock.phases import VERSION_STARTING
from rekomock.testing import put_classification_dataset

REGION = "us-east-1"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "rekognition:CopyProjectVersion", "Resource": "*"}]})


def _build(rek: Any, s3: Any) -> dict[str, Any]:
    """A project with tags, datasets, a trained version, a policy, and S3 objects."""
    s3.create_bucket(Bucket="state-bucket")
    key, images = put_classification_dataset(s3, "state-bucket", {"cat": 4, "dog": 4})
    s3.put_object(Bucket="state-bucket", Key="notes/readme.txt", Body=b"kept across saves",
                  Metadata={"owner": "suite"})
    project = rek.create_project(ProjectName="saved", Tags={"team": "vision"})["ProjectArn"]
    asset = {"GroundTruthManifest": {"S3Object": {"Bucket": "state-bucket", "Name": key}}}
    train = rek.create_dataset(ProjectArn=project, DatasetType="TRAIN",
                               DatasetSource=asset)["DatasetArn"]
    rek.create_dataset(ProjectArn=project, DatasetType="TEST", DatasetSource=asset)
    version = rek.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "state-bucket",
                                                            "S3KeyPrefix": "out"},
        Tags={"stage": "test"})["ProjectVersionArn"]
    rek.get_waiter("project_version_training_completed").wait(ProjectArn=project,
                                                              VersionNames=["v1"])
    rek.put_project_policy(ProjectArn=project, PolicyName="share", PolicyDocument=POLICY)
    return {"project": project, "version": version, "train": train, "images": images}


def _observe(rek: Any, s3: Any, built: dict[str, Any]) -> dict[str, Any]:
    """What clients see of the state (request metadata left out)."""
    def clean(answer: dict[str, Any]) -> dict[str, Any]:
        answer.pop("ResponseMetadata", None)
        return answer

    objects = {}
    for obj in s3.list_objects_v2(Bucket="state-bucket")["Contents"]:
        got = s3.get_object(Bucket="state-bucket", Key=obj["Key"])
        objects[obj["Key"]] = (got["Body"].read(), got["Metadata"], got["ETag"])
    return {
        "projects": clean(rek.describe_projects()),
        "versions": clean(rek.describe_project_versions(ProjectArn=built["project"])),
        "entries": clean(rek.list_dataset_entries(DatasetArn=built["train"])),
        "policies": clean(rek.list_project_policies(ProjectArn=built["project"])),
        "tags": [clean(rek.list_tags_for_resource(ResourceArn=built[kind]))
                 for kind in ("project", "version")],
        "objects": objects,
    }


def _detect(rek: Any, version: str, image_uri: str) -> list[dict[str, Any]]:
    bucket, key = image_uri[5:].split("/", 1)
    labels: list[dict[str, Any]] = rek.detect_custom_labels(
        ProjectVersionArn=version, Image={"S3Object": {"Bucket": bucket, "Name": key}},
    )["CustomLabels"]
    return labels


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "suite.rkstate"
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        built = _build(rek, s3)
        rk.advance_time(3600)
        before = _observe(rek, s3, built)
        clock_before = rk.now() if hasattr(rk, "now") else None
        header = rk.save(path)
        assert header["format"] == 1 and header["size"] > 0

        rk.reset()
        s3.delete_object(Bucket="state-bucket", Key="notes/readme.txt")
        assert rek.describe_projects()["ProjectDescriptions"] == []

        rk.load(path)
        assert _observe(rek, s3, built) == before
        if clock_before is not None:
            assert 0 <= (rk.now() - clock_before).total_seconds() < 60  # offset kept

        # The loaded trained model answers as the one saved would.
        rek.start_project_version(ProjectVersionArn=built["version"], MinInferenceUnits=1)
        rek.get_waiter("project_version_running").wait(ProjectArn=built["project"],
                                                      VersionNames=["v1"])
        for uri, label in built["images"]:
            assert [x["Name"] for x in _detect(rek, built["version"], uri)] == [label]
        # New resources list after the loaded ones, and the state keeps working.
        rek.create_project(ProjectName="after-load")
        names = [p["ProjectArn"].split("/")[1]
                 for p in rek.describe_projects()["ProjectDescriptions"]]
        assert names == ["saved", "after-load"]


def test_load_restores_the_clock_offset(tmp_path: Path) -> None:
    with mock_rekognition_custom() as rk:
        rk.advance_time(7200)
        rk.save(tmp_path / "s")
        requests.post("http://motoapi.amazonaws.com/moto-api/rekomock/reset", json={},
                      timeout=5)  # resources, steering and clock
        answer = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/state",
                              timeout=5).json()
        assert answer["ClockOffsetSeconds"] == 0
        rk.load(tmp_path / "s")
        answer = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/state",
                              timeout=5).json()
        assert answer["ClockOffsetSeconds"] == 7200


def test_steering_settings_survive(tmp_path: Path) -> None:
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name=REGION)
        rk.inject_error("DescribeProjects", "ThrottlingException", times=2)
        rk.quotas.projects = 1
        state_manager.set_transition(VERSION_STARTING, {"progression": "manual", "times": 3})
        try:
            rek.create_project(ProjectName="only-one")
            rk.save(tmp_path / "s")
            rk.reset()
            state_manager.unset_transition(VERSION_STARTING)
            rk.load(tmp_path / "s")
            assert state_manager.get_transition(VERSION_STARTING) == {
                "progression": "manual", "times": 3}
            assert rk.quotas.projects == 1
            for _ in range(2):
                with pytest.raises(rek.exceptions.ClientError, match="Throttling"):
                    boto3.client("rekognition", region_name=REGION,
                                 config=_no_retries()).describe_projects()
            assert len(rek.describe_projects()["ProjectDescriptions"]) == 1
            with pytest.raises(rek.exceptions.LimitExceededException):
                rek.create_project(ProjectName="second")
            assert [c.operation for c in rk.calls][:1] == ["CreateProject"]
        finally:
            state_manager.unset_transition(VERSION_STARTING)


def _no_retries() -> Any:
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1})


def test_a_state_loads_again_and_again(tmp_path: Path) -> None:
    """Prepare once, load per test: each load gives the saved state back, whatever the test
    did after the previous one."""
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        built = _build(rek, s3)
        rk.save(tmp_path / "s")
        before = _observe(rek, s3, built)
        for _ in range(3):
            rk.load(tmp_path / "s")
            assert _observe(rek, s3, built) == before
            rek.delete_project_policy(ProjectArn=built["project"], PolicyName="share")
            s3.put_object(Bucket="state-bucket", Key="notes/readme.txt", Body=b"changed")


def test_damaged_files_are_refused_and_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name=REGION)
        rek.create_project(ProjectName="saved")
        rk.save(path)
        good = path.read_bytes()
        rek.create_project(ProjectName="current")

        cases = {
            "truncated": good[:-10],
            "flipped": good[:-5] + bytes([good[-5] ^ 0xFF]) + good[-4:],
            "no header": b"REKOMOCK-STATE\n{not json",
            "foreign": b"PK\x03\x04 a zip file",
            "empty": b"",
        }
        words = {"truncated": "damaged: truncated", "flipped": "does not match its checksum",
                 "no header": "damaged: its header", "foreign": "not a rekomock state file",
                 "empty": "not a rekomock state file"}
        for name, data in cases.items():
            bad = tmp_path / f"bad-{name.replace(' ', '-')}"
            bad.write_bytes(data)
            with pytest.raises(ValueError, match=words[name]) as refused:
                rk.load(bad)
            assert str(bad) in str(refused.value)
        with pytest.raises(ValueError, match="cannot be read"):
            rk.load(tmp_path / "missing")
        names = [p["ProjectArn"].split("/")[1]
                 for p in rek.describe_projects()["ProjectDescriptions"]]
        assert names == ["saved", "current"]  # nothing changed


def test_a_pickle_that_does_not_load_is_refused(tmp_path: Path) -> None:
    """A whole, checksummed file whose content does not unpickle (written by hand or by a
    rekomock with other classes) is refused too, naming the file."""
    import hashlib

    payload = b"\x80\x05\x95garbage"
    header = {"format": 1, "moto": _moto(), "size": len(payload),
              "sha256": hashlib.sha256(payload).hexdigest()}
    bad = tmp_path / "odd"
    bad.write_bytes(b"REKOMOCK-STATE\n" + json.dumps(header).encode() + b"\n" + payload)
    with mock_rekognition_custom() as rk, pytest.raises(ValueError, match="does not load"):
        rk.load(bad)


def _moto() -> str:
    import moto

    return str(moto.__version__)


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rk.save(path)
        magic, header, payload = path.read_bytes().split(b"\n", 2)
        newer = json.loads(header) | {"format": 2, "rekomock": "9.0.0"}
        path.write_bytes(magic + b"\n" + json.dumps(newer).encode() + b"\n" + payload)
        with pytest.raises(ValueError, match=r"state format 2 by rekomock 9\.0\.0.*reads "
                                             r"format 1 and older: upgrade") as refused:
            rk.load(path)
        assert str(path) in str(refused.value)


def test_another_moto_minor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rk.save(path)
        magic, header, payload = path.read_bytes().split(b"\n", 2)
        older = json.loads(header) | {"moto": "5.1.0"}
        path.write_bytes(magic + b"\n" + json.dumps(older).encode() + b"\n" + payload)
        with pytest.raises(ValueError, match=r"saved with moto 5\.1\.0"):
            rk.load(path)


def test_save_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rk.save(path)
        rk.save(path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no temporary left
        with pytest.raises(TypeError, match="path must be a string"):
            rk.save(42)  # type: ignore[arg-type]


def test_save_and_load_routes(tmp_path: Path) -> None:
    base = "http://motoapi.amazonaws.com/moto-api/rekomock/"
    with mock_rekognition_custom():
        rek = boto3.client("rekognition", region_name=REGION)
        rek.create_project(ProjectName="over-http")
        saved = requests.post(base + "save", json={"path": str(tmp_path / "s")}, timeout=10)
        assert saved.status_code == 200 and saved.json()["format"] == 1
        requests.post(base + "reset", json={}, timeout=5)
        assert rek.describe_projects()["ProjectDescriptions"] == []
        loaded = requests.post(base + "load", json={"path": str(tmp_path / "s")}, timeout=10)
        assert loaded.status_code == 200
        assert len(rek.describe_projects()["ProjectDescriptions"]) == 1
        bad = requests.post(base + "load", json={"path": str(tmp_path / "none")}, timeout=5)
        assert bad.status_code == 400 and "cannot be read" in bad.json()["Error"]
        assert requests.post(base + "save", json={}, timeout=5).status_code == 400
        assert requests.post(base + "save", json={"path": 1}, timeout=5).status_code == 400


# ------------------------------------------------------- rekomock server --state-dir


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    """`rekomock server` expected to exit at once (a refused state dir)."""
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REKOMOCK_"))}
    return subprocess.run([sys.executable, "-m", "rekomock", "server", "--port", "0", *args],
                          capture_output=True, text=True, timeout=60, env={**environ,
                                                                           **(env or {})},
                          stdin=subprocess.DEVNULL)


def test_server_restart_with_state_dir_keeps_a_trained_model(tmp_path: Path) -> None:
    from server_process import ServerProcess

    state = tmp_path / "state"
    first = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        assert "no saved state in" in first.output() and "starting empty" in first.output()
        rek, s3 = first.client("rekognition"), first.client("s3")
        built = _build(rek, s3)
        rek.create_project(ProjectName="last-before-restart")
        before = _observe(rek, s3, built)
    finally:
        assert first.stop() == 0
    assert "state saved to" in first.output()
    assert (state / "state.rkstate").is_file()

    # The variable does what the flag does.
    second = ServerProcess("--quiet", env={"REKOMOCK_STATE_DIR": str(state)})
    try:
        out = second.output()
        assert "state loaded from" in out and str(state / "state.rkstate") in out
        rek, s3 = second.client("rekognition"), second.client("s3")
        assert _observe(rek, s3, built) == before
        # What a restarted server makes lists after what it loaded (DescribeProjects: oldest
        # first), although its own count of resources starts again.
        rek.create_project(ProjectName="first-after-restart")
        listed = [d["ProjectArn"].split("/")[1]
                  for d in rek.describe_projects()["ProjectDescriptions"]]
        assert listed[-2:] == ["last-before-restart", "first-after-restart"]
        rek.start_project_version(ProjectVersionArn=built["version"], MinInferenceUnits=1)
        rek.get_waiter("project_version_running").wait(
            ProjectArn=built["project"], VersionNames=["v1"],
            WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        for uri, label in built["images"]:
            assert [x["Name"] for x in _detect(rek, built["version"], uri)] == [label]
    finally:
        assert second.stop() == 0
    assert "Traceback" not in first.output() + second.output()


def test_server_refuses_a_damaged_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "state.rkstate").write_bytes(b"REKOMOCK-STATE\n{\"format\": 1, \"moto\": \"" +
                                          _moto().encode() + b"\", \"size\": 99}\nshort")
    done = _run("--state-dir", str(state))
    assert done.returncode == 1
    assert f"cannot start: {state / 'state.rkstate'}: damaged: truncated" in done.stderr
    assert "ready at" not in done.stdout
    assert "Traceback" not in done.stderr


def test_server_refuses_a_newer_state_format(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with mock_rekognition_custom() as rk:
        state.mkdir()
        rk.save(state / "state.rkstate")
    magic, header, payload = (state / "state.rkstate").read_bytes().split(b"\n", 2)
    newer = json.loads(header) | {"format": 7}
    (state / "state.rkstate").write_bytes(magic + b"\n" + json.dumps(newer).encode() + b"\n"
                                          + payload)
    done = _run("--state-dir", str(state))
    assert done.returncode == 1
    assert "written in state format 7" in done.stderr and "upgrade rekomock" in done.stderr


def test_server_recovers_from_a_save_cut_off(tmp_path: Path) -> None:
    """A kill during a save leaves the temporary file: the last complete save loads, and the
    server says so."""
    from server_process import ServerProcess

    state = tmp_path / "state"
    state.mkdir()
    with mock_rekognition_custom() as rk:
        boto3.client("rekognition", region_name=REGION).create_project(ProjectName="complete")
        rk.save(state / "state.rkstate")
    (state / "state.rkstate.partial").write_bytes(b"REKOMOCK-STATE\n{\"format\": 1, \"si")
    proc = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        out = proc.output()
        assert "recovered:" in out and "state.rkstate.partial is a save that was cut off" in out
        (project,) = proc.client("rekognition").describe_projects()["ProjectDescriptions"]
        assert "/complete/" in project["ProjectArn"]
    finally:
        assert proc.stop() == 0
    assert not (state / "state.rkstate.partial").exists()
    assert (state / "state.rkstate.partial.bad").exists()  # kept for a look


def test_one_server_per_state_dir(tmp_path: Path) -> None:
    from server_process import ServerProcess

    state = tmp_path / "state"
    proc = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        done = _run("--state-dir", str(state))
        assert done.returncode == 1
        assert "in use by another rekomock server" in done.stderr
    finally:
        assert proc.stop() == 0


def test_durable_server_loses_nothing_answered_to_kill_9(tmp_path: Path) -> None:
    """Under load from four clients, kill -9: every project and S3 object answered before
    the kill is back after a restart, whole; nothing else is there half made."""
    import signal
    import threading
    import time

    from botocore.config import Config
    from server_process import ServerProcess

    state = tmp_path / "state"
    proc = ServerProcess("--quiet", "--state-dir", str(state), "--durable")
    proc.client("s3").create_bucket(Bucket="durable-bucket")
    answered: list[tuple[str, str]] = []
    attempted: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()
    no_retries = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=5)

    def client_loop(n: int) -> None:
        rek = proc.client("rekognition", config=no_retries)
        s3 = proc.client("s3", config=no_retries)
        i = 0
        while not stop.is_set():
            name = f"p{n}-{i}"
            with lock:
                attempted.add(name)
            try:
                if i % 2:
                    rek.create_project(ProjectName=name)
                else:
                    s3.put_object(Bucket="durable-bucket", Key=name, Body=name.encode() * 100)
            except Exception:  # the kill: unanswered
                return
            with lock:
                answered.append(("project" if i % 2 else "object", name))
            i += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answered) >= 40

    again = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        rek, s3 = again.client("rekognition"), again.client("s3")
        projects = set()
        for page in rek.get_paginator("describe_projects").paginate():
            for project in page["ProjectDescriptions"]:
                assert project["Status"] == "CREATED"
                projects.add(project["ProjectArn"].split("/")[1])
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="durable-bucket"):
            for obj in page.get("Contents", []):
                objects[obj["Key"]] = s3.get_object(Bucket="durable-bucket",
                                                    Key=obj["Key"])["Body"].read()
    finally:
        again.stop()
    for kind, name in answered:
        if kind == "project":
            assert name in projects, f"answered project {name} lost"
        else:
            assert objects.get(name) == name.encode() * 100, f"answered object {name} lost"
    assert projects | set(objects) <= attempted
    assert all(body == key.encode() * 100 for key, body in objects.items())  # whole


def test_durable_needs_a_state_dir() -> None:
    done = _run("--durable")
    assert done.returncode == 2
    assert "--durable needs --state-dir" in done.stderr


# ------------------------------------- the same `rekomock server --state-dir`, in this process


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_here(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                then: Any = None, **options: Any) -> tuple[int, str]:
    """``rekomock.server.serve`` (what `rekomock server` runs) in this process: once it
    answers, ``then`` gets a function making clients of it, then SIGTERM stops it. The exit
    code and what the server said on stderr."""
    import io
    import os
    import signal
    import threading
    import time

    from rekomock.server import disable, serve

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("MOTO_PORT", str(port))  # the server sets it for the process
    failures: list[BaseException] = []
    returned = threading.Event()

    def client(service: str, **kwargs: Any) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=url,
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            **kwargs)

    def drive() -> None:
        while not returned.is_set():  # until it answers, or exits without serving
            try:
                requests.get(f"{url}/moto-api/rekomock/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            return
        try:
            if then is not None:
                then(client)
        except BaseException as err:  # re-raised in the test
            failures.append(err)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    capsys.readouterr()
    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    try:
        code = serve(port=port, out=io.StringIO(), **options)
    finally:
        returned.set()
        driver.join(timeout=30)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        disable()
        with mock_rekognition_custom() as rk:  # what it served is not the next test's
            rk.reset()
    if failures:
        raise failures[0]
    return code, capsys.readouterr().err


def test_in_process_restart_keeps_the_state_and_says_what_it_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "deep" / "er" / "state"  # made, parents too
    file = state / "state.rkstate"

    def create(client: Any) -> None:
        client("rekognition").create_project(ProjectName="kept")
        other = _run("--state-dir", str(state))  # the lock is held while it serves
        assert other.returncode == 1 and "in use by another rekomock server" in other.stderr

    code, said = _serve_here(monkeypatch, capsys, state_dir=str(state), then=create)
    assert code == 0
    assert f"rekomock: no saved state in {state}: starting empty\n" in said
    size = file.stat().st_size - len(file.read_bytes().split(b"\n", 2)[1]) - 16
    assert f"rekomock: state saved to {file} ({size} bytes)" in said
    assert sorted(p.name for p in state.iterdir()) == [".lock", "state.rkstate"]

    seen: list[str] = []

    def look(client: Any) -> None:
        seen.extend(p["ProjectArn"].split("/")[1]
                    for p in client("rekognition").describe_projects()["ProjectDescriptions"])

    code, said = _serve_here(monkeypatch, capsys, state_dir=str(state), then=look)
    assert code == 0 and seen == ["kept"]  # the lock was let go; the directory is reused
    assert f"rekomock: state loaded from {file} (format 1, {size} bytes)\n" in said


def test_in_process_recovery_from_a_save_cut_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    state.mkdir()
    partial = state / "state.rkstate.partial"
    partial.write_bytes(b"REKOMOCK-STATE\n{")
    code, said = _serve_here(monkeypatch, capsys, state_dir=str(state))
    assert code == 0
    assert (f"rekomock: {partial} is a save that was cut off (set aside as "
            f"state.rkstate.partial.bad); there is no complete save in {state}: starting "
            "empty\n") in said
    assert (state / "state.rkstate.partial.bad").read_bytes() == b"REKOMOCK-STATE\n{"

    with mock_rekognition_custom() as rk:
        boto3.client("rekognition", region_name=REGION).create_project(ProjectName="complete")
        header = rk.save(state / "state.rkstate")
    partial.write_bytes(b"cut")
    seen: list[str] = []

    def look(client: Any) -> None:
        seen.extend(p["ProjectArn"].split("/")[1]
                    for p in client("rekognition").describe_projects()["ProjectDescriptions"])

    code, said = _serve_here(monkeypatch, capsys, state_dir=str(state), then=look)
    assert code == 0 and seen == ["complete"]
    assert (f"rekomock: recovered: {partial} is a save that was cut off (set aside as "
            f"state.rkstate.partial.bad); loaded the last complete save, "
            f"{state / 'state.rkstate'} (format 1, {header['size']} bytes)\n") in said
    assert (state / "state.rkstate.partial.bad").read_bytes() == b"cut"
    assert not partial.exists()


def test_in_process_durable_saves_before_answering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    saved: list[bytes] = []

    def create(client: Any) -> None:
        client("rekognition").create_project(ProjectName="durable")
        saved.append((state / "state.rkstate").read_bytes())

    code, _ = _serve_here(monkeypatch, capsys, state_dir=str(state), durable=True,
                          then=create)
    assert code == 0
    with mock_rekognition_custom() as rk:
        (state / "answered.rkstate").write_bytes(saved[0])
        rk.load(state / "answered.rkstate")
        (project,) = boto3.client("rekognition", region_name=REGION).describe_projects()[
            "ProjectDescriptions"]
        assert "/durable/" in project["ProjectArn"]


def test_in_process_unusable_state_dirs_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from server_process import ServerProcess

    (tmp_path / "a-file").write_text("not a directory")
    code, said = _serve_here(monkeypatch, capsys, state_dir=str(tmp_path / "a-file" / "s"))
    assert code == 1
    assert said == (f"rekomock: cannot start: {tmp_path / 'a-file' / 's'}: cannot be created: "
                    "Not a directory\n")

    state = tmp_path / "state"
    other = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        code, said = _serve_here(monkeypatch, capsys, state_dir=str(state))
    finally:
        assert other.stop() == 0
    assert code == 1
    assert said == (f"rekomock: cannot start: {state}: in use by another rekomock server "
                    f"({state / '.lock'} is locked)\n")


# ---------------------------------------------------------------- the file and its header


def _rewrite(path: Path, payload: bytes | None = None, **header: Any) -> None:
    """The state file at ``path`` with header members changed (None: dropped) and, given a
    payload, that payload in place (its size and checksum to match)."""
    import hashlib

    magic, line, saved = path.read_bytes().split(b"\n", 2)
    changed = json.loads(line)
    if payload is not None:
        saved = payload
        changed |= {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    changed |= header
    changed = {k: v for k, v in changed.items() if v is not None}
    path.write_bytes(magic + b"\n" + json.dumps(changed).encode() + b"\n" + saved)


def test_the_header_says_who_wrote_the_file(tmp_path: Path) -> None:
    import hashlib
    import importlib.metadata
    import platform

    with mock_rekognition_custom() as rk:
        rk.advance_time(90)
        header = rk.save(tmp_path / "s")
        magic, line, payload = (tmp_path / "s").read_bytes().split(b"\n", 2)
    assert magic == b"REKOMOCK-STATE"
    assert json.loads(line) == header
    assert header == {
        "format": 1, "rekomock": importlib.metadata.version("rekomock"), "moto": _moto(),
        "python": platform.python_version(), "clock_offset_seconds": 90.0,
        "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    assert payload[:2] == b"\x80\x05"  # pickle's newest protocol of this Python


def test_another_moto_patch_release_loads(tmp_path: Path) -> None:
    """Only moto's minor version must match: its patch releases keep its objects."""
    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rek = boto3.client("rekognition", region_name=REGION)
        rek.create_project(ProjectName="kept")
        rk.save(path)
        major, minor = _moto().split(".")[:2]
        _rewrite(path, moto=f"{major}.{minor}.999")
        rk.reset()
        rk.load(path)
        assert len(rek.describe_projects()["ProjectDescriptions"]) == 1


def test_refusals_say_exactly_what_is_wrong(tmp_path: Path) -> None:
    import importlib.metadata

    path = tmp_path / "s"
    ours = importlib.metadata.version("rekomock")
    with mock_rekognition_custom() as rk:
        rk.save(path)
        good = path.read_bytes()
        size = len(good.split(b"\n", 2)[2])
        cases: list[tuple[dict[str, Any], str]] = [
            ({"format": 3, "rekomock": None},
             f"{path}: written in state format 3 by rekomock ?; this rekomock ({ours}) reads "
             "format 1 and older: upgrade rekomock to load it"),
            ({"moto": None},
             f"{path}: saved with moto ?, this is moto {_moto()}: moto's state is saved as "
             "moto's own objects, which change between minor versions"),
            ({"format": "1"}, f"{path}: damaged: its header is unreadable"),
            ({"size": 3},
             f"{path}: damaged: truncated or extended ({size} bytes "
             "of state where its header says 3)"),
        ]
        for changes, message in cases:
            path.write_bytes(good)
            _rewrite(path, **changes)
            with pytest.raises(ValueError) as refused:
                rk.load(path)
            assert str(refused.value) == message
        path.write_bytes(b"REKOMOCK-STATE\n[1]\n")
        with pytest.raises(ValueError, match="damaged: its header is unreadable"):
            rk.load(path)
        with pytest.raises(ValueError) as refused:
            rk.load(tmp_path / "missing")
        assert str(refused.value) == (f"{tmp_path / 'missing'}: cannot be read: No such file "
                                      "or directory")


def _moto_data() -> Any:
    """moto's own view of every object it tracks (its /moto-api/data.json)."""
    return requests.get("http://motoapi.amazonaws.com/moto-api/data.json", timeout=10).json()


def test_moto_tracks_the_loaded_objects_once_and_a_failed_load_adds_none(
        tmp_path: Path) -> None:
    with mock_rekognition_custom() as rk:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="tracked")
        s3.put_object(Bucket="tracked", Key="k", Body=b"v")
        rk.save(tmp_path / "s")
        damaged = pickle_of_a_bucket_then_garbage()
        buckets = [b for b in _moto_data()["s3"]["FakeBucket"] if b["name"] == "tracked"]
        rk.load(tmp_path / "s")
        before = _moto_data()
        assert before["s3"]["FakeBucket"] == buckets  # the bucket, once
        rk.load(tmp_path / "s")
        assert _moto_data() == before
        _rewrite(tmp_path / "s", payload=damaged)
        with pytest.raises(ValueError, match="does not load"):
            rk.load(tmp_path / "s")
        assert _moto_data() == before
        # The loaded backends are moto's again: its reset empties them.
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=10)
        assert s3.list_buckets()["Buckets"] == []


def pickle_of_a_bucket_then_garbage() -> bytes:
    """A pickle that makes a moto S3 bucket (tracked by moto as it is made) and then fails."""
    import pickle

    from moto.s3.models import FakeBucket

    made = pickle.dumps(FakeBucket("half-loaded", "123456789012", REGION), protocol=5)
    return made[:-1] + b"garbage"


def test_a_state_of_what_this_installation_lacks_is_refused(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rk.save(path)
        for reference, message in [
            ("no_such_module:Backend:svc",
             f"{path}: holds moto state of no_such_module, which this installation cannot "
             "import (No module named 'no_such_module')"),
            ("json:JSONDecoder:json",
             f"{path}: holds state of json:JSONDecoder:json, which this installation does "
             "not have"),
            ("json:NoSuchBackend:json",
             f"{path}: holds state of json:NoSuchBackend:json, which this installation does "
             "not have"),
            ("json:JSONDecoder:s3",  # moto has an s3 service, of another class
             f"{path}: holds state of json:JSONDecoder:s3, which this installation does "
             "not have"),
        ]:
            payload = pickle.dumps({"backends": [(reference, {}, {})], "clock_offset": 0.0,
                                    "sequence": 0, "transitions": {}})
            _rewrite(path, payload=payload)
            with pytest.raises(ValueError) as refused:
                rk.load(path)
            assert str(refused.value) == message


def _pickle_referring_to(kind: str, reference: str) -> bytes:
    """A state payload whose transitions refer to a backend dict the way a state file
    refers to the live ones: by a persistent reference."""
    import io
    import pickle

    class Referring(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            return (kind, reference) if obj == "the backends" else None

    buffer = io.BytesIO()
    Referring(buffer, protocol=5).dump({"backends": [], "clock_offset": 0.0, "sequence": 0,
                                        "transitions": {"refers": "the backends"}})
    return buffer.getvalue()


def test_references_to_backend_dicts_load_as_the_live_ones(tmp_path: Path) -> None:
    """A saved object that refers to one of moto's backend dicts gets the live one back, as
    moto's modules hold it; a reference of another kind or to a missing backend is refused,
    naming the file."""
    from moto.s3.models import s3_backends

    path = tmp_path / "s"
    with mock_rekognition_custom() as rk:
        rk.save(path)
        try:
            _rewrite(path, payload=_pickle_referring_to("backends",
                                                        "moto.s3.models:S3Backend:s3"))
            rk.load(path)
            assert state_manager.get_transition("refers") is s3_backends
            rk.save(tmp_path / "again")  # saved as a reference again
            state_manager.unset_transition("refers")
            rk.load(tmp_path / "again")
            assert state_manager.get_transition("refers") is s3_backends
        finally:
            state_manager.unset_transition("refers")
        _rewrite(path, payload=_pickle_referring_to("files", "moto.s3.models:S3Backend:s3"))
        with pytest.raises(ValueError) as refused:
            rk.load(path)
        assert str(refused.value) == (f"{path}: damaged: the state does not load "
                                      "(UnpicklingError: unknown reference 'files')")
        _rewrite(path, payload=_pickle_referring_to("backends", "no_such_module:B:svc"))
        with pytest.raises(ValueError, match=f"^{path}: holds moto state of no_such_module"):
            rk.load(path)
        assert state_manager.get_transition("refers") != s3_backends  # nothing loaded


def test_bucket_names_stay_taken_in_every_account(tmp_path: Path) -> None:
    """S3 bucket names are global: a loaded bucket's name is taken for other accounts too."""
    with mock_rekognition_custom() as rk:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="globally-unique")
        rk.save(tmp_path / "s")
        rk.reset()
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=10)
        rk.load(tmp_path / "s")
        credentials = boto3.client("sts", region_name=REGION).assume_role(
            RoleArn="arn:aws:iam::111122223333:role/elsewhere",
            RoleSessionName="other-account")["Credentials"]
        other = boto3.client("s3", region_name=REGION,
                             aws_access_key_id=credentials["AccessKeyId"],
                             aws_secret_access_key=credentials["SecretAccessKey"],
                             aws_session_token=credentials["SessionToken"])
        with pytest.raises(other.exceptions.BucketAlreadyExists):
            other.create_bucket(Bucket="globally-unique")
