"""The bill (``rk.bill``): training hours and inference-unit hours per version, priced in USD
on the mock's clock, deleted versions included; ``rk.set_prices`` / ``rk.clear_prices``; the
same over the HTTP control routes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import WaiterError
from moto.moto_api import state_manager

from rekomock.controller import Bill, BillItem, Controller
from rekomock.phases import VERSION_TRAINING

CONTROL = "http://motoapi.amazonaws.com/moto-api/rekomock"


@pytest.fixture
def hour_long_training(rekomock: Controller) -> Iterator[None]:
    """Trainings take an hour of the mock's clock, which stands still between calls."""
    rekomock.freeze_clock()
    state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 3600})
    yield
    state_manager.unset_transition(VERSION_TRAINING)


@pytest.fixture
def trained(rekognition: Any, project_arn: str, train: Any,
            hour_long_training: None) -> Any:
    """Train a version and wait for it, as users' code does (the waiter moves the clock)."""

    def _trained(name: str) -> str:
        arn = train(name)
        rekognition.get_waiter("project_version_training_completed").wait(
            ProjectArn=project_arn, VersionNames=[name])
        return str(arn)

    return _trained


def run_for(rekognition: Any, rekomock: Controller, project_arn: str, arn: str, units: int,
            hours: float) -> None:
    """Start the model with ``units``, let it run ``hours`` and stop it."""
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=units)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=project_arn, VersionNames=[arn.split("/")[3]])
    rekomock.advance_time(hours * 3600)
    rekognition.stop_project_version(ProjectVersionArn=arn)


def lines(bill: Bill) -> list[tuple[str, str, float, float, float]]:
    return [(i.version.split("/")[3], i.kind, i.hours, i.unit_price, i.amount)
            for i in bill.items]


def test_the_bill_of_a_journey(rekognition: Any, rekomock: Controller, project_arn: str,
                               trained: Any) -> None:
    arn = trained("v1")
    run_for(rekognition, rekomock, project_arn, arn, units=2, hours=5)

    bill = rekomock.bill()

    assert lines(bill) == [("v1", "training", 1.0, 1.0, 1.0),
                           ("v1", "inference", 10.0, 4.0, 40.0)]
    assert bill.total == 41.0 and bill.currency == "USD"
    assert bill.items[0] == BillItem(arn, "training", 1.0, 1.0, 1.0)
    # The meter and the bill agree; DescribeProjectVersions reports the billed training.
    assert rekomock.inference_unit_hours(arn) == bill.items[1].hours
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=project_arn)["ProjectVersionDescriptions"]
    assert desc["BillableTrainingTimeInSeconds"] / 3600 == bill.items[0].hours


def test_the_statement_reads_as_one(rekognition: Any, rekomock: Controller,
                                    project_arn: str, trained: Any) -> None:
    arn = trained("v1")
    run_for(rekognition, rekomock, project_arn, arn, units=2, hours=5)

    text = str(rekomock.bill())

    assert text.splitlines()[0] == "Amazon Rekognition Custom Labels: statement in USD"
    assert f"{arn}  training " in text and f"{arn}  inference" in text
    assert "10.0000" in text and "40.00" in text
    assert text.splitlines()[-1].startswith("TOTAL") and text.endswith("41.00")


