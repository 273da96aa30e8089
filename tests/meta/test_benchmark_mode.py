"""``REKOMOCK_BENCH=assert`` makes a missed benchmark target fail the run; the other profiles
only print the table (benchmarks/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

BENCH_CONFTEST = Path(__file__).resolve().parents[2] / "benchmarks" / "conftest.py"


def _run(pytester: Any, monkeypatch: pytest.MonkeyPatch, mode: str, ratio: float) -> Any:
    """A benchmark run whose only ratio is CreateProject / moto's DCL (target 1x) = ratio."""
    pytester.makeconftest(BENCH_CONFTEST.read_text())
    pytester.makepyfile(test_bench=f"""
        import conftest

        def test_medians():
            conftest.MEDIANS.update({{"rk.create_project": {ratio},
                                     "moto.detect_custom_labels": 1.0}})
    """)
    monkeypatch.setenv("REKOMOCK_BENCH", mode)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider")


def test_assert_mode_fails_on_a_missed_target(pytester: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, "assert", 1.25)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*TARGET MISSED: CreateProject / moto canned DetectCustomLabels: 1.25x > 1x*",
        "REKOMOCK_BENCH=assert: 1 target(s) missed",
    ])


def test_assert_mode_passes_when_targets_are_met(pytester: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, "assert", 0.75)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["REKOMOCK_BENCH=assert: 0 target(s) missed"])


@pytest.mark.parametrize("mode", ["short", "full"])
def test_other_profiles_only_report(pytester: Any, monkeypatch: pytest.MonkeyPatch,
                                    mode: str) -> None:
    result = _run(pytester, monkeypatch, mode, 1.25)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        ["| CreateProject / moto canned DetectCustomLabels | 1.25x | ≤ 1x | NO |"])
