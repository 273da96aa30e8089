"""Capacity of a running model: throughput per inference unit, auto-scaling between
MinInferenceUnits and MaxInferenceUnits, lost units, and the per-minute figures CloudWatch
reports about them ("Running a trained Amazon Rekognition Custom Labels model";
"CloudWatch metrics for Rekognition").

Pure rules on the mock's clock, given as epoch seconds. A :class:`Run` is one run of a model
(RUNNING until stopped); it keeps its units as a piecewise-constant timeline (one entry per
change, not per minute), so the inference-unit meter and the CloudWatch datapoints are
computed from it and memory does not grow with running time. The timings AWS does not
publish are INFERRED (docs/decisions.md, *Capacity*).

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .control_args import finite_number

#: INFERRED (docs/decisions.md, *Capacity*): AWS publishes no scaling timings.
DEFAULT_SCALE_UP_SECONDS = 5 * 60.0
DEFAULT_SCALE_DOWN_SECONDS = 15 * 60.0
#: Desired units follow the peak calls per second of the last minute.
WINDOW_SECONDS = 60
#: The most a setting may say: a day of delay, a million calls per second per unit.
MAX_SCALE_SECONDS = 24 * 3600.0
MAX_TPS = 1_000_000.0
MAX_FAILURE_SECONDS = 100 * 365 * 24 * 3600.0
#: CloudWatch's retention ("Metrics retention", Amazon CloudWatch User Guide): one-minute
#: datapoints for 15 days, five-minute ones for 63 days, one-hour ones for 455 days.
RETENTION = ((15 * 86400, 60), (63 * 86400, 300), (455 * 86400, 3600))
KEPT_SECONDS = RETENTION[-1][0]


@dataclass(frozen=True)
class Capacity:
    """A throughput limit and the scaling delays, as ``rk.set_capacity`` sets them."""

    tps_per_inference_unit: float
    scale_up_seconds: float = DEFAULT_SCALE_UP_SECONDS
    scale_down_seconds: float = DEFAULT_SCALE_DOWN_SECONDS

    @classmethod
    def checked(cls, tps_per_inference_unit: Any, scale_up_seconds: Any,
                scale_down_seconds: Any) -> Capacity:
        """The setting, each value checked (TypeError / ValueError naming it)."""
        tps = finite_number("tps_per_inference_unit", tps_per_inference_unit, 0, MAX_TPS)
        if tps <= 0:
            raise ValueError(f"tps_per_inference_unit must be a finite number between 0 and "
                             f"{MAX_TPS:g}, above 0, not {tps_per_inference_unit}")
        return cls(tps,
                   finite_number("scale_up_seconds", scale_up_seconds, 0, MAX_SCALE_SECONDS),
                   finite_number("scale_down_seconds", scale_down_seconds, 0,
                                 MAX_SCALE_SECONDS))

    def allowed(self, units: int) -> int:
        """Calls answered in one second by ``units`` units."""
        return math.floor(units * self.tps_per_inference_unit + 1e-9)

    def units_for(self, calls_per_second: int) -> int:
        return math.ceil(calls_per_second / self.tps_per_inference_unit - 1e-9)


#: The timings a run follows while no limit is set (scaling then settles at the minimum).
_NO_LIMIT_TIMING = Capacity(math.inf)


#: The calls window of every ended run: empty, and it stays empty.
_ENDED: deque[list[int]] = deque(maxlen=0)


class Run:
    """One run of a model: its in-service and desired units over time, the calls of the
    current second and the peak of the last minute, its lost units."""

    __slots__ = (
        "_due", "_heading", "_last", "_peak", "_served", "_total", "_window", "capacity",
        "cum_desired", "cum_in_service", "desired", "end", "failures", "in_service",
        "lost", "max_units", "min_units", "provisioned", "second", "start", "times",
        "wanted",
    )

    def __init__(self, start: float, min_units: int, max_units: int | None) -> None:
        self.start = start
        self.end: float | None = None
        self.min_units = min_units
        self.max_units = max(max_units or min_units, min_units)
        self.capacity: Capacity | None = None
        self.provisioned = min_units  # units the service runs (lost ones included)
        self.wanted = min_units  # DesiredInferenceUnits
        self.lost = 0
        self.failures: list[tuple[float, int]] = []  # (replaced at, units)
        self.second = -1
        self._total = self._served = 0
        self._window: deque[list[int]] = deque()  # [second, calls] of the last minute
        self._peak = 0
        self._heading = 0  # +1 scaling up, -1 scaling down, 0 settled
        self._due = math.inf
        self._last = start
        # the timeline: change times, values from then on, integrals up to then
        self.times = [start]
        self.in_service = [min_units]
        self.desired = [min_units]
        self.cum_in_service = [0.0]
        self.cum_desired = [0.0]

    # ------------------------------------------------------------------ rules

    @property
    def scaling(self) -> bool:
        return self.capacity is not None and self.max_units > self.min_units

    def units(self) -> int:
        """InServiceInferenceUnits now (after :meth:`advance`)."""
        return max(0, self.provisioned - self.lost)

    def admit(self, at: float, capacity: Capacity | None) -> bool:
        """Count one DetectCustomLabels call at ``at``; whether capacity is left to answer it
        (refused calls count towards the peak all the same)."""
        self.advance(at)
        if capacity is not self.capacity:
            self.retune(at, capacity)
        second = math.floor(at)
        if second != self.second:
            self.second, self._total, self._served = second, 0, 0
        self._total += 1
        if self.scaling:
            window = self._window
            if window and window[-1][0] == second:
                window[-1][1] = self._total
            else:
                window.append([second, self._total])
            if self._total > self._peak:
                self._peak = self._total
                self._retarget(at)
        units = self.units()
        limit = capacity.allowed(units) if capacity is not None else (1 << 62 if units else 0)
        if self._served >= limit:
            return False
        self._served += 1
        return True

    def retune(self, at: float, capacity: Capacity | None) -> None:
        """Follow a new setting from ``at`` on."""
        self.advance(at)
        self.capacity = capacity
        if not self.scaling:
            self._window.clear()
            self._peak = 0
        self._retarget(at)

    def fail(self, at: float, count: int, seconds: float) -> int:
        """Lose up to ``count`` in-service units until ``at + seconds``; how many were lost."""
        self.advance(at)
        lost = min(count, self.units())
        if lost:
            self.lost += lost
            self.failures.append((at + seconds, lost))
            self._record(at)
        return lost

    def replace_lost(self, at: float) -> None:
        """Every lost unit is back now (``rk.clear_inference_unit_failures``)."""
        self.advance(at)
        self.failures.clear()
        self.lost = 0
        self._record(at)

    def stop(self, at: float) -> None:
        self.advance(at)
        self._record(at)
        self.end = max(at, self.start)
        # An ended run only answers for its timeline (the meter, CloudWatch): what tracked
        # the calls goes, so the meters a long-running server keeps stay small.
        self._window = _ENDED
        self.failures = []

    def advance(self, to: float) -> None:
        """Carry out what happens up to ``to``: peaks leaving the window, units added or
        removed, lost units replaced."""
        if self.end is not None:
            return
        while True:
            expiry = self._window[0][0] + WINDOW_SECONDS if self._window else math.inf
            replaced = min(self.failures)[0] if self.failures else math.inf
            at = min(expiry, replaced, self._due)
            if at > to:
                break
            if at == expiry:
                _, calls = self._window.popleft()
                if calls >= self._peak:
                    self._peak = max((c for _, c in self._window), default=0)
                    self._retarget(at)
            elif at == replaced:
                back = [f for f in self.failures if f[0] <= at]
                self.failures = [f for f in self.failures if f[0] > at]
                self.lost -= sum(n for _, n in back)
                self._record(at)
            else:
                self._settle(at)
        self._last = max(self._last, to)

    def _timing(self) -> Capacity:
        return self.capacity or _NO_LIMIT_TIMING

    def _retarget(self, at: float) -> None:
        """Desired units from the peak; start, keep or cancel the move towards them."""
        if self.scaling:
            assert self.capacity is not None
            want = min(max(self.capacity.units_for(self._peak), self.min_units), self.max_units)
        else:
            want = self.min_units
        self.wanted = want
        heading = (want > self.provisioned) - (want < self.provisioned)
        if heading != self._heading:
            self._heading = heading
            timing = self._timing()
            delay = timing.scale_up_seconds if heading > 0 else timing.scale_down_seconds
            self._due = at + delay if heading else math.inf
        self._record(at)

    def _settle(self, at: float) -> None:
        """The scaling delay is over: the service runs the desired units."""
        self.provisioned = self.wanted
        self._heading, self._due = 0, math.inf
        self._retarget(at)

    def _record(self, at: float) -> None:
        """A timeline entry when the in-service or desired units change."""
        units, wanted = self.units(), self.wanted
        if units == self.in_service[-1] and wanted == self.desired[-1]:
            return
        at = max(at, self.times[-1])
        span = at - self.times[-1]
        cum_in = self.cum_in_service[-1] + self.in_service[-1] * span
        cum_des = self.cum_desired[-1] + self.desired[-1] * span
        if span == 0:
            self.in_service[-1], self.desired[-1] = units, wanted
            return
        self.times.append(at)
        self.in_service.append(units)
        self.desired.append(wanted)
        self.cum_in_service.append(cum_in)
        self.cum_desired.append(cum_des)
        if self.times[1] < at - KEPT_SECONDS and len(self.times) > 64:
            self._forget(at - KEPT_SECONDS)

    def _forget(self, before: float) -> None:
        """Drop timeline entries CloudWatch no longer keeps (integrals stay absolute)."""
        keep = max(bisect_right(self.times, before) - 1, 0)
        for series in (self.times, self.in_service, self.desired, self.cum_in_service,
                       self.cum_desired):
            del series[:keep]

    # --------------------------------------------------------------- readings

    def _integral(self, cum: Sequence[float], values: Sequence[int], at: float) -> float:
        i = max(bisect_right(self.times, at) - 1, 0)
        return cum[i] + values[i] * max(at - self.times[i], 0.0)

    def unit_seconds(self, now: float) -> float:
        """InServiceInferenceUnits integrated over the run up to ``now``."""
        self.advance(now)
        until = now if self.end is None else min(now, self.end)
        return self._integral(self.cum_in_service, self.in_service, max(until, self.start))

    def datapoints(self, now: float) -> Iterator[tuple[float, tuple[float, float, float, int],
                                                       tuple[float, float, float, int]]]:
        """Per minute of the run (from its start) up to ``now``: (minute start,
        InServiceInferenceUnits and DesiredInferenceUnits each as (sum, min, max, samples)).
        A minute's value is its average over the whole minute, so the values' sum over a
        run is its unit-minutes. Older minutes come rolled up as CloudWatch keeps them."""
        self.advance(now)
        until = now if self.end is None else min(now, self.end)
        if until <= self.start:
            return
        minutes = math.ceil((until - self.start) / 60)

        def first_younger(age: int) -> int:  # first minute whose start is within ``age``
            return min(max(math.ceil((now - age - self.start) / 60), 0), minutes)

        bounds = [first_younger(age) for age, _ in reversed(RETENTION)] + [minutes]
        steps = [step // 60 for _, step in reversed(RETENTION)]
        for tier, step in enumerate(steps):
            k, limit = bounds[tier], bounds[tier + 1]
            while k < limit:
                group_end = min(k + step - k % step, limit)
                a = self.start + 60 * k
                b = min(self.start + 60 * group_end, until)
                samples = group_end - k
                yield (a, self._stat(self.cum_in_service, self.in_service, a, b, samples),
                       self._stat(self.cum_desired, self.desired, a, b, samples))
                k = group_end

    def _stat(self, cum: Sequence[float], values: Sequence[int], a: float, b: float,
              samples: int) -> tuple[float, float, float, int]:
        total = (self._integral(cum, values, b) - self._integral(cum, values, a)) / 60
        if samples == 1:
            return total, total, total, 1
        i = max(bisect_right(self.times, a) - 1, 0)
        j = max(bisect_right(self.times, b) - 1, i)
        seen = values[i:j + 1]
        return total, float(min(seen)), float(max(seen)), samples


# ------------------------------------------------------------ operation metrics

#: What a call counts as in CloudWatch ("CloudWatch metrics for Rekognition").
SUCCESS, THROTTLED, USER_ERROR, SERVER_ERROR = range(4)
THROTTLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException"})


def outcome_of(error: str | None, status: int) -> int:
    if error is None:
        return SUCCESS
    if error in THROTTLE_CODES:
        return THROTTLED
    return SERVER_ERROR if status >= 500 else USER_ERROR


class OperationStats:
    """Calls per operation, account and region per minute of the mock's clock, with their
    response times: [successful, throttled, user errors, server errors, time sum, min, max,
    count]. Minutes older than 15 days are rolled up into hours, hours older than 455 days
    forgotten, so memory stays bounded however long the mock runs."""

    def __init__(self) -> None:
        #: (account, region, operation) -> {period start (s): figures}
        self.minutes: dict[tuple[str, str, str], dict[int, list[float]]] = {}
        self.hours: dict[tuple[str, str, str], dict[int, list[float]]] = {}

    def record(self, key: tuple[str, str, str], at: float, outcome: int,
               milliseconds: float) -> None:
        minute = int(at // 60) * 60
        try:
            figures = self.minutes[key][minute]
        except KeyError:
            figures = self._open(key, minute)
        figures[outcome] += 1
        figures[4] += milliseconds
        if milliseconds < figures[5]:
            figures[5] = milliseconds
        if milliseconds > figures[6]:
            figures[6] = milliseconds
        figures[7] += 1

    def _open(self, key: tuple[str, str, str], minute: int) -> list[float]:
        """The figures of a minute not seen yet; older minutes rolled up when due."""
        by_minute = self.minutes.setdefault(key, {})
        figures = by_minute[minute] = [0, 0, 0, 0, 0.0, math.inf, -math.inf, 0]
        if next(iter(by_minute)) < minute - RETENTION[0][0]:
            self._roll_up(key, minute - RETENTION[0][0])
        return figures

    def _roll_up(self, key: tuple[str, str, str], before: int) -> None:
        by_minute = self.minutes[key]
        by_hour = self.hours.setdefault(key, {})
        for minute in [m for m in by_minute if m < before]:
            figures = by_minute.pop(minute)
            hour = minute // 3600 * 3600
            into = by_hour.setdefault(hour, [0, 0, 0, 0, 0.0, math.inf, -math.inf, 0])
            for i in range(5):
                into[i] += figures[i]
            into[5], into[6] = min(into[5], figures[5]), max(into[6], figures[6])
            into[7] += figures[7]
        for hour in [h for h in by_hour if h < before - KEPT_SECONDS]:
            del by_hour[hour]

    def periods(self, account: str, region: str
                ) -> Iterator[tuple[str, int, list[float]]]:
        """(operation, period start, figures) of this account and region."""
        for table in (self.hours, self.minutes):
            for (acct, reg, operation), periods in list(table.items()):
                if acct == account and reg == region:
                    for start, figures in list(periods.items()):
                        yield operation, start, figures
