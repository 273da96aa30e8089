"""The package's layer rule and the documents its citations point at.

The layer rule (imports point down the layers, no cycles, imports inside functions count) is
import-linter's contracts in pyproject.toml; .ci/run runs `lint-imports`, and the tests here run
the same contracts on the installed package and prove they catch an upward import.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rekomock

PACKAGE = Path(rekomock.__file__).parent
# The source tree the tests came from (a clone or an unpacked sdist), not site-packages.
ROOT = Path(__file__).resolve().parents[2]


def lint_imports(package: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run pyproject.toml's import-linter contracts on a copy of ``package``."""
    shutil.copytree(package, tmp_path / "rekomock", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )


def test_the_layer_contracts_hold(tmp_path: Path) -> None:
    result = lint_imports(PACKAGE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


LAYERS = "Imports point down: public face > _wire > _service > _domain"
DOMAIN = "_domain knows nothing above it, not even the package's face"
CYCLES = "No import cycles among the modules of any package"


def broken_contracts(output: str) -> set[str]:
    return {line.removesuffix(" BROKEN") for line in output.splitlines()
            if line.endswith(" BROKEN")}


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # An upward import inside a function: a postponed import still counts.
        ("_domain/arns.py", "def _up():\n    from rekomock._wire import routing\n",
         {LAYERS, DOMAIN, CYCLES}),
        ("_service/s3io.py", "from rekomock import mock\n", {LAYERS, CYCLES}),
        # A cycle among the modules of one layer.
        ("_domain/clock.py", "from rekomock._domain import arns\n", {CYCLES}),
    ],
)
def test_the_contracts_catch_an_upward_import_or_a_cycle(
    tmp_path: Path, module: str, line: str, broken: set[str]
) -> None:
    shutil.copytree(PACKAGE, tmp_path / "package", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "package" / module
    target.write_text(target.read_text() + "\n" + line)
    result = lint_imports(tmp_path / "package", tmp_path / "linted")
    assert result.returncode == 1
    assert broken_contracts(result.stdout) == broken, result.stdout


def test_the_contract_names_are_pyproject_tomls() -> None:
    config = (ROOT / "pyproject.toml").read_text()
    assert all(f'name = "{name}"' in config for name in (LAYERS, DOMAIN, CYCLES))


def test_the_operation_list_and_the_handlers_agree() -> None:
    from rekomock._domain.operations import OPERATIONS
    from rekomock._wire.responses import _ACTIONS

    assert set(_ACTIONS) == OPERATIONS


#: Documents outside this repository that code, tests, docs and README must not cite; built from
#: pieces so this file does not match itself. Cite docs/sources.md tags or docs/decisions.md.
FOREIGN_CITATIONS = tuple(
    a + b for a, b in (("SPEC", " §"), ("SPEC", ".md"), ("SPEC", "-MODEL"), ("DESIGN", "-NOTES"))
)


def foreign_citations(text: str) -> list[str]:
    return [c for c in FOREIGN_CITATIONS if c in text]


def test_citations_point_at_documents_in_this_repository() -> None:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "pyproject.toml", ROOT / ".ci/run"]
    for folder in ("rekomock", "tests", "benchmarks", "docs"):
        files += [p for p in sorted((ROOT / folder).rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts]
    found = {
        str(p.relative_to(ROOT)): hits
        for p in files
        if (hits := foreign_citations(p.read_bytes().decode("utf-8", "replace")))
    }
    assert found == {}


def test_the_citation_check_finds_a_foreign_citation() -> None:
    sample = "Oldest first (" + FOREIGN_CITATIONS[0] + "10.8); see " + FOREIGN_CITATIONS[3] + "."
    assert foreign_citations(sample) == [FOREIGN_CITATIONS[0], FOREIGN_CITATIONS[3]]


#: A citation tag (``[CL:limits]``, ``[M; EX:DescribeProjects]``) or an INFERRED decision.
CITATION = re.compile(r"\[(?:CL|API|DG|EX|PY|M|W|PG)[]:;]|INFERRED")
GLOSSARY = "docs/glossary.md"


def test_modules_citing_sources_point_at_the_glossary() -> None:
    lacking = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if CITATION.search(source := path.read_text())
        and GLOSSARY not in (ast.get_docstring(ast.parse(source)) or "")
    ]
    assert lacking == []


def test_the_glossary_defines_the_tags_and_the_coined_words() -> None:
    glossary = (ROOT / GLOSSARY).read_text()
    tags = ("[M]", "[W]", "[PG]", "[API:X]", "[CL:p]", "[DG:p]", "[EX:Op]", "[PY:p]", "INFERRED")
    words = ("activation", "steering", "phase", "progression", "settle", "purge", "live",
             "meter", "wire", "picture", "fast path", "patch", "canary")
    assert [t for t in tags if f"`{t}`" not in glossary and f"| {t} |" not in glossary] == []
    assert [w for w in words if f"**{w}**" not in glossary] == []
    assert f"({GLOSSARY})" in (ROOT / "README.md").read_text()
