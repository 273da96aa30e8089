"""``REKOMOCK_BENCH=assert`` makes a missed benchmark target fail the run; the other profiles
only print the table (benchmarks/conftest.py). Every operation rekomock serves is benchmarked
against its floor (benchmarks/test_floors.py)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from rekomock.testing import OPERATIONS

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
BENCH_CONFTEST = BENCHMARKS / "conftest.py"


def _floor_targets() -> dict[str, float]:
    """``FLOOR_TARGETS`` of benchmarks/test_floors.py, read without importing it (it imports
    the benchmarks' own conftest)."""
    for node in ast.parse((BENCHMARKS / "test_floors.py").read_text()).body:
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "FLOOR_TARGETS"):
            return dict(ast.literal_eval(node.value))
    raise AssertionError("benchmarks/test_floors.py has no FLOOR_TARGETS")


def test_every_operation_is_benchmarked_against_its_floor() -> None:
    """A new operation cannot be served without a floor benchmark and its target."""
    targets = _floor_targets()
    assert set(targets) == OPERATIONS
    assert all(target >= 1.0 for target in targets.values())


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
