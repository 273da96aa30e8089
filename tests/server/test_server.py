"""Server mode: boto3 with endpoint_url against ``rekomock server`` in another process, the
controller over HTTP, moto's state manager and reset, accounts and regions, and the
in-thread server for tests."""

from __future__ import annotations

import base64
import json
import signal
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError
from server_process import ServerProcess

from rekomock import mock_rekognition_custom
from rekomock.phases import VERSION_TRAINING
from rekomock.server import RekomockServer, endpoint_url
from rekomock.testing import make_png, manifest_asset, put_classification_dataset, strict_client

#: No retries: quota errors answer at once, without back-off sleeps.
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1})

BUCKET = "server-bucket"


def _world(server: ServerProcess, region: str = "us-east-1", **creds: Any) -> dict[str, Any]:
    s3 = server.client("s3", region, **creds)
    if region == "us-east-1":
        s3.create_bucket(Bucket=BUCKET)
    else:
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": region})
    key, images = put_classification_dataset(s3, BUCKET, {"cat": 3, "dog": 3})
    rek = strict_client(server.client("rekognition", region, **creds))
    asset = manifest_asset(BUCKET, key)
    return {"s3": s3, "rek": rek, "asset": asset, "images": images}


def _train(w: dict[str, Any], project: str, name: str = "v1") -> str:
    return str(w["rek"].create_project_version(
        ProjectArn=project, VersionName=name, OutputConfig={"S3Bucket": BUCKET},
        TrainingData=w["asset"], TestingData=w["asset"])["ProjectVersionArn"])


def _running(server: ServerProcess, project_name: str,
             units: int = 1) -> tuple[dict[str, Any], str, str]:
    """A world with a project holding a trained version v1, started."""
    w = _world(server)
    project = w["rek"].create_project(ProjectName=project_name)["ProjectArn"]
    version = _train(w, project)
    w["rek"].start_project_version(ProjectVersionArn=version, MinInferenceUnits=units)
    return w, project, version


def _version(rek: Any, project: str, name: str) -> dict[str, Any]:
    (desc,) = rek.describe_project_versions(
        ProjectArn=project, VersionNames=[name])["ProjectVersionDescriptions"]
    return dict(desc)


# ---------------------------------------------------------------------- journey


