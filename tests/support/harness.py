"""Evaluate built dashboard targets the way Grafana would, and judge them against known answers.

Grafana's part is reproduced: template variables are resolved in order with
``label_values`` against the same Prometheus (All = the variable's allValue, or
the regex of every value found), a repeated panel is evaluated once per value of
its variable, and ``$__rate_interval``/``$__interval``/``$__range`` are replaced.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..grafana import expand, targets
from .prometheus import Labels, Prometheus

REL_TOLERANCE = 0.005  # 0.5 %
_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<series>.+),\s*)?(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")
_REGEX_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}])")


def regex_escape(value: str) -> str:
    """How Grafana's Prometheus datasource escapes a multi-value variable's values."""
    return _REGEX_SPECIAL.sub(r"\\\1", value)


@dataclass(frozen=True)
class Context:
    prometheus: Prometheus
    at: float
    rate_interval: str = "1m"
    interval: str = "15s"
    range_: str = "1h"

    def expand(self, expr: str, variables: Mapping[str, str]) -> str:
        return expand(expr, variables, rate_interval=self.rate_interval, interval=self.interval, range_=self.range_)


def label_values(ctx: Context, query: str, variables: Mapping[str, str]) -> list[str]:
    match = _LABEL_VALUES.match(query.strip())
    if not match:
        raise AssertionError(f"unsupported variable query {query!r}")
    params: dict[str, Any] = {"start": ctx.at - 3600, "end": ctx.at}
    if match["series"]:
        params["match[]"] = ctx.expand(match["series"], variables)
    return sorted(ctx.prometheus.api(f"/api/v1/label/{match['label']}/values", **params))


def resolve_variables(ctx: Context, doc: Mapping[str, Any], chosen: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each variable's interpolated regex, in dashboard order (later ones see earlier ones)."""
    chosen = chosen or {}
    out: dict[str, str] = {}
    for var in doc["templating"]["list"]:
        name = var["name"]
        if var["type"] == "datasource":
            out[name] = "prometheus"
        elif name in chosen:
            out[name] = regex_escape(chosen[name])
        elif var.get("allValue"):
            out[name] = var["allValue"]
        else:
            values = label_values(ctx, var["query"], out)
            out[name] = "(" + "|".join(regex_escape(v) for v in values) + ")" if values else ""
    return out


@dataclass(frozen=True)
class Case:
    stem: str
    title: str
    ref_id: str
    expr: str  # as built, with variables
    chosen: tuple[tuple[str, str], ...]  # repeat-variable choices

    @property
    def id(self) -> str:
        suffix = "".join(f"[{k}={v}]" for k, v in self.chosen)
        return f"{self.stem}:{self.title}:{self.ref_id}{suffix}"


def cases(ctx: Context, dashboards: Mapping[str, Mapping[str, Any]]) -> Iterator[Case]:
    """Every target of every dashboard; repeated panels once per value of their variable."""
    for stem, doc in dashboards.items():
        all_values = resolve_variables(ctx, doc)
        for panel, target in targets(doc):
            choices: list[tuple[tuple[str, str], ...]] = [()]
            repeat = panel.get("repeat")
            if repeat:
                var = next(v for v in doc["templating"]["list"] if v["name"] == repeat)
                values = label_values(ctx, var["query"], all_values)
                assert values, f"repeat variable {repeat} has no values in the scenario"
                choices = [((repeat, value),) for value in values]
            for chosen in choices:
                yield Case(stem, panel["title"], target["refId"], target["expr"], chosen)


def evaluate(ctx: Context, doc: Mapping[str, Any], expr: str, chosen: Mapping[str, str]) -> dict[Labels, float]:
    return ctx.prometheus.query(ctx.expand(expr, resolve_variables(ctx, doc, chosen)), at=ctx.at)


def _show(labels: Labels) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(labels)) + "}"


def judge(actual: Mapping[Labels, float], expected: Mapping[Labels, float], rel: float = REL_TOLERANCE) -> list[str]:
    """Every difference between what a query returned and the known answer; [] when they agree."""
    problems = []
    for labels, value in sorted(actual.items(), key=lambda kv: sorted(kv[0])):
        if math.isnan(value) or math.isinf(value):
            problems.append(f"{_show(labels)} is {value}")
        elif labels not in expected:
            problems.append(f"unexpected series {_show(labels)} = {value:g}")
        elif abs(value - expected[labels]) > rel * abs(expected[labels]) + 1e-12:
            problems.append(f"{_show(labels)} = {value:.6g}, expected {expected[labels]:.6g}")
    problems += [f"missing {_show(labels)} (expected {value:g})"
                 for labels, value in sorted(expected.items(), key=lambda kv: sorted(kv[0])) if labels not in actual]
    return problems
