"""The three entry points and their shared semantics (decorator, context manager, fixture)."""

from __future__ import annotations

import asyncio
import socket
import unittest
from typing import Any

import boto3
import pytest
from moto import mock_aws

from rekomock import Controller, mock_rekognition_custom

REGION = "us-east-1"


def _client() -> Any:
    return boto3.client("rekognition", region_name=REGION)


def _project_names() -> list[str]:
    return [
        d["ProjectArn"].split("/")[1] for d in _client().describe_projects()["ProjectDescriptions"]
    ]


@mock_rekognition_custom
def test_function_decorator() -> None:
    _client().create_project(ProjectName="decorated")
    assert _project_names() == ["decorated"]


@mock_rekognition_custom
def test_decorated_test_still_gets_pytest_fixtures(tmp_path: Any) -> None:
    assert tmp_path.exists()
    assert _project_names() == []


def test_coroutine_decorator() -> None:
    @mock_rekognition_custom
    async def body() -> list[str]:
        await asyncio.sleep(0)
        _client().create_project(ProjectName="from-coroutine")
        await asyncio.sleep(0)
        return _project_names()

    assert asyncio.run(body()) == ["from-coroutine"]


def test_context_manager_yields_controller() -> None:
    with mock_rekognition_custom() as rk:
        assert isinstance(rk, Controller)
        _client().create_project(ProjectName="in-with")
        assert _project_names() == ["in-with"]


def test_fixture_yields_controller(rekomock: Controller) -> None:
    assert isinstance(rekomock, Controller)
    _client().create_project(ProjectName="from-fixture")
    assert _project_names() == ["from-fixture"]


@mock_rekognition_custom
class TestPytestStyleClass:
    def setup_method(self, method: Any) -> None:
        _client().create_project(ProjectName="made-in-setup")

    def test_setup_data_is_kept(self) -> None:
        assert _project_names() == ["made-in-setup"]

    def test_each_test_starts_from_setup_only(self) -> None:
        _client().create_project(ProjectName="extra")
        assert sorted(_project_names()) == ["extra", "made-in-setup"]

    def test_and_the_extra_is_gone_next_time(self) -> None:
        assert _project_names() == ["made-in-setup"]


@mock_rekognition_custom
class TestUnittestCase(unittest.TestCase):
    def setUp(self) -> None:
        _client().create_project(ProjectName="unittest-setup")

    def test_setup_kept(self) -> None:
        self.assertEqual(_project_names(), ["unittest-setup"])

    def test_again(self) -> None:
        self.assertEqual(_project_names(), ["unittest-setup"])


@mock_rekognition_custom
class TestClassWithoutSetup:
    def test_one(self) -> None:
        _client().create_project(ProjectName="one")
        assert _project_names() == ["one"]

    def test_two_is_fresh(self) -> None:
        assert _project_names() == []


def test_fresh_activation_starts_empty() -> None:
    with mock_rekognition_custom():
        _client().create_project(ProjectName="first")
    with mock_rekognition_custom():
        assert _project_names() == []


def test_nested_activations_share_state() -> None:
    with mock_rekognition_custom():
        _client().create_project(ProjectName="outer")
        with mock_rekognition_custom():
            assert _project_names() == ["outer"]
            _client().create_project(ProjectName="inner")
        assert sorted(_project_names()) == ["inner", "outer"]


def test_same_instance_can_be_reentered() -> None:
    mock = mock_rekognition_custom()
    with mock:
        _client().create_project(ProjectName="x")
        with mock:
            assert _project_names() == ["x"]
        assert _project_names() == ["x"]


def test_alone_it_mocks_s3_too() -> None:
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="alone-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["alone-bucket"]


def test_inside_mock_aws_shares_state_and_leaves_it_running() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="outer-bucket")
        with mock_rekognition_custom():
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["outer-bucket"]
            s3.create_bucket(Bucket="inner-bucket")
            _client().create_project(ProjectName="p")
        names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        assert names == ["inner-bucket", "outer-bucket"]
        # moto still runs; rekomock is off, so Custom Labels operations are moto's again.
        with pytest.raises(NotImplementedError):
            _client().describe_projects()


def test_mock_aws_entered_inside_rekomock() -> None:
    with mock_rekognition_custom():
        _client().create_project(ProjectName="before")
        with mock_aws():
            assert _project_names() == ["before"]
            boto3.client("s3", region_name=REGION).create_bucket(Bucket="bkt-inner")
        assert _project_names() == ["before"]
        buckets = boto3.client("s3", region_name=REGION).list_buckets()["Buckets"]
        assert [b["Name"] for b in buckets] == ["bkt-inner"]


def test_plain_mock_aws_keeps_motos_canned_detect_custom_labels() -> None:
    with mock_aws():
        answer = _client().detect_custom_labels(
            ProjectVersionArn="arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1",
            Image={"Bytes": b"not an image"},
        )
        assert answer["CustomLabels"]  # moto's hard-coded label


def test_motos_own_rekognition_operations_keep_working(rekomock: Controller) -> None:
    client = _client()
    assert client.detect_labels(Image={"Bytes": b"x"})["Labels"]
    assert "FaceMatches" in client.compare_faces(
        SourceImage={"Bytes": b"x"}, TargetImage={"Bytes": b"y"}
    )
    assert "TextDetections" in client.detect_text(Image={"Bytes": b"x"})


