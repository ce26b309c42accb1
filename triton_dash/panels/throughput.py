"""Throughput, failures, batching and backlog panels, plus the health stats.

    from triton_dash.panels import batch_ratio, error_ratio
    panels = [batch_ratio(width=12), error_ratio(width=12)]
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import queries as q
from .factory import (
    Color,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_stat,
    default_timeseries,
    legend_for,
    panel_options,
    prometheus_target,
)

__all__ = [
    "batch_ratio",
    "error_ratio",
    "execution_rate",
    "failures_by_reason",
    "inference_rate",
    "pending_requests",
    "service_error_ratio",
    "service_models_serving",
    "service_pending_requests",
    "service_request_rate",
    "success_rate",
    "traffic_share",
]

_NO_TRAFFIC = ("No data: the model/instance variables select no Triton series; check the job variable and "
               "that Prometheus scrapes Triton's metrics port (8002).")
ERROR_RATIO_THRESHOLDS = ((None, Color.OK), (0.01, Color.WARN), (0.05, Color.BAD))


def success_rate(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Successful requests per second."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Successful requests/s",
        description=("Successful inference requests per second. A request counts once whatever "
                     "its batch size; response-cache hits count.\n\nComputed as "
                     "sum(rate(nv_inference_request_success)) over instances. Unit: requests/s.\n\n"
                     + _NO_TRAFFIC),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.success_rate(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def failures_by_reason(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Failed requests per second by reason (REJECTED, CANCELED, BACKEND, OTHER)."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Failed requests/s by reason",
        description=("Failed inference requests per second, split by Triton's reason label: "
                     "REJECTED (queue full or timed out), CANCELED, BACKEND (the model raised) and "
                     "OTHER. An error *response* returned by a Python model counts as a success, "
                     "not here.\n\nComputed as sum(rate(nv_inference_request_failure)) by reason. "
                     "Unit: requests/s.\n\nNo data: Triton before 24.07 has no reason label, or no Triton "
                     "series is selected."),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.failure_rate_by_reason(o.selector, o.by), f"{legend_for(o.by)} {{{{reason}}}}")],
        **o.layout)


def error_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Share of requests that failed."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Error ratio",
        description=("Share of inference requests that failed, 0-100 %.\n\nComputed as "
                     "sum(rate(failures)) / (sum(rate(successes)) + sum(rate(failures))), each summed "
                     "over instances and reasons before dividing. Unit: percent.\n\nNo data: no "
                     "request, failed or successful, in the rate window (idle models are left out "
                     "rather than shown as NaN)."),
        unit=Unit.PERCENT_UNIT,
        targets=[prometheus_target(q.error_ratio(o.selector, o.by), legend_for(o.by))],
        thresholds=ERROR_RATIO_THRESHOLDS,
        **o.layout)


def inference_rate(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Inferences (batch items) per second."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Inferences/s",
        description=("Inferences per second: a request carrying a batch of n counts n. Cache hits "
                     "are not counted.\n\nComputed as sum(rate(nv_inference_count)). Unit: "
                     "inferences/s.\n\n" + _NO_TRAFFIC),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.inference_rate(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def execution_rate(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Model executions (batches) per second."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Executions/s",
        description=("Model executions per second: each run of the model on a (possibly dynamic) "
                     "batch counts once, failed executions included.\n\nComputed as "
                     "sum(rate(nv_inference_exec_count)). Unit: executions/s.\n\n" + _NO_TRAFFIC),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.execution_rate(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def batch_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Average batch size and requests merged per execution."""
    o = panel_options(options)
    legend = legend_for(o.by)
    return default_timeseries(
        title=o.title or "Batch ratio",
        description=("How well batching works. 'items per execution' is the average batch size the "
                     "model ran: sum(rate(nv_inference_count)) / sum(rate(nv_inference_exec_count)). "
                     "'requests per execution' is how many client requests the dynamic batcher merged "
                     "into one run: (successful requests - cache hits)/s / executions/s. Unit: "
                     "ratio (1 = no batching). Failed executions count in the denominator, so both "
                     "read low while a model fails.\n\nNo data: the model executed nothing in the "
                     "rate window."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.batch_size(o.selector, o.by), f"{legend} items per execution"),
                 prometheus_target(q.requests_per_execution(o.selector, o.by), f"{legend} requests per execution")],
        **o.layout)


def pending_requests(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Requests waiting for execution (queue depth)."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Pending requests",
        description=("Requests received but not yet started by a model instance (queue depth), "
                     "summed over instances. A steadily growing value means arrivals outpace "
                     "execution.\n\nComputed as sum(nv_inference_pending_request_count) (a gauge). "
                     f"Unit: requests.\n\nNo data: {m.INFERENCE_PENDING_REQUEST_COUNT.no_data_hint()}"),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.pending_requests(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def service_request_rate(**options: Unpack[PanelOptions]) -> G.Stat:
    """All selected models' successful requests per second, one number."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Requests/s (all models)",
        description=("Successful inference requests per second over all selected models and "
                     "instances: sum(rate(nv_inference_request_success)). Unit: requests/s.\n\n"
                     + _NO_TRAFFIC),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.success_rate(o.selector, ()), "requests/s")],
        **o.layout)


def service_error_ratio(**options: Unpack[PanelOptions]) -> G.Stat:
    """All selected models' error ratio, one number."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Error ratio (all models)",
        description=("Failed / all inference requests over the selected models and instances, "
                     "ratio of sums. Unit: percent. Orange from 1 %, red from 5 %.\n\nNo data: no "
                     "request at all in the rate window."),
        unit=Unit.PERCENT_UNIT,
        targets=[prometheus_target(q.error_ratio(o.selector, ()), "error ratio")],
        thresholds=ERROR_RATIO_THRESHOLDS,
        **o.layout)


def service_pending_requests(**options: Unpack[PanelOptions]) -> G.Stat:
    """All selected models' pending requests, one number."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Pending requests (all models)",
        description=("Requests waiting for execution over all selected models and instances: "
                     "sum(nv_inference_pending_request_count). Unit: requests.\n\n"
                     f"No data: {m.INFERENCE_PENDING_REQUEST_COUNT.no_data_hint()} Or no Triton series selected."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.pending_requests(o.selector, ()), "pending")],
        **o.layout)


def service_models_serving(**options: Unpack[PanelOptions]) -> G.Stat:
    """How many model versions report metrics."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Model versions",
        description=("Distinct (model, version) pairs that report metrics on the selected "
                     "instances, idle ones included: "
                     "count(sum by (model, version) (rate(nv_inference_request_success))). "
                     "Unit: model versions.\n\nNo data: no model is loaded, or Prometheus does not "
                     "scrape Triton."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.models_serving(o.selector), "model versions")],
        **o.layout)


def traffic_share(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Each version's share of its model's traffic (a canary's slice)."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "Traffic share by version",
        description=("Each version's share of its model's successful requests, 0-100 %: a canary taking "
                     "its slice, or a rollout moving traffic from one version to the next.\n\nComputed as "
                     "sum(rate(nv_inference_request_success)) per version / the same per model, each summed "
                     "over instances. Unit: percent.\n\n" + _NO_TRAFFIC),
        unit=Unit.PERCENT_UNIT, max_value=1, stacked=True,
        targets=[prometheus_target(q.traffic_share(o.selector, o.by), legend_for(o.by))],
        **o.layout)
