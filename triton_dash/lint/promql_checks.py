"""The classic PromQL mistakes in panels: windows, counters, gauges, ratios, quantiles, removed families.

Types come from the catalogue (:func:`triton_dash.lint.semantics.kind`), so
Triton's suffix-less counters are counters and the vLLM router's
``vllm:healthy_pods_total`` is a gauge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import promql_parser as pp

from ..analysis.promql import (
    RANGE_FUNCTIONS,
    SelectorUse,
    aggregation_labels,
    binary_op,
    function_name,
    selectors,
    walk,
)
from ..metrics import MetricKind, removed
from .exposition import exposed_kind
from .registry import CORRECTNESS, ERROR, HYGIENE, INFO, TARGET, WARNING, Issue, rule
from .semantics import EXPOSED, TargetContext, category_label, family, kind, locate, rated, strip

__all__ = ["INTERVAL_S", "MARKERS", "RANGE_S", "RATE_INTERVAL_S"]

#: Markers the macros expand to, so a rule can tell them apart after parsing.
RATE_INTERVAL_S, INTERVAL_S, RANGE_S = 999999.0, 888888.0, 777777.0
MARKERS = {"rate_interval": "999999s", "interval": "888888s", "range_": "777777s"}
_COUNTER_READERS = RANGE_FUNCTIONS | {"resets", "changes", "timestamp", "absent", "absent_over_time",
                                      "present_over_time", "count_over_time", "last_over_time"}
_NOT_SUMMED = ("count", "group", "count_values", "topk", "bottomk", "limitk", "limit_ratio")


def _shown(window: float | None) -> str:
    """A window as Prometheus writes it (1m, 90s, 1h), or the macro it stands for."""
    macro = {RATE_INTERVAL_S: "$__rate_interval", INTERVAL_S: "$__interval", RANGE_S: "$__range"}.get(window or 0.0)
    if macro or window is None:
        return macro or ""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if window >= size and window % size == 0:
            return f"{window / size:g}{unit}"
    return f"{window:g}s"


@rule("rate-interval", scope=TARGET, severity=WARNING, category=HYGIENE,
      doc="rate/irate/increase windows use $__rate_interval, which follows the scrape interval.")
def rate_interval(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        if use.function not in RANGE_FUNCTIONS or use.window in (RATE_INTERVAL_S, INTERVAL_S):
            continue
        if use.window == RANGE_S and use.function == "increase":
            continue
        yield Issue(f"{use.function}({use.name}[{_shown(use.window)}]) has a fixed window: use [$__rate_interval], "
                    "which follows the scrape interval (a window under two scrapes shows no data)",
                    locate(ctx.raw, use))


@rule("rate-interval-too-short", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No rate(x[$__interval]): $__interval can be shorter than two scrapes, and rate() then returns nothing.")
def rate_interval_too_short(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        if use.function in RANGE_FUNCTIONS and use.window == INTERVAL_S:
            yield Issue(f"{use.function}({use.name}[$__interval]): $__interval can be shorter than two scrapes, and "
                        "rate() then returns nothing; use [$__rate_interval]", locate(ctx.raw, use))


@rule("irate-in-panel", scope=TARGET, severity=WARNING, category=HYGIENE,
      doc="No irate() in dashboard panels: it shows the last two samples and skips everything between points.")
def irate_in_panel(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        if use.function == "irate":
            yield Issue(f"irate({use.name}) shows only the last two samples and skips everything between points of "
                        "a graph: use rate(...[$__rate_interval])", locate(ctx.raw, use))


def _under_count(use: SelectorUse) -> bool:
    return any(isinstance(p, pp.AggregateExpr) and str(p.op) in ("count", "group") for p in use.parents)


@rule("counter-not-rated", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="Counters (by the catalogue, not by a _total suffix) are read under rate() or increase(), never raw.")
def counter_not_rated(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        found = kind(use.name)
        direct = function_name(use.parents[-1]) if use.parents else None
        if use.function in _COUNTER_READERS or direct in _COUNTER_READERS or _under_count(use):
            continue
        if found is None and use.name.endswith("_total"):
            yield Issue(f"{use.name} is read directly; its name suggests a counter, but its type is not known (give "
                        "a scrape with --types to check): if it is a counter, use rate(...[$__rate_interval])",
                        locate(ctx.raw, use), severity=INFO)
        if found is not MetricKind.COUNTER:
            continue
        if ctx.shown_as_cumulative():  # "Total requests": what it says, since each server started
            yield Issue(f"{use.name} read directly is the count since each server started (it falls when one "
                        f"restarts): for the total over the time range use increase({use.name}[$__range])",
                        locate(ctx.raw, use), severity=WARNING)
            continue
        yield Issue(f"{use.name} is a counter (it only grows, and resets when the server restarts) read directly: "
                    f"use rate({use.name}[$__rate_interval])", locate(ctx.raw, use))


@rule("gauge-under-rate", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No rate()/increase() of a gauge or a summary quantile, by the catalogue (Triton, vLLM, TensorRT-LLM, "
          "DCGM, NIM, KServe ...).")
def gauge_under_rate(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        found = kind(use.name)
        if use.function in RANGE_FUNCTIONS and found in (MetricKind.GAUGE, MetricKind.SUMMARY):
            yield Issue(f"{use.function}() of {use.name}, which is a {found.value}: read it directly (or use deriv() "
                        "for its trend); rate() of a gauge is meaningless", locate(ctx.raw, use))


def _aggregated(node: object) -> bool:
    return any(isinstance(n, pp.AggregateExpr) for n, _ in walk(node))


@rule("ratio-of-counters-aggregated", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No sum/avg of per-series ratios of counters: aggregate numerator and denominator first, then divide.")
def ratio_of_counters_aggregated(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        if not isinstance(node, pp.AggregateExpr) or str(node.op) not in ("sum", "avg"):
            continue
        inner = strip(node.expr)
        while binary_op(inner) in (">", ">=", "!=", "<", "<=") and "bool" not in str(inner.modifier or ""):
            inner = strip(inner.lhs)  # (a / b) > 0 filters the ratio, it is still a per-series ratio
        if binary_op(inner) == "/" and rated(inner.lhs) and rated(inner.rhs) and not _aggregated(inner):
            yield Issue(f"{node.op} of per-series ratios adds or averages each pod's ratio: aggregate first, "
                        "sum by (...) (rate(a)) / sum by (...) (rate(b))")


@rule("unguarded-denominator", scope=TARGET, severity=WARNING, category=HYGIENE,
      doc="Denominators are guarded with > 0, so idle models are left out instead of showing NaN (or a floor).")
def unguarded_denominator(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        if binary_op(node) != "/":
            continue
        rhs = strip(node.rhs)
        if function_name(rhs) == "clamp_min":
            yield Issue("clamp_min(denominator, ...) forces a floor under the denominator, so averages read low at "
                        "low traffic: divide by (denominator > 0) instead")
        elif rated(rhs) and binary_op(rhs) not in (">", ">=", "!=", "+"):
            yield Issue("the denominator can be 0 while a model is idle, which shows NaN: divide by "
                        "(denominator > 0) so idle models are left out")


@rule("summary-quantile-aggregated", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="Summary quantiles are not aggregated across servers: quantiles from different servers do not combine.")
def summary_quantile_aggregated(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        grouping = aggregation_labels(node)
        if grouping is None:
            continue
        quantiles = [u for u in selectors(node) if kind(u.name) is MetricKind.SUMMARY or "quantile" in u.matchers]
        how, labels = grouping
        keeps_instance = ("instance" in labels) if how == "by" else ("instance" not in labels and labels != ())
        if quantiles and not keeps_instance and str(node.op) not in ("count", "group"):
            yield Issue(f"{node.op} across servers of {quantiles[0].name}, a summary quantile: quantiles from "
                        "different servers cannot be combined; keep instance in the grouping (or use a histogram)",
                        locate(ctx.raw, quantiles[0]))


@rule("histogram-quantile-without-le", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="histogram_quantile reads buckets summed by (le, ...): not raw buckets, not an aggregation without le.")
def histogram_quantile_without_le(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        if function_name(node) != "histogram_quantile" or len(node.args) < 2:
            continue
        grouping = aggregation_labels(strip(node.args[1]))
        if grouping is None:
            # a warning, not an error: each line is right for its pod (and the only line for one server)
            yield Issue("histogram_quantile of raw buckets gives one quantile per pod, not the fleet's: sum by (le, "
                        "model, version) (rate(..._bucket[$__rate_interval])) first", severity=WARNING)
        elif (grouping[0] == "by" and "le" not in grouping[1]) or (grouping[0] == "without" and "le" in grouping[1]):
            yield Issue("the buckets are aggregated without le, so histogram_quantile has no buckets: add le to "
                        "by (...)")


@rule("removed-family", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No families Triton removed (nv_inference_compute_duration_us, nv_inference_load_ratio): never any data.")
def removed_family(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        replacement = removed(use.name)
        if replacement:
            yield Issue(f"{use.name} was removed in Triton 20.06 and never has data: use {replacement}",
                        locate(ctx.raw, use))


@rule("category-summed", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No aggregation (sum, avg, max ...) across a category label whose values are different quantities "
          "(request_type, kv_cache_block_type, memory_type, inflight_batcher_specific_metric, general_type).")
def category_summed(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        grouping = aggregation_labels(node)
        if grouping is None or str(node.op) in _NOT_SUMMED:
            continue
        for use in selectors(node):
            label = category_label(use.name)
            if label is None:
                continue
            op, value = use.matchers.get(label, ("", ""))
            one_value = op == "=" or (op == "=~" and "|" not in value and not re.search(r"[.*+?\[\]()]", value))
            how, labels = grouping
            kept = (label in labels) if how == "by" else (label not in labels and labels != ())
            if not one_value and not kept:
                yield Issue(f"{node.op} over {use.name} mixes different {label} values (different quantities): "
                            f'filter one ({label}="...") or keep {label} in by (...)', locate(ctx.raw, use))


@rule("unknown-metric", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="Names in Triton's namespace (nv_*) are families Triton has (an error: a typo shows nothing); other "
          "names nobody catalogued are information only.")
def unknown_metric(ctx: TargetContext) -> Iterator[Issue]:
    for use in ctx.uses:
        metric = family(use.name)
        if metric is not None and metric.kind is MetricKind.HISTOGRAM and metric.name == use.name:
            yield Issue(f"{use.name} is a histogram: its series are {use.name}_bucket, _sum and _count, and the bare "
                        f"name has no data; use rate({use.name}_sum[$__rate_interval]) / "
                        f"rate({use.name}_count[$__rate_interval]) or histogram_quantile over _bucket",
                        locate(ctx.raw, use))
            continue
        parent = family(use.name[:-7]) if use.name.endswith("_bucket") else None
        if not use.name or metric is not None or removed(use.name) or (
                parent is not None and parent.kind is MetricKind.HISTOGRAM):
            continue  # (the _bucket of a counter, nv_inference_request_duration_us_bucket, does not exist)
        if exposed_kind(use.name, EXPOSED.get()) is not None:
            continue  # the user's own servers declare it (--types): a newer release, or their own family
        if use.name.startswith("nv_"):
            yield Issue(f"{use.name} is not a Triton metric (a typo, or a newer release?): check the name against "
                        "the server's /metrics", locate(ctx.raw, use))
        else:
            yield Issue(f"{use.name} is not in triton_dash's catalogue, so its type is not known: rules that need "
                        "it were skipped", locate(ctx.raw, use), severity=INFO)
