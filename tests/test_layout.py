"""The shape of the code (DESIGN.md §2), checked from the source: the import graph and its rules.

- no import circle between modules at module level; one started inside a function is allowed only
  between a sub-domain's ``tasks`` and the service that queues them (the service queues its own task on
  commit, the task calls the service);
- dependencies run one way: common ← accounts ← municipalities ← projects ← coordination; nothing imports ``demo``;
- the analysis engines (``coordination.analysis``) use no ORM and no demo data;
- no module-level ``__getattr__``, and no ``_private`` name imported from another module.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("common", "config", "accounts", "municipalities", "projects", "coordination", "demo", "ops")
# accounts (sign-in, the security log) sits just above common, so every domain app may record security events.
# ops (backups of the whole deployment) imports no domain app: it works on the database and the files as they are.
LAYERS = {"common": 0, "ops": 0, "accounts": 1, "municipalities": 2, "projects": 3, "coordination": 4, "demo": 5}


@cache
def modules() -> dict[str, ast.Module]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def imports(module: str, *, module_level: bool) -> list[tuple[str, list[str]]]:
    """(imported module, names) for each first-party import in ``module`` (the module a name is, when it is one)."""
    tree, known, found = modules()[module], modules(), []
    nodes = tree.body if module_level else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.append((target, []) if target in known else (node.module, [alias.name]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return [(target, names) for target, names in found if target.split(".")[0] in APPS]


def graph(*, module_level: bool) -> dict[str, set[str]]:
    known = modules()
    return {m: {t for t, _n in imports(m, module_level=module_level)
                if t in known and t != m and not m.startswith(t + ".")} for m in known}


def circles(g: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_at_module_level():
    assert circles(graph(module_level=True)) == []


def test_an_import_circle_inside_functions_is_only_a_service_and_its_tasks():
    for component in circles(graph(module_level=False)):
        tasks = {m for m in component if m.endswith(".tasks") or ".tasks." in m}
        packages = {m.rsplit(".tasks", 1)[0] for m in tasks}
        assert len(component) == 2 and len(tasks) == 1, component
        other = (component - tasks).pop()
        assert any(other.startswith(p + ".services") for p in packages), component


def test_dependencies_run_one_way_and_nothing_imports_demo():
    wrong = []
    for module in modules():
        app = module.split(".")[0]
        for target, _names in imports(module, module_level=False):
            other = target.split(".")[0]
            if other == "demo" and app != "demo":
                wrong.append((module, target))
            elif app in LAYERS and other in LAYERS and LAYERS[other] > LAYERS[app]:
                wrong.append((module, target))
    assert wrong == []


def test_the_analysis_engines_use_no_orm_and_no_demo_data():
    for module, tree in modules().items():
        if not module.startswith("coordination.analysis"):
            continue
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                assert not name.startswith(("django.db", "demo", "projects", "municipalities")), (module, name)
                assert not name.endswith(".models"), (module, name)


def test_no_module_getattr_and_no_private_name_imported_from_another_module():
    for module, tree in modules().items():
        assert not any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body), module
        for target, names in imports(module, module_level=False):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, (module, target, private)
