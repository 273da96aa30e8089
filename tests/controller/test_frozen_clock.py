"""Deterministic time: frozen (``rk.freeze_clock()``, the ini option ``rekomock_freeze_clock``,
``rekomock server --freeze-clock``, ``RekomockServer(freeze_clock=True)``), the mock's clock
moves only by ``advance_time``, waiters and retry back-offs, so meters come out exact."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from moto.moto_api import state_manager
from server_process import ServerProcess

from rekomock.controller import Controller
from rekomock.phases import VERSION_TRAINING
from rekomock.server import RekomockServer

CONTROL = "http://motoapi.amazonaws.com/moto-api/rekomock"


def created_at(client: Any, name: str) -> Any:
    """A new project's CreationTimestamp: when the mock's clock says it was made."""
    client.create_project(ProjectName=name)
    (desc,) = client.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
    return desc["CreationTimestamp"]


def test_three_hours_at_two_units_are_exactly_six(rekognition: Any, rekomock: Controller,
                                                  train: Any) -> None:
    rekomock.freeze_clock()
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    rekomock.advance_time(3 * 3600)
    time.sleep(0.02)  # real time passing changes nothing
    assert rekomock.inference_unit_hours(arn) == 6.0
    rekognition.stop_project_version(ProjectVersionArn=arn)
    assert rekomock.inference_unit_hours(arn) == 6.0


def test_real_time_leaks_in_when_not_frozen(rekognition: Any, rekomock: Controller,
                                            train: Any) -> None:
    """What freezing is for: unfrozen, the meter also counts the real time passing."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    rekomock.advance_time(3 * 3600)
    time.sleep(0.02)
    assert rekomock.inference_unit_hours(arn) > 6.0
    rekognition.stop_project_version(ProjectVersionArn=arn)


def test_a_frozen_clock_stands_still(rekognition: Any, rekomock: Controller) -> None:
    rekomock.freeze_clock()
    first = created_at(rekognition, "first")
    time.sleep(0.02)
    assert created_at(rekognition, "second") == first
    rekomock.advance_time(90)
    assert (created_at(rekognition, "third") - first).total_seconds() == 90


def test_waiters_move_a_frozen_clock(rekognition: Any, rekomock: Controller,
                                     project_arn: str, train: Any) -> None:
    rekomock.freeze_clock()
    state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 600})
    try:
        train("v1")
        rekognition.get_waiter("project_version_training_completed").wait(
            ProjectArn=project_arn, VersionNames=["v1"])  # polls every 120 s
    finally:
        state_manager.unset_transition(VERSION_TRAINING)
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=project_arn)["ProjectVersionDescriptions"]
    assert desc["BillableTrainingTimeInSeconds"] == 600
    took = desc["TrainingEndTimestamp"] - desc["CreationTimestamp"]
    assert took.total_seconds() == 600


def test_retry_back_offs_move_a_frozen_clock(rekomock: Controller) -> None:
    client = boto3.client("rekognition", region_name="us-east-1",
                          config=Config(retries={"mode": "standard", "max_attempts": 3}))
    rekomock.freeze_clock()
    before = created_at(client, "before")
    rekomock.inject_error("CreateProject", "ThrottlingException", times=2)
    after = created_at(client, "after")  # two back-offs, on the mock's clock
    assert after > before


def test_unfrozen_it_carries_on_from_where_it_stood(rekognition: Any,
                                                   rekomock: Controller) -> None:
    rekomock.freeze_clock()
    frozen_at = created_at(rekognition, "frozen")
    time.sleep(0.05)
    rekomock.freeze_clock(False)
    resumed = created_at(rekognition, "resumed")
    assert 0 <= (resumed - frozen_at).total_seconds() < 0.05  # no jump over the frozen time
    time.sleep(0.02)
    assert created_at(rekognition, "later") > resumed  # follows real time again
    rekomock.freeze_clock(False)  # unfreezing a running clock changes nothing


