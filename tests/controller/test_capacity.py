"""Capacity of a running model: throughput per inference unit, auto-scaling between
MinInferenceUnits and MaxInferenceUnits, lost units ("Running a trained Amazon Rekognition
Custom Labels model")."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from freezegun import freeze_time

from rekomock import Controller
from rekomock.testing import describe_version, make_png

REGION = "us-east-1"
#: No retries: refusals answer at once.
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1})


IMAGE = {"Bytes": make_png(80, 80, (9, 9, 9))}
THROTTLED = "ProvisionedThroughputExceededException"


@pytest.fixture
def frozen() -> Iterator[Any]:
    """The mock's clock at a whole second, moving only when the test says."""
    with freeze_time("2026-01-01 12:00:00") as frozen:
        yield frozen


@pytest.fixture
def client(rekomock: Controller) -> Any:
    """A client that does not retry: a throttled call answers at once."""
    return boto3.client("rekognition", region_name=REGION, config=SINGLE_ATTEMPT)


@pytest.fixture
def start(rekognition: Any, project_arn: str, train: Any, frozen: Any) -> Any:
    def _start(min_units: int = 1, max_units: int | None = None, name: str = "v1") -> str:
        arn: str = train(name)
        extra = {"MaxInferenceUnits": max_units} if max_units is not None else {}
        rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=min_units,
                                          **extra)
        assert describe_version(rekognition, project_arn, name)["Status"] == "RUNNING"
        return arn

    return _start


def burst(client: Any, arn: str, calls: int) -> list[str | None]:
    """``calls`` DetectCustomLabels calls in a row: None for an answer, else the error code."""
    codes: list[str | None] = []
    for _ in range(calls):
        try:
            client.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)
            codes.append(None)
        except client.exceptions.ProvisionedThroughputExceededException as err:
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            codes.append(err.response["Error"]["Code"])
    return codes


# ------------------------------------------------------------------ throughput


def test_no_limit_by_default(client: Any, start: Any) -> None:
    arn = start()
    assert burst(client, arn, 30) == [None] * 30


def test_call_beyond_capacity_is_refused_and_served_next_second(
        client: Any, start: Any, rekomock: Controller, frozen: Any) -> None:
    arn = start(min_units=2)
    rekomock.set_capacity(2)  # 2 units x 2 TPS: 4 calls a second
    assert burst(client, arn, 5) == [None] * 4 + [THROTTLED]
    refused = rekomock.calls[-1]
    assert refused.operation == "DetectCustomLabels" and refused.error == THROTTLED
    frozen.tick(0.5)
    assert burst(client, arn, 1) == [THROTTLED]  # the same second
    frozen.tick(0.5)
    assert burst(client, arn, 5) == [None] * 4 + [THROTTLED]


def test_fractional_throughput(client: Any, start: Any, rekomock: Controller) -> None:
    arn = start(min_units=3)
    rekomock.set_capacity(1.5)  # 4.5 calls a second: 4 answered
    assert burst(client, arn, 5) == [None] * 4 + [THROTTLED]


def test_version_setting_wins_over_the_one_for_all(client: Any, start: Any,
                                                   rekomock: Controller) -> None:
    busy, other = start(name="busy"), start(name="other")
    rekomock.set_capacity(1)
    rekomock.set_capacity(3, busy)
    assert burst(client, busy, 4) == [None] * 3 + [THROTTLED]
    assert burst(client, other, 2) == [None, THROTTLED]
    rekomock.clear_capacity(busy)
    assert burst(client, busy, 1) == [THROTTLED]  # the one for all applies again
    rekomock.clear_capacity()
    assert burst(client, busy, 10) == [None] * 10


def test_botocore_standard_retry_recovers(start: Any, rekomock: Controller,
                                          no_real_sleep: list[float]) -> None:
    """The back-off moves the mock's clock into the next second, where the call is served."""
    arn = start()
    rekomock.set_capacity(1)
    retrying = boto3.client("rekognition", region_name=REGION, config=Config(
        retries={"mode": "standard", "max_attempts": 10}))
    retrying.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)
    answer = retrying.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)
    assert answer["ResponseMetadata"]["RetryAttempts"] >= 1
    errors = [call.error for call in rekomock.calls if call.operation == "DetectCustomLabels"]
    assert errors[0] is None and errors[-1] is None and THROTTLED in errors


