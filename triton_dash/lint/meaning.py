"""Meaning-level rules: the expression parses and has data, but the number is not what the panel says it is.

Each rule reasons in the catalogue's terms (a per-request time total, a count of
requests, items or executions, a 0-1 ratio, a category label, a per-model
bucket layout) and in the panel's (its unit, title and legend):

- ``duration-rate-as-time``: ``rate(nv_inference_queue_duration_us[...]) / 1000`` titled "Queue Time" is
  queue-milliseconds per second of wall clock, not a time per request;
- ``wrong-denominator`` / ``duration-per-execution``: a time total divided by items, ``1 + rate(...)``,
  executions, or raw cumulative counters;
- ``batch-size-ratio``: batch size is items / executions, nothing else;
- ``ratio-unit``: a 0-1 number in ``percent``, a 0-100 one in ``percentunit``;
- ``histogram-mixed-layouts`` and ``quantile-of-quantile``: histogram buckets that do not add up, and
  quantiles of quantiles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
from ..metrics import (
    FIRST_RESPONSE_HISTOGRAM,
    VLLM_REQUEST_GENERATION_TOKENS,
    VLLM_REQUEST_PROMPT_TOKENS,
    Metric,
    MetricKind,
)
from ..metrics.foreign import PER_MODEL_BUCKETS
from .registry import CORRECTNESS, ERROR, TARGET, WARNING, Issue, rule
from .semantics import (
    PERCENT_UNITS,
    RATIO_UNITS,
    TargetContext,
    divided_by_selector,
    family,
    is_count,
    is_time_total,
    kind,
    locate,
    strip,
)

__all__: list[str] = []

_MIXED_LAYOUTS = frozenset({FIRST_RESPONSE_HISTOGRAM.name, VLLM_REQUEST_PROMPT_TOKENS.name,
                            VLLM_REQUEST_GENERATION_TOKENS.name}) | PER_MODEL_BUCKETS
_MODEL_LABELS = ("model", "model_name")
_NO_LABELS = Metric("", MetricKind.GAUGE, "", (), "")
_SCALE_KEEPING = frozenset({"abs", "clamp", "clamp_max", "clamp_min", "ceil", "floor", "round", "label_replace",
                            "label_join", "sort", "sort_desc", "avg_over_time", "max_over_time", "min_over_time",
                            "last_over_time", "quantile_over_time", "sum_over_time", "sort_by_label",
                            "sort_by_label_desc"})
_COMPARISONS = frozenset({">", "<", ">=", "<=", "==", "!=", "and", "or", "unless"})


def _denominator_hint(name: str) -> str:
    if name.endswith("_sum"):
        return f"rate({name.removesuffix('_sum')}_count[$__rate_interval])"
    return "rate(nv_inference_request_success[$__rate_interval])"


@rule("duration-rate-as-time", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="A duration counter's rate or increase (or raw value) shown as a time (a time unit, or a title or legend "
          "saying time, latency or duration) without division by a request count: it is time summed over all "
          "requests per second of wall clock, and grows with traffic.")
def duration_rate_as_time(ctx: TargetContext) -> Iterator[Issue]:
    if not ctx.shown or not ctx.shown_as_time():
        return
    for use in ctx.uses:
        if not is_time_total(use.name) or divided_by_selector(use):
            continue
        if use.function not in (*RANGE_FUNCTIONS, None) or (use.function is None and use.window is not None):
            continue
        calls = [function_name(p) for p in use.parents if function_name(p)]
        if any(c not in _SCALE_KEEPING for c in (calls[:-1] if use.function else calls)):
            continue
        what = f"{use.function}({use.name})" if use.function else use.name
        yield Issue(f"{what} is time added up over all requests (per second of wall clock for a rate): it grows "
                    f"with traffic and is not a time per request; divide by {_denominator_hint(use.name)}",
                    locate(ctx.raw, use))


def _divisions(ctx: TargetContext) -> Iterator[Node]:
    for node, _ in walk(ctx.ast):
        if binary_op(node) == "/" and any(is_time_total(u.name) for u in selectors(node.lhs)):
            yield node


def _plus_constant(node: Node) -> bool:
    for inner, _ in walk(node):
        if binary_op(inner) == "+":
            sides = (strip(inner.lhs), strip(inner.rhs))
            if any(isinstance(s, pp.NumberLiteral) for s in sides) and any(list(selectors(s)) for s in sides):
                return True
    return False


@rule("wrong-denominator", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="A per-request time is divided by requests: not by items (nv_inference_count), not by 1 + rate(...), "
          "and not as a ratio of raw cumulative counters (the average since each server started).")
def wrong_denominator(ctx: TargetContext) -> Iterator[Issue]:
    for node in _divisions(ctx):
        numerators = [u for u in selectors(node.lhs) if is_time_total(u.name)]
        denominators = list(selectors(node.rhs))
        name = numerators[0].name
        items = [u for u in denominators if is_count(u.name, "inferences")]
        requests = [u for u in denominators if is_count(u.name, "requests")]
        if items and not requests:
            yield Issue(f"{name} adds each request's time, but {items[0].name} counts batch items, so this is a time "
                        f"per item, not per request: divide by {_denominator_hint(name)}", locate(ctx.raw, items[0]))
        if _plus_constant(node.rhs):
            yield Issue("the denominator adds a constant to a rate (1 + rate(...)), so every average reads low and "
                        "depends on traffic: divide by (rate(requests) > 0) instead")
        raw = [u for u in numerators if u.function is None and not _over_time(u)]
        if raw and denominators and all(u.function is None and kind(u.name) is MetricKind.COUNTER
                                        for u in denominators):
            yield Issue(f"{name} and {denominators[0].name} are cumulative since each server started, so their "
                        "ratio is the lifetime average, not the current one: divide rates, "
                        f"rate({name}[$__rate_interval]) / {_denominator_hint(name)}", locate(ctx.raw, raw[0]),
                        severity=WARNING if ctx.shown_as_cumulative() else None)


def _over_time(use: SelectorUse) -> bool:
    return any(str(function_name(p) or "").endswith("_over_time") for p in use.parents)


def _triton_count(name: str, unit: str) -> bool:
    """One of Triton's per-model counts (requests, inferences, executions); not another server's."""
    metric = family(name)
    return is_count(name, unit) and metric is not None and metric.source == "triton" and metric.name == name


@rule("duration-per-execution", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="Request-weighted durations are divided by requests, not by executions (nv_inference_exec_count).")
def duration_per_execution(ctx: TargetContext) -> Iterator[Issue]:
    for node in _divisions(ctx):
        numerators = sorted({u.name for u in selectors(node.lhs) if is_time_total(u.name)})
        denominators = list(selectors(node.rhs))
        executions = [u for u in denominators if is_count(u.name, "executions")]
        if executions and not any(is_count(u.name, "requests") for u in denominators):
            yield Issue(f"{numerators[0]} adds each request's time, so dividing by {executions[0].name} is not per "
                        "request: divide by rate(nv_inference_request_success) (minus cache hits for compute times)",
                        locate(ctx.raw, executions[0]))


@rule("batch-size-ratio", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="Batch size is items per execution (nv_inference_count / nv_inference_exec_count): requests per "
          "execution is not a batch size, and items per execution is not something else.")
def batch_size_ratio(ctx: TargetContext) -> Iterator[Issue]:
    if not ctx.shown:
        return
    for node, _ in walk(ctx.ast):
        if binary_op(node) != "/":
            continue
        top, bottom = list(selectors(node.lhs)), list(selectors(node.rhs))
        counts = [u for u in (*top, *bottom) if any(_triton_count(u.name, unit) for unit in
                                                     ("requests", "inferences", "executions"))]
        if not counts:
            continue
        items_per_execution = any(_triton_count(u.name, "inferences") for u in top) and \
            any(_triton_count(u.name, "executions") for u in bottom)
        if ctx.shown_as_batch() and not items_per_execution:
            yield Issue(f"{top[0].name if top else 'this'} / {bottom[0].name if bottom else '...'} is not a batch "
                        "size: batch size is rate(nv_inference_count) / rate(nv_inference_exec_count) (items per "
                        "execution)")
            return
        if items_per_execution and not ctx.shown_as_batch() and ctx.shown_as_time():
            yield Issue("nv_inference_count / nv_inference_exec_count is the batch size (items per execution), not "
                        "a time: title it batch size and set the unit to none")
            return


def _scale(node: Node) -> str | None:
    """``ratio`` (0-1), ``percent`` (0-100), ``n:<value>`` for a number, or None when not a share of anything."""
    node = strip(node)
    if isinstance(node, pp.NumberLiteral):
        return f"n:{float(node.val):g}"
    if isinstance(node, pp.VectorSelector):
        return _selector_scale(node)
    if isinstance(node, pp.MatrixSelector):
        return _selector_scale(node.vector_selector)
    if isinstance(node, pp.SubqueryExpr):
        return _scale(node.expr)
    if isinstance(node, pp.AggregateExpr):
        return _scale(node.expr) if str(node.op) in ("avg", "max", "min", "quantile", "topk", "bottomk") else None
    if isinstance(node, pp.Call):
        args = [a for a in node.args if not isinstance(strip(a), (pp.NumberLiteral, pp.StringLiteral))]
        return _scale(args[0]) if function_name(node) in _SCALE_KEEPING and args else None
    op = binary_op(node)
    if op is None:
        return None
    left, right = _scale(node.lhs), _scale(node.rhs)
    if op in _COMPARISONS:
        return left
    if op == "*":
        for a, b in ((left, right), (right, left)):
            if a == "ratio" and b == "n:100":
                return "percent"
            if a == "percent" and b == "n:0.01":
                return "ratio"
            if a is None and b is not None and b.startswith("n:"):
                return "x" + b[2:]  # a quantity times a number: 100 * used / total is a percentage
        return None
    if op == "/":
        if left == "percent" and right == "n:100":
            return "ratio"
        if right is None and _same_unit(node.lhs, node.rhs):
            return {None: "ratio", "x100": "percent"}.get(left)
        return None
    same = left == right and left in ("ratio", "percent")
    if op == "-" and ((left, right) in (("n:1", "ratio"), ("n:100", "percent")) or same):
        return right
    return None


def _selector_scale(node: Node) -> str | None:
    name = node.name or ""
    metric = family(name)
    if metric is None or metric.kind is not MetricKind.GAUGE:
        return None
    for matcher in node.matchers.matchers:
        if str(matcher.value) == "fraction" and "Equal" in str(matcher.op):
            return "ratio"
    return "ratio" if metric.unit in RATIO_UNITS else "percent" if metric.unit in PERCENT_UNITS else None


def _same_unit(lhs: Node, rhs: Node) -> bool:
    def units(node: Node) -> set[str]:
        found = set()
        for use in selectors(node):
            metric = family(use.name)
            found.add(metric.unit if metric is not None else "?")
        return found
    top, bottom = units(lhs), units(rhs)
    return len(top) == 1 and top == bottom and "?" not in top


@rule("ratio-unit", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="A 0-1 number (utilisation, a ratio, the KV-cache fraction, used / total) is not shown with unit percent "
          "(0.9 shows as 0.9 %), and a 0-100 one (DCGM_FI_DEV_GPU_UTIL) not with percentunit (90 shows as 9000 %).")
def ratio_unit(ctx: TargetContext) -> Iterator[Issue]:
    if not ctx.shown:
        return
    scale, unit = _scale(ctx.ast), ctx.unit
    if unit == "percent" and scale == "ratio":
        yield Issue("the number is a 0-1 ratio but the unit is percent (0-100), so 90 % shows as 0.9 %: set the "
                    "unit to percentunit (Percent (0.0-1.0))")
    elif unit == "percentunit" and scale == "percent":
        yield Issue("the number is already 0-100 but the unit is percentunit (0.0-1.0), so 90 % shows as 9000 %: "
                    "set the unit to percent")


@rule("histogram-mixed-layouts", scope=TARGET, severity=WARNING, category=CORRECTNESS,
      doc="Buckets of a histogram whose bucket layout follows each model's configuration are not summed by (le) "
          "across models: keep the model label (or filter one model) before histogram_quantile or a heatmap.")
def histogram_mixed_layouts(ctx: TargetContext) -> Iterator[Issue]:
    for node, _ in walk(ctx.ast):
        grouping = aggregation_labels(node)
        if grouping is None:
            continue
        how, labels = grouping
        keeps_le = ("le" in labels) if how == "by" else ("le" not in labels and labels != ())
        if not keeps_le:
            continue
        for use in selectors(node):
            if not use.name.endswith("_bucket") or use.name.removesuffix("_bucket") not in _MIXED_LAYOUTS:
                continue
            one_model = any(_one_model(use, label, how, labels, ctx.raw) for label in _MODEL_LABELS)
            if not one_model:
                model = next((m for m in _MODEL_LABELS if m in (family(use.name) or _NO_LABELS).labels), "model")
                yield Issue(f"{use.name} has a bucket layout per model; summed by (le) across models, buckets that "
                            f"do not line up are added together: keep {model} in by (...) or filter one {model}",
                            locate(ctx.raw, use))


def _one_model(use: SelectorUse, label: str, how: str, labels: tuple[str, ...], raw: str) -> bool:
    """The aggregation keeps ``label``, or the selector filters one value (literally or by a dashboard variable)."""
    kept = (label in labels) if how == "by" else (label not in labels and labels != ())
    chosen = re.search(rf'\b{label}\s*=~?\s*"\$', raw) is not None
    return kept or use.matchers.get(label, ("", ""))[0] == "=" or chosen


def _is_quantile(node: Node) -> bool:
    if function_name(node) in ("histogram_quantile", "quantile_over_time"):
        return True
    if isinstance(node, pp.AggregateExpr) and str(node.op) == "quantile":
        return True
    if isinstance(node, pp.VectorSelector):
        name = node.name or ""
        return kind(name) is MetricKind.SUMMARY or any(str(m.name) == "quantile" for m in node.matchers.matchers)
    return False


def _kept(node: Node) -> set[str] | None:
    """Labels a histogram_quantile's result keeps (its bucket aggregation's by-labels less le); None: all of them."""
    if function_name(node) != "histogram_quantile" or len(node.args) < 2:
        return None
    grouping = aggregation_labels(strip(node.args[1]))
    if grouping is None or grouping[0] == "without":
        return None
    return set(grouping[1]) - {"le"}


@rule("quantile-of-quantile", scope=TARGET, severity=ERROR, category=CORRECTNESS,
      doc="No quantile of a quantile (histogram_quantile, quantile or quantile_over_time over a quantile), and no "
          "average or sum of per-pod quantiles: a quantile of the merged buckets is the number.")
def quantile_of_quantile(ctx: TargetContext) -> Iterator[Issue]:
    for node, parents in walk(ctx.ast):
        if not _is_quantile(node) or (isinstance(node, pp.VectorSelector) and not parents):
            continue
        for parent in reversed(parents):
            if _is_quantile(parent):
                yield Issue(f"{function_name(parent) or parent.op} over a quantile: a quantile of quantiles is not a "
                            "quantile of the requests; take one histogram_quantile over buckets summed by (le, ...)")
                break
            if isinstance(parent, pp.AggregateExpr) and str(parent.op) in ("avg", "sum") and \
                    function_name(node) == "histogram_quantile":
                kept, grouping = _kept(node), aggregation_labels(parent)
                if grouping and grouping[0] == "by" and kept is not None and kept <= set(grouping[1]):
                    break
                yield Issue(f"{parent.op} of per-series quantiles is not a quantile of the requests: sum the buckets "
                            "by (le, ...) across the series first and take one histogram_quantile")
                break
            if isinstance(parent, pp.AggregateExpr) or function_name(parent) not in (None, "label_replace"):
                break
