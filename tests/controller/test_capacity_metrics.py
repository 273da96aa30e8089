"""Custom Labels' CloudWatch metrics in ``AWS/Rekognition``, read with boto3's CloudWatch client
("CloudWatch metrics for Rekognition"; "Reporting running duration and inference units
used"): in-process, under ``mock_aws`` and against ``rekomock server``; and the control
routes of capacity."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from freezegun import freeze_time
from moto import mock_aws
from server_process import ServerProcess

from rekomock import Controller, mock_rekognition_custom
from rekomock.testing import describe_version, make_png, put_classification_dataset

REGION = "us-east-1"
#: No retries: refusals answer at once.
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1})


IMAGE = {"Bytes": make_png(80, 80, (9, 9, 9))}
T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
NAMESPACE = "AWS/Rekognition"


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(T0) as frozen:
        yield frozen


@pytest.fixture
def cloudwatch(rekomock: Controller) -> Any:
    return boto3.client("cloudwatch", region_name=REGION)


@pytest.fixture
def client(rekomock: Controller) -> Any:
    return boto3.client("rekognition", region_name=REGION, config=SINGLE_ATTEMPT)


def _detect(client: Any, arn: str, calls: int) -> int:
    answered = 0
    for _ in range(calls):
        try:
            client.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)
            answered += 1
        except client.exceptions.ProvisionedThroughputExceededException:
            pass
    return answered


def _model(version: str = "v1") -> list[dict[str, str]]:
    return [{"Name": "ProjectName", "Value": "my-project"},
            {"Name": "VersionName", "Value": version}]


def _per_minute(cloudwatch: Any, name: str, stat: str = "Maximum",
                dimensions: list[dict[str, str]] | None = None,
                hours: float = 3) -> list[tuple[datetime, float]]:
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName=name, Dimensions=dimensions or _model(),
        StartTime=T0 - timedelta(hours=1), EndTime=T0 + timedelta(hours=hours), Period=60,
        Statistics=[stat])["Datapoints"]
    return sorted((p["Timestamp"], p[stat]) for p in points)


def test_units_per_minute_show_scaling_up_and_down(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller, client: Any,
        cloudwatch: Any, frozen: Any) -> None:
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1,
                                      MaxInferenceUnits=3)
    assert describe_version(rekognition, project_arn, "v1")["Status"] == "RUNNING"
    rekomock.set_capacity(2, scale_up_seconds=120, scale_down_seconds=300)
    for _ in range(300):  # five minutes at 6 calls a second
        _detect(client, arn, 6)
        frozen.tick(1)
    frozen.tick(1200)
    desired = [value for _, value in _per_minute(cloudwatch, "DesiredInferenceUnits")]
    in_service = [value for _, value in _per_minute(cloudwatch, "InServiceInferenceUnits")]
    assert len(in_service) == len(desired) == 25  # one datapoint per minute while running
    assert desired[:5] == [3.0] * 5 and desired[-1] == 1.0
    assert in_service[:2] == [1.0, 1.0] and in_service[3:6] == [3.0] * 3
    assert in_service[-1] == 1.0  # scaled down after the load ended
    assert in_service.index(1.0, 3) > desired.index(1.0)  # Desired leads, InService follows
    names = {(m["MetricName"], tuple(d["Value"] for d in m["Dimensions"]))
             for m in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]}
    assert {("InServiceInferenceUnits", ("my-project", "v1")),
            ("DesiredInferenceUnits", ("my-project", "v1")),
            ("SuccessfulRequestCount", ("DetectCustomLabels",)),
            ("ThrottledCount", ("DetectCustomLabels",)),
            ("ResponseTime", ("DetectCustomLabels",))} <= names


def test_the_guides_query_equals_the_meter(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller, client: Any,
        cloudwatch: Any, frozen: Any) -> None:
    """Average of InServiceInferenceUnits per hour, summed: the inference-unit hours, with
    scaled and lost units."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2,
                                      MaxInferenceUnits=4)
    describe_version(rekognition, project_arn, "v1")
    rekomock.set_capacity(1, scale_up_seconds=30, scale_down_seconds=1800)
    _detect(client, arn, 4)  # Desired 4 for a minute: 4 units from 30 s to 31 min
    frozen.tick(3600)
    rekomock.fail_inference_units(arn, 1, seconds=1800)
    frozen.tick(7200)
    rekognition.stop_project_version(ProjectVersionArn=arn)
    frozen.tick(600)
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="InServiceInferenceUnits", Dimensions=_model(),
        StartTime=T0 - timedelta(days=1), EndTime=T0 + timedelta(days=1), Period=3600,
        Statistics=["Average", "SampleCount"])["Datapoints"]
    hours = rekomock.inference_unit_hours(arn)
    assert sum(p["Average"] for p in points) == pytest.approx(hours)
    assert sum(p["SampleCount"] for p in points) / 60 == 3  # hours run
    unit_seconds = 30 * 2 + 1830 * 4 + 1740 * 2 + 1800 * 1 + 5400 * 2
    assert hours == pytest.approx(unit_seconds / 3600)