def test_refusal_is_logged(client: Any, start: Any, rekomock: Controller,
                           caplog: pytest.LogCaptureFixture) -> None:
    arn = start()
    rekomock.set_capacity(1)
    with caplog.at_level(logging.INFO, logger="rekomock"):
        burst(client, arn, 2)
    assert any(THROTTLED in r.getMessage() and arn in r.getMessage() for r in caplog.records)


def test_a_stopped_model_is_not_running_whatever_its_capacity(
        client: Any, start: Any, rekomock: Controller, rekognition: Any) -> None:
    arn = start()
    rekomock.set_capacity(1)
    rekognition.stop_project_version(ProjectVersionArn=arn)
    with pytest.raises(client.exceptions.ResourceNotReadyException):
        client.detect_custom_labels(ProjectVersionArn=arn, Image=IMAGE)


# ----------------------------------------------------------------- auto-scaling


def _load(client: Any, frozen: Any, arn: str, per_second: int, seconds: int) -> int:
    """``per_second`` calls in each of ``seconds`` seconds; how many were answered."""
    answered = 0
    for _ in range(seconds):
        answered += burst(client, arn, per_second).count(None)
        frozen.tick(1)
    return answered


def test_scales_up_under_sustained_load_and_down_after(
        client: Any, start: Any, rekomock: Controller, rekognition: Any, project_arn: str,
        frozen: Any) -> None:
    arn = start(min_units=1, max_units=3)
    rekomock.set_capacity(2, scale_up_seconds=60, scale_down_seconds=120)
    assert _load(client, frozen, arn, 6, 10) == 2 * 10  # one unit until the scale-up
    frozen.tick(60)
    assert _load(client, frozen, arn, 6, 5) == 6 * 5  # three units now
    desc = describe_version(rekognition, project_arn, "v1")
    assert (desc["MinInferenceUnits"], desc["MaxInferenceUnits"]) == (1, 3)  # as the API says
    assert rekomock.inference_unit_hours(arn) > 0
    frozen.tick(59 + 119)  # the last peak leaves the window in 59 s, then 119 s lower
    assert burst(client, arn, 6).count(None) == 6
    frozen.tick(60 + 121)
    assert burst(client, arn, 3) == [None, None, THROTTLED]  # back to one unit


def test_scaling_is_clamped_to_max(client: Any, start: Any, rekomock: Controller,
                                   frozen: Any) -> None:
    arn = start(min_units=1, max_units=2)
    rekomock.set_capacity(1, scale_up_seconds=0)
    _load(client, frozen, arn, 10, 2)
    assert burst(client, arn, 3) == [None, None, THROTTLED]


def test_no_scaling_without_max_above_min(client: Any, start: Any, rekomock: Controller,
                                          frozen: Any) -> None:
    arn = start(min_units=1, max_units=1)
    rekomock.set_capacity(1, scale_up_seconds=0)
    _load(client, frozen, arn, 5, 3)
    assert burst(client, arn, 2) == [None, THROTTLED]


def test_meter_counts_scaled_units(client: Any, start: Any, rekomock: Controller,
                                   frozen: Any) -> None:
    arn = start(min_units=1, max_units=4)
    rekomock.set_capacity(1, scale_up_seconds=0, scale_down_seconds=3600)
    burst(client, arn, 4)  # desired 4 at once
    frozen.tick(1800)
    assert rekomock.inference_unit_hours(arn) == pytest.approx(4 * 0.5)


# ----------------------------------------------------------------- unit failures


def test_lost_unit_halves_capacity_until_replaced(client: Any, start: Any,
                                                  rekomock: Controller, frozen: Any) -> None:
    """A model started with 2 units keeps serving half its traffic through an AZ outage."""
    arn = start(min_units=2)
    rekomock.set_capacity(5)
    rekomock.fail_inference_units(arn, 1, seconds=300)
    assert burst(client, arn, 10).count(None) == 5
    frozen.tick(299)
    assert burst(client, arn, 10).count(None) == 5
    frozen.tick(1)
    assert burst(client, arn, 10).count(None) == 10  # replaced


