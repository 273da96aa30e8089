"""Mutation scores per module, from mutmut's results (docs/development/mutation-testing.md).

    python .ci/mutation.py report   # after `mutmut run`: a table of every configured module
    python .ci/mutation.py sample   # CI: a fixed sample per module, failing under TARGET

The whole run takes longer than CI can give it, so CI tests a fixed sample: in each module,
the SAMPLE mutants whose names hash lowest. A name is its function's name and a number, so the
sample moves only where the code does. The first configured module runs whole first: that run
also generates every mutant and records which tests cover which function.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import tomllib

TARGET = 95.0
SAMPLE = 40

# mutmut's exit codes (mutmut/stats.py): a kill is a failing test, an internal pytest error or
# a timeout (the mutant loops); "no tests" and "not checked" count against the score.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def modules() -> list[str]:
    """The configured modules, in pyproject.toml's order, as dotted names."""
    config = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
    return [path.removesuffix(".py").replace("/", ".") for path in config["only_mutate"]]


def results() -> dict[str, dict[str, int | None]]:
    """Each module's mutants and their exit codes (None: not run yet)."""
    found: dict[str, dict[str, int | None]] = {}
    for meta in Path("mutants").glob("rekomock/**/*.py.meta"):
        module = str(meta.relative_to("mutants")).removesuffix(".py.meta").replace("/", ".")
        found[module] = json.loads(meta.read_text())["exit_code_by_key"]
    return found


def sample(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda name: hashlib.sha1(name.encode()).hexdigest())[:SAMPLE]


def score(codes: Iterable[int | None]) -> tuple[int, int, int, int, float]:
    codes = list(codes)
    killed = sum(code in KILLED for code in codes)
    survived = sum(code in SURVIVED for code in codes)
    untested = len(codes) - killed - survived
    return len(codes), killed, survived, untested, 100.0 * killed / len(codes) if codes else 100.0


def table(rows: dict[str, list[int | None]]) -> list[str]:
    lines = ["| module | mutants | killed | survived | no tests / not run | score |",
             "|---|---|---|---|---|---|"]
    for module, codes in rows.items():
        total, killed, survived, untested, percent = score(codes)
        path = module.removeprefix("rekomock.").replace(".", "/") + ".py"
        lines.append(
            f"| `{path}` | {total} | {killed} | {survived} | {untested} | {percent:.1f} % |")
    return lines


def mutmut(*names: str) -> None:
    subprocess.run(["mutmut", "run", "--max-children", "2", *names], check=True,
                   stdout=subprocess.DEVNULL)


def report() -> int:
    found = results()
    rows = {module: list(found.get(module, {}).values()) for module in modules()}
    print("\n".join(table(rows)))
    every = [code for codes in rows.values() for code in codes]
    total, killed, *_, percent = score(every)
    print(f"\n{killed} of {total} mutants killed ({percent:.1f} %)")
    return 0


def run_sample() -> int:
    first, *rest = modules()
    mutmut(f"{first}.*")
    found = results()
    chosen = {module: sample(found[module]) for module in rest}
    # A mutant in a function no test reaches counts as not killed; mutmut is not asked about it.
    stats = json.loads(Path("mutants/mutmut-stats.json").read_text())
    covered = stats["tests_by_mangled_function_name"]
    mutmut(*[name for names in chosen.values() for name in names
             if covered.get(name.partition("__mutmut_")[0])])
    found = results()
    rows = {first: list(found[first].values())}
    rows |= {module: [found[module][name] for name in names] for module, names in chosen.items()}
    print(f"Mutation sample: {first} whole, {SAMPLE} mutants of each other module")
    print("\n".join(table(rows)))
    under = [module for module, codes in rows.items() if score(codes)[-1] < TARGET]
    for module in under:
        survivors = [name for name in chosen.get(module, found[module])
                     if found[module][name] not in KILLED]
        print(f"{module} under {TARGET} %: " + ", ".join(survivors))
    return 1 if under else 0


if __name__ == "__main__":
    commands = {"report": report, "sample": run_sample}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]]())
