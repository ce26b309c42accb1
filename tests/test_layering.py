"""The layout: imports run one way, no private imports across packages, a small top level."""

from __future__ import annotations

import ast
from pathlib import Path

import triton_dash

PACKAGE = Path(triton_dash.__file__).parent

#: Each top-level module or package, by layer: a module may import its own layer and the ones before it.
LAYERS: dict[str, int] = {
    "validate": 0,
    "prometheus": 1,
    "metrics": 1,
    "selector": 2,
    "profile": 3,
    "queries": 4,
    "panels": 5,
    "dashboards": 6,
    # outputs
    "files": 7, "grafana": 7, "rules": 7, "deploy": 7, "build": 7, "docs": 7,
    # dashboards as data, and what reads them
    "analysis": 8, "check": 9, "lint": 9,
    "cli": 10,
    "__init__": 0, "__main__": 10,
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every triton_dash import in ``path``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = ["triton_dash", *parts[:-1]]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            targets = [name] if node.module else [f"{name}.{alias.name}" for alias in node.names]
            out += [(target, node.lineno) for target in targets if target.startswith("triton_dash")]
        elif isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("triton_dash")]
    return out


def test_every_top_level_name_has_a_layer() -> None:
    tops = {_top(path) for path in _modules()}
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


def test_imports_run_one_way() -> None:
    wrong = []
    for path in _modules():
        here = LAYERS[_top(path)]
        for name, line in _imports(path):
            parts = name.split(".")
            if len(parts) < 2:
                continue
            there = LAYERS.get(parts[1].removesuffix(".py"), 0)
            if there > here:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert not wrong, wrong


def test_no_private_imports_across_packages() -> None:
    wrong = []
    for path in _modules():
        own = _top(path)
        for name, line in _imports(path):
            parts = name.split(".")
            private = [p for p in parts[1:] if p.startswith("_") and not p.startswith("__")]
            if private and (len(parts) < 2 or parts[1] != own):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert not wrong, wrong


def test_no_grafanalib_private_modules() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not any(p.startswith("_") for p in node.module.split(".")[1:]), (path, node.module)


def test_the_top_level_is_small() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(flat) <= 8, flat


def test_no_two_modules_share_a_name_across_packages_that_mean_different_things() -> None:
    """No second ``rules`` (lint's are checks) and no ``_house``."""
    names = [p.relative_to(PACKAGE).as_posix() for p in _modules()]
    assert "lint/rules.py" not in names
    assert not any(n.endswith("_house.py") for n in names)


def test_panel_factories_state_only_their_own_options() -> None:
    """The shared keyword arguments (selector, by, datasource, width, height, title) come from one
    PanelOptions TypedDict; no factory spells them out again."""
    import inspect

    from triton_dash import panels

    shared = {"selector", "by", "datasource", "width", "height", "title"}
    factories = [getattr(panels, name) for name in panels.__all__
                 if inspect.isfunction(getattr(panels, name)) and getattr(panels, name).__module__.split(".")[-1]
                 not in ("factory",)]
    assert len(factories) >= 60
    for factory in factories:
        params = inspect.signature(factory).parameters
        assert not shared & set(params), (factory.__name__, sorted(shared & set(params)))
        assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), factory.__name__
