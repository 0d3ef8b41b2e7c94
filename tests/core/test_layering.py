"""Apps import downwards only and never another app's private names; shared code lives in
ranan.lib, which imports no app (ARCHITECTURE.md, "The app contract"; issue 13 item 4)."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "ranan"
# Lower number = lower layer: an app may import from its own layer's apps only when listed
# in SAME_LAYER_OK, and from any lower layer.
LAYER = {"lib": 0, "core": 1, "customers": 2, "cylinders": 3, "inspections": 3, "hazards": 4,
         "delivery": 4, "reports": 9}


def _imports():
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if len(rel.parts) < 2 or rel.parts[0] not in LAYER or "migrations" in rel.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ranan."):
                yield rel, node.module.split("."), [a.name for a in node.names], node.lineno
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("ranan."):
                        yield rel, alias.name.split("."), [], node.lineno


def test_no_import_of_another_apps_private_names():
    bad = [f"{rel}:{line} {'.'.join(mod)}.{name}"
           for rel, mod, names, line in _imports() if len(mod) > 1 and mod[1] != rel.parts[0]
           for name in names if name.startswith("_")]
    assert bad == []


def test_apps_import_downwards_only():
    bad = []
    for rel, mod, _names, line in _imports():
        own, other = rel.parts[0], mod[1] if len(mod) > 1 else ""
        if other in LAYER and other != own and LAYER[other] >= LAYER[own]:
            bad.append(f"{rel}:{line} imports ranan.{other}")
    assert bad == []


def test_lib_imports_no_app():
    bad = [f"{rel}:{line} {'.'.join(mod)}" for rel, mod, _n, line in _imports()
           if rel.parts[0] == "lib" and len(mod) > 1 and mod[1] != "lib"]
    assert bad == []


def test_no_api_module_imports_page_views():
    bad = [f"{rel}:{line} {'.'.join(mod)}" for rel, mod, _n, line in _imports()
           if rel.name.startswith("api") and mod[-1].startswith("views")]
    assert bad == []
