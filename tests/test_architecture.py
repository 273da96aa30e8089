"""The package's import graph: no import cycles among rekomock's modules.

Imports inside functions count (they are cycles postponed, not removed); imports under
``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rekomock

PACKAGE = Path(rekomock.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(source: str, name: str, package: str, known: set[str]) -> set[str]:
    """Every module of ``known`` that module ``name`` (of ``package``) imports at run time."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:  # `from . import module` imports the module itself
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in known else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source, name))
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {_module_name(p) for p in files}
    graph = {}
    for path in files:
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = _imports(path.read_text(), name, package, known)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_checker_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_imports_inside_functions_count_and_type_checking_ones_do_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from . import b\n"
        "def f():\n    from . import c\n    from .d import thing\n"
    )
    known = {"rekomock.a", "rekomock.b", "rekomock.c", "rekomock.d"}
    assert _imports(source, "rekomock.a", "rekomock", known) == {"rekomock.c", "rekomock.d"}


def test_the_operation_list_and_the_handlers_agree() -> None:
    from rekomock._domain.operations import OPERATIONS
    from rekomock._wire.responses import _ACTIONS

    assert set(_ACTIONS) == OPERATIONS


#: Documents outside this repository that code, tests and README must not cite; built from
#: pieces so this file does not match itself. Cite docs/sources.md tags or docs/decisions.md.
FOREIGN_CITATIONS = tuple(
    a + b for a, b in (("SPEC", " §"), ("SPEC", ".md"), ("SPEC", "-MODEL"), ("DESIGN", "-NOTES"))
)
# The source tree the tests came from (a clone or an unpacked sdist), not site-packages.
ROOT = Path(__file__).resolve().parent.parent


def foreign_citations(text: str) -> list[str]:
    return [c for c in FOREIGN_CITATIONS if c in text]


def test_citations_point_at_documents_in_this_repository() -> None:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md"]
    for folder in ("rekomock", "tests", "benchmarks"):
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


#: The layers, lowest first: a module may import its own layer and the ones below it.
LAYERS = ("rekomock._domain", "rekomock._service", "rekomock._wire", "rekomock")


def _layer(module: str) -> int:
    """The index of the layer ``module`` belongs to (the public face: the package's top)."""
    for i, prefix in enumerate(LAYERS[:-1]):
        if module == prefix or module.startswith(prefix + "."):
            return i
    return len(LAYERS) - 1


def test_dependencies_point_down_the_layers() -> None:
    upward = sorted(
        (module, imported)
        for module, imports in import_graph().items()
        for imported in imports
        if _layer(imported) > _layer(module)
    )
    assert upward == []


def test_every_layer_holds_modules() -> None:
    graph = import_graph()
    assert all(any(_layer(m) == i for m in graph) for i in range(len(LAYERS)))