def test_boto3_journey_against_another_process(server: ServerProcess) -> None:
    w = _world(server)
    rek = w["rek"]
    project = rek.create_project(ProjectName="served")["ProjectArn"]
    assert project.startswith("arn:aws:rekognition:us-east-1:123456789012:project/served/")
    version = _train(w, project)
    # The waiters really sleep here (another process): the defaults settle at the first poll.
    rek.get_waiter("project_version_training_completed").wait(
        ProjectArn=project, VersionNames=["v1"], WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    desc = _version(rek, project, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    outputs = {o["Key"] for o in w["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert desc["EvaluationResult"]["Summary"]["S3Object"]["Name"] in outputs

    assert rek.start_project_version(ProjectVersionArn=version,
                                     MinInferenceUnits=1)["Status"] == "STARTING"
    rek.get_waiter("project_version_running").wait(
        ProjectArn=project, VersionNames=["v1"], WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    uri, label = w["images"][0]
    bucket, key = uri[5:].split("/", 1)
    from_s3 = rek.detect_custom_labels(ProjectVersionArn=version,
                                       Image={"S3Object": {"Bucket": bucket, "Name": key}})
    assert [x["Name"] for x in from_s3["CustomLabels"]] == [label]
    image = w["s3"].get_object(Bucket=bucket, Key=key)["Body"].read()
    from_bytes = rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": image})
    assert from_bytes["CustomLabels"] == from_s3["CustomLabels"]

    assert rek.stop_project_version(ProjectVersionArn=version)["Status"] == "STOPPING"
    assert rek.delete_project_version(ProjectVersionArn=version)["Status"] == "DELETING"
    assert rek.delete_project(ProjectArn=project)["Status"] == "DELETING"
    assert rek.describe_projects()["ProjectDescriptions"] == []


def test_errors_reach_other_clients_as_aws_errors(server: ServerProcess) -> None:
    rek = server.client("rekognition")
    rek.create_project(ProjectName="twice")
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.create_project(ProjectName="twice")
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.describe_project_versions(
            ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/none/1")


def test_moto_services_answer_beside_rekomock(server: ServerProcess) -> None:
    sqs = server.client("sqs")
    assert "QueueUrl" in sqs.create_queue(QueueName="beside")
    rek = server.client("rekognition")
    labels = rek.detect_labels(Image={"Bytes": make_png()})["Labels"]  # moto's own answer
    assert labels


# ------------------------------------------------------------ controller over HTTP


def test_fail_training_and_fail_start_over_http(server: ServerProcess) -> None:
    w = _world(server)
    rek = w["rek"]
    project = rek.create_project(ProjectName="failing")["ProjectArn"]
    assert server.control("fail-training", {"version_name": "bad",
                                             "message": "broken on purpose"}) == (
        200, {"status": "ok"})
    _train(w, project, "bad")
    with pytest.raises(WaiterError):
        rek.get_waiter("project_version_training_completed").wait(
            ProjectArn=project, VersionNames=["bad"],
            WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    desc = _version(rek, project, "bad")
    assert (desc["Status"], desc["StatusMessage"]) == ("TRAINING_FAILED", "broken on purpose")

    good = _train(w, project, "good")
    assert server.control("fail-start", {})[0] == 200
    rek.start_project_version(ProjectVersionArn=good, MinInferenceUnits=1)
    assert _version(rek, project, "good")["Status"] == "FAILED"


def test_set_and_clear_detections_over_http(server: ServerProcess) -> None:
    w, _project, version = _running(server, "scripted")
    rek = w["rek"]
    unseen = make_png(64, 64, (9, 9, 9))
    assert rek.detect_custom_labels(ProjectVersionArn=version,
                                    Image={"Bytes": unseen})["CustomLabels"] == []
    labels = [{"Name": "zebra", "Confidence": 97.5}]
    status, _ = server.control("set-detections", {
        "labels": labels, "version": version,
        "image_base64": base64.b64encode(unseen).decode()})
    assert status == 200
    assert rek.detect_custom_labels(ProjectVersionArn=version,
                                    Image={"Bytes": unseen})["CustomLabels"] == labels
    uri, _label = w["images"][0]
    assert server.control("set-detections", {"labels": labels, "image": uri})[0] == 200
    bucket, key = uri[5:].split("/", 1)
    s3_image = {"S3Object": {"Bucket": bucket, "Name": key}}
    assert rek.detect_custom_labels(ProjectVersionArn=version,
                                    Image=s3_image)["CustomLabels"] == labels
    assert server.control("clear-detections", {}) == (200, {"status": "ok"})
    assert rek.detect_custom_labels(ProjectVersionArn=version,
                                    Image={"Bytes": unseen})["CustomLabels"] == []


def test_evaluation_quotas_and_state_over_http(server: ServerProcess) -> None:
    w = _world(server)
    rek = w["rek"]
    assert server.control("set-evaluation", {"f1_score": 0.5,
                                             "labels": {"cat": {"F1Score": 0.25}}})[0] == 200
    project = rek.create_project(ProjectName="figures")["ProjectArn"]
    _train(w, project)
    assert _version(rek, project, "v1")["EvaluationResult"]["F1Score"] == 0.5

    status, quotas = server.control("quotas")
    assert status == 200 and quotas["projects"] == 10_000
    assert server.control("set-quotas", {"projects": 1})[1]["projects"] == 1
    single_attempt = server.client("rekognition", config=SINGLE_ATTEMPT)  # no back-off sleeps
    with pytest.raises(single_attempt.exceptions.LimitExceededException):
        single_attempt.create_project(ProjectName="one-too-many")

    status, resources = server.control("resources")
    assert status == 200
    kinds = {(r["kind"], r["name"], r["status"]) for r in resources}
    assert kinds == {("project", "figures", "CREATED"),
                     ("version", "figures/v1", "TRAINING_COMPLETED")}


def test_inference_unit_hours_follow_the_clock(server: ServerProcess) -> None:
    w, project, version = _running(server, "metered", units=2)
    assert _version(w["rek"], project, "v1")["Status"] == "RUNNING"
    status, answer = server.control("advance-time", {"seconds": 1800})
    assert status == 200 and answer["OffsetSeconds"] >= 1800
    status, hours = server.control("inference-unit-hours",
                                   query=f"?version={version}")
    assert status == 200
    assert hours["ProjectVersionArn"] == version
    assert 1.0 <= hours["InferenceUnitHours"] < 1.01  # 2 units x 30 minutes


@pytest.mark.parametrize("route, body, query", [
    ("fail-training", {"version": "x"}, ""),          # unknown member
    ("set-detections", {}, ""),                        # labels missing
    ("set-detections", {"labels": [{"Name": 3}]}, ""),  # not the output shape
    ("set-detections", {"labels": [], "image_base64": "***"}, ""),
    ("set-detections", {"labels": [{"Name": "x", "Confidence": 90.0, "Geometry": {
        "Polygon": [{"X": 0.1, "Y": 0.2}]}}]}, ""),     # DetectCustomLabels has no Polygon
    ("set-evaluation", {"f1_score": 2}, ""),
    ("advance-time", {"seconds": -1}, ""),
    ("advance-time", {"seconds": "soon"}, ""),
    ("set-quotas", {"projects": -3}, ""),
    ("inference-unit-hours", None, ""),
    ("inference-unit-hours", None, "?version=arn:aws:nothing"),
    ("explain", None, "?arn=arn:aws:nothing"),
])
def test_control_routes_refuse_bad_requests(server: ServerProcess, route: str,
                                            body: dict[str, Any] | None, query: str) -> None:
    status, answer = server.control(route, body, query)
    assert status == 400
    assert isinstance(answer["Error"], str) and answer["Error"]


def test_control_routes_refuse_bodies_that_are_not_objects(server: ServerProcess) -> None:
    for raw in (b"not json", b"[1, 2]", b"\xff\xfe"):
        status, _, text = server.request("POST", "/moto-api/rekomock/fail-start", raw)
        assert status == 400 and "Error" in json.loads(text)
    status, _, _ = server.request("GET", "/moto-api/rekomock/fail-start")
    assert status == 405


@pytest.mark.parametrize("path", ["no-such-route", "state/deeper", ""])
def test_unknown_control_route_answers_json_404(server: ServerProcess, path: str) -> None:
    for method in ("GET", "POST"):
        status, headers, text = server.request(method, "/moto-api/rekomock/" + path, b"{}")
        assert status == 404 and headers["Content-Type"] == "application/json"
        assert "fail-training" in json.loads(text)["Error"]


def test_moto_state_manager_over_http(server: ServerProcess) -> None:
    w = _world(server)
    rek = w["rek"]
    project = rek.create_project(ProjectName="slow")["ProjectArn"]
    server.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 2})
    status, _, text = server.request(
        "GET", f"/moto-api/state-manager/get-transition?model_name={VERSION_TRAINING}")
    assert status == 200
    assert json.loads(text) == {"progression": "manual", "times": 2}
    _train(w, project)
    seen = [_version(rek, project, "v1")["Status"] for _ in range(2)]
    assert seen == ["TRAINING_IN_PROGRESS", "TRAINING_COMPLETED"]  # as in-process


def test_moto_reset_empties_rekomock_and_its_clock(server: ServerProcess) -> None:
    rek = server.client("rekognition")
    rek.create_project(ProjectName="gone-after-reset")
    server.control("fail-training", {})
    server.control("advance-time", {"seconds": 600})
    status, _, _ = server.request("POST", "/moto-api/reset")
    assert status == 200
    assert rek.describe_projects()["ProjectDescriptions"] == []
    assert server.control("resources") == (200, [])
    assert server.control("now")[1]["OffsetSeconds"] == 0.0

    rek.create_project(ProjectName="gone-after-rekomock-reset")
    assert server.control("reset", {}) == (200, {"status": "ok"})
    assert rek.describe_projects()["ProjectDescriptions"] == []


# -------------------------------------------------------------- accounts and regions


def test_account_comes_from_the_credentials(server: ServerProcess) -> None:
    sts = server.client("sts")
    role = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/trainer",
                           RoleSessionName="ci")["Credentials"]
    other = {"aws_access_key_id": role["AccessKeyId"],
             "aws_secret_access_key": role["SecretAccessKey"],
             "aws_session_token": role["SessionToken"]}
    theirs = server.client("rekognition", **other)
    arn = theirs.create_project(ProjectName="theirs")["ProjectArn"]
    assert ":111111111111:project/theirs/" in arn
    ours = server.client("rekognition")
    assert ours.describe_projects()["ProjectDescriptions"] == []
    with pytest.raises(ClientError) as err:
        ours.describe_project_versions(ProjectArn=arn)
    # another account's ARN: AccessDeniedException, as in-process
    # (docs/how-to/copying-and-policies.md)
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"

    status, _, text = server.request(
        "POST", "/", b"{}", _signed_headers("DescribeProjects",
                                            extra={"x-moto-account-id": "111111111111"}))
    assert status == 200
    assert [p["ProjectArn"] for p in json.loads(text)["ProjectDescriptions"]] == [arn]


def test_cross_account_copy_over_http(server: ServerProcess) -> None:
    w, source_project, source_version = _running(server, "shared-model")
    rek = w["rek"]
    rek.put_project_policy(
        ProjectArn=source_project, PolicyName="share", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "rekognition:CopyProjectVersion", "Resource": "*"}]}))
    role = server.client("sts").assume_role(
        RoleArn="arn:aws:iam::111111111111:role/copier", RoleSessionName="ci")["Credentials"]
    creds = {"aws_access_key_id": role["AccessKeyId"],
             "aws_secret_access_key": role["SecretAccessKey"],
             "aws_session_token": role["SessionToken"]}
    theirs = strict_client(server.client("rekognition", **creds))
    server.client("s3", **creds).create_bucket(Bucket="their-bucket")
    destination = theirs.create_project(ProjectName="received")["ProjectArn"]
    copy = theirs.copy_project_version(
        SourceProjectArn=source_project, SourceProjectVersionArn=source_version,
        DestinationProjectArn=destination, VersionName="copied",
        OutputConfig={"S3Bucket": "their-bucket"})["ProjectVersionArn"]
    assert ":111111111111:project/received/version/copied/" in copy
    assert _version(theirs, destination, "copied")["Status"] == "COPYING_COMPLETED"
    theirs.start_project_version(ProjectVersionArn=copy, MinInferenceUnits=1)
    uri, label = w["images"][0]
    bucket, key = uri[5:].split("/", 1)
    image = w["s3"].get_object(Bucket=bucket, Key=key)["Body"].read()
    found = theirs.detect_custom_labels(ProjectVersionArn=copy, Image={"Bytes": image})
    assert [x["Name"] for x in found["CustomLabels"]] == [label]


