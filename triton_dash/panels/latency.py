"""Per-request latency panels: the time one average request spends in each phase.

All values are in seconds (Grafana shows ms or µs as fits). Each panel divides
a sum of per-second duration rates by a sum of per-second request rates, so a
model served by many Triton pods shows one correct average, not an average of
averages.

    from grafanalib.core import Dashboard
    from triton_dash.panels import queue_time_per_request
    dashboard = Dashboard(title="Mine", uid="mine", panels=[queue_time_per_request(width=12)])
"""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from .. import queries as q
from ..metrics import INFERENCE_COMPUTE_INFER_SUMMARY, INFERENCE_REQUEST_SUMMARY, Metric
from ..selector import MODEL_GROUPING, Grouping, Selector
from .factory import (
    DataSource,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_timeseries,
    legend_for,
    panel_options,
    prometheus_target,
)

__all__ = [
    "DEFAULT_QUANTILES",
    "aggregated_latency",
    "compute_infer_quantiles",
    "compute_infer_time_per_request",
    "compute_input_time_per_request",
    "compute_output_time_per_request",
    "queue_time_per_request",
    "request_time_per_request",
    "request_time_quantiles",
]


_IDLE = ("No data: no successful request reached the selected models in the rate window "
         "(a series is left out rather than shown as NaN while a model is idle), or the "
         "model/instance variables select nothing.")
_DECOUPLED = ("LLMs: for decoupled (streaming) models on the Python backend, such as vLLM, Triton stops "
              "these timers when execute() returns, not when generation ends, so they read far too low; use "
              "the LLM dashboard's time to first response and end-to-end latency instead.")
_EXECUTED = ("It divides by executed requests, i.e. successful requests minus response-cache "
             "hits, because Triton records no compute time for a cache hit.")


def _per_request(
    query: str, title: str, what: str, how: str, *, datasource: DataSource, width: int, height: int,
    by: Grouping,
) -> G.TimeSeries:
    return default_timeseries(
        title=title,
        description=f"{what}\n\nComputed as {how} Unit: seconds per request.\n\n{_DECOUPLED}\n\n{_IDLE}",
        unit=Unit.SECONDS,
        targets=[prometheus_target(query, legend_for(by))],
        datasource=datasource, width=width, height=height,
    )


