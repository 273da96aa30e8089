"""Custom Labels' CloudWatch metrics, in namespace ``AWS/Rekognition``, through moto's CloudWatch.

moto's CloudWatch asks every ``CloudWatchMetricProvider`` subclass for its datapoints at each
ListMetrics, GetMetricStatistics and GetMetricData (as moto's S3 provides its bucket
metrics), so defining :class:`RekognitionMetrics` is the whole registration; it answers
nothing while rekomock is off (:func:`install`, one of rekomock's patches). Datapoints are
computed at that moment, never stored: per model (dimensions ``ProjectName`` and
``VersionName``) ``InServiceInferenceUnits`` and ``DesiredInferenceUnits`` from the runs'
unit timelines, one per minute of the run on the mock's clock; per operation (dimension
``Operation``) ``SuccessfulRequestCount``, ``ThrottledCount``, ``UserErrorCount``,
``ServerErrorCount`` and ``ResponseTime`` from the per-minute figures the request handler
keeps ("CloudWatch metrics for Rekognition", Amazon Rekognition Developer Guide; "Reporting
running duration and inference units used", Custom Labels guide).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.cloudwatch.models import MetricAggregatedDatum
from moto.core.common_models import CloudWatchMetricProvider

from .._domain import arns, clock
from .._domain.capacity import SERVER_ERROR, SUCCESS, THROTTLED, USER_ERROR
from .backend import rekognition_custom_backends
from .steering import steering

NAMESPACE = "AWS/Rekognition"
#: Whether moto's CloudWatch sees the datapoints (set while rekomock is active).
enabled = False
#: Per-operation counts: metric name -> index in the figures of a minute.
COUNTS = {
    "SuccessfulRequestCount": SUCCESS,
    "ThrottledCount": THROTTLED,
    "UserErrorCount": USER_ERROR,
    "ServerErrorCount": SERVER_ERROR,
}


def _moment(epoch: float) -> datetime:
    """moto's CloudWatch compares naive UTC datetimes."""
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def _datum(name: str, dimensions: list[dict[str, str]], at: float,
           figures: tuple[float, float, float, float], unit: str) -> MetricAggregatedDatum:
    """One datapoint: its (sum, minimum, maximum, sample count)."""
    total, low, high, samples = figures
    return MetricAggregatedDatum(namespace=NAMESPACE, name=name, min_stat=low, max_stat=high,
                                 sample_count=samples, sum_stat=total, dimensions=dimensions,
                                 timestamp=_moment(at), unit=unit)


def model_datapoints(account_id: str, region: str, now: float) -> list[MetricAggregatedDatum]:
    """InServiceInferenceUnits and DesiredInferenceUnits of every model of that account and
    region that ran within CloudWatch's retention, deleted ones included."""
    out: list[MetricAggregatedDatum] = []
    backend: Any
    for account, where, backend in list(rekognition_custom_backends.iter_backends()):
        if (account, where) != (account_id, region):
            continue
        with backend.lock:
            for arn, meter in backend.meters.items():
                parsed = arns.parse(arn)
                if parsed is None:
                    continue
                dimensions = [{"Name": "ProjectName", "Value": parsed.project},
                              {"Name": "VersionName", "Value": parsed.name or ""}]
                for run in meter.runs():
                    for at, in_service, desired in run.datapoints(now):
                        out.append(_datum("InServiceInferenceUnits", dimensions, at,
                                          in_service, "Count"))
                        out.append(_datum("DesiredInferenceUnits", dimensions, at,
                                          desired, "Count"))
    return out


def operation_datapoints(account_id: str, region: str) -> list[MetricAggregatedDatum]:
    out: list[MetricAggregatedDatum] = []
    for operation, at, figures in steering().operation_stats.periods(account_id, region):
        dimensions = [{"Name": "Operation", "Value": operation}]
        for name, index in COUNTS.items():
            count = figures[index]
            if count:
                out.append(_datum(name, dimensions, at, (count, 1.0, 1.0, count), "Count"))
        if figures[7]:
            out.append(_datum("ResponseTime", dimensions, at,
                              (figures[4], figures[5], figures[6], figures[7]),
                              "Milliseconds"))
    return out


class RekognitionMetrics(CloudWatchMetricProvider):
    """Custom Labels' datapoints for moto's CloudWatch."""

    @staticmethod
    def get_cloudwatch_metrics(account_id: str, region: str) -> list[MetricAggregatedDatum]:
        if not enabled:
            return []
        now = clock.now().timestamp()
        return model_datapoints(account_id, region, now) + operation_datapoints(account_id,
                                                                                region)


def install() -> None:
    global enabled
    enabled = True


def uninstall() -> None:
    global enabled
    enabled = False
