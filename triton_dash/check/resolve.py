"""Template variables resolved against a Prometheus, the way Grafana resolves them.

Variables are resolved in dashboard order, so later ones see earlier ones:
``label_values(series, label)`` asks ``/api/v1/label/<label>/values`` over the last
hour; "All" becomes the variable's ``allValue`` (as written) or the
alternation of every value found, each regex-escaped, as Grafana does.

A chosen value (``check --set NAME=VALUE``) is the value the variable holds in
Grafana: a regex where a query matches it with ``=~``/``!~`` (checked as RE2
by :func:`check_chosen`), a literal where it matches with ``=``. Values are
written into the queries' double-quoted strings with their backslashes and
quotes escaped, so every character gives valid PromQL: ``instance=~"$instance"``
with ``127.0.0.1:8002`` runs ``instance=~"127.0.0.1:8002"``; a value found by
``label_values``, ``a.b``, runs as ``(a\\\\.b)``.

    check_chosen([doc], {"job": "triton|prometheus"})
    values = resolve_variables(client, doc, at=time.time(), chosen={"job": "triton|prometheus"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .. import validate
from ..analysis.variables import expand, offline_values, promql_string_content, regex_escape, targets, variable_names

__all__ = ["LabelSource", "Macros", "check_chosen", "label_values_query", "resolve_variables"]

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
            out[name] = promql_string_content(chosen[name])
        elif match and var.get("allValue"):
            out[name] = var["allValue"]
        elif match:
            series = macros.expand(match["series"], out) if match["series"] else None
            values = source.label_values(match["label"], series, at - window, at)
            out[name] = promql_string_content("(" + "|".join(regex_escape(v) for v in values) + ")") if values else ""
        else:
            out[name] = fallback.get(name, "")
    return out


def _regex_matcher(name: str) -> re.Pattern[str]:
    """``=~"...$name..."`` or ``!~"...${name}..."``: the variable is used as (part of) a regex."""
    return re.compile(r'[=!]~\s*"(?:[^"\\]|\\.)*(?:\$' + re.escape(name) + r'\b|\$\{' + re.escape(name)
                      + r'[}:]|\[\[' + re.escape(name) + r'\]\])')


def check_chosen(docs: Sequence[Mapping[str, Any]], chosen: Mapping[str, str]) -> None:
    """Raise :class:`~triton_dash.validate.InvalidValue` for a variable no dashboard has, or a bad regex.

    A value the queries use in a regex matcher must be a regex Prometheus
    accepts (RE2); a value used only in ``=`` matchers is a literal and may
    hold any character.
    """
    known = sorted({name for doc in docs for name in variable_names(doc)})
    for name, value in chosen.items():
        if name not in known:
            listed = ", ".join(known) if known else "none"
            raise validate.InvalidValue(f"--set {name}: the dashboards have no variable {name!r}; "
                                        f"their variables: {listed}")
        validate.no_control_characters(value, name)
        pattern = _regex_matcher(name)
        if any(pattern.search(target["expr"]) for doc in docs for _, target in targets(doc)):
            validate.re2_regex(value, f"--set {name}")
