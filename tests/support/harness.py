"""Evaluate built dashboard targets the way Grafana would, and judge them against known answers.

Grafana's part is reproduced: template variables are resolved in order with
``label_values`` against the same Prometheus (All = the variable's allValue, or
the regex of every value found), a repeated panel is evaluated once per value of
its variable, and ``$__rate_interval``/``$__interval``/``$__range`` are replaced.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from triton_dash.check.resolve import Macros, label_values_query
from triton_dash.check.resolve import resolve_variables as resolve

from ..grafana import targets
from .prometheus import Labels, Prometheus

REL_TOLERANCE = 0.005  # 0.5 %


@dataclass(frozen=True)
class Context:
    prometheus: Prometheus
    at: float
    rate_interval: str = "1m"
    interval: str = "15s"
    range_: str = "1h"

    @property
    def macros(self) -> Macros:
        return Macros(self.rate_interval, self.interval, self.range_)

    def expand(self, expr: str, variables: Mapping[str, str]) -> str:
        return self.macros.expand(expr, variables)

    def label_values(self, label: str, match: str | None, start: float, end: float) -> list[str]:
        """The package's resolution asks this; the test Prometheus answers."""
        params: dict[str, Any] = {"start": start, "end": end, "match[]": match}
        return sorted(self.prometheus.api(f"/api/v1/label/{label}/values", **params))


def label_values(ctx: Context, query: str, variables: Mapping[str, str]) -> list[str]:
    parsed = label_values_query(query)
    if parsed is None:
        raise AssertionError(f"unsupported variable query {query!r}")
    series = ctx.expand(parsed[0], variables) if parsed[0] else None
    return ctx.label_values(parsed[1], series, ctx.at - 3600, ctx.at)


def resolve_variables(ctx: Context, doc: Mapping[str, Any], chosen: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each variable's interpolated regex, resolved by the package's own code (check uses the same)."""
    return resolve(ctx, doc, at=ctx.at, chosen=chosen, macros=ctx.macros)


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


def cases(ctx: Context, dashboards: Mapping[str, Mapping[str, Any]],
          chosen: Mapping[str, str] | None = None) -> Iterator[Case]:
    """Every target of every dashboard; repeated panels once per value of their variable (given ``chosen``)."""
    for stem, doc in dashboards.items():
        all_values = resolve_variables(ctx, doc, chosen)
        for panel, target in targets(doc):
            choices: list[tuple[tuple[str, str], ...]] = [()]
            repeat = panel.get("repeat")
            if repeat:
                var = next(v for v in doc["templating"]["list"] if v["name"] == repeat)
                values = label_values(ctx, var["query"], all_values)
                # With no values Grafana shows the panel once, for no value (a cluster without LLMs, say).
                choices = [((repeat, value),) for value in values] or [((repeat, ""),)]
            for choice in choices:
                yield Case(stem, panel["title"], target["refId"], target["expr"], choice)


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