def test_a_reset_unfreezes(rekognition: Any, rekomock: Controller) -> None:
    rekomock.freeze_clock()
    assert requests.post(f"{CONTROL}/reset", json={}, timeout=5).ok  # the clock's reset too
    first = created_at(rekognition, "first")
    time.sleep(0.02)
    assert created_at(rekognition, "second") > first


@pytest.mark.parametrize(("frozen", "error"), [(1, "int"), ("yes", "str"), (None, "NoneType")])
def test_freeze_clock_refuses_what_is_not_a_bool(rekognition: Any, rekomock: Controller,
                                                 frozen: Any, error: str) -> None:
    with pytest.raises(TypeError, match=f"frozen must be true or false, not {error}"):
        rekomock.freeze_clock(frozen)
    answer = requests.post(f"{CONTROL}/freeze-clock", json={"frozen": frozen}, timeout=5)
    assert answer.status_code == 400
    assert answer.json() == {"Error": f"frozen must be true or false, not {error}"}
    first = created_at(rekognition, "first")  # still running with real time
    time.sleep(0.02)
    assert created_at(rekognition, "second") > first


def test_freeze_clock_over_http(rekognition: Any, rekomock: Controller) -> None:
    answer = requests.post(f"{CONTROL}/freeze-clock", json={}, timeout=5)
    assert answer.json() == {"status": "ok", "frozen": True}
    first = created_at(rekognition, "first")
    time.sleep(0.02)
    assert created_at(rekognition, "second") == first
    answer = requests.post(f"{CONTROL}/freeze-clock", json={"frozen": False}, timeout=5)
    assert answer.json() == {"status": "ok", "frozen": False}
    refused = requests.post(f"{CONTROL}/freeze-clock", json={"until": 5}, timeout=5)
    assert refused.status_code == 400 and "unknown members ['until']" in refused.json()["Error"]


def _server_client(url: str) -> Any:
    return boto3.session.Session().client(
        "rekognition", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_a_threaded_server_with_a_frozen_clock() -> None:
    with RekomockServer(freeze_clock=True) as server:
        client = _server_client(server.endpoint_url)
        first = created_at(client, "first")
        time.sleep(0.02)
        assert created_at(client, "second") == first
        assert requests.post(f"{server.endpoint_url}/moto-api/reset", timeout=5).ok
        reset_at = created_at(client, "first")
        time.sleep(0.02)
        assert created_at(client, "second") == reset_at  # frozen again after a reset
    with RekomockServer() as server:  # the next server's clock runs again
        client = _server_client(server.endpoint_url)
        first = created_at(client, "third")
        time.sleep(0.02)
        assert created_at(client, "fourth") > first


def test_the_server_command_freezes_the_clock() -> None:
    server = ServerProcess("--quiet", "--freeze-clock")
    try:
        client = server.client("rekognition")
        first = created_at(client, "first")
        time.sleep(0.02)
        assert created_at(client, "second") == first
        server.reset()
        again = created_at(client, "first")
        time.sleep(0.02)
        assert created_at(client, "second") == again
    finally:
        server.stop()


FROZEN_PROBE = '''
import time

import boto3
import requests


def created_at(client, name):
    client.create_project(ProjectName=name)
    (desc,) = client.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
    return desc["CreationTimestamp"]


def test_frozen_by_the_ini_option(rekomock):
    client = boto3.client("rekognition", region_name="us-east-1")
    first = created_at(client, "first")
    time.sleep(0.02)
    assert created_at(client, "second") == first
    # A reset of the clock leaves it frozen: the option says so for the whole test.
    requests.post("http://motoapi.amazonaws.com/moto-api/rekomock/reset", json={}, timeout=5)
    again = created_at(client, "first")
    time.sleep(0.02)
    assert created_at(client, "second") == again
'''


def test_the_ini_option_freezes_the_clock(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nrekomock_freeze_clock = true\n")
    pytester.makepyfile(test_probe=FROZEN_PROBE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