def test_a_bill_is_frozen(rekomock: Controller) -> None:
    bill = rekomock.bill()
    assert bill == Bill((), 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bill.total = 1.0  # type: ignore[misc]
    assert "(no model versions)" in str(bill)


def test_deleted_versions_stay_on_the_bill(rekognition: Any, rekomock: Controller,
                                           project_arn: str, trained: Any) -> None:
    v1 = trained("v1")
    run_for(rekognition, rekomock, project_arn, v1, units=1, hours=2)
    rekognition.delete_project_version(ProjectVersionArn=v1)
    v2 = trained("v2")
    run_for(rekognition, rekomock, project_arn, v2, units=3, hours=1)
    rekognition.delete_project_version(ProjectVersionArn=v2)
    rekognition.delete_project(ProjectArn=project_arn)

    assert lines(rekomock.bill()) == [
        ("v1", "training", 1.0, 1.0, 1.0), ("v1", "inference", 2.0, 4.0, 8.0),
        ("v2", "training", 1.0, 1.0, 1.0), ("v2", "inference", 3.0, 4.0, 12.0)]
    assert rekomock.bill().total == 22.0
    assert lines(rekomock.bill(v2)) == [("v2", "training", 1.0, 1.0, 1.0),
                                        ("v2", "inference", 3.0, 4.0, 12.0)]


def test_a_reset_empties_the_bill(rekognition: Any, rekomock: Controller, project_arn: str,
                                  trained: Any) -> None:
    arn = trained("v1")
    rekognition.delete_project_version(ProjectVersionArn=arn)
    assert rekomock.bill().total == 1.0
    rekomock.reset()
    assert rekomock.bill() == Bill((), 0.0)
    with pytest.raises(ValueError, match="no such project version"):
        rekomock.bill(arn)


def test_bill_of_one_version(rekognition: Any, rekomock: Controller, project_arn: str,
                             trained: Any) -> None:
    v1, v2 = trained("v1"), trained("v2")
    run_for(rekognition, rekomock, project_arn, v2, units=2, hours=0.5)

    assert lines(rekomock.bill(v1)) == [("v1", "training", 1.0, 1.0, 1.0),
                                        ("v1", "inference", 0.0, 4.0, 0.0)]
    assert lines(rekomock.bill(v2)) == [("v2", "training", 1.0, 1.0, 1.0),
                                        ("v2", "inference", 1.0, 4.0, 4.0)]
    assert rekomock.bill(v1).total + rekomock.bill(v2).total == rekomock.bill().total


def test_a_running_model_is_billed_up_to_now(rekognition: Any, rekomock: Controller,
                                             project_arn: str, trained: Any) -> None:
    arn = trained("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    rekognition.get_waiter("project_version_running").wait(ProjectArn=project_arn,
                                                           VersionNames=["v1"])
    rekomock.advance_time(1800)
    assert rekomock.bill(arn).items[1].hours == 1.0
    rekomock.advance_time(1800)
    assert rekomock.bill(arn).items[1].hours == 2.0
    rekognition.stop_project_version(ProjectVersionArn=arn)


def test_failed_trainings_and_copies_cost_no_training(
        rekognition: Any, rekomock: Controller, project_arn: str, trained: Any) -> None:
    """AWS charges for the time it takes to *successfully* train a model
    (Training an Amazon Rekognition Custom Labels model)."""
    rekomock.fail_training(message="The manifest file is empty.")
    with pytest.raises(WaiterError, match="TRAINING_FAILED"):
        trained("broken")
    ok = trained("v1")
    rekognition.create_project(ProjectName="elsewhere")
    copy = rekognition.copy_project_version(
        SourceProjectArn=project_arn, SourceProjectVersionArn=ok,
        DestinationProjectArn=rekognition.describe_projects(ProjectNames=["elsewhere"])[
            "ProjectDescriptions"][0]["ProjectArn"],
        VersionName="copied", OutputConfig={"S3Bucket": "rekomock-test-bucket"})
    assert lines(rekomock.bill()) == [
        ("broken", "training", 0.0, 1.0, 0.0), ("broken", "inference", 0.0, 4.0, 0.0),
        ("v1", "training", 1.0, 1.0, 1.0), ("v1", "inference", 0.0, 4.0, 0.0),
        ("copied", "training", 0.0, 1.0, 0.0), ("copied", "inference", 0.0, 4.0, 0.0)]
    assert rekomock.bill(copy["ProjectVersionArn"]).total == 0.0


def test_set_prices_and_clear_prices(rekognition: Any, rekomock: Controller,
                                     project_arn: str, trained: Any) -> None:
    arn = trained("v1")
    run_for(rekognition, rekomock, project_arn, arn, units=2, hours=5)

    rekomock.set_prices(inference_hour=2.5)
    assert lines(rekomock.bill()) == [("v1", "training", 1.0, 1.0, 1.0),
                                      ("v1", "inference", 10.0, 2.5, 25.0)]
    rekomock.set_prices(training_hour=3)
    assert rekomock.bill().total == 28.0  # one setting does not undo the other
    rekomock.clear_prices()
    assert rekomock.bill().total == 41.0
    rekomock.set_prices(training_hour=0, inference_hour=0)
    assert rekomock.bill().total == 0.0


def test_a_reset_restores_the_default_prices(rekognition: Any, rekomock: Controller,
                                             train: Any, hour_long_training: None) -> None:
    rekomock.set_prices(training_hour=9, inference_hour=9)
    rekomock.reset()
    train("v1", ProjectArn=rekognition.create_project(ProjectName="again")["ProjectArn"])
    assert [(i.kind, i.unit_price) for i in rekomock.bill().items] == [
        ("training", 1.0), ("inference", 4.0)]


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"inference_hour": -1}, ValueError,
     "inference_hour must be a finite number between 0 and 1e\\+06, not -1"),
    ({"training_hour": float("nan")}, ValueError, "training_hour must be a finite number"),
    ({"training_hour": "1.00"}, TypeError, "training_hour must be a finite number"),
    ({"inference_hour": True}, TypeError, "inference_hour must be a finite number"),
    ({}, ValueError, "give training_hour or inference_hour"),
])
def test_set_prices_refuses_bad_prices(rekomock: Controller, kwargs: dict[str, Any],
                                       error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        rekomock.set_prices(**kwargs)
    assert rekomock.bill() == Bill((), 0.0)


def test_bill_refuses_what_is_not_a_version(rekomock: Controller) -> None:
    with pytest.raises(TypeError, match="version must be a string or null, not int"):
        rekomock.bill(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="version must be a project version ARN"):
        rekomock.bill("arn:aws:rekognition:us-east-1:123456789012:project/p/1")
    with pytest.raises(ValueError, match="version: no such project version"):
        rekomock.bill("arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1")


# ------------------------------------------------------------------ HTTP routes


def test_the_bill_over_http(rekognition: Any, rekomock: Controller, project_arn: str,
                            trained: Any) -> None:
    arn = trained("v1")
    run_for(rekognition, rekomock, project_arn, arn, units=2, hours=5)

    answer = requests.get(f"{CONTROL}/bill", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {"version": arn, "kind": "training", "hours": 1.0, "unit_price": 1.0,
             "amount": 1.0},
            {"version": arn, "kind": "inference", "hours": 10.0, "unit_price": 4.0,
             "amount": 40.0}],
        "total": 41.0, "currency": "USD"}
    assert requests.get(f"{CONTROL}/bill", params={"version": arn},
                        timeout=5).json()["total"] == 41.0

    answer = requests.post(f"{CONTROL}/set-prices",
                           json={"training_hour": 2, "inference_hour": 1}, timeout=5)
    assert answer.status_code == 200
    assert rekomock.bill().total == 12.0
    assert requests.post(f"{CONTROL}/clear-prices", json={}, timeout=5).status_code == 200
    assert rekomock.bill().total == 41.0