def test_region_comes_from_the_signature(server: ServerProcess) -> None:
    w = _world(server, "eu-west-1")
    arn = w["rek"].create_project(ProjectName="irish")["ProjectArn"]
    assert arn.startswith("arn:aws:rekognition:eu-west-1:123456789012:project/irish/")
    assert server.client("rekognition").describe_projects()["ProjectDescriptions"] == []
    _train(w, arn)  # manifests read from the eu-west-1 bucket
    assert _version(w["rek"], arn, "v1")["Status"] == "TRAINING_COMPLETED"
    with pytest.raises(ClientError) as err:
        server.client("rekognition", "af-south-1").describe_projects()
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"


def _signed_headers(operation: str, region: str = "us-east-1",
                    extra: dict[str, str] | None = None) -> dict[str, str]:
    """What a SigV4 client sends; moto's server routes by the credential scope."""
    return {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"RekognitionService.{operation}",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261129/"
                         f"{region}/rekognition/aws4_request, SignedHeaders=host, "
                         "Signature=0",
        **(extra or {}),
    }


# ------------------------------------------------------------- the command and thread


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_command_serves_until_signalled(sig: int) -> None:
    proc = ServerProcess()
    try:
        assert proc.url.startswith("http://127.0.0.1:")
        rek = proc.client("rekognition")
        assert rek.describe_projects()["ProjectDescriptions"] == []
    finally:
        code = proc.stop(sig)
    assert code == 0
    out = proc.output()
    assert "rekomock server stopped" in out
    assert "Traceback" not in out
    assert "POST / HTTP/1.1" in out  # requests are logged without --quiet


