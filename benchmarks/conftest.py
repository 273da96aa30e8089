"""Benchmark plumbing: sizes per profile, the results table and the ratios to the targets.

Every benchmark records its median and mean under a short key through the ``bench`` fixture;
at the end of the run the ratios to the targets are computed from those medians and means
(all measured in this one run) and printed; a target is asserted by median, and by mean too
where the mean is what users pay (``BY_MEAN_AS_WELL``: garbage collection shows in the
mean). ``REKOMOCK_BENCH`` picks the profile:

- ``full`` (default): full sizes, the table printed;
- ``short`` (CI): smaller sizes, the table printed, timings never asserted (a shared CI
  machine's timings are noise);
- ``assert``: full sizes, and the run fails when a ratio misses its target.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Iterator
from typing import Any

import pytest

MODE = os.environ.get("REKOMOCK_BENCH", "full")
if MODE not in ("full", "short", "assert"):
    raise pytest.UsageError(f"REKOMOCK_BENCH={MODE}: expected full, short or assert")
SHORT = MODE == "short"
ASSERT = MODE == "assert"
#: Version counts and dataset sizes of the O(page) benchmarks.
MANY_VERSIONS = 1_000 if SHORT else 10_000
MANY_ENTRIES = 10_000 if SHORT else 100_000
MANY_OBJECTS = 1_000 if SHORT else 10_000
PAGE = 100
#: Tests in each suite of the suite-style benchmark (benchmarks/test_costs.py): a journey
#: test costs tenths of a second, moto's fixture doing its S3 work about a second (loaded
#: machine), and CI runs the short profile.
SUITE_TESTS = 5 if SHORT else 100

#: Labels of the benchmark datasets, one entry in three each.
LABELS = ("a", "b", "c")

MEDIANS: dict[str, float] = {}
MEANS: dict[str, float] = {}
FACTS: dict[str, str] = {}


@pytest.fixture
def bench(benchmark: Any) -> Callable[..., Any]:
    """``bench(key, func, *args)``: benchmark ``func`` and keep its median under ``key``."""

    def run(key: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        benchmark.extra_info["key"] = key
        result = benchmark(func, *args, **kwargs)
        if benchmark.stats is not None:
            MEDIANS[key] = benchmark.stats.stats.median
            MEANS[key] = benchmark.stats.stats.mean
        return result

    return run


@pytest.fixture
def bench_rounds(benchmark: Any) -> Callable[..., Any]:
    """Like ``bench`` for slow things (a fresh interpreter, a whole journey): fixed rounds."""

    def run(key: str, func: Callable[[], Any], rounds: int) -> Any:
        benchmark.extra_info["key"] = key
        result = benchmark.pedantic(func, rounds=3 if SHORT else rounds, iterations=1,
                                    warmup_rounds=1)
        if benchmark.stats is not None:
            MEDIANS[key] = benchmark.stats.stats.median
            MEANS[key] = benchmark.stats.stats.mean
        return result

    return run


def asset(key: str, bucket: str = "bench") -> dict[str, Any]:
    """TrainingData / TestingData from one manifest in S3."""
    return {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket,
                                                             "Name": key}}}]}


def fact(key: str, text: str) -> None:
    """A figure that is not a timing (memory per item): printed with the table."""
    FACTS[key] = text


#: (what, numerator, denominator, target ratio) — both measured in this run.
TARGETS: list[tuple[str, str, str, float]] = [
    ("CreateProject / moto canned DetectCustomLabels", "rk.create_project",
     "moto.detect_custom_labels", 1.0),
    ("DescribeProjects / moto canned DetectCustomLabels", "rk.describe_projects",
     "moto.detect_custom_labels", 1.0),
    ("DescribeProjectVersions (1 version) / moto canned DCL",
     "rk.describe_project_versions.1", "moto.detect_custom_labels", 1.0),
    ("DetectCustomLabels / moto canned DetectCustomLabels", "rk.detect_custom_labels",
     "moto.detect_custom_labels", 1.0),
    ("moto canned DetectCustomLabels / canned before-send answer", "moto.detect_custom_labels",
     "ref.before_send", 0.0),
    ("rekomock DetectCustomLabels / canned before-send answer", "rk.detect_custom_labels",
     "ref.before_send", 0.0),
    ("canned before-send answer / Stubber floor", "ref.before_send", "ref.stubber", 0.0),
    (f"versions: first page of {PAGE} from {MANY_VERSIONS:,} / from {PAGE}",
     "rk.versions.first.many", "rk.versions.first.100", 1.5),
    (f"versions: middle page from {MANY_VERSIONS:,} / first page from {PAGE}",
     "rk.versions.middle.many", "rk.versions.first.100", 1.5),
    (f"entries: first page from {MANY_ENTRIES:,} / from {PAGE}", "rk.entries.first.many",
     "rk.entries.first.100", 1.5),
    (f"entries: middle page from {MANY_ENTRIES:,} / from {PAGE}", "rk.entries.middle.many",
     "rk.entries.first.100", 1.5),
    (f"entries: filtered page from {MANY_ENTRIES:,} / from {PAGE}",
     "rk.entries.filtered.many", "rk.entries.filtered.100", 1.5),
    (f"entries: SourceRefContains matching one, from {MANY_ENTRIES:,} / from 1,000 "
     "(a scan: reference)", "rk.entries.selective_ref.many", "rk.entries.selective_ref.1000",
     0.0),
    (f"moto S3 ListObjectsV2: page from {MANY_OBJECTS:,} objects / from {PAGE} (reference)",
     "moto.s3_list.many", "moto.s3_list.100", 0.0),
    ("DetectCustomLabels, 1 MP JPEG: same picture in other bytes / its exact bytes",
     "rk.detect.1mp.same_picture.jpeg", "rk.detect.1mp.known_bytes", 0.0),
    ("DetectCustomLabels, 1 MP JPEG: unseen picture / exact bytes of a known one",
     "rk.detect.1mp.unseen.jpeg", "rk.detect.1mp.known_bytes", 0.0),
    ("picture lookup among 10,000 known images / among 100", "fingerprint.find.10000",
     "fingerprint.find.100", 0.0),
    ("DetectCustomLabels, rekomock logger off (default) / without rekomock's logging",
     "rk.detect.logging.off", "rk.detect.logging.absent", 1.1),
    ("DetectCustomLabels logged at DEBUG / rekomock logger off", "rk.detect.logging.debug",
     "rk.detect.logging.off", 0.0),
    ("whole journey / moto canned DetectCustomLabels", "rk.journey",
     "moto.detect_custom_labels", 50.0),
    ("journey with a one-hour training (30 polls) / moto canned DetectCustomLabels",
     "rk.journey.hour", "moto.detect_custom_labels", 0.0),
    ("from rekomock import mock_rekognition_custom / import moto, boto3 (interpreter start "
     "excluded)", "import.rekomock_mock-net", "import.moto_boto3-net", 1.1),
    ("import rekomock (the package alone) / import moto, boto3 (interpreter start excluded)",
     "import.rekomock-net", "import.moto_boto3-net", 0.05),
    ("fresh mock + first client + a call / moto mock_aws doing the same",
     "rk.test_overhead.reset", "moto.test_overhead", 0.25),
    ("fresh mock + first client + a call / Stubber: client and call (interleaved)",
     "rk.test_overhead.interleaved", "ref.stubber_test.interleaved", 3.0),
    ("fresh mock + first client + a call / Stubber: client and call (apart)",
     "rk.test_overhead.reset", "ref.stubber_test", 0.0),
    ("fresh mock + first client + a call / same without boto3 session reset",
     "rk.test_overhead.reset", "rk.test_overhead.no_reset", 0.0),
    (f"suite of {SUITE_TESTS} journey tests (train, start, detect, stop), per test: rekomock "
     "fixture / moto mock_aws fixture doing their S3 work", "suite.rk.journey",
     "suite.moto.s3_work", 0.0),
    ("rk.load of a state with a trained model / building that state again",
     "rk.state.load", "rk.state.build", 0.5),
    ("rk.save of that state / building it", "rk.state.save", "rk.state.build", 0.0),
    ("server --durable TagResource, empty state / without --durable",
     "server.tag.durable", "server.tag.plain", 0.0),
    ("server --durable TagResource, trained-model state / without --durable",
     "server.tag.durable.trained", "server.tag.plain", 0.0),
]


#: Targets asserted by mean as well as by median.
BY_MEAN_AS_WELL = {
    "fresh mock + first client + a call / Stubber: client and call (interleaved)",
    "fresh mock + first client + a call / moto mock_aws doing the same",
}

#: (what, minuend, subtrahend, most seconds): differences, by median and by mean.
DIFFERENCES: list[tuple[str, str, str, float]] = [
    ("pytest --co of a tiny suite, CPU time: with the plugin - with -p no:rekomock",
     "pytest.collect.plugin", "pytest.collect.no_plugin", 0.020),
]


def _with_net(stats: dict[str, float]) -> dict[str, float]:
    out = dict(stats)
    for name in ("rekomock", "rekomock_mock", "moto_boto3"):
        if f"import.{name}" in out and "import.empty" in out:
            out[f"import.{name}-net"] = out[f"import.{name}"] - out["import.empty"]
    return out


def medians() -> dict[str, float]:
    """Every median of the run, and the import times net of the interpreter's start."""
    return _with_net(MEDIANS)


