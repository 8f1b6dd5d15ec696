"""The package's import graph: no module imports itself back through others (no cycle), and
no import hides inside a function (where a cycle is usually hidden).

The graph is read from the source with ast, every import statement counted, so a cycle that
Python survives at import time (one side imported late, inside a function) still fails here.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mitwirkung"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The absolute module a `from … import` names (relative levels counted from `name`)."""
    if node.level == 0:
        return node.module or ""
    base = name.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules `name` imports, at the top or late inside a function alike: a
    cycle through a late import is still a cycle, only hidden."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            source = resolve(node, name, path.name == "__init__.py")
            for alias in node.names:
                if f"{source}.{alias.name}" in known:  # `from . import store`: the module
                    found.add(f"{source}.{alias.name}")
                elif source in known:
                    found.add(source)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, set(known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def imports_in_functions(path: Path) -> list[int]:
    """Line numbers of import statements inside a function body."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.append(inner.lineno)
    return sorted(set(lines))


def test_the_package_has_no_import_cycle():
    assert cycles(graph()) == []


def test_no_module_imports_inside_a_function():
    hidden = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in modules().values()
        if (lines := imports_in_functions(path))
    }
    assert hidden == {}


def test_the_cycle_finder_sees_cycles_and_hidden_imports(tmp_path):
    """The two checks above can fail: a cycle of three and a function-level import."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    hidden = tmp_path / "hidden.py"
    hidden.write_text("import os\n\n\ndef late():\n    from . import web\n    return web\n")
    assert imports_in_functions(hidden) == [5]


def test_relative_imports_resolve_to_the_modules_they_name():
    edges = graph()
    assert "mitwirkung.store" in edges["mitwirkung.runs.smtp_test"]  # from .. import store
    assert "mitwirkung.runs.settings" in edges["mitwirkung.runs.smtp_test"]  # from . import
    assert "mitwirkung.runs.limits" in edges["mitwirkung.runs.smtp_test"]  # from .limits
    assert "mitwirkung.checks.smtp" in edges["mitwirkung.runs.smtp_test"]  # a package