def test_quiet_command_does_not_log_requests(server: ServerProcess) -> None:
    server.client("rekognition").describe_projects()  # the session's server runs --quiet
    assert "ready at" in server.output()
    assert "POST / HTTP/1.1" not in server.output()


def test_command_refuses_a_port_in_use(server: ServerProcess) -> None:
    import subprocess
    import sys

    port = server.url.rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "rekomock", "server", "-p", port],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"Port {port} is in use" in done.stderr  # werkzeug's own message
    assert "Traceback" not in done.stderr


def test_endpoint_url_for_wildcard_addresses() -> None:
    assert endpoint_url("0.0.0.0", 5000) == "http://127.0.0.1:5000"
    assert endpoint_url("::", 5000) == "http://[::1]:5000"
    assert endpoint_url("localhost", 1) == "http://localhost:1"


def test_threaded_server_for_tests() -> None:
    with RekomockServer() as running:
        url = running.endpoint_url
        rek = boto3.session.Session().client(
            "rekognition", region_name="us-east-1", endpoint_url=url,
            aws_access_key_id="testing", aws_secret_access_key="testing")
        arn = rek.create_project(ProjectName="threaded")["ProjectArn"]
        assert rek.describe_projects(ProjectNames=["threaded"])["ProjectDescriptions"][0][
            "ProjectArn"] == arn
        rek.delete_project(ProjectArn=arn)
        answer = requests.get(url + "/moto-api/rekomock/resources", timeout=30).json()
        assert answer == []
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/moto-api/rekomock/resources", timeout=5)
    # Stopped, the server leaves plain mock_aws to moto again (its canned answer).
    from moto import mock_aws

    with mock_aws():
        canned = boto3.client("rekognition", region_name="us-east-1").detect_custom_labels(
            ProjectVersionArn="arn:aws:rekognition:us-east-1:123456789012:project/x/version/"
            "y/1", Image={"Bytes": make_png()})
        assert canned["CustomLabels"]


