"""Which query language a target is written in, from its datasource, the panel's, and the dashboard's.

Grafana decides a target's datasource in this order: the target's own
``datasource`` (``-- Mixed --`` panels always have one), else the panel's, else
the default datasource. A reference is an object with a ``type``, a uid or name,
a template variable (``$datasource``, ``${DS_PROMETHEUS}``) whose ``query`` is
the plugin type, or an export placeholder listed in ``__inputs`` with its
``pluginId``. Only Prometheus-type targets are PromQL; the rest are listed as
not checked.

    >>> language({"templating": {"list": [{"name": "logs", "type": "datasource", "query": "loki"}]}},
    ...          {"datasource": "$logs"}, {"expr": '{app="triton"} |= "ERROR"'})
    'loki'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MIXED", "PROMQL_TYPES", "UNKNOWN", "language"]

PROMQL_TYPES = frozenset({"prometheus", "grafana-amazonprometheus-datasource", "grafana-azureprometheus-datasource",
                          "victoriametrics-datasource", "victoriametrics-metrics-datasource"})
MIXED = "-- Mixed --"
UNKNOWN = ""  # the default datasource: Prometheus, unless the expression says otherwise
_SPECIAL = {"-- Grafana --": "grafana", "grafana": "grafana", "-- Dashboard --": "dashboard",
            "__expr__": "__expr__", "expr": "__expr__"}
_VAR = re.compile(r"^\$\{?([A-Za-z_]\w*)(?::\w+)?\}?$")
#: Plugin types a datasource's name gives away when only the name is written (legacy string references).
_NAMED_TYPES = ("loki", "elasticsearch", "influxdb", "graphite", "tempo", "jaeger", "mysql", "postgres", "cloudwatch",
                "opensearch", "clickhouse", "testdata")
#: A LogQL stream selector followed by a pipeline: never PromQL.
_LOGQL = re.compile(r"^\s*(\w+\s*\()*\s*\{[^}]*\}\s*"
                    r"(\|[=~]|![=~]|\|\s*(json|logfmt|regexp|pattern|line_format|unpack)\b)")


def _variables(doc: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for var in (doc.get("templating") or {}).get("list", []) or []:
        if isinstance(var, Mapping) and var.get("type") == "datasource" and var.get("name"):
            out[str(var["name"])] = str(var.get("query") or "prometheus")
    for item in doc.get("__inputs", []) or []:
        if isinstance(item, Mapping) and item.get("type") == "datasource" and item.get("name"):
            out.setdefault(str(item["name"]), str(item.get("pluginId") or "prometheus"))
    return out


def _type_of(reference: Any, doc: Mapping[str, Any]) -> str | None:
    """The plugin type a datasource reference names; None when there is no reference at all."""
    if reference is None:
        return None
    if isinstance(reference, Mapping):
        if reference.get("type"):
            kind = str(reference["type"])
            return MIXED if kind == "datasource" and reference.get("uid") == MIXED else _SPECIAL.get(kind, kind)
        reference = reference.get("uid")
        if reference is None:
            return None
    text = str(reference)
    if text == MIXED:
        return MIXED
    if text in _SPECIAL:
        return _SPECIAL[text]
    match = _VAR.match(text)
    if match:
        return _variables(doc).get(match[1], UNKNOWN)
    lowered = text.lower()
    return next((kind for kind in _NAMED_TYPES if kind in lowered), UNKNOWN)


def language(doc: Mapping[str, Any], panel: Mapping[str, Any], target: Mapping[str, Any]) -> str:
    """The target's datasource type: ``prometheus`` (or another PromQL type), ``loki``, ``__expr__`` ..."""
    own, of_panel = _type_of(target.get("datasource"), doc), _type_of(panel.get("datasource"), doc)
    kind = own if own not in (None, MIXED) else of_panel if of_panel not in (None, MIXED) else UNKNOWN
    if kind == UNKNOWN:
        expr = target.get("expr")
        if isinstance(expr, str) and _LOGQL.search(expr):
            return "loki"
        return "prometheus"
    return kind
