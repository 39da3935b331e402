"""The layers of gongzhi's apps and the check that imports point one way (docs/architecture.md).

An app may import its own modules and the apps of lower layers, never a higher layer and never
another app of its own layer. `core` is at the bottom and imports no app. The project modules
(`gongzhi/urls.py`, `api.py`, `cli.py`, `settings.py`, `workbench.py`, `menu.py`) sit on top.

Test and demo code stand beside the layers: an app's tests and demo data may use any app (a
retention test needs every app's records, the demo of concerns needs the demo town), but runtime
code never imports them. Cycles between modules are refused everywhere.

Plain Python on purpose (no Django): `core/tests/test_architecture.py` runs it over the source tree.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Bottom first. Apps on one line share a layer and may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("notifications",),
    ("org",),
    ("accounts",),
    ("grids",),
    ("governance",),
    ("visits",),
    ("deliberation",),
    ("concerns",),
    ("volunteers",),
    ("projects",),
    ("surveys",),
    ("property",),
    ("workforce",),
    ("field",),  # the offline field pages and their sync: over visits, concerns, volunteers
    ("insights",),
    ("gongzhi",),  # the project modules: urls, api, cli, settings, workbench, menu
]
PROJECT = "gongzhi"  # the "app" of the project modules at the package's top
RUNTIME, SUPPORT, DEMO = "runtime", "support", "demo"
SUPPORT_FILES = {"testing.py", "factories.py", "conftest.py"}


def layer_of(app: str, layers=LAYERS) -> int | None:
    """The layer index of an app, None for a package that is no app (templates, locale, static)."""
    return next((i for i, apps in enumerate(layers) if app in apps), None)


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the longest prefix that is a module of the tree)
    path: Path
    line: int
    top_level: bool  # False for an import inside a function or method


def module_name(path: Path, root: Path) -> str:
    """Dotted name of a file under the directory holding the package (`gongzhi/org/models.py`)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@dataclass
class Tree:
    """The modules of one package (dotted name -> file) and every import between them."""

    files: dict[str, Path]
    imports: list[Import]

    def app_of(self, module: str) -> str:
        """`gongzhi.org.demo.loader` -> `org`; a project module (`gongzhi.urls`) -> `gongzhi`."""
        parts = module.split(".")
        if len(parts) > 2 or (len(parts) == 2 and self.files[module].name == "__init__.py"):
            return parts[1]
        return parts[0]

    def kind_of(self, module: str) -> str:
        return kind_of(self.files[module])


def kind_of(path: Path) -> str:
    """Of a path relative to the root: runtime code, test support (tests/, testing.py, factories.py,
    conftest.py) or demo data (demo*.py, a demo/ package)."""
    if "tests" in path.parts or path.name in SUPPORT_FILES:
        return SUPPORT
    if path.name.startswith("demo") or "demo" in path.parts[:-1]:
        return DEMO
    return RUNTIME


def python_files(root: Path, package: str) -> Iterator[Path]:
    """Every module of the package except migrations (generated; they name apps in strings)."""
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imports_of(path: Path, root: Path, modules: set[str]) -> Iterator[Import]:
    """Every import of the file (path relative to root) naming a module of the tree, at any depth."""
    source = module_name(root / path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    tree = ast.parse((root / path).read_text(encoding="utf-8"), filename=str(path))
    for node, top_level in _walk(tree, top_level=True):
        for target in _targets(node, package):
            resolved = _longest_module(target, modules)
            if resolved and resolved != source:
                yield Import(source, resolved, path, node.lineno, top_level)


def _walk(node: ast.AST, *, top_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, top_level
        inside = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _walk(child, top_level=top_level and not inside)


def _targets(node: ast.AST, package: str) -> list[str]:
    """Dotted names an import statement may load; `from x import y` may name the module `x.y`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: `from . import x` in package p is p.x, `from ..y import z` is parent.y.z
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    return [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"] + [base]


def _longest_module(name: str, modules: set[str]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def collect(root: Path, package: str) -> Tree:
    """Parse every module of the package under root."""
    files = {module_name(p, root): p.relative_to(root) for p in python_files(root, package)}
    names = set(files)
    imports = [i for p in files.values() for i in imports_of(p, root, names)]
    # `from x import a, b` yields x.a, x.b and x: keep x only when no submodule was named.
    named = {(i.path, i.line, i.target.rpartition(".")[0]) for i in imports}
    kept = [i for i in imports if (i.path, i.line, i.target) not in named]
    return Tree(files, sorted(set(kept), key=lambda i: (str(i.path), i.line, i.target)))


def wrong_arrows(tree: Tree, layers=LAYERS) -> list[str]:
    """Imports that point up or sideways between apps, into test/demo code, or out of core."""
    found = []
    for i in tree.imports:
        if tree.kind_of(i.source) != RUNTIME:
            continue  # tests and demo data may use any app
        a, b, target_kind = tree.app_of(i.source), tree.app_of(i.target), tree.kind_of(i.target)
        where = f"{i.path}:{i.line}: {i.source} imports {i.target}"
        if target_kind != RUNTIME:
            found.append(f"{where} (runtime code imports {target_kind} code)")
        elif a != b and a == "core":
            found.append(f"{where} (core imports no app)")
        elif a != b and not _allowed(a, b, layers):
            found.append(f"{where} ({a} may not import {b}: {_describe(a, b, layers)})")
    return found


def _allowed(a: str, b: str, layers) -> bool:
    la, lb = layer_of(a, layers), layer_of(b, layers)
    if la is None or lb is None:
        return False
    return lb < la


def _describe(a: str, b: str, layers) -> str:
    la, lb = layer_of(a, layers), layer_of(b, layers)
    if la is None or lb is None:
        return f"{a if la is None else b} is in no layer of core/layers.py"
    return "same layer" if la == lb else "it sits above"


def cycles(imports: list[Import]) -> list[str]:
    """Groups of modules that import each other at module level (strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if i.top_level:
            graph.setdefault(i.source, set()).add(i.target)
    found = []
    for component in _components(graph):
        if len(component) > 1:
            lines = [
                f"{i.path}:{i.line}: {i.source} imports {i.target}"
                for i in imports
                if i.top_level and i.source in component and i.target in component
            ]
            found.append("cycle between " + ", ".join(sorted(component)) + "\n    " + "\n    ".join(lines))
    return found


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iterative (no recursion limit on a long chain)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result


def check(root: Path, package: str = "gongzhi", layers=LAYERS) -> list[str]:
    """Every wrong arrow and every cycle in the package under root; empty when all is well."""
    tree = collect(root, package)
    return wrong_arrows(tree, layers) + cycles(tree.imports)
