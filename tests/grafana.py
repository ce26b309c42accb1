"""Test helpers: walk built dashboards and expand Grafana's macros like Grafana does."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DASHBOARD_DIR = REPO / "dashboards"


def load_dashboards(folder: Path = DASHBOARD_DIR) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def all_panels(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in doc.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def query_panels(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    return (p for p in all_panels(doc) if p.get("type") != "row")


def targets(doc: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for panel in query_panels(doc):
        for target in panel.get("targets", []):
            yield panel, target


def variable_values(doc: Mapping[str, Any], chosen: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each variable's interpolated value: the chosen one, else "All" (its allValue or .*)."""
    values: dict[str, str] = {}
    for var in doc.get("templating", {}).get("list", []):
        name = var["name"]
        if var.get("type") == "datasource":
            values[name] = "prometheus"
        elif chosen and name in chosen:
            values[name] = chosen[name]
        else:
            values[name] = var.get("allValue") or ".*"
    return values


def expand(expr: str, variables: Mapping[str, str], *, rate_interval: str = "1m", interval: str = "15s",
           range_: str = "1h") -> str:
    """Replace Grafana's global macros and template variables, longest names first."""
    macros = {"__rate_interval": rate_interval, "__interval": interval, "__range": range_, **variables}
    for name in sorted(macros, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", macros[name])
        expr = re.sub(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])", lambda _m, v=macros[name]: v, expr)
    if "$" in expr:
        raise AssertionError(f"unexpanded variable in {expr}")
    return expr
