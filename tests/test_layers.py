"""The package shows its layers: shared helpers, then facts (reading and validating data/), then
analysis (derivations and their parameters), then report (charts, tables, prose), then build
(execution, the book, the benchmark). A module imports only from its own layer or those below,
and no modules import each other round in a circle (imports for type checking included)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "compute_deals"
ORDER = ("shared", "facts", "analysis", "report", "build", "entry")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in {"digests", "derived"}:
        return "shared"
    return "entry" if parts[1] == "__main__" else parts[1]


def imported_modules(module: str) -> set[str]:
    """The package's modules that `module` imports (a name imported from a package counts as
    that module when it is one)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("compute_deals"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
    return found - {module, "compute_deals"}


def test_every_module_is_in_a_layer():
    assert {module: layer(module) for module in MODULES if layer(module) not in ORDER} == {}


def test_no_module_imports_from_a_layer_above_its_own():
    upward = {(module, other) for module in MODULES for other in imported_modules(module)
              if ORDER.index(layer(other)) > ORDER.index(layer(module))}
    assert upward == set()


def test_no_import_circles():
    graph = {module: imported_modules(module) for module in MODULES}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"modules import each other round: {' -> '.join(err.args[1])}") from None


def test_the_import_reader_sees_imports_at_the_top_and_inside_functions():
    """Were it blind, the checks above would pass on anything."""
    assert "compute_deals.facts.validate" in imported_modules("compute_deals.facts.load")
    assert "compute_deals.report.charts" in imported_modules("compute_deals.build.sphinx_ext")
