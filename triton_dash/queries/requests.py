"""Request, inference and execution rates, failures, batching and backlog.

Every function returns a PromQL string. Ratios divide sums (a ratio of sums),
never sum per-series ratios, and drop series whose denominator is zero.

    >>> from triton_dash.queries.requests import batch_size
    >>> print(batch_size())  # doctest: +ELLIPSIS
    sum by (model, version) (rate(nv_inference_count{...}[$__rate_interval])) / (sum by ...
"""

from __future__ import annotations

from .. import metrics as m
from ..metrics.recorded import executed_requests
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, ResponseCache, Selector
from .builders import agg, guarded_ratio, rate, selected, sum_rate

__all__ = [
    "batch_size",
    "error_ratio",
    "executed_request_rate",
    "execution_rate",
    "failure_rate_by_reason",
    "inference_rate",
    "models_serving",
    "pending_requests",
    "requests_per_execution",
    "serving_pods",
    "success_rate",
]



def success_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Successful requests per second (cache hits included)."""
    return sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)


def failure_rate_by_reason(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Failed requests per second, split by Triton's failure ``reason``."""
    return sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, (*by, "reason"))


def error_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Failed / (successful + failed) requests, 0-1."""
    failed = sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, by)
    ok = sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)
    return guarded_ratio(failed, f"({ok} + {failed})")


def inference_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Inferences (batch items) per second; cache hits excluded."""
    return sum_rate(m.INFERENCE_COUNT, sel, by)


def execution_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Model executions (batches) per second, failed executions included."""
    return sum_rate(m.INFERENCE_EXEC_COUNT, sel, by)


def executed_request_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Successful requests per second that reached the model (not cache hits).

    How cache hits are counted follows ``sel.response_cache``: ``off`` reads
    successes alone; ``on`` subtracts the hits; ``auto`` counts the hits of a
    target without cache-hit series (its cache is off) as zero,
    ``rate(hits) or rate(success) * 0``, which keeps one series per target.
    """
    if sel.response_cache is ResponseCache.OFF:
        return success_rate(sel, by)
    if sel.reads_recordings:
        return f"({agg('sum', selected(executed_requests(sel.cluster_label), sel), by)})"
    if sel.response_cache is ResponseCache.ON:
        return f"({success_rate(sel, by)} - {sum_rate(m.CACHE_NUM_HITS_PER_MODEL, sel, by)})"
    hits = f"{rate(m.CACHE_NUM_HITS_PER_MODEL, sel)} or {rate(m.INFERENCE_REQUEST_SUCCESS, sel)} * 0"
    return f"({success_rate(sel, by)} - {agg('sum', hits, by)})"


def batch_size(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average inferences (batch items) per execution."""
    return guarded_ratio(inference_rate(sel, by), execution_rate(sel, by))


def requests_per_execution(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average requests merged into one execution by the dynamic batcher."""
    return guarded_ratio(executed_request_rate(sel, by), execution_rate(sel, by))


def pending_requests(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Requests waiting for a backend to start executing them (a gauge)."""
    return agg("sum", selected(m.INFERENCE_PENDING_REQUEST_COUNT, sel), by)


def serving_pods(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """How many Triton servers answered requests for each model version in the window."""
    return agg("count", f"{success_rate(sel, (*by, 'instance'))} > 0", by)


def models_serving(sel: Selector = DEFAULT_SELECTOR) -> str:
    """How many model versions report metrics (idle ones included)."""
    return f"count({success_rate(sel, MODEL_GROUPING)})"