def test_get_metric_data(rekognition: Any, project_arn: str, train: Any, client: Any,
                         cloudwatch: Any, frozen: Any) -> None:
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    describe_version(rekognition, project_arn, "v1")
    frozen.tick(3 * 60)
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "units", "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": "InServiceInferenceUnits",
                       "Dimensions": _model()},
            "Period": 60, "Stat": "Average"}}],
        StartTime=T0, EndTime=T0 + timedelta(minutes=10))["MetricDataResults"]
    assert result[0]["Values"] == [2.0, 2.0, 2.0]


def test_per_operation_counts(rekognition: Any, project_arn: str, train: Any,
                              rekomock: Controller, client: Any, cloudwatch: Any,
                              frozen: Any) -> None:
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    describe_version(rekognition, project_arn, "v1")
    rekomock.set_capacity(3)
    assert _detect(client, arn, 5) == 3
    frozen.tick(1)
    with pytest.raises(client.exceptions.InvalidImageFormatException):
        client.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": b"not an image"})
    rekomock.inject_error("DetectCustomLabels", "InternalServerError")
    with pytest.raises(client.exceptions.InternalServerError):
        client.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)

    def total(name: str) -> float:
        operation = [{"Name": "Operation", "Value": "DetectCustomLabels"}]
        return sum(v for _, v in _per_minute(cloudwatch, name, "Sum", operation))

    assert (total("SuccessfulRequestCount"), total("ThrottledCount"), total("UserErrorCount"),
            total("ServerErrorCount")) == (3, 2, 1, 1)
    times = _per_minute(cloudwatch, "ResponseTime", "SampleCount",
                        [{"Name": "Operation", "Value": "DetectCustomLabels"}])
    assert sum(v for _, v in times) == 7
    starts = _per_minute(cloudwatch, "SuccessfulRequestCount", "Sum",
                         [{"Name": "Operation", "Value": "StartProjectVersion"}])
    assert sum(v for _, v in starts) == 1


def test_metrics_under_mock_aws_entered_first() -> None:
    with mock_aws(), mock_rekognition_custom():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="shared-bucket")
        rek = boto3.client("rekognition", region_name=REGION)
        rek.create_project(ProjectName="p")
        metrics = boto3.client("cloudwatch", region_name=REGION).list_metrics(
            Namespace=NAMESPACE, MetricName="SuccessfulRequestCount")["Metrics"]
        assert metrics == [{"Namespace": NAMESPACE, "MetricName": "SuccessfulRequestCount",
                            "Dimensions": [{"Name": "Operation", "Value": "CreateProject"}]}]
    with mock_aws():  # rekomock off: moto's CloudWatch as shipped
        assert boto3.client("cloudwatch", region_name=REGION).list_metrics(
            Namespace=NAMESPACE)["Metrics"] == []


