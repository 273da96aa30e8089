"""Start, stop, delete, describe, the state manager and the waiters
[CL:rm-start; CL:rm-stop; CL:tm-delete-model; W]."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import WaiterError
from freezegun import freeze_time
from moto.moto_api import state_manager

from rekomock import Controller
from rekomock.phases import (
    VERSION_COPYING,
    VERSION_DELETING,
    VERSION_STARTING,
    VERSION_STOPPING,
    VERSION_TRAINING,
)
from rekomock.testing import describe_version


def _status(rekognition: Any, project_arn: str, name: str = "v1") -> str:
    return str(describe_version(rekognition, project_arn, name)["Status"])


def test_whole_journey(rekognition: Any, s3: Any, project_arn: str, train: Any,
                       rekomock: Controller) -> None:
    arn = train("v1")
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=project_arn, VersionNames=["v1"])
    assert rekognition.start_project_version(
        ProjectVersionArn=arn, MinInferenceUnits=1, MaxInferenceUnits=2)["Status"] == "STARTING"
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project_arn, VersionNames=["v1"])
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "RUNNING"
    assert desc["StatusMessage"] == "The model is running."
    assert (desc["MinInferenceUnits"], desc["MaxInferenceUnits"]) == (1, 2)
    assert rekognition.stop_project_version(ProjectVersionArn=arn)["Status"] == "STOPPING"
    assert _status(rekognition, project_arn) == "STOPPED"
    assert rekognition.delete_project_version(ProjectVersionArn=arn)["Status"] == "DELETING"
    assert rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] == []
    assert rekognition.delete_project(ProjectArn=project_arn)["Status"] == "DELETING"
    assert rekognition.describe_projects()["ProjectDescriptions"] == []
    assert "no Custom Labels resources" in repr(rekomock)


def test_start_refused_in_wrong_states(rekognition: Any, project_arn: str, train: Any,
                                       rekomock: Controller) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 99})
    arn = train("v1")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_project_version(ProjectVersionArn=arn)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.stop_project_version(ProjectVersionArn=arn)
    assert _status(rekognition, project_arn) == "TRAINING_IN_PROGRESS"
    state_manager.unset_transition(VERSION_TRAINING)

    rekomock.fail_training(version_name="broken")
    broken = train("broken")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.start_project_version(ProjectVersionArn=broken, MinInferenceUnits=1)
    assert _status(rekognition, project_arn, "broken") == "TRAINING_FAILED"
    # A failed training can be deleted.
    rekognition.delete_project_version(ProjectVersionArn=broken)


def test_running_model_rules(rekognition: Any, project_arn: str, train: Any) -> None:
    arn = train("v1")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.start_project_version(
            ProjectVersionArn=arn, MinInferenceUnits=3, MaxInferenceUnits=2)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.stop_project_version(ProjectVersionArn=arn)  # not running
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2,
                                      MaxInferenceUnits=2)  # equal bounds: fixed capacity
    desc = describe_version(rekognition, project_arn, "v1")
    assert (desc["Status"], desc["MinInferenceUnits"], desc["MaxInferenceUnits"]) == (
        "RUNNING", 2, 2)
    rekognition.stop_project_version(ProjectVersionArn=arn)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_project_version(ProjectVersionArn=arn)
    assert _status(rekognition, project_arn) == "RUNNING"
    rekognition.stop_project_version(ProjectVersionArn=arn)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "RUNNING" and desc["MinInferenceUnits"] == 2


def test_intermediate_states_with_manual_progression(rekognition: Any, project_arn: str,
                                                     train: Any) -> None:
    for model in (VERSION_TRAINING, VERSION_STARTING, VERSION_STOPPING, VERSION_DELETING):
        state_manager.set_transition(model, {"progression": "manual", "times": 2})
    arn = train("v1")
    assert [_status(rekognition, project_arn) for _ in range(2)] == [
        "TRAINING_IN_PROGRESS", "TRAINING_COMPLETED"]
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["StatusMessage"] == "The model is ready to run."
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.stop_project_version(ProjectVersionArn=arn)  # STARTING is not RUNNING
    assert [_status(rekognition, project_arn) for _ in range(2)] == ["STARTING", "RUNNING"]
    rekognition.stop_project_version(ProjectVersionArn=arn)
    assert [_status(rekognition, project_arn) for _ in range(2)] == ["STOPPING", "STOPPED"]
    rekognition.delete_project_version(ProjectVersionArn=arn)
    assert _status(rekognition, project_arn) == "DELETING"
    assert rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] == []


def _hold_in(rekognition: Any, project_arn: str, train: Any, status: str) -> str:
    """Train v1 and leave it in ``status`` (the phase that leads to it never completes)."""
    held = {"TRAINING_IN_PROGRESS": VERSION_TRAINING, "STARTING": VERSION_STARTING,
            "STOPPING": VERSION_STOPPING, "COPYING_IN_PROGRESS": VERSION_COPYING,
            "DELETING": VERSION_DELETING}.get(status)
    if held is not None:
        state_manager.set_transition(held, {"progression": "manual", "times": 99})
    arn: str = train("v1")
    if status in ("STARTING", "RUNNING", "STOPPING"):
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    if status == "STOPPING":
        rekognition.stop_project_version(ProjectVersionArn=arn)
    if status == "COPYING_IN_PROGRESS":
        arn = rekognition.copy_project_version(
            SourceProjectArn=project_arn, SourceProjectVersionArn=arn,
            DestinationProjectArn=project_arn, VersionName="copy",
            OutputConfig={"S3Bucket": "rekomock-test-bucket"})["ProjectVersionArn"]
    if status == "DELETING":
        rekognition.delete_project_version(ProjectVersionArn=arn)
    (desc,) = [d for d in rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] if d["ProjectVersionArn"] == arn]
    assert desc["Status"] == status
    return arn


@pytest.mark.parametrize("status", ["TRAINING_IN_PROGRESS", "STARTING", "RUNNING", "STOPPING",
                                    "COPYING_IN_PROGRESS", "DELETING"])
def test_busy_versions_cannot_be_deleted_or_started(rekognition: Any, project_arn: str,
                                                    train: Any, status: str) -> None:
    arn = _hold_in(rekognition, project_arn, train, status)
    for call in (lambda: rekognition.delete_project_version(ProjectVersionArn=arn),
                 lambda: rekognition.start_project_version(ProjectVersionArn=arn,
                                                           MinInferenceUnits=1)):
        with pytest.raises(rekognition.exceptions.ResourceInUseException) as err:
            call()
        assert status in err.value.response["Error"]["Message"]
    (desc,) = [d for d in rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] if d["ProjectVersionArn"] == arn]
    assert desc["Status"] == status  # a refused call changes nothing


def test_outputs_appear_when_training_ends(rekognition: Any, s3: Any, project_arn: str,
                                          train: Any) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 2})
    train("v1")
    assert "Contents" not in s3.list_objects_v2(Bucket="rekomock-test-bucket", Prefix="output/")
    desc = describe_version(rekognition, project_arn, "v1")
    assert "EvaluationResult" not in desc and "TrainingEndTimestamp" not in desc
    assert _status(rekognition, project_arn) == "TRAINING_COMPLETED"
    assert len(s3.list_objects_v2(Bucket="rekomock-test-bucket", Prefix="output/")[
        "Contents"]) == 6


def test_fail_start(rekognition: Any, project_arn: str, train: Any,
                    rekomock: Controller, no_real_sleep: list[float]) -> None:
    arn = train("v1")
    rekomock.fail_start(message="Not enough capacity.")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    with pytest.raises(WaiterError) as err:
        rekognition.get_waiter("project_version_running").wait(
            ProjectArn=project_arn, VersionNames=["v1"])
    assert no_real_sleep == []
    assert "FAILED" in str(err.value)
    desc = describe_version(rekognition, project_arn, "v1")
    assert (desc["Status"], desc["StatusMessage"]) == ("FAILED", "Not enough capacity.")
    assert rekomock.explain(arn) == ("FAILED: Not enough capacity. -- "
                                     "rk.fail_start() asked for this failure")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)  # retry
    assert _status(rekognition, project_arn) == "RUNNING"
    assert rekomock.explain(arn) == "RUNNING: The model is running."


def test_waiters_under_time_progression_do_not_sleep(rekognition: Any, project_arn: str,
                                                     train: Any,
                                                     no_real_sleep: list[float]) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 3600})
    state_manager.set_transition(VERSION_STARTING, {"progression": "time", "seconds": 600})
    arn = train("v1")
    assert _status(rekognition, project_arn) == "TRAINING_IN_PROGRESS"
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=project_arn, VersionNames=["v1"])
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert 3600 <= desc["BillableTrainingTimeInSeconds"] <= 3600 + 120
    elapsed = (desc["TrainingEndTimestamp"] - desc["CreationTimestamp"]).total_seconds()
    assert 3599 <= elapsed <= 3721
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project_arn, VersionNames=["v1"])
    assert _status(rekognition, project_arn) == "RUNNING"
    assert no_real_sleep == []


def test_failing_training_waiter_is_fast_under_time_progression(
    rekognition: Any, project_arn: str, train: Any, rekomock: Controller,
    no_real_sleep: list[float],
) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 7200})
    rekomock.fail_training()
    train("v1")
    with pytest.raises(WaiterError) as err:
        rekognition.get_waiter("project_version_training_completed").wait(
            ProjectArn=project_arn, VersionNames=["v1"])
    assert "TRAINING_FAILED" in str(err.value)
    assert no_real_sleep == []


def test_time_progression_follows_freezegun(rekognition: Any, project_arn: str,
                                            train: Any) -> None:
    state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 1800})
    with freeze_time("2026-01-01 12:00:00") as frozen:
        train("v1")
        assert _status(rekognition, project_arn) == "TRAINING_IN_PROGRESS"
        frozen.tick(1000)
        assert _status(rekognition, project_arn) == "TRAINING_IN_PROGRESS"
        frozen.tick(1000)
        desc = describe_version(rekognition, project_arn, "v1")
        assert desc["Status"] == "TRAINING_COMPLETED"
        assert desc["BillableTrainingTimeInSeconds"] == 1800


def test_inference_unit_hours(rekognition: Any, project_arn: str, train: Any,
                              rekomock: Controller) -> None:
    with freeze_time("2026-01-01 08:00:00") as frozen:
        arn = train("v1")
        assert rekomock.inference_unit_hours(arn) == 0
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
        assert _status(rekognition, project_arn) == "RUNNING"
        frozen.tick(3 * 3600)
        assert rekomock.inference_unit_hours(arn) == pytest.approx(6.0)
        rekognition.stop_project_version(ProjectVersionArn=arn)
        frozen.tick(5 * 3600)
        assert rekomock.inference_unit_hours(arn) == pytest.approx(6.0)
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
        assert _status(rekognition, project_arn) == "RUNNING"
        frozen.tick(3600)
        assert rekomock.inference_unit_hours(arn) == pytest.approx(7.0)  # earlier runs count
        rekognition.stop_project_version(ProjectVersionArn=arn)
        rekognition.delete_project_version(ProjectVersionArn=arn)
        assert rekomock.inference_unit_hours(arn) == pytest.approx(7.0)


def test_describe_versions_order_filter_and_paging(rekognition: Any, project_arn: str,
                                                   train: Any) -> None:
    for i in range(5):
        train(f"v{i}")
    descs = rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"]
    assert [d["ProjectVersionArn"].split("/")[3] for d in descs] == [
        "v4", "v3", "v2", "v1", "v0"]  # newest first
    picked = rekognition.describe_project_versions(
        ProjectArn=project_arn, VersionNames=["v1", "nope", "v3"])["ProjectVersionDescriptions"]
    assert [d["ProjectVersionArn"].split("/")[3] for d in picked] == ["v3", "v1"]
    first = rekognition.describe_project_versions(ProjectArn=project_arn, MaxResults=2,
                                                  NextToken="")
    assert len(first["ProjectVersionDescriptions"]) == 2 and first["NextToken"]
    pages = rekognition.get_paginator("describe_project_versions").paginate(
        ProjectArn=project_arn, PaginationConfig={"PageSize": 2})
    names = [d["ProjectVersionArn"].split("/")[3]
             for p in pages for d in p["ProjectVersionDescriptions"]]
    assert names == ["v4", "v3", "v2", "v1", "v0"]
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.describe_project_versions(ProjectArn=project_arn, NextToken="garbage")


def test_unknown_project_or_version(rekognition: Any, project_arn: str) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.describe_project_versions(
            ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/x/1234567890123")
    missing = project_arn.rsplit("/", 1)[0] + "/version/ghost/1234567890123"
    for call in (
        lambda: rekognition.start_project_version(ProjectVersionArn=missing, MinInferenceUnits=1),
        lambda: rekognition.stop_project_version(ProjectVersionArn=missing),
        lambda: rekognition.delete_project_version(ProjectVersionArn=missing),
    ):
        with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
            call()


def test_controller_table_shows_versions(rekognition: Any, project_arn: str, train: Any,
                                         rekomock: Controller) -> None:
    arn = train("v1")
    rows = [line for line in str(rekomock).splitlines() if "my-project/v1" in line]
    assert len(rows) == 1 and "TRAINING_COMPLETED" in rows[0] and rows[0].rstrip().endswith(
        "F1=1.000")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    assert _status(rekognition, project_arn) == "RUNNING"
    (row,) = [line for line in str(rekomock).splitlines() if "my-project/v1" in line]
    assert "RUNNING" in row and row.rstrip().endswith("F1=1.000 units=2")
    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 99})
    train("v2")
    (row,) = [line for line in str(rekomock).splitlines() if "my-project/v2" in line]
    assert "TRAINING_IN_PROGRESS" in row and "F1=" not in row  # no figures before the end
