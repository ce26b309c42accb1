"""PromQL for LLM serving: histogram quantiles and means, token rates, TensorRT-LLM gauges by category.

Histograms are merged across pods before the quantile is taken:
``histogram_quantile(q, sum by (le, model, version) (rate(x_bucket[w])))``, never
an average of per-pod quantiles. ``>= 0`` drops the NaN ``histogram_quantile``
returns for a model with no observations in the window. Gauges are never under
``rate()``; a category label (``request_type``, ``kv_cache_block_type`` ...) is
always filtered to named values or kept in the grouping, never summed away.

    >>> from triton_dash.queries.llm import histogram_quantile
    >>> from triton_dash.metrics import VLLM_TIME_TO_FIRST_TOKEN
    >>> from triton_dash.selector import Selector
    >>> print(histogram_quantile(VLLM_TIME_TO_FIRST_TOKEN, "0.9", Selector(job=None, instance=None,
    ...       model=None, version=None, rate_interval="5m")))
    histogram_quantile(0.9, sum by (model, version, le) (rate(vllm:time_to_first_token_seconds_bucket[5m]))) >= 0
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import metrics as m
from ..metrics import Metric, MetricKind
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector
from .builders import agg, guarded_ratio, selected, sum_rate

__all__ = [
    "MS_PER_S",
    "TRTLLM_INPUT_TOKENS",
    "TRTLLM_OUTPUT_TOKENS",
    "category_gauge",
    "histogram_buckets",
    "histogram_mean",
    "histogram_quantile",
    "histogram_sum_rate",
    "kv_cache_used_ratio",
    "token_rate",
    "trtllm_active_ratio",
]

Matcher = tuple[str, str, str]
#: Triton's first-response histogram is in milliseconds; panels show seconds.
MS_PER_S = "1e3"
#: The TensorRT-LLM token histograms carry one fixed category value each.
TRTLLM_INPUT_TOKENS: Matcher = ("response_metric_type", "=", "total_input_tokens")
TRTLLM_OUTPUT_TOKENS: Matcher = ("response_metric_type", "=", "total_output_tokens")


def _histogram(metric: Metric) -> Metric:
    if metric.kind is not MetricKind.HISTOGRAM:
        raise ValueError(f"{metric.name} is a {metric.kind.value}, not a histogram")
    return metric


def _scaled(expr: str, divide_by: str | None) -> str:
    return f"{expr} / {divide_by}" if divide_by else expr


def histogram_quantile(
    metric: Metric, quantile: str, sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    *extra: Matcher, divide_by: str | None = None,
) -> str:
    """One quantile of a histogram, from the buckets summed over every pod and GPU first."""
    buckets = sum_rate(_histogram(metric).part("_bucket"), sel, (*by, "le"), *extra)
    return f"{_scaled(f'histogram_quantile({quantile}, {buckets})', divide_by)} >= 0"


def histogram_mean(
    metric: Metric, sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING, *extra: Matcher,
    divide_by: str | None = None,
) -> str:
    """The mean observation: rate of ``_sum`` over rate of ``_count``, each summed before dividing."""
    histogram = _histogram(metric)
    total = _scaled(sum_rate(histogram.part("_sum"), sel, by, *extra), divide_by)
    return guarded_ratio(total, sum_rate(histogram.part("_count"), sel, by, *extra))


def histogram_buckets(metric: Metric, sel: Selector = DEFAULT_SELECTOR, *extra: Matcher) -> str:
    """Observations per second in each bucket (cumulative, by ``le``), for a heatmap."""
    return sum_rate(_histogram(metric).part("_bucket"), sel, ("le",), *extra)


def histogram_sum_rate(
    metric: Metric, sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING, *extra: Matcher,
) -> str:
    """Per second, the sum of what a histogram observed (tokens/s of finished requests, say)."""
    return sum_rate(_histogram(metric).part("_sum"), sel, by, *extra)


def token_rate(metric: Metric, sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Tokens per second from a token counter (vLLM's prompt or generation tokens)."""
    return sum_rate(metric, sel, by)


def category_gauge(
    metric: Metric, label: str, values: Sequence[str], sel: Selector = DEFAULT_SELECTOR,
    by: Grouping = MODEL_GROUPING, *, keep_category: bool = True,
) -> str:
    """A category gauge summed over pods, one series per category value (never across categories).

    With one value and ``keep_category=False`` the category label is dropped from the result; with no
    values, every category is kept, each its own series.
    """
    if metric.kind is not MetricKind.GAUGE or label not in metric.labels:
        raise ValueError(f"{metric.name} is not a gauge with the category label {label!r}")
    if not keep_category and len(values) != 1:
        raise ValueError("dropping the category label needs exactly one category value")
    if not values:
        return agg("sum", selected(metric, sel), (*by, label))
    matcher = (label, "=", values[0]) if len(values) == 1 else (label, "=~", "|".join(values))
    return agg("sum", selected(metric, sel, matcher), (*by, label) if keep_category else by)


def _kv(block_type: str, sel: Selector, by: Grouping) -> str:
    return category_gauge(m.TRTLLM_KV_CACHE_BLOCKS, "kv_cache_block_type", (block_type,), sel, by,
                          keep_category=False)


def kv_cache_used_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """KV-cache blocks in use over blocks in total, each summed over pods (not an average of fractions)."""
    return guarded_ratio(_kv("used", sel, by), _kv("max", sel, by))


def trtllm_active_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Active requests over the most the engine admits (``max``): 1 means every slot is taken."""
    def one(request_type: str) -> str:
        return category_gauge(m.TRTLLM_REQUESTS, "request_type", (request_type,), sel, by, keep_category=False)

    return guarded_ratio(one("active"), one("max"))