def means() -> dict[str, float]:
    """Every mean of the run (the median where a benchmark recorded no mean)."""
    return _with_net({**MEDIANS, **MEANS})


def ratios() -> list[tuple[str, float, float, float]]:
    """(what, ratio of medians, ratio of means, target; 0 for a reference) of every ratio
    measured in this run."""
    by_median, by_mean = medians(), means()
    return [(what, by_median[num] / by_median[den], by_mean[num] / by_mean[den], target)
            for what, num, den, target in TARGETS
            if num in by_median and den in by_median and by_median[den] > 0]


def differences() -> list[tuple[str, float, float, float]]:
    """(what, difference of medians, of means, most seconds) measured in this run."""
    by_median, by_mean = medians(), means()
    return [(what, by_median[a] - by_median[b], by_mean[a] - by_mean[b], most)
            for what, a, b, most in DIFFERENCES if a in by_median and b in by_median]


def missed() -> list[str]:
    """The stated targets this run missed."""
    out = [f"{what}: {ratio:.2f}x > {target:g}x"
           for what, ratio, _, target in ratios() if target and ratio > target]
    out += [f"{what} (by mean): {mean:.2f}x > {target:g}x"
            for what, _, mean, target in ratios()
            if target and what in BY_MEAN_AS_WELL and mean > target]
    out += [f"{what}: {value * 1e3:.1f} ms > {most * 1e3:g} ms ({stat})"
            for what, median, mean, most in differences()
            for stat, value in (("median", median), ("mean", mean)) if value > most]
    return out


