"""Grafana's macros and template variables, expanded the way Grafana's Prometheus datasource does.

    >>> expand('rate(x{job=~"$job"}[$__rate_interval])', {"job": "(a|b)"})
    'rate(x{job=~"(a|b)"}[1m])'

Multi-value variables become ``(v1|v2)`` with regex characters escaped
(:func:`regex_escape`); "All" becomes the variable's ``allValue`` or the
alternation of every value. Every built-in macro is known: ``$__rate_interval``
(and ``_ms``), ``$__interval`` (and ``_ms``), ``$__range`` (``_s``, ``_ms``),
``$__from``/``$__to`` (milliseconds; ``${__to:date:seconds}`` seconds,
``${__to:date}`` ISO 8601), ``$__all``, ``$__dashboard``, ``${__user.login}``
and the like; a format (``${var:regex}``, ``${var:pipe}``, ``${var:csv}`` ...)
never makes a variable unknown.

Panels come from every layout Grafana has had: ``panels`` with (collapsed) row
panels, and the legacy ``rows[].panels`` of schemaVersion < 16.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

from ..validate import duration_seconds
from .datasources import PROMQL_TYPES, language

__all__ = ["UnexpandedVariable", "all_panels", "expand", "library_model", "offline_values", "promql_string_content",
           "query_panels", "regex_escape", "targets", "variable_names"]

_REGEX_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}])")
_NAMED = re.compile(r"\$\{([A-Za-z_][\w.]*)(?::([^}]*))?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]")
#: A fixed "now" for $__from/$__to offline (2026-01-01T00:00:00Z), an hour apart by default.
_TO_MS = 1767225600000
#: Built-in names that expand to text (never in a metric selector, but they parse in a label value).
_TEXT_MACROS = ("__dashboard", "__name", "__org", "__user", "__series", "__field", "__value", "__data", "__cell",
                "__url_time_range", "__timezone", "__timeFilter", "__timeFrom", "__timeTo")


class UnexpandedVariable(ValueError):
    """An expression still holds a ``$variable`` after expansion."""


def regex_escape(value: str) -> str:
    """A regex that matches ``value`` literally (``a.b`` -> ``a\\.b``), as Grafana escapes a multi-value variable.

    This is the regex itself; inside a PromQL double-quoted string it must be
    written with :func:`promql_string_content` (``a\\\\.b``), as Grafana does.
    """
    return _REGEX_SPECIAL.sub(r"\\\1", value)


def promql_string_content(value: str) -> str:
    """``value`` written inside a PromQL double-quoted string: backslash, quote and line breaks escaped.

    >>> promql_string_content('a\\\\.b"c')
    'a\\\\\\\\.b\\\\"c'
    """
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def variable_names(doc: Mapping[str, Any]) -> list[str]:
    """The names of a dashboard's template variables, in order."""
    return [str(var["name"]) for var in doc.get("templating", {}).get("list", []) or [] if var.get("name")]


def expand(expr: str, variables: Mapping[str, str], *, rate_interval: str = "1m", interval: str = "15s",
           range_: str = "1h") -> str:
    """Replace Grafana's global macros and template variables (``$x``, ``${x}``, ``${x:fmt}``, ``[[x]]``)."""
    range_s = duration_seconds(range_)
    macros = {"__rate_interval": rate_interval, "__interval": interval, "__range": range_,
              "__range_s": str(int(range_s)), "__range_ms": str(int(range_s * 1000)),
              "__interval_ms": str(int(duration_seconds(interval) * 1000)),
              "__rate_interval_ms": str(int(duration_seconds(rate_interval) * 1000)),
              "__from": str(_TO_MS - int(range_s * 1000)), "__to": str(_TO_MS), "__all": ".*", **variables}

    def replace(match: re.Match[str]) -> str:
        name = match[1] or match[3] or match[4]
        if name in ("__from", "__to") and match[2]:
            return _time_format(int(macros[name]), match[2])
        if name in macros:
            return macros[name]
        if name.split(".")[0] in _TEXT_MACROS:
            return name.replace(".", "_")
        unknown.append(match[0])
        return match[0]

    unknown: list[str] = []
    out = _NAMED.sub(replace, expr)  # once: a value that itself looks like ${X} (an envsubst placeholder) stays
    if unknown:
        raise UnexpandedVariable(f"unknown variable {unknown[0]} in {expr}")
    return out


def _time_format(ms: int, fmt: str) -> str:
    """``${__from:date:seconds}`` and friends, for a time in milliseconds."""
    if fmt in ("date:seconds", "seconds"):
        return str(ms // 1000)
    if fmt in ("", "date:ms", "ms"):
        return str(ms)
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ms // 1000))


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
    """Every panel: the ones inside (collapsed) rows and legacy ``rows[]`` too; library panels as their model."""
    rows = [row for row in doc.get("rows", []) or [] if isinstance(row, Mapping)]
    for panel in [*(doc.get("panels", []) or []), *(p for row in rows for p in row.get("panels", []) or [])]:
        if not isinstance(panel, dict):
            continue
        yield library_model(doc, panel)
        yield from (library_model(doc, p) for p in panel.get("panels", []) or [] if isinstance(p, dict))


def library_model(doc: Mapping[str, Any], panel: dict[str, Any]) -> dict[str, Any]:
    """A library panel reference replaced by its model from the export's ``__elements`` (else as it is)."""
    ref = panel.get("libraryPanel")
    if not isinstance(ref, Mapping) or panel.get("targets"):
        return panel
    element = (doc.get("__elements") or {}).get(str(ref.get("uid")))
    model = element.get("model") if isinstance(element, Mapping) else None
    if not isinstance(model, Mapping):
        return panel
    return {**model, **{k: v for k, v in panel.items() if k in ("id", "gridPos", "libraryPanel", "title")}}


def query_panels(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    return (p for p in all_panels(doc) if p.get("type") != "row")


def targets(doc: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(panel, target) for every shown Prometheus target (an ``expr`` whose datasource is PromQL, not Loki ...)."""
    for panel in query_panels(doc):
        for target in panel.get("targets", []) or []:
            if isinstance(target, dict) and isinstance(target.get("expr"), str) and not target.get("hide") \
                    and language(doc, panel, target) in PROMQL_TYPES:
                yield panel, target
