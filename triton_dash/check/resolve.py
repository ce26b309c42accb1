"""Template variables resolved against a Prometheus, the way Grafana resolves them.

Variables are resolved in dashboard order, so later ones see earlier ones:
``label_values(series, label)`` asks ``/api/v1/label/<label>/values`` over the last
hour; "All" becomes the variable's ``allValue`` or the alternation of every
value found; a chosen value is regex-escaped as Grafana does.

    values = resolve_variables(client, doc, at=time.time(), chosen={"job": "triton"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from ..analysis.variables import expand, offline_values, regex_escape

__all__ = ["LabelSource", "Macros", "label_values_query", "resolve_variables"]

_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<series>.+),\s*)?(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")


def label_values_query(query: str) -> tuple[str | None, str] | None:
    """``label_values(series, label)`` -> (series or None, label); None for any other query."""
    match = _LABEL_VALUES.match(query.strip())
    return (match["series"], match["label"]) if match else None


class LabelSource(Protocol):
    def label_values(self, label: str, match: str | None, start: float, end: float) -> list[str]: ...


class Macros:
    """Grafana's global macros for one evaluation: ``$__rate_interval``, ``$__interval``, ``$__range``."""

    def __init__(self, rate_interval: str = "1m", interval: str = "15s", range_: str = "1h") -> None:
        self.rate_interval, self.interval, self.range_ = rate_interval, interval, range_

    def expand(self, expr: str, variables: Mapping[str, str]) -> str:
        return expand(expr, variables, rate_interval=self.rate_interval, interval=self.interval, range_=self.range_)


def resolve_variables(source: LabelSource, doc: Mapping[str, Any], *, at: float,
                      chosen: Mapping[str, str] | None = None, macros: Macros | None = None,
                      window: float = 3600) -> dict[str, str]:
    """Each variable's interpolated value; unknown query kinds fall back to their offline value."""
    chosen, macros = chosen or {}, macros or Macros()
    fallback = offline_values(doc)
    out: dict[str, str] = {}
    for var in doc.get("templating", {}).get("list", []) or []:
        name = var.get("name")
        if not name:
            continue
        query = var.get("query")
        query = query.get("query") if isinstance(query, Mapping) else query
        match = _LABEL_VALUES.match(str(query or "").strip()) if var.get("type") == "query" else None
        if var.get("type") == "datasource":
            out[name] = fallback.get(name, "prometheus")
        elif name in chosen:
            values = [v for v in chosen[name].split(",") if v]
            out[name] = regex_escape(values[0]) if len(values) == 1 else \
                "(" + "|".join(regex_escape(v) for v in values) + ")"
        elif match and var.get("allValue"):
            out[name] = var["allValue"]
        elif match:
            series = macros.expand(match["series"], out) if match["series"] else None
            values = source.label_values(match["label"], series, at - window, at)
            out[name] = "(" + "|".join(regex_escape(v) for v in values) + ")" if values else ""
        else:
            out[name] = fallback.get(name, "")
    return out