def pytest_sessionfinish(session: pytest.Session) -> None:
    if ASSERT and missed():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not MEDIANS and not FACTS:
        return
    write = terminalreporter.write_line
    write("")
    write(f"rekomock benchmark ratios ({MODE} profile; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs)")
    write("| ratio | measured | target | met |")
    write("|---|---|---|---|")
    for what, ratio, _, target in ratios():
        goal = f"≤ {target:g}x" if target else "(reference)"
        met = ("yes" if ratio <= target else "NO") if target else ""
        write(f"| {what} | {ratio:.2f}x | {goal} | {met} |")
    write("")
    write("The same ratios by mean (asserted for the per-test targets), and the differences:")
    write("| ratio | by mean | target | met |")
    write("|---|---|---|---|")
    for what, _, mean, target in ratios():
        asserted = bool(target) and what in BY_MEAN_AS_WELL
        goal = f"≤ {target:g}x" if asserted else "(median only)" if target else "(reference)"
        met = ("yes" if mean <= target else "NO") if asserted else ""
        write(f"| {what} | {mean:.2f}x | {goal} | {met} |")
    for what, median, mean, most in differences():
        met = "yes" if max(median, mean) <= most else "NO"
        write(f"| {what} | {median * 1e3:+.1f} ms by median, {mean * 1e3:+.1f} ms by mean | "
              f"≤ {most * 1e3:g} ms | {met} |")
    write("")
    write("| measurement | median | mean |")
    write("|---|---|---|")
    recorded_means = _with_net(MEANS)  # a figure with no mean recorded says so
    for key, value in sorted(medians().items()):
        mean = recorded_means.get(key)
        write(f"| {key} | {_shown(value)} | {'—' if mean is None else _shown(mean)} |")
    for key, text in sorted(FACTS.items()):
        write(f"| {key} | {text} |")
    if ASSERT:
        write("")
        for miss in missed():
            terminalreporter.write_line(f"TARGET MISSED: {miss}", red=True)
        write(f"REKOMOCK_BENCH=assert: {len(missed())} target(s) missed")


def _shown(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield
