"""The suite reads like its users' code: tests import rekomock's public modules and fixtures,
never ``conftest`` and never ``rekomock._…``, except the white-box tests in ``tests/internals/``
(internal rules, both request paths, moto and botocore canaries, the layer contracts)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
WHITE_BOX = TESTS / "internals"


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.append((node.lineno, module))
            if module == "rekomock":
                found += [(node.lineno, f"rekomock.{alias.name}") for alias in node.names]
    return found


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "__pycache__" not in p.parts)


def test_tests_are_grouped_by_what_they_test() -> None:
    assert [p.name for p in TESTS.glob("test_*.py")] == []
    groups = {p.parent.name for p in _test_files()}
    assert groups == {"api", "controller", "server", "properties", "meta", "internals"}


def test_no_test_imports_conftest() -> None:
    offenders = [f"{path.relative_to(TESTS)}:{line}" for path in _test_files()
                 for line, name in _imports(path) if name.split(".")[0] == "conftest"]
    assert offenders == []


def test_only_white_box_tests_import_internals() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{line} {name}"
        for path in [*_test_files(), *TESTS.glob("*.py")]
        if WHITE_BOX not in path.parents and path.name != "conftest.py"
        for line, name in _imports(path)
        if name.startswith("rekomock._") and not name.startswith("rekomock.__")
    ]
    assert offenders == []


def test_the_check_would_find_an_internal_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from rekomock import _wire\nimport rekomock._domain.clock\n")
    assert [name for _, name in _imports(sample)] == [
        "rekomock", "rekomock._wire", "rekomock._domain.clock"]