def test_control_routes_answer_in_process_too() -> None:
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        key, _ = put_classification_dataset(s3, BUCKET, {"a": 2, "b": 2})
        answer = requests.post("http://motoapi.amazonaws.com/moto-api/rekomock/fail-training",
                               json={"message": "in-process"}, timeout=5)
        assert answer.status_code == 200
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="p")["ProjectArn"]
        asset = manifest_asset(BUCKET, key)
        rek.create_project_version(ProjectArn=project, VersionName="v1",
                                   OutputConfig={"S3Bucket": BUCKET},
                                   TrainingData=asset, TestingData=asset)
        desc = _version(rek, project, "v1")
        assert (desc["Status"], desc["StatusMessage"]) == ("TRAINING_FAILED", "in-process")
        unknown = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/nope", timeout=5)
        assert unknown.status_code == 404 and "Error" in unknown.json()


def test_command_without_the_server_extra(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from rekomock.server import serve

    monkeypatch.setitem(sys.modules, "flask", None)  # as if moto[server] were not installed
    assert serve(port=0) == 2
    err = capsys.readouterr().err
    assert "pip install 'moto[server]'" in err and "rekomock[server]" in err


# ------------------------------------------------------------- unsigned requests


def _raw_post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, bytes]:
    """A POST as a hand-written client sends it: no SDK, no signature."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


@pytest.mark.parametrize("target, body", [
    ("RekognitionService.DescribeProjects", b"{}"),
    ("RekognitionService.CreateProject", b'{"ProjectName": "unsigned"}'),
    ("RekognitionService.NoSuchOperation", b"{}"),
    ("RekognitionService.DescribeProjects", b"not json at all"),
    ("RekognitionService.DescribeProjects", b""),
])
def test_unsigned_request_is_refused_as_aws_refuses_it(target: str, body: bytes) -> None:
    """Without ``Authorization`` AWS answers a missing token (docs/decisions.md, *Error
    codes*), never another service's answer: moto's server alone gives S3's ListBuckets."""
    with RekomockServer() as running:
        status, headers, text = _raw_post(running.endpoint_url, {
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}, body)
        assert status == 403, text[:300]
        assert headers["Content-Type"] == "application/x-amz-json-1.1"
        assert headers["x-amzn-RequestId"]
        error = json.loads(text)
        assert error["__type"] == "MissingAuthenticationTokenException"
        assert error["Message"] == "Missing Authentication Token"
        # Nothing happened: the refused CreateProject made no project.
        answer = requests.get(running.endpoint_url + "/moto-api/rekomock/resources",
                              timeout=30).json()
        assert answer == []


def test_signed_raw_request_still_answers() -> None:
    with RekomockServer() as running:
        status, headers, text = _raw_post(running.endpoint_url, {
            **_signed_headers("DescribeProjects")}, b"{}")
        assert status == 200, text[:300]
        assert json.loads(text) == {"ProjectDescriptions": []}
        assert headers["x-amzn-RequestId"]
