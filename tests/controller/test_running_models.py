"""Nothing left running: ``rk.running()`` lists the models STARTING or RUNNING with what they
cost per hour, and the pytest plugin warns (``rekomock.RunningModelWarning``) or fails a test
that ends with one running (ini option ``rekomock_running_models``)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from moto.moto_api import state_manager

import rekomock
from rekomock.controller import Controller, RunningModel
from rekomock.phases import VERSION_STARTING

CONTROL = "http://motoapi.amazonaws.com/moto-api/rekomock"


def test_running_lists_starting_and_running_models(rekognition: Any, rekomock: Controller,
                                                   project_arn: str, train: Any) -> None:
    first, second, idle = train("v1"), train("v2"), train("v3")
    rekognition.start_project_version(ProjectVersionArn=first, MinInferenceUnits=2)
    assert rekomock.running() == [RunningModel(first, "RUNNING", 2, 8.0)]

    state_manager.set_transition(VERSION_STARTING, {"progression": "manual", "times": 2})
    try:
        rekognition.start_project_version(ProjectVersionArn=second, MinInferenceUnits=1,
                                          MaxInferenceUnits=3)
        assert rekomock.running() == [RunningModel(first, "RUNNING", 2, 8.0),
                                      RunningModel(second, "STARTING", 1, 4.0)]
    finally:
        state_manager.unset_transition(VERSION_STARTING)
    assert idle not in [model.version for model in rekomock.running()]

    rekognition.stop_project_version(ProjectVersionArn=first)
    assert [model.version for model in rekomock.running()] == [second]
    # The manual progression advances on each describe.
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project_arn, VersionNames=["v2"])
    assert rekomock.running() == [RunningModel(second, "RUNNING", 1, 4.0)]
    rekognition.stop_project_version(ProjectVersionArn=second)
    assert rekomock.running() == []


def test_cost_per_hour_follows_the_prices(rekognition: Any, rekomock: Controller,
                                          train: Any) -> None:
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=3)
    rekomock.set_prices(inference_hour=0.5)
    (model,) = rekomock.running()
    assert (model.inference_units, model.cost_per_hour) == (3, 1.5)
    assert str(model) == f"{arn} (RUNNING, 3 inference units, $1.50 per hour)"
    assert str(RunningModel(arn, "STARTING", 1, 4.0)) == (
        f"{arn} (STARTING, 1 inference unit, $4.00 per hour)")
    rekognition.stop_project_version(ProjectVersionArn=arn)


def test_running_models_in_every_account_and_region(rekomock: Controller, train: Any,
                                                    rekognition: Any) -> None:
    import boto3

    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    west = boto3.client("rekognition", region_name="us-west-2")
    west.create_project(ProjectName="west")
    assert [model.version for model in rekomock.running()] == [arn]
    rekognition.stop_project_version(ProjectVersionArn=arn)
    assert rekomock.running() == []


def test_running_over_http(rekognition: Any, rekomock: Controller, train: Any) -> None:
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    answer = requests.get(f"{CONTROL}/running", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"running": [
        {"version": arn, "status": "RUNNING", "inference_units": 2, "cost_per_hour": 8.0}]}
    refused = requests.get(f"{CONTROL}/running", params={"version": arn}, timeout=5)
    assert refused.status_code == 400
    assert "unknown members ['version']" in refused.json()["Error"]
    assert requests.post(f"{CONTROL}/running", json={}, timeout=5).status_code == 405
    rekognition.stop_project_version(ProjectVersionArn=arn)


def test_the_warning_is_public() -> None:
    assert issubclass(rekomock.RunningModelWarning, UserWarning)
    assert "RunningModelWarning" in rekomock.__all__


# ----------------------------------------------------------------- the plugin

PROBE = '''
import boto3
from rekomock.testing import put_classification_dataset


def start_model(stop):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="probe-bucket")
    key, _ = put_classification_dataset(s3, "probe-bucket", {"a": 5, "b": 5})
    rek = boto3.client("rekognition", region_name="us-east-1")
    project = rek.create_project(ProjectName="probe")["ProjectArn"]
    asset = {"Assets": [{"GroundTruthManifest": {
        "S3Object": {"Bucket": "probe-bucket", "Name": key}}}]}
    arn = rek.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "probe-bucket"},
        TrainingData=asset, TestingData={"AutoCreate": True})["ProjectVersionArn"]
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    if stop:
        rek.stop_project_version(ProjectVersionArn=arn)


def test_leaves_it_running(rekomock):
    start_model(stop=False)


def test_stops_it(rekomock):
    start_model(stop=True)
'''


def _run(pytester: pytest.Pytester, ini: str) -> Any:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_probe=PROBE)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W",
                                         "default::rekomock.RunningModelWarning")


def test_a_model_left_running_is_warned_about(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "")
    result.assert_outcomes(passed=2, warnings=1)
    out = result.stdout.str()
    assert "RunningModelWarning: test_probe.py::test_leaves_it_running ended with 1 Custom " \
           "Labels model(s) running, $8.00 per hour on AWS until stopped: " \
           "arn:aws:rekognition:us-east-1:123456789012:project/probe/version/v1/" in out
    assert "(RUNNING, 2 inference units, $8.00 per hour)" in out
    assert "test_stops_it ended" not in out


def test_error_mode_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "rekomock_running_models = error")
    result.assert_outcomes(passed=2, errors=1)
    out = result.stdout.str()
    assert "ERROR at teardown of test_leaves_it_running" in out
    assert "ended with 1 Custom Labels model(s) running, $8.00 per hour" in out
    assert "test_stops_it ended" not in out


def test_ignore_mode_says_nothing(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "rekomock_running_models = ignore")
    result.assert_outcomes(passed=2)
    assert "RunningModelWarning" not in result.stdout.str()


def test_a_bad_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "rekomock_running_models = loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "rekomock_running_models must be one of warn, error, ignore, not 'loud'" in \
        result.stderr.str()
