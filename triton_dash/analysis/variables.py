"""Grafana's macros and template variables, expanded the way Grafana's Prometheus datasource does.

    >>> expand('rate(x{job=~"$job"}[$__rate_interval])', {"job": "(a|b)"})
    'rate(x{job=~"(a|b)"}[1m])'

Multi-value variables become ``(v1|v2)`` with regex characters escaped
(:func:`regex_escape`); "All" becomes the variable's ``allValue`` or the
alternation of every value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..validate import duration_seconds

__all__ = ["UnexpandedVariable", "all_panels", "expand", "offline_values", "query_panels", "regex_escape",
           "targets"]

_REGEX_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}])")
_NAMED = re.compile(r"\$\{([A-Za-z_]\w*)(?::\w+)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)\]\]")


class UnexpandedVariable(ValueError):
    """An expression still holds a ``$variable`` after expansion."""


def regex_escape(value: str) -> str:
    """How Grafana's Prometheus datasource escapes a multi-value variable's values."""
    return _REGEX_SPECIAL.sub(r"\\\1", value)


def expand(expr: str, variables: Mapping[str, str], *, rate_interval: str = "1m", interval: str = "15s",
           range_: str = "1h") -> str:
    """Replace Grafana's global macros and template variables (``$x``, ``${x}``, ``${x:fmt}``, ``[[x]]``)."""
    macros = {"__rate_interval": rate_interval, "__interval": interval, "__range": range_,
              "__range_s": str(int(duration_seconds(range_))),
              "__interval_ms": str(int(duration_seconds(interval) * 1000)), **variables}

    def replace(match: re.Match[str]) -> str:
        name = match[1] or match[2] or match[3]
        return macros[name] if name in macros else match[0]

    out = _NAMED.sub(replace, expr)
    left = _NAMED.search(out)
    if left:
        raise UnexpandedVariable(f"unknown variable {left[0]} in {expr}")
    return out


def offline_values(doc: Mapping[str, Any], chosen: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each variable's value without a Prometheus: the chosen one, else "All" (allValue or ``.*``), else current."""
    values: dict[str, str] = {}
    for var in doc.get("templating", {}).get("list", []):
        name = var.get("name")
        if not name:
            continue
        current = (var.get("current") or {}).get("value")
        if isinstance(current, list):
            current = current[0] if current else ""
        if var.get("type") == "datasource":
            values[name] = str(current or "prometheus")
        elif chosen and name in chosen:
            values[name] = chosen[name]
        elif var.get("type") in ("query", "custom") and (var.get("includeAll") or var.get("allValue")):
            values[name] = var.get("allValue") or ".*"
        elif var.get("type") == "interval":
            values[name] = str(current or "1m").replace("$__auto_interval_" + name, "1m")
        else:
            values[name] = "" if current in (None, "$__all") else str(current)
    return values


def all_panels(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, the ones inside (collapsed) rows too."""
    for panel in doc.get("panels", []) or []:
        yield panel
        yield from panel.get("panels", []) or []


def query_panels(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    return (p for p in all_panels(doc) if p.get("type") != "row")


def targets(doc: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(panel, target) for every Prometheus-looking target (one with an ``expr``)."""
    for panel in query_panels(doc):
        for target in panel.get("targets", []) or []:
            if isinstance(target, dict) and isinstance(target.get("expr"), str) and not target.get("hide"):
                yield panel, target