def request_time_per_request(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """End-to-end request time per request (queue, compute and Triton overhead)."""
    o = panel_options(options)
    return _per_request(
        q.request_time_per_request(o.selector, o.by), o.title or "Request time per request",
        "Average end-to-end time Triton spent on one successful request, from receipt to "
        "response: queueing, input and output handling, model execution and overhead.",
        "rate(nv_inference_request_duration_us) / rate(nv_inference_request_success), each "
        "summed over instances before dividing, / 1e6.",
        **o.layout, by=o.by)


def queue_time_per_request(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Scheduler queue time per request: the first sign of too little capacity."""
    o = panel_options(options)
    return _per_request(
        q.queue_time_per_request(o.selector, o.by), o.title or "Queue time per request",
        "Average time one successful request waited in Triton's scheduler queue before a "
        "model instance took it. Rising queue time with flat compute time means the model "
        "needs more instances or a larger batch.",
        "rate(nv_inference_queue_duration_us) / rate(nv_inference_request_success), each "
        "summed over instances before dividing, / 1e6.",
        **o.layout, by=o.by)


def compute_input_time_per_request(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Input handling time per executed request (copying and converting inputs)."""
    o = panel_options(options)
    return _per_request(
        q.compute_input_time_per_request(o.selector, o.by), o.title or "Input time per request",
        "Average time the backend spent preparing one request's inputs (copies to the device, "
        "conversions) in the execution that served it.",
        f"rate(nv_inference_compute_input_duration_us) / executed requests/s, / 1e6. {_EXECUTED}",
        **o.layout, by=o.by)


def compute_infer_time_per_request(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Model execution (inference) time per executed request."""
    o = panel_options(options)
    return _per_request(
        q.compute_infer_time_per_request(o.selector, o.by), o.title or "Inference time per request",
        "Average time the model itself ran for one request: the duration of the (batched) "
        "execution that served it. Not device busy time: a batch of 8 requests adds 8 times "
        "its duration to the counter and 8 to the request count.",
        f"rate(nv_inference_compute_infer_duration_us) / executed requests/s, / 1e6. {_EXECUTED}",
        **o.layout, by=o.by)


def compute_output_time_per_request(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Output handling time per executed request (copying results back)."""
    o = panel_options(options)
    return _per_request(
        q.compute_output_time_per_request(o.selector, o.by), o.title or "Output time per request",
        "Average time the backend spent producing one request's outputs (copies back from the "
        "device, serialisation) in the execution that served it.",
        f"rate(nv_inference_compute_output_duration_us) / executed requests/s, / 1e6. {_EXECUTED}",
        **o.layout, by=o.by)


def aggregated_latency(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Stacked breakdown of the average request: queue, input, infer, output, overhead.

    By default it aggregates every selected model (pick one model in the
    ``model`` variable to see that model's breakdown); the stack's top is the
    end-to-end request time per request.
    """
    o = panel_options(options, width=16, by=())
    suffix = f" {legend_for(o.by)}" if o.by else ""
    targets = [prometheus_target(expr, f"{phase}{suffix}")
               for phase, expr in q.latency_breakdown(o.selector, o.by).items()]
    return default_timeseries(
        title=o.title or "Aggregated latency per request",
        description=(
            "Where the average successful request spends its time, stacked: queue, compute input, "
            "compute infer, compute output and the remaining overhead (network and protocol "
            "handling, response-cache look-ups, sending the response). The top of the stack equals "
            "the request time per request.\n\nComputed over all selected models and instances: "
            "each phase is sum(rate(duration_us)) / sum(rate(nv_inference_request_success)) / 1e6; "
            "overhead is request duration minus the four phases, over the same denominator. "
            "Because every phase shares one denominator, compute phases here are averaged over "
            "all requests, cache hits included. Unit: seconds per request.\n\n" + _DECOUPLED + "\n\n" + _IDLE),
        unit=Unit.SECONDS, targets=targets, stacked=True,
        **o.layout,
    )


DEFAULT_QUANTILES: tuple[str, ...] = ("0.5", "0.9", "0.99")


def _quantiles(
    metric: Metric, what: str, *, selector: Selector, quantiles: Sequence[str], title: str,
    datasource: DataSource, width: int, height: int,
) -> G.TimeSeries:
    by = selector.grouping((*MODEL_GROUPING, "instance"))
    targets = [prometheus_target(q.summary_quantile(metric, quantile, selector, by),
                                 f"p{float(quantile) * 100:g} {legend_for(by)}")
               for quantile in quantiles]
    return default_timeseries(
        title=title,
        description=(
            f"{what} quantiles ({', '.join(quantiles)}) from Triton's {metric.name} summary, per "
            "Triton instance. Summary quantiles are computed inside each server over a sliding "
            "window and cannot be combined across servers, so there is one line per instance; "
            "where one server splits a model by GPU, the worst split is shown. Unit: seconds.\n\n"
            f"No data: {metric.no_data_hint()} A quantile with no recent observations (NaN) is left out."),
        unit=Unit.SECONDS, targets=targets, datasource=datasource, width=width, height=height,
    )


def request_time_quantiles(
    *, quantiles: Sequence[str] = DEFAULT_QUANTILES, **options: Unpack[PanelOptions],
) -> G.TimeSeries:
    """End-to-end request time quantiles (needs ``summary_latencies=true``)."""
    o = panel_options(options, width=12)
    return _quantiles(
        INFERENCE_REQUEST_SUMMARY,
        "End-to-end request time (Triton disables this summary for models with the response cache on)",
        selector=o.selector, quantiles=quantiles, title=o.title or "Request time quantiles",
        **o.layout)


def compute_infer_quantiles(
    *, quantiles: Sequence[str] = DEFAULT_QUANTILES, **options: Unpack[PanelOptions],
) -> G.TimeSeries:
    """Model execution time quantiles (needs ``summary_latencies=true``)."""
    o = panel_options(options, width=12)
    return _quantiles(
        INFERENCE_COMPUTE_INFER_SUMMARY, "Model execution time",
        selector=o.selector, quantiles=quantiles, title=o.title or "Inference time quantiles",
        **o.layout)
