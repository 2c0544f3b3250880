"""The one-way app graph (docs/architecture.md): an app imports only the apps in lower
layers, never one beside it or above it, at module level or inside a function, and never
another app's private names. With that, no cycle of any length between apps can exist."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUSHA = ROOT / "jusha"

# Lowest first. Apps in one layer are siblings: neither imports the other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("transparency",),
    ("accounts",),
    ("organisations",),
    ("projects",),
    ("ledger",),
    ("payments",),
    ("giving",),
    ("campaigns", "reports", "funds"),
    ("matching", "social", "fulfilment", "pledges"),
    ("community",),
    ("sponsorship", "volunteering", "ratings"),
    ("missing", "crisis"),
    ("alliance",),
    ("demo", "bench"),
]
LAYER_OF = {app: i for i, layer in enumerate(LAYERS) for app in layer}


@dataclass(frozen=True)
class CrossImport:
    path: str
    line: int
    source: str
    target: str
    module: str
    names: tuple[str, ...]
    in_function: bool


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "jusha" else None


def cross_imports(root: Path = JUSHA) -> list[CrossImport]:
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.relative_to(root).parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node, in_function):
            for child in ast.iter_child_nodes(node):
                inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                targets = []
                if isinstance(child, ast.Import):
                    targets = [(alias.name, (alias.name.rsplit(".", 1)[-1],)) for alias in child.names]
                elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                    names = tuple(alias.name for alias in child.names)
                    if child.module == "jusha":  # from jusha import giving, matching
                        targets = [(f"jusha.{name}", (name,)) for name in names]
                    else:
                        targets = [(child.module, names)]
                for module, names in targets:
                    target = _app_of(module)
                    if target and target != source:
                        found.append(CrossImport(str(path.relative_to(root.parent)), child.lineno, source, target,
                                                 module, names, inside))
                visit(child, inside)

        visit(tree, False)
    return found


def test_every_app_has_a_layer():
    apps = sorted(p.name for p in JUSHA.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert [app for app in apps if app not in LAYER_OF] == []


def test_imports_only_go_down_the_layers():
    against = [
        f"{i.path}:{i.line} {i.source} (layer {LAYER_OF[i.source]}) imports {i.module} "
        f"({i.target}, layer {LAYER_OF.get(i.target)})"
        for i in cross_imports()
        if LAYER_OF.get(i.target, -1) >= LAYER_OF[i.source]
    ]
    assert against == []


def test_no_app_imports_private_names_of_another():
    private = [
        f"{i.path}:{i.line} {name} from {i.module}"
        for i in cross_imports()
        for name in i.names
        if name.startswith("_") or any(part.startswith("_") and part != "__init__" for part in i.module.split("."))
    ]
    assert private == []


def test_the_check_sees_imports_inside_functions_and_from_the_package(tmp_path):
    """The checker itself: an upward import hidden in a function, or spelled
    `from jusha import x`, is found."""
    app = tmp_path / "projects"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "services.py").write_text(
        "from jusha.core.money import Money\n"
        "def f():\n    from jusha.giving.services import donation_open\n"
        "def g():\n    from jusha import matching\n"
    )
    found = {(i.target, i.in_function) for i in cross_imports(tmp_path)}
    assert found == {("core", False), ("giving", True), ("matching", True)}



def test_imports_across_apps_sit_at_module_level_except_in_ready():
    """With no cycle to hide, an import of another app inside a function would only hide a
    dependency. The one place for them is `AppConfig.ready()` (apps.py), where Django wants
    an app's subscriptions and contributions registered once every app is loaded."""
    hidden = [f"{i.path}:{i.line} imports {i.module}" for i in cross_imports()
              if i.in_function and not i.path.endswith("/apps.py")]
    assert hidden == []