def test_a_year_of_running_stays_small(rekognition: Any, project_arn: str, train: Any,
                                       rekomock: Controller, cloudwatch: Any,
                                       frozen: Any) -> None:
    """Datapoints come from the run's timeline, rolled up as CloudWatch keeps them (1 min for
    15 days, 5 min for 63, 1 h for 455): a year of running keeps nothing per minute."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    describe_version(rekognition, project_arn, "v1")
    frozen.tick(60)
    rekomock.inference_unit_hours(arn)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(365):
        frozen.tick(86400)
        rekomock.inference_unit_hours(arn)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename")
                if "rekomock" in str(s.traceback))
    assert grown < 4096
    assert rekomock.inference_unit_hours(arn) == pytest.approx(365 * 24 + 1 / 60)
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="InServiceInferenceUnits", Dimensions=_model(),
        StartTime=T0, EndTime=T0 + timedelta(days=400), Period=86400,
        Statistics=["SampleCount", "Sum"])["Datapoints"]
    assert sum(p["SampleCount"] for p in points) == pytest.approx(365 * 1440 + 1)
    assert sum(p["Sum"] for p in points) == pytest.approx(365 * 1440 + 1)
    from moto.cloudwatch.models import cloudwatch_backends

    kept = [p for p in cloudwatch_backends["123456789012"][REGION].aws_metric_data
            if p.name == "InServiceInferenceUnits"]
    assert len(kept) <= 15 * 1440 + 48 * 288 + 303 * 24  # not 365 * 1440


# ------------------------------------------------------------------- over HTTP


def test_capacity_and_metrics_against_the_server(server: ServerProcess) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="cw-bucket")
    key, _ = put_classification_dataset(s3, "cw-bucket", {"cat": 3, "dog": 3})
    rek = server.client("rekognition", config=SINGLE_ATTEMPT)
    project = rek.create_project(ProjectName="served")["ProjectArn"]
    asset = {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "cw-bucket",
                                                              "Name": key}}}]}
    arn = rek.create_project_version(ProjectArn=project, VersionName="v1",
                                     OutputConfig={"S3Bucket": "cw-bucket"},
                                     TrainingData=asset, TestingData=asset)["ProjectVersionArn"]
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    rek.describe_project_versions(ProjectArn=project)
    assert server.control("set-capacity", {"tps_per_inference_unit": 1, "version": arn,
                                           "scale_up_seconds": 60}) == (200, {"status": "ok"})
    assert server.control("fail-inference-units", {"version": arn, "count": 1,
                                                   "seconds": 30})[0] == 200
    assert _detect(rek, arn, 2) == 0  # no unit left
    assert server.control("clear-inference-unit-failures", {})[0] == 200
    server.control("advance-time", {"seconds": 1})
    answered = _detect(rek, arn, 3)
    assert 1 <= answered <= 2  # 1 a second (2 if the wall clock crossed a second)
    assert server.control("clear-capacity", {"version": arn})[0] == 200
    assert _detect(rek, arn, 3) == 3
    server.control("advance-time", {"seconds": 180})
    cloudwatch = server.client("cloudwatch")
    now = datetime.now(timezone.utc) + timedelta(seconds=181)
    throttled = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="ThrottledCount",
        Dimensions=[{"Name": "Operation", "Value": "DetectCustomLabels"}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1), Period=3600,
        Statistics=["Sum"])["Datapoints"]
    assert sum(p["Sum"] for p in throttled) == 5 - answered
    units = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="InServiceInferenceUnits",
        Dimensions=[{"Name": "ProjectName", "Value": "served"},
                    {"Name": "VersionName", "Value": "v1"}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1), Period=60,
        Statistics=["Maximum"])["Datapoints"]
    assert len(units) >= 3 and max(p["Maximum"] for p in units) == 1.0


ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1700000000000"


@pytest.mark.parametrize(("route", "body", "words"), [
    ("set-capacity", {}, "missing members ['tps_per_inference_unit']"),
    ("set-capacity", {"tps_per_inference_unit": 0}, "tps_per_inference_unit must be"),
    ("set-capacity", {"tps_per_inference_unit": "2"}, "tps_per_inference_unit must be"),
    ("set-capacity", {"tps_per_inference_unit": 1, "scale_up_seconds": -5},
     "scale_up_seconds must be"),
    ("set-capacity", {"tps_per_inference_unit": 1, "scale_down_seconds": None},
     "scale_down_seconds must be"),
    ("set-capacity", {"tps_per_inference_unit": 1, "version": 3}, "version must be"),
    ("set-capacity", {"tps_per_inference_unit": 1, "version": ARN}, "no such project version"),
    ("set-capacity", {"tps_per_inference_unit": 1, "units": 3}, "unknown members ['units']"),
    ("clear-capacity", {"version": []}, "version must be"),
    ("fail-inference-units", {}, "missing members ['version']"),
    ("fail-inference-units", {"version": ARN, "count": 0}, "count must be"),
    ("fail-inference-units", {"version": ARN, "seconds": -1}, "seconds must be"),
    ("fail-inference-units", {"version": ARN}, "no such project version"),
    ("clear-inference-unit-failures", {"version": ARN}, "unknown members ['version']"),
])
def test_routes_refuse_bad_input(server: ServerProcess, route: str, body: dict[str, Any],
                                 words: str) -> None:
    status, answer = server.control(route, body)
    assert status == 400 and words in answer["Error"]


def _hourly(cloudwatch: Any, name: str, start: datetime, hours: float,
            dimensions: list[dict[str, str]]) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName=name, Dimensions=dimensions, StartTime=start,
        EndTime=start + timedelta(hours=hours), Period=3600,
        Statistics=["Sum", "Minimum", "Maximum", "SampleCount"])["Datapoints"]
    for point in points:
        point.pop("Unit", None)
    return sorted(points, key=lambda p: p["Timestamp"])


def test_operation_minutes_older_than_15_days_roll_up_into_hours(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller, client: Any,
        cloudwatch: Any, frozen: Any) -> None:
    """CloudWatch keeps one-minute datapoints for 15 days, hourly ones for 455 ("Metrics
    retention"): the hourly statistics of an operation stay the same once its minutes are
    rolled up, and are gone after 455 days."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    describe_version(rekognition, project_arn, "v1")
    rekomock.set_capacity(2)
    operation = [{"Name": "Operation", "Value": "DetectCustomLabels"}]
    frozen.tick(10 * 60)
    assert _detect(client, arn, 3) == 2  # 12:10: two answered, one throttled
    frozen.tick(30 * 60)
    rekomock.inject_error("DetectCustomLabels", "InternalServerError")
    _detect_expecting_error(client, arn)  # 12:40: a server error
    frozen.tick(60 * 60)
    assert _detect(client, arn, 1) == 1  # 13:40

    def hours() -> dict[str, list[dict[str, Any]]]:
        return {name: _hourly(cloudwatch, name, T0, 3, operation)
                for name in ("SuccessfulRequestCount", "ThrottledCount", "ServerErrorCount",
                             "ResponseTime")}

    before = hours()
    assert [p["Sum"] for p in before["SuccessfulRequestCount"]] == [2, 1]
    assert [p["SampleCount"] for p in before["ResponseTime"]] == [4, 1]
    assert [p["Timestamp"].minute for p in before["ResponseTime"]] == [10, 10]  # 12:10 on
    frozen.tick(16 * 86400)
    assert _detect(client, arn, 1) == 1  # a minute 16 days on: the old ones roll up
    after = hours()
    assert [p["Timestamp"].minute for p in after["ResponseTime"]] == [0, 0]  # hourly now
    for name, points in before.items():
        assert [{k: v for k, v in p.items() if k != "Timestamp"} for p in after[name]] == [
            {k: v for k, v in p.items() if k != "Timestamp"} for p in points], name
    assert _hourly(cloudwatch, "ResponseTime", T0 + timedelta(days=16), 3, operation)
    frozen.tick(456 * 86400)
    rekognition.stop_project_version(ProjectVersionArn=arn)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    describe_version(rekognition, project_arn, "v1")
    assert _detect(client, arn, 1) == 1
    assert hours() == {name: [] for name in before}  # past CloudWatch's retention
    rekognition.stop_project_version(ProjectVersionArn=arn)


def _detect_expecting_error(client: Any, arn: str) -> None:
    with pytest.raises(client.exceptions.InternalServerError):
        client.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)