def test_unknown_operation_is_refused_like_aws(rekomock: Controller) -> None:
    """moto would run any public method X-Amz-Target names; the router refuses them."""
    client = _client()

    def retarget(request: Any, **_: Any) -> None:
        request.headers["X-Amz-Target"] = "RekognitionService.CallAction"

    client.meta.events.register("before-sign.rekognition.DescribeProjects", retarget)
    with pytest.raises(client.exceptions.ClientError) as err:
        client.describe_projects()
    assert err.value.response["Error"]["Code"] == "UnknownOperationException"


def test_clients_created_before_activation_are_mocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = _client()
    with mock_rekognition_custom():
        client.create_project(ProjectName="early-client")
        assert _project_names() == ["early-client"]


def test_nothing_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("rekomock tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with mock_rekognition_custom():
        client = _client()
        arn = client.create_project(ProjectName="offline")["ProjectArn"]
        client.tag_resource(ResourceArn=arn, Tags={"k": "v"})
        assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"k": "v"}
        assert client.delete_project(ProjectArn=arn)["Status"] == "DELETING"
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="offline-bucket")


def test_controller_shows_state(rekomock: Controller) -> None:
    assert "no Custom Labels resources" in repr(rekomock)
    _client().create_project(ProjectName="shown")
    text = str(rekomock)
    assert "shown" in text and "CREATED" in text and "project" in text
    page = rekomock._repr_html_()
    assert page.startswith("<table") and "<td>shown</td>" in page


SESSION_PROBE = """
import boto3

seen = []

def test_one(rekomock):
    boto3.client("rekognition").describe_projects()
    seen.append(boto3.DEFAULT_SESSION)

def test_two(rekomock):
    boto3.client("rekognition").describe_projects()
    seen.append(boto3.DEFAULT_SESSION)
    assert (seen[0] is seen[1]) == {same}
"""


@pytest.mark.parametrize(("ini", "same"), [("", False), ("rekomock_reset_boto3_session = false",
                                                         True)])
def test_fixture_needs_no_import_and_can_keep_the_boto3_session(
    pytester: pytest.Pytester, ini: str, same: bool
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(SESSION_PROBE.format(same=same))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# ------------------------------------------------------------------ region rule

def _region_of_a_client_without_one(name: str = "where") -> str:
    arn = boto3.client("rekognition").create_project(ProjectName=name)["ProjectArn"]
    return str(arn.split(":")[3])


@pytest.mark.parametrize("configured", [None, "eu-west-1", "profile"])
def test_every_entry_point_has_the_same_region_rule(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Any,
                                                    configured: str | None) -> None:
    """No region configured: us-east-1; a region of the environment or of the profile is
    used; the environment is left as it was."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    if configured == "profile":
        config = tmp_path / "config"
        config.write_text("[default]\nregion = ap-southeast-2\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    elif configured is not None:
        monkeypatch.setenv("AWS_DEFAULT_REGION", configured)
    expected = {None: "us-east-1", "profile": "ap-southeast-2"}.get(configured, configured)

    @mock_rekognition_custom
    def decorated() -> str:
        return _region_of_a_client_without_one()

    assert decorated() == expected
    with mock_rekognition_custom():
        assert _region_of_a_client_without_one() == expected
        with mock_rekognition_custom():  # nested: the outer activation's rule holds
            assert _region_of_a_client_without_one("nested") == expected
    import os

    assert os.environ.get("AWS_DEFAULT_REGION") == (None if configured == "profile"
                                                    else configured)


REGION_PROBE = """
import os

def test_fixture(rekomock):
    import boto3
    arn = boto3.client("rekognition").create_project(ProjectName="p")["ProjectArn"]
    assert arn.split(":")[3] == "us-east-1"

def test_after_it():
    assert "AWS_DEFAULT_REGION" not in os.environ
"""


def test_fixture_follows_the_region_rule(pytester: pytest.Pytester,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    pytester.makepyfile(REGION_PROBE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# ------------------------------------------------------------- shipped fixtures

def test_shipped_client_fixtures(rekognition_client: Any, s3_client: Any,
                                 rekomock: Controller) -> None:
    s3_client.create_bucket(Bucket="fixture-bucket")
    assert [b["Name"] for b in s3_client.list_buckets()["Buckets"]] == ["fixture-bucket"]
    rekognition_client.create_project(ProjectName="from-fixture")
    assert "from-fixture" in str(rekomock)
    assert rekognition_client.meta.region_name == s3_client.meta.region_name


CREDENTIALS_PROBE = """
import os

import boto3

def test_fake_credentials(aws_credentials):
    creds = boto3.Session().get_credentials()
    assert (creds.access_key, creds.secret_key) == ("testing", "testing")
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"

def test_restored_after_it():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "real-looking-key"
    assert "AWS_DEFAULT_REGION" not in os.environ
"""


def test_aws_credentials_fixture_sets_and_restores(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-looking-key")
    pytester.makepyfile(CREDENTIALS_PROBE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