def test_no_unit_left_refuses_every_call_even_without_a_limit(
        client: Any, start: Any, rekomock: Controller, frozen: Any) -> None:
    arn = start(min_units=1)
    rekomock.fail_inference_units(arn, 5, seconds=60)
    assert burst(client, arn, 3) == [THROTTLED] * 3
    frozen.tick(60)
    assert burst(client, arn, 3) == [None] * 3


def test_clear_inference_unit_failures(client: Any, start: Any, rekomock: Controller) -> None:
    arn = start(min_units=1)
    rekomock.fail_inference_units(arn)
    assert burst(client, arn, 1) == [THROTTLED]
    rekomock.clear_inference_unit_failures()
    assert burst(client, arn, 1) == [None]


def test_meter_leaves_out_lost_units(start: Any, rekomock: Controller, frozen: Any) -> None:
    arn = start(min_units=2)
    rekomock.fail_inference_units(arn, 1, seconds=1800)
    frozen.tick(3600)
    assert rekomock.inference_unit_hours(arn) == pytest.approx(0.5 * 1 + 0.5 * 2)


def test_reset_clears_capacity(client: Any, rekomock: Controller, train: Any,
                               rekognition: Any, frozen: Any) -> None:
    rekomock.set_capacity(1)
    rekomock.reset()
    project = rekognition.create_project(ProjectName="after-reset")["ProjectArn"]
    arn = train("v1", ProjectArn=project)
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    assert burst(client, arn, 5) == [None] * 5


# -------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("args", "kwargs", "error", "words"), [
    ((0,), {}, ValueError, "tps_per_inference_unit"),
    ((-1,), {}, ValueError, "tps_per_inference_unit"),
    ((math.nan,), {}, ValueError, "tps_per_inference_unit"),
    ((math.inf,), {}, ValueError, "tps_per_inference_unit"),
    (("5",), {}, TypeError, "tps_per_inference_unit"),
    ((True,), {}, TypeError, "tps_per_inference_unit"),
    ((1,), {"scale_up_seconds": -1}, ValueError, "scale_up_seconds"),
    ((1,), {"scale_down_seconds": "x"}, TypeError, "scale_down_seconds"),
    ((1, 7), {}, TypeError, "version"),
    ((1, "not-an-arn"), {}, ValueError, "version"),
    ((1, "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1700000000000"), {},
     ValueError, "no such project version"),
])
def test_set_capacity_bad_input(rekomock: Controller, args: tuple[Any, ...],
                                kwargs: dict[str, Any], error: type[Exception],
                                words: str) -> None:
    with pytest.raises(error, match=words):
        rekomock.set_capacity(*args, **kwargs)
    assert not rekomock.calls  # nothing set: no model is limited


def test_clear_capacity_bad_input(rekomock: Controller) -> None:
    with pytest.raises(TypeError, match="version"):
        rekomock.clear_capacity(3)  # type: ignore[arg-type]


def test_fail_inference_units_bad_input(start: Any, rekomock: Controller, client: Any,
                                        rekognition: Any) -> None:
    arn = start()
    for args, kwargs, error, words in [
        ((arn, 0), {}, ValueError, "count"),
        ((arn, 1.5), {}, TypeError, "count"),
        ((arn,), {"seconds": 0}, ValueError, "seconds"),
        ((arn,), {"seconds": math.nan}, ValueError, "seconds"),
        ((arn,), {"seconds": "1"}, TypeError, "seconds"),
        ((None,), {}, TypeError, "version"),
        (("arn:aws:s3:::bucket",), {}, ValueError, "version"),
    ]:
        with pytest.raises(error, match=words):
            rekomock.fail_inference_units(*args, **kwargs)
    assert burst(client, arn, 3) == [None] * 3  # no unit lost
    rekognition.stop_project_version(ProjectVersionArn=arn)
    with pytest.raises(ValueError, match="not RUNNING"):
        rekomock.fail_inference_units(arn)