def test_a_long_run_forgets_what_cloudwatch_no_longer_keeps(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller,
        cloudwatch: Any, frozen: Any) -> None:
    """Many unit changes, then more than 455 days: the run keeps no timeline older than
    CloudWatch does, and the meter and the datapoints it still reports stay right."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    describe_version(rekognition, project_arn, "v1")
    for _ in range(40):  # a unit lost for a minute, every other minute: 80 changes
        rekomock.fail_inference_units(arn, 1, seconds=60)
        frozen.tick(120)
    frozen.tick(456 * 86400)
    rekomock.fail_inference_units(arn, 1, seconds=3600)  # a change long after the others
    frozen.tick(3600)
    lost_unit_seconds = 40 * 60 + 3600
    run_seconds = 40 * 120 + 456 * 86400 + 3600
    assert rekomock.inference_unit_hours(arn) == pytest.approx(
        (2 * run_seconds - lost_unit_seconds) / 3600)
    start = T0 + timedelta(seconds=run_seconds - 3 * 3600)
    points = _hourly(cloudwatch, "InServiceInferenceUnits", start, 3, _model())
    assert [(p["Sum"], p["Minimum"], p["Maximum"], p["SampleCount"]) for p in points] == [
        (120.0, 2.0, 2.0, 60.0), (120.0, 2.0, 2.0, 60.0), (60.0, 1.0, 1.0, 60.0)]
    rekognition.stop_project_version(ProjectVersionArn=arn)


def test_rolled_up_unit_datapoints_keep_their_lowest_and_highest(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller,
        cloudwatch: Any, frozen: Any) -> None:
    """Older than 15 days a model's units come as five-minute datapoints, older than 63 days
    as hourly ones ("Metrics retention"): each with the minute values' sum, lowest, highest
    and count."""
    arn = train("v1")
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=2)
    describe_version(rekognition, project_arn, "v1")
    frozen.tick(180)
    rekomock.fail_inference_units(arn, 1, seconds=120)  # minutes 3 and 4 at one unit

    def points(period: int) -> list[tuple[float, float, float, float]]:
        found = cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE, MetricName="InServiceInferenceUnits", Dimensions=_model(),
            StartTime=T0 - timedelta(hours=1), EndTime=T0 + timedelta(minutes=59),
            Period=period, Statistics=["Sum", "Minimum", "Maximum", "SampleCount"],
        )["Datapoints"]
        return sorted((p["Sum"], p["Minimum"], p["Maximum"], p["SampleCount"])
                      for p in found)

    frozen.tick(20 * 86400)
    assert points(300)[:2] == [(8.0, 1.0, 2.0, 5.0), (10.0, 2.0, 2.0, 5.0)]
    assert len(points(300)) == 12  # five-minute datapoints for the first hour
    frozen.tick(50 * 86400)
    assert points(3600) == [(118.0, 1.0, 2.0, 60.0)]
    rekognition.stop_project_version(ProjectVersionArn=arn)
