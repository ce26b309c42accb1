"""The lint rules: dashboard-linter's, adapted to Triton, and the Triton mistakes no other linter catches.

Each rule is a function that yields messages for one dashboard, panel or target;
the message says what is wrong and what to write instead. Counters are known
from the metric catalogue (Triton's counters have no ``_total`` suffix), not
from their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import promql_parser as pp

from ..analysis.promql import (
    RANGE_FUNCTIONS,
    Node,
    SelectorUse,
    aggregation_labels,
    binary_op,
    function_name,
    selectors,
    walk,
)
from ..analysis.variables import targets
from ..metrics import Metric, MetricKind, lookup, removed

__all__ = ["DASHBOARD_RULES", "PANEL_RULES", "RULES", "TARGET_RULES", "Rule", "TargetContext"]

ERROR, WARNING = "error", "warning"
#: Markers the macros expand to, so a rule can tell them apart after parsing.
RATE_INTERVAL_S, INTERVAL_S, RANGE_S = 999999.0, 888888.0, 777777.0
MARKERS = {"rate_interval": "999999s", "interval": "888888s", "range_": "777777s"}
_VAR_REF = re.compile(r"^\$\{?[A-Za-z_]\w*(?::\w+)?\}?$")
_SPECIAL_DATASOURCES = {"-- Mixed --", "-- Grafana --", "-- Dashboard --", "grafana", "__expr__"}
_UNIT_PANELS = {"timeseries", "stat", "gauge", "bargauge", "graph", "singlestat", "table"}
_TRITON_SOURCES = {"triton", "vllm", "tensorrt_llm"}
_DURATIONS = {"nv_inference_request_duration_us", "nv_inference_queue_duration_us",
              "nv_inference_compute_input_duration_us", "nv_inference_compute_infer_duration_us",
              "nv_inference_compute_output_duration_us"}
_PER_EXECUTION = {"nv_inference_exec_count", "nv_inference_count"}
_COUNTER_READERS = RANGE_FUNCTIONS | {"resets", "changes", "timestamp", "absent", "absent_over_time",
                                      "present_over_time", "count_over_time", "last_over_time"}


@dataclass(frozen=True)
class TargetContext:
    doc: Mapping[str, Any]
    panel: Mapping[str, Any]
    target: Mapping[str, Any]
    raw: str  # as written, with variables
    ast: Node  # parsed after expansion with recognisable macro values


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str  # dashboard, panel, target
    description: str
    check: Callable[..., Iterator[str]] | None  # None: the runner itself reports it (promql-parse)


def _strip(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def _kind(name: str) -> MetricKind | None:
    metric = lookup(name)
    if metric is not None:
        return metric.kind
    if name.endswith(("_total", "_bucket")):
        return MetricKind.COUNTER
    return None


def _uses(node: Node) -> list[SelectorUse]:
    return list(selectors(node))


def _rates(node: Node) -> list[SelectorUse]:
    return [use for use in _uses(node) if use.function in RANGE_FUNCTIONS and _kind(use.name) is MetricKind.COUNTER]


# --- dashboard rules -----------------------------------------------------------------------------

def _variables(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [v for v in doc.get("templating", {}).get("list", []) or [] if isinstance(v, Mapping)]


def _reads_triton(doc: Mapping[str, Any]) -> bool:
    for _, target in targets(doc):
        names = re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", target["expr"])
        if any((metric := lookup(name)) is not None and metric.source in _TRITON_SOURCES for name in names):
            return True
    return False


def template_datasource(doc: Mapping[str, Any]) -> Iterator[str]:
    if not any(v.get("type") == "datasource" for v in _variables(doc)):
        yield ("the dashboard has no datasource variable: add one (type datasource, query prometheus, named "
               "datasource) and set every panel's datasource to ${datasource}, so it works on any Grafana")


def _label_variable(name: str) -> Callable[[Mapping[str, Any]], Iterator[str]]:
    def rule(doc: Mapping[str, Any]) -> Iterator[str]:
        if _reads_triton(doc) and not any(v.get("name") == name for v in _variables(doc)):
            yield (f"the dashboard reads Triton metrics but has no {name} variable: add "
                   f"label_values(nv_inference_request_success, {name}) (multi, include All) and "
                   f'{name}=~"${name}" in every selector, or one fleet\'s numbers mix with another\'s')
    return rule


def template_refresh(doc: Mapping[str, Any]) -> Iterator[str]:
    for var in _variables(doc):
        if var.get("type") == "query" and var.get("refresh") != 2:
            yield (f"variable {var.get('name')!r} does not refresh on time range change (refresh: 2): models "
                   "loaded later never appear in it")


def datasource_input(doc: Mapping[str, Any]) -> Iterator[str]:
    inputs = [i.get("name") for i in doc.get("__inputs", []) or [] if isinstance(i, Mapping)]
    if inputs:
        yield (f"the dashboard is an export with __inputs ({', '.join(map(str, inputs))}): only the UI import "
               "resolves ${DS_...}; provisioned or pushed as is, every panel fails. Use a datasource variable")


def _datasource_problem(datasource: Any) -> str | None:
    if datasource is None:
        return None
    uid = datasource.get("uid") if isinstance(datasource, Mapping) else datasource
    if not isinstance(uid, str) or not uid or uid in _SPECIAL_DATASOURCES:
        return None
    if uid.startswith("${DS_") or uid.startswith("$DS_"):
        return f"datasource {uid} is an export placeholder that nothing resolves outside the UI import"
    if _VAR_REF.match(uid):
        return None
    return f"datasource uid {uid!r} is hard-coded and exists only on one Grafana"


def datasource_hardcoded(panel: Mapping[str, Any]) -> Iterator[str]:
    seen = set()
    for source in (panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets", []) or []
                                              if isinstance(t, Mapping))):
        problem = _datasource_problem(source)
        if problem and problem not in seen:
            seen.add(problem)
            yield f"{problem}: use the dashboard's datasource variable (${{datasource}})"


def panel_title_description(panel: Mapping[str, Any]) -> Iterator[str]:
    if not panel.get("targets"):
        return
    if not str(panel.get("title") or "").strip():
        yield "the panel has no title: say what the number is"
    elif not str(panel.get("description") or "").strip():
        yield ("the panel has no description: say what the number is, how it is computed, its unit and what "
               "to do when it shows no data")


def panel_units(panel: Mapping[str, Any]) -> Iterator[str]:
    if panel.get("type") not in _UNIT_PANELS or not panel.get("targets"):
        return
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    overrides = (panel.get("fieldConfig") or {}).get("overrides") or []
    has_override_unit = any(p.get("id") == "unit" for o in overrides for p in o.get("properties", []) or [])
    legacy = any(axis.get("format") for axis in panel.get("yaxes", []) or [] if isinstance(axis, Mapping))
    if not defaults.get("unit") and not has_override_unit and not legacy and not defaults.get("mappings"):
        yield "no unit is set: set fieldConfig.defaults.unit (s, reqps, bytes, percentunit ...)"


# --- target rules --------------------------------------------------------------------------------

def rate_interval(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        if use.function not in RANGE_FUNCTIONS or use.window in (RATE_INTERVAL_S, INTERVAL_S):
            continue
        if use.window == RANGE_S and use.function == "increase":
            continue
        shown = "$__range" if use.window == RANGE_S else f"{use.window:g}s"
        yield (f"{use.function}({use.name}[{shown}]) has a fixed window: use [$__rate_interval], which follows "
               "the scrape interval (a window under two scrapes shows no data)")


def rate_interval_too_short(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        if use.function in RANGE_FUNCTIONS and use.window == INTERVAL_S:
            yield (f"{use.function}({use.name}[$__interval]): $__interval can be shorter than two scrapes, and "
                   "rate() then returns nothing; use [$__rate_interval]")


def irate_in_panel(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        if use.function == "irate":
            yield (f"irate({use.name}) shows only the last two samples and skips everything between points of a "
                   "graph: use rate(...[$__rate_interval])")


def counter_not_rated(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        if _kind(use.name) is not MetricKind.COUNTER:
            continue
        direct = function_name(use.parents[-1]) if use.parents else None
        if use.function in _COUNTER_READERS or direct in _COUNTER_READERS or _under_count(use):
            continue
        yield (f"{use.name} is a counter (it only grows, and resets when Triton restarts) read directly: use "
               f"rate({use.name}[$__rate_interval])")


def _under_count(use: SelectorUse) -> bool:
    return any(isinstance(p, pp.AggregateExpr) and str(p.op) in ("count", "group") for p in use.parents)


def gauge_under_rate(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        kind = _kind(use.name)
        if use.function in RANGE_FUNCTIONS and kind in (MetricKind.GAUGE, MetricKind.SUMMARY):
            yield (f"{use.function}() of {use.name}, which is a {kind.value}: read it directly (or use deriv() "
                   "for its trend); rate() of a gauge is meaningless")


def ratio_of_counters_aggregated(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        if not isinstance(node, pp.AggregateExpr) or str(node.op) not in ("sum", "avg"):
            continue
        inner = _strip(node.expr)
        if binary_op(inner) == "/" and _rates(inner.lhs) and _rates(inner.rhs) and not _aggregated(inner):
            yield (f"{node.op} of per-series ratios adds or averages each pod's ratio: aggregate first, "
                   f"{node.op} by (...) (rate(a)) / sum by (...) (rate(b))")


def _aggregated(node: Node) -> bool:
    return any(isinstance(n, pp.AggregateExpr) for n, _ in walk(node))


def duration_per_execution(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        if binary_op(node) != "/":
            continue
        numerators = {u.name for u in _rates(node.lhs)} & _DURATIONS
        denominators = {u.name for u in _rates(node.rhs)}
        if numerators and denominators & _PER_EXECUTION and "nv_inference_request_success" not in denominators:
            yield (f"{sorted(numerators)[0]} adds each request's time, so dividing by "
                   f"{sorted(denominators & _PER_EXECUTION)[0]} is not per request: divide by "
                   "rate(nv_inference_request_success) (minus cache hits for compute times)")


def unguarded_denominator(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        if binary_op(node) != "/":
            continue
        rhs = _strip(node.rhs)
        if function_name(rhs) == "clamp_min":
            yield ("clamp_min(denominator, ...) forces a floor under the denominator, so averages read low at "
                   "low traffic: divide by (denominator > 0) instead")
        elif _rates(rhs) and binary_op(rhs) not in (">", ">=", "!="):
            yield ("the denominator can be 0 while a model is idle, which shows NaN: divide by "
                   "(denominator > 0) so idle models are left out")


def summary_quantile_aggregated(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        grouping = aggregation_labels(node)
        if grouping is None:
            continue
        quantiles = [u for u in _uses(node) if _kind(u.name) is MetricKind.SUMMARY or "quantile" in u.matchers]
        kind, labels = grouping
        keeps_instance = ("instance" in labels) if kind == "by" else ("instance" not in labels and labels != ())
        if quantiles and not keeps_instance and str(node.op) not in ("count", "group"):
            yield (f"{node.op} across servers of {quantiles[0].name}, a summary quantile: quantiles from "
                   "different servers cannot be combined; keep instance in the grouping (or use a histogram)")


def histogram_quantile_without_le(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        if function_name(node) != "histogram_quantile" or len(node.args) < 2:
            continue
        grouping = aggregation_labels(_strip(node.args[1]))
        if grouping is None:
            yield ("histogram_quantile of raw buckets gives one quantile per pod: sum by (le, model, version) "
                   "(rate(..._bucket[$__rate_interval])) first")
        elif (grouping[0] == "by" and "le" not in grouping[1]) or (grouping[0] == "without" and "le" in grouping[1]):
            yield "the buckets are aggregated without le, so histogram_quantile has no buckets: add le to by (...)"


def removed_family(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        replacement = removed(use.name)
        if replacement:
            yield f"{use.name} was removed in Triton 20.06 and never has data: use {replacement}"


def category_summed(ctx: TargetContext) -> Iterator[str]:
    for node, _ in walk(ctx.ast):
        grouping = aggregation_labels(node)
        if grouping is None:
            continue
        for use in _uses(node):
            metric: Metric | None = lookup(use.name)
            label = metric.category_label if metric else None
            if label is None:
                continue
            op, value = use.matchers.get(label, ("", ""))
            one_value = op == "=" or (op == "=~" and "|" not in value and not re.search(r"[.*+?\[\]()]", value))
            kind, labels = grouping
            kept = (label in labels) if kind == "by" else (label not in labels and labels != ())
            if not one_value and not kept:
                yield (f"{node.op} over {use.name} adds different {label} values together: filter one "
                       f'({label}="...") or keep {label} in by (...)')


def unknown_metric(ctx: TargetContext) -> Iterator[str]:
    for use in _uses(ctx.ast):
        if use.name.startswith(("nv_", "vllm:")) and lookup(use.name) is None and not removed(use.name):
            yield (f"{use.name} is not a Triton metric triton_dash knows (a typo, or a newer release?): check "
                   "the name against the server's /metrics")


def _rule(id: str, severity: str, scope: str, description: str, check: Callable[..., Iterator[str]] | None) -> Rule:
    return Rule(id, severity, scope, description, check)


DASHBOARD_RULES = (
    _rule("template-datasource", ERROR, "dashboard", "a datasource variable exists", template_datasource),
    _rule("template-job", WARNING, "dashboard", "a job variable exists (Triton dashboards)", _label_variable("job")),
    _rule("template-instance", WARNING, "dashboard", "an instance variable exists (Triton dashboards)",
          _label_variable("instance")),
    _rule("template-refresh", WARNING, "dashboard", "query variables refresh on time range change", template_refresh),
    _rule("datasource-input", ERROR, "dashboard", "no __inputs / ${DS_...} export placeholders", datasource_input),
)
PANEL_RULES = (
    _rule("datasource-hardcoded", ERROR, "panel", "panels use the datasource variable", datasource_hardcoded),
    _rule("panel-title-description", WARNING, "panel", "panels have a title and a description",
          panel_title_description),
    _rule("panel-units", WARNING, "panel", "panels set a unit", panel_units),
)
TARGET_RULES = (
    _rule("promql-parse", ERROR, "target", "the expression parses as PromQL (reported by the runner)", None),
    _rule("rate-interval", WARNING, "target", "rate/irate/increase windows use $__rate_interval", rate_interval),
    _rule("rate-interval-too-short", ERROR, "target", "no rate(x[$__interval])", rate_interval_too_short),
    _rule("irate-in-panel", WARNING, "target", "no irate() in dashboard panels", irate_in_panel),
    _rule("counter-not-rated", ERROR, "target", "counters (by the catalogue) only under rate/increase",
          counter_not_rated),
    _rule("gauge-under-rate", ERROR, "target", "no rate() of a gauge or summary quantile", gauge_under_rate),
    _rule("ratio-of-counters-aggregated", ERROR, "target", "no sum/avg of per-series ratios of counters",
          ratio_of_counters_aggregated),
    _rule("duration-per-execution", ERROR, "target", "request-weighted durations divided by requests",
          duration_per_execution),
    _rule("unguarded-denominator", WARNING, "target", "denominators guarded with > 0 (no NaN at idle)",
          unguarded_denominator),
    _rule("summary-quantile-aggregated", ERROR, "target", "summary quantiles are not aggregated across servers",
          summary_quantile_aggregated),
    _rule("histogram-quantile-without-le", ERROR, "target", "histogram_quantile over sum by (le, ...)",
          histogram_quantile_without_le),
    _rule("removed-family", ERROR, "target", "no families Triton removed", removed_family),
    _rule("category-summed", ERROR, "target", "backend category gauges are never summed across categories",
          category_summed),
    _rule("unknown-metric", WARNING, "target", "nv_*/vllm:* names are known Triton metrics", unknown_metric),
)
RULES = {rule.id: rule for rule in (*DASHBOARD_RULES, *PANEL_RULES, *TARGET_RULES)}
