"""Mutation testing stays honest: every module in ``[tool.mutmut]`` has its row on the docs'
mutation page, and the sample ``.ci/mutation.py sample`` tests is fixed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "development" / "mutation-testing.md"

if sys.version_info < (3, 11):
    pytest.skip("tomllib (the config reader .ci/mutation.py uses) is Python 3.11+",
                allow_module_level=True)

import tomllib  # noqa: E402


def _configured() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def test_every_configured_module_has_its_row_in_the_docs() -> None:
    page = PAGE.read_text()
    rows = re.findall(r"^\| `(rekomock/[\w/]+\.py)`", page, re.MULTILINE)
    assert sorted(rows) == sorted(_configured())


def test_the_sample_is_fixed_and_moves_only_with_the_code() -> None:
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import mutation
    finally:
        sys.path.remove(str(ROOT / ".ci"))
    names = [f"rekomock._domain.m.x_f{f}__mutmut_{n}" for f in range(9) for n in range(1, 20)]
    chosen = mutation.sample(names)
    assert len(chosen) == mutation.SAMPLE
    assert mutation.sample(reversed(names)) == chosen
    # A new function's mutants displace at most as many of the old ones as it brings.
    more = names + [f"rekomock._domain.m.x_new__mutmut_{n}" for n in range(1, 5)]
    assert len(set(mutation.sample(more)) & set(chosen)) >= mutation.SAMPLE - 4