def test_throughput_is_not_lost_to_rounding(client: Any, start: Any, rekomock: Controller,
                                            frozen: Any) -> None:
    """0.29 calls a second per unit on 100 units is 29 calls a second, though 0.29 x 100 is
    28.999999999999996 in floating point."""
    arn = start(min_units=100)
    rekomock.set_capacity(0.29)
    assert burst(client, arn, 30) == [None] * 29 + [THROTTLED]


def test_scaling_asks_for_no_unit_too_many(client: Any, start: Any, rekomock: Controller,
                                           frozen: Any) -> None:
    """21 calls a second at 1.4 per unit need 15 units, though 21 / 1.4 is
    15.000000000000002 in floating point."""
    arn = start(min_units=1, max_units=20)
    rekomock.set_capacity(1.4, scale_up_seconds=1)
    burst(client, arn, 21)
    frozen.tick(1)  # scaled to 15 units: 21 calls a second (16 would answer 22)
    assert burst(client, arn, 23) == [None] * 21 + [THROTTLED] * 2


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tps_per_inference_unit": 0},
     "tps_per_inference_unit must be a finite number between 0 and 1e+06, above 0, not 0"),
    ({"tps_per_inference_unit": 1, "scale_up_seconds": 86401},
     "scale_up_seconds must be a finite number between 0 and 86400, not 86401"),
    ({"tps_per_inference_unit": 1, "scale_down_seconds": -1},
     "scale_down_seconds must be a finite number between 0 and 86400, not -1"),
])
def test_set_capacity_says_which_value_is_wrong(rekomock: Controller, kwargs: dict[str, Any],
                                                message: str) -> None:
    with pytest.raises(ValueError) as refused:
        rekomock.set_capacity(**kwargs)
    assert str(refused.value) == message


def test_clearing_the_limit_forgets_the_demand_seen(client: Any, start: Any,
                                                    rekomock: Controller, frozen: Any) -> None:
    """Without a limit there is nothing to scale for: a limit set again scales only for the
    calls it sees."""
    arn = start(min_units=1, max_units=3)
    rekomock.set_capacity(1, scale_up_seconds=10)
    assert burst(client, arn, 3) == [None, THROTTLED, THROTTLED]  # demand for 3 units
    rekomock.clear_capacity()
    rekomock.set_capacity(1, scale_up_seconds=10)
    frozen.tick(10)
    assert burst(client, arn, 3) == [None, THROTTLED, THROTTLED]  # still one unit
    frozen.tick(10)
    assert burst(client, arn, 3) == [None] * 3  # scaled for the calls seen since


def test_each_lost_unit_comes_back_on_its_own_time(client: Any, start: Any,
                                                   rekomock: Controller, frozen: Any) -> None:
    arn = start(min_units=3)
    rekomock.set_capacity(1)
    rekomock.fail_inference_units(arn, 1, seconds=60)
    frozen.tick(30)
    rekomock.fail_inference_units(arn, 1, seconds=60)
    assert burst(client, arn, 3).count(None) == 1
    frozen.tick(30)  # the first is back
    assert burst(client, arn, 3).count(None) == 2
    frozen.tick(29)
    assert burst(client, arn, 3).count(None) == 2
    frozen.tick(1)  # and the second
    assert burst(client, arn, 3).count(None) == 3
    assert rekomock.inference_unit_hours(arn) == pytest.approx((3 * 90 - 60 - 60) / 3600)


def test_a_scale_up_is_called_off_when_demand_falls_first(
        client: Any, start: Any, rekomock: Controller, frozen: Any) -> None:
    arn = start(min_units=1, max_units=3)
    rekomock.set_capacity(1, scale_up_seconds=120)
    burst(client, arn, 3)  # 3 units wanted in 120 s; the peak leaves the window in 60 s
    frozen.tick(120)
    assert burst(client, arn, 3) == [None, THROTTLED, THROTTLED]  # still one unit
    for _ in range(3):  # this time the demand holds
        frozen.tick(30)
        assert burst(client, arn, 3) == [None, THROTTLED, THROTTLED]
    frozen.tick(30)
    assert burst(client, arn, 3) == [None] * 3  # scaled up, 120 s on
