"""The package's metadata says exactly which Pythons CI tests: the classifiers name the main
run's Python and those of .ci/run's loop, requires-python starts at the lowest, and README's
Compatibility section names them all. (A regex, not tomllib: the suite runs on 3.10 too.)"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAIN_RUN = "3.11"  # .ci/run's first venv: `python3` on the CI machines, mypy's python_version


def _ci_loop_pythons() -> set[str]:
    loop = re.search(r"^for version in ([\d. ]+); do$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert loop, ".ci/run has no loop over the other Pythons"
    return {".".join(v.split(".")[:2]) for v in loop.group(1).split()}


def _tested() -> set[str]:
    return _ci_loop_pythons() | {MAIN_RUN}


def _pyproject() -> str:
    return (ROOT / "pyproject.toml").read_text()


def test_classifiers_name_exactly_the_tested_pythons() -> None:
    listed = set(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', _pyproject()))
    assert listed == _tested()


def test_requires_python_starts_at_the_lowest_tested() -> None:
    lowest = min(_tested(), key=lambda v: tuple(map(int, v.split("."))))
    assert re.search(r'^requires-python = ">=(3\.\d+)"$', _pyproject(), re.M).group(1) == lowest


def test_readme_names_every_tested_python() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Compatibility", 1)[1].split("\n## ", 1)[0]
    ordered = sorted(_tested(), key=lambda v: tuple(map(int, v.split("."))))
    assert "CPython " + ", ".join(ordered[:-1]) + " and " + ordered[-1] in section
