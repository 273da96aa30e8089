"""README and the documentation site run as written: README's quick start is what CI runs, and
every Python block of README.md and of every page under docs/ either runs in a test or says it
is a fragment.

Markers on a block's first line (docs/development/contributing.md):

- ``# fragment`` (optionally ``# fragment: why``): not run, e.g. it calls the reader's code;
- ``# needs: module[, module]``: run only where those modules are installed.

Every other block runs as its own test module in one pytest run in a fresh directory, with
only rekomock's pytest plugin: module-level code runs at collection and each ``test_*``
function as a test, so a fixture nothing defines is an error.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from rekomock.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: Every page whose Python blocks run: README and the documentation site's pages.
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
FRAGMENT = re.compile(r"#\s*fragment\b")
NEEDS = re.compile(r"#\s*needs:\s*(.+)")


@dataclass
class Block:
    page: str  # the page's path from the repository's root
    line: int  # where the block starts in the page (1-based)
    code: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.code.split("\n", 1)[0].strip()

    @property
    def fragment(self) -> bool:
        return bool(FRAGMENT.match(self.first_line))

    @property
    def needs(self) -> list[str]:
        found = NEEDS.match(self.first_line)
        return [m.strip() for m in found.group(1).split(",")] if found else []

    def test_functions(self) -> int:
        tree = ast.parse(self.code)
        return sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name.startswith("test") for n in tree.body)

    def test_arguments(self) -> set[str]:
        """Names of the fixtures its test functions ask for, less those it defines."""
        tree = ast.parse(self.code)
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        return {a.arg for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                and n.name.startswith("test") for a in n.args.args} - defined - {"self"}


def python_blocks(page: Path = README) -> list[Block]:
    text = page.read_text()
    name = page.relative_to(ROOT).as_posix()
    return [Block(name, text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in re.finditer(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE)]


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in python_blocks(page)]


def _quick_start_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("python -m rekomock demo")
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _quick_start_commands()[1] in ci


def test_ci_installs_the_wheel_and_runs_the_readme_first_test() -> None:
    """CI installs a built wheel in a fresh venv outside the clone and runs README's first
    test there, exactly as README shows it."""
    text = README.read_text()
    section = text.split("## Using rekomock in your project", 1)[1].split("\n## ", 1)[0]
    first_test = re.findall(r"```python\n(.+?)```", section, re.DOTALL)[0]
    assert first_test in (ROOT / ".ci" / "run").read_text()


def test_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "TRAINING_COMPLETED" in out and "DeleteProject -> DELETING" in out


def test_every_fixture_a_readme_test_uses_exists(pytester: pytest.Pytester) -> None:
    """Fragments included: a reader copies their signatures too."""
    listing = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    known = {m.group(1) for m in re.finditer(r"^(\w+)(?: \[.*?\])? -- ", listing.stdout.str(),
                                             re.MULTILINE)}
    assert {"rekomock", "rekognition_client", "s3_client", "aws_credentials"} <= known
    for block in all_blocks():
        missing = block.test_arguments() - known
        assert not missing, f"{block.where}: no fixture {sorted(missing)}"


def _missing_modules(block: Block) -> list[str]:
    return [m for m in block.needs if importlib.util.find_spec(m) is None]


def test_blocks_needing_other_modules_run_where_they_are_installed() -> None:
    """Says which blocks this environment leaves out (CI's last run installs their modules)."""
    left_out = [f"{b.where} needs {_missing_modules(b)}"
                for b in all_blocks() if not b.fragment and _missing_modules(b)]
    if left_out:
        pytest.skip("; ".join(left_out))


def test_readme_and_the_docs_have_python_blocks() -> None:
    assert len(python_blocks()) >= 2
    assert len(all_blocks()) >= 20


@pytest.mark.parametrize(
    "page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_python_block_is_marked_or_runs(page: Path, pytester: pytest.Pytester) -> None:
    blocks = python_blocks(page)
    run = []
    stem = re.sub(r"\W", "_", page.stem)
    for block in blocks:
        if block.fragment:
            continue
        if _missing_modules(block):
            continue  # reported by the test above
        name = f"test_{stem}_line_{block.line}"
        # Each block must at least import cleanly; the extra test makes an empty block count.
        pytester.makepyfile(**{name: block.code + f"\n\ndef {name}_imports():\n    pass\n"})
        run.append(block)
    if not run:
        pytest.skip(f"{page.name}: only fragments, or blocks needing modules not installed")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, \
        result.stdout.str()[-6000:]
    assert outcomes["passed"] == sum(block.test_functions() + 1 for block in run)