@pytest.mark.parametrize(("method", "route", "args", "words"), [
    ("POST", "set-prices", {"inference_hour": -1}, "inference_hour must be a finite number"),
    ("POST", "set-prices", {"training_hour": "1"}, "training_hour must be a finite number"),
    ("POST", "set-prices", {}, "give training_hour or inference_hour"),
    ("POST", "set-prices", {"storage_hour": 1}, "unknown members ['storage_hour']"),
    ("POST", "clear-prices", {"training_hour": 1}, "unknown members ['training_hour']"),
    ("GET", "bill", {"version": "nope"}, "version must be a project version ARN"),
    ("GET", "bill", {"version": "arn:aws:rekognition:us-east-1:123456789012:project/p/"
                                "version/v/1"}, "version: no such project version"),
    ("GET", "bill", {"arn": "x"}, "unknown members ['arn']"),
])
def test_bad_input_to_the_bill_routes(rekomock: Controller, trained: Any, method: str,
                                      route: str, args: dict[str, Any], words: str) -> None:
    trained("v1")
    rekomock.set_prices(inference_hour=3)
    if method == "POST":
        answer = requests.post(f"{CONTROL}/{route}", json=args, timeout=5)
    else:
        answer = requests.get(f"{CONTROL}/{route}", params=args, timeout=5)
    assert answer.status_code == 400
    assert words in answer.json()["Error"]
    assert set(answer.json()) == {"Error"}
    assert rekomock.bill().items[1].unit_price == 3  # a refused call changes nothing


def test_the_statement_line_by_line(rekognition: Any, rekomock: Controller, project_arn: str,
                                    trained: Any) -> None:
    """Versions and kinds to the left, figures to the right, each column as wide as its
    widest cell; an empty bill says it has no versions."""
    v1, v2 = trained("v1"), trained("v2")
    run_for(rekognition, rekomock, project_arn, v1, units=2, hours=5)
    width = len(v1)  # the widest cell of the first column

    assert str(rekomock.bill()).splitlines() == [
        "Amazon Rekognition Custom Labels: statement in USD",
        f"{'VERSION':{width}}  KIND         HOURS  USD/HOUR  AMOUNT",
        "-" * (width + 38),
        f"{v1}  training    1.0000      1.00    1.00",
        f"{v1}  inference  10.0000      4.00   40.00",
        f"{v2}  training    1.0000      1.00    1.00",
        f"{v2}  inference   0.0000      4.00    0.00",
        "-" * (width + 38),
        f"{'TOTAL':{width}}  {'':9}  {'':7}  {'':8}   42.00",
    ]
    assert str(Bill((), 0.0)).splitlines() == [
        "Amazon Rekognition Custom Labels: statement in USD",
        "VERSION  KIND  HOURS  USD/HOUR  AMOUNT",
        "-" * 38,
        "(no model versions)",
        "-" * 38,
        "TOTAL                             0.00",
    ]


def test_hours_older_than_the_metrics_keep_stay_counted(rekognition: Any, rekomock: Controller,
                                                        project_arn: str, trained: Any) -> None:
    """Runs older than the 455 days CloudWatch keeps are folded away, their hours kept."""
    arn = trained("v1")
    run_for(rekognition, rekomock, project_arn, arn, 2, 3)
    rekomock.advance_time(456 * 86400)
    run_for(rekognition, rekomock, project_arn, arn, 1, 1)
    assert rekomock.inference_unit_hours(arn) == pytest.approx(7.0, abs=0.01)
    rekomock.advance_time(456 * 86400)
    run_for(rekognition, rekomock, project_arn, arn, 1, 1)
    assert rekomock.inference_unit_hours(arn) == pytest.approx(8.0, abs=0.01)
