"""Per-request times, in seconds, from Triton's request-weighted µs counters.

Triton adds, for every successful request, the time that request spent in
each phase (``nv_inference_*_duration_us``). Dividing the rate of a duration
counter by the rate of requests gives the average time one request spent in
that phase. Queue and end-to-end times include cache hits, so they divide by
all successful requests; compute times exclude cache hits, so they divide by
executed requests (successes minus cache hits).

    >>> from triton_dash.queries.latency import queue_time_per_request
    >>> "nv_inference_request_success" in queue_time_per_request()
    True
"""

from __future__ import annotations

from .. import metrics as m
from ..metrics import Metric
from ..metrics.recorded import overhead_duration
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector
from .builders import US_PER_S, agg, guarded_ratio, selected, sum_rate
from .requests import executed_request_rate, success_rate

__all__ = [
    "BREAKDOWN_PHASES",
    "COMPUTE_PHASES",
    "compute_infer_time_per_request",
    "compute_input_time_per_request",
    "compute_output_time_per_request",
    "compute_time_per_request",
    "latency_breakdown",
    "load_ratio",
    "overhead_duration_rate",
    "queue_time_per_request",
    "request_time_per_request",
    "summary_quantile",
]

#: The three compute phases, each summed over executed requests.
COMPUTE_PHASES: tuple[Metric, ...] = (m.INFERENCE_COMPUTE_INPUT_DURATION, m.INFERENCE_COMPUTE_INFER_DURATION,
                                      m.INFERENCE_COMPUTE_OUTPUT_DURATION)


def _seconds(metric: Metric, sel: Selector, by: Grouping) -> str:
    return f"{sum_rate(metric, sel, by)} / {US_PER_S}"


def request_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average end-to-end request time (s): receipt to response, queue included."""
    return guarded_ratio(_seconds(m.INFERENCE_REQUEST_DURATION, sel, by), success_rate(sel, by))


def queue_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average time (s) a request waited in the scheduler queue."""
    return guarded_ratio(_seconds(m.INFERENCE_QUEUE_DURATION, sel, by), success_rate(sel, by))


def _compute(metric: Metric, sel: Selector, by: Grouping) -> str:
    return guarded_ratio(_seconds(metric, sel, by), executed_request_rate(sel, by))


def compute_input_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average input-processing time (s) of a request the model executed."""
    return _compute(m.INFERENCE_COMPUTE_INPUT_DURATION, sel, by)


def compute_infer_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average model execution time (s) of a request the model executed."""
    return _compute(m.INFERENCE_COMPUTE_INFER_DURATION, sel, by)


def compute_output_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average output-processing time (s) of a request the model executed."""
    return _compute(m.INFERENCE_COMPUTE_OUTPUT_DURATION, sel, by)


def compute_time_per_request(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Average compute time (s) of a request the model executed: input + infer + output.

    What Triton's removed ``nv_inference_compute_duration_us`` used to count.
    """
    phases = " + ".join(sum_rate(metric, sel, by) for metric in COMPUTE_PHASES)
    return guarded_ratio(f"({phases}) / {US_PER_S}", executed_request_rate(sel, by))


def load_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Request time over compute time of the average request (>= 1): what the removed
    ``nv_inference_load_ratio`` showed; 1 means no time was spent outside the model."""
    return guarded_ratio(f"({request_time_per_request(sel, by)})", f"({compute_time_per_request(sel, by)})")


#: The phases of the stacked breakdown, in stacking order, with their counters.
BREAKDOWN_PHASES: tuple[tuple[str, Metric], ...] = (
    ("queue", m.INFERENCE_QUEUE_DURATION),
    ("compute input", m.INFERENCE_COMPUTE_INPUT_DURATION),
    ("compute infer", m.INFERENCE_COMPUTE_INFER_DURATION),
    ("compute output", m.INFERENCE_COMPUTE_OUTPUT_DURATION),
)


def latency_breakdown(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ()) -> dict[str, str]:
    """Each phase's share of the average request, in seconds, plus the rest.

    Every phase divides by the same denominator (all successful requests), so
    the phases add up exactly to :func:`request_time_per_request`: the last
    entry, ``overhead``, is end-to-end time minus the four phases (network,
    protocol handling, cache look-ups, response sending).
    """
    ok = success_rate(sel, by)
    out = {name: guarded_ratio(_seconds(metric, sel, by), ok) for name, metric in BREAKDOWN_PHASES}
    out["overhead"] = guarded_ratio(f"{overhead_duration_rate(sel, by)} / {US_PER_S}", ok)
    return out


def overhead_duration_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ()) -> str:
    """Request duration minus the four phases, in µs per second (read from one recording when recorded)."""
    if sel.reads_recordings:
        return agg("sum", selected(overhead_duration(sel.cluster_label), sel), by)
    rest = " - ".join(sum_rate(metric, sel, by) for _, metric in BREAKDOWN_PHASES)
    return f"({sum_rate(m.INFERENCE_REQUEST_DURATION, sel, by)} - {rest})"


def summary_quantile(
    metric: Metric,
    quantile: str,
    sel: Selector = DEFAULT_SELECTOR,
    by: Grouping = (*MODEL_GROUPING, "instance"),
) -> str:
    """One quantile (s) of a Triton latency summary, per Triton instance.

    Summary quantiles cannot be combined across servers, so the result keeps
    ``instance``; within one server, ``max`` merges the ``gpu_uuid`` splits
    (the worst instance group). ``>= 0`` drops the NaN that Triton reports for
    a quantile with no observations in its window.
    """
    if metric.kind is not m.MetricKind.SUMMARY:
        raise ValueError(f"{metric.name} is not a summary")
    chosen = selected(metric, sel, ("quantile", "=", quantile))
    return f"{agg('max', chosen, by)} / {US_PER_S} >= 0"
