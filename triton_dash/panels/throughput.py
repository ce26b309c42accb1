"""Throughput, failures, batching and backlog panels, plus the health stats.

    from triton_dash.panels import batch_ratio, error_ratio
    panels = [batch_ratio(width=12), error_ratio(width=12)]
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import queries as q
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector
from .factory import (
    DATASOURCE,
    Color,
    DataSource,
    Unit,
    default_stat,
    default_timeseries,
    legend_for,
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


def success_rate(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Successful requests per second."""
    return default_timeseries(
        title=title or "Successful requests/s",
        description=("Successful inference requests per second. A request counts once whatever "
                     "its batch size; response-cache hits count.\n\nComputed as "
                     "sum(rate(nv_inference_request_success)) over instances. Unit: requests/s.\n\n"
                     + _NO_TRAFFIC),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.success_rate(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def failures_by_reason(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Failed requests per second by reason (REJECTED, CANCELED, BACKEND, OTHER)."""
    return default_timeseries(
        title=title or "Failed requests/s by reason",
        description=("Failed inference requests per second, split by Triton's reason label: "
                     "REJECTED (queue full or timed out), CANCELED, BACKEND (the model raised) and "
                     "OTHER. An error *response* returned by a Python model counts as a success, "
                     "not here.\n\nComputed as sum(rate(nv_inference_request_failure)) by reason. "
                     "Unit: requests/s.\n\nNo data: Triton before 24.07 has no reason label, or no Triton "
                     "series is selected."),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.failure_rate_by_reason(selector, by), f"{legend_for(by)} {{{{reason}}}}")],
        datasource=datasource, width=width, height=height)


def error_ratio(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Share of requests that failed."""
    return default_timeseries(
        title=title or "Error ratio",
        description=("Share of inference requests that failed, 0-100 %.\n\nComputed as "
                     "sum(rate(failures)) / (sum(rate(successes)) + sum(rate(failures))), each summed "
                     "over instances and reasons before dividing. Unit: percent.\n\nNo data: no "
                     "request, failed or successful, in the rate window (idle models are left out "
                     "rather than shown as NaN)."),
        unit=Unit.PERCENT_UNIT,
        targets=[prometheus_target(q.error_ratio(selector, by), legend_for(by))],
        thresholds=ERROR_RATIO_THRESHOLDS,
        datasource=datasource, width=width, height=height)


def inference_rate(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Inferences (batch items) per second."""
    return default_timeseries(
        title=title or "Inferences/s",
        description=("Inferences per second: a request carrying a batch of n counts n. Cache hits "
                     "are not counted.\n\nComputed as sum(rate(nv_inference_count)). Unit: "
                     "inferences/s.\n\n" + _NO_TRAFFIC),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.inference_rate(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def execution_rate(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Model executions (batches) per second."""
    return default_timeseries(
        title=title or "Executions/s",
        description=("Model executions per second: each run of the model on a (possibly dynamic) "
                     "batch counts once, failed executions included.\n\nComputed as "
                     "sum(rate(nv_inference_exec_count)). Unit: executions/s.\n\n" + _NO_TRAFFIC),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.execution_rate(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def batch_ratio(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Average batch size and requests merged per execution."""
    legend = legend_for(by)
    return default_timeseries(
        title=title or "Batch ratio",
        description=("How well batching works. 'items per execution' is the average batch size the "
                     "model ran: sum(rate(nv_inference_count)) / sum(rate(nv_inference_exec_count)). "
                     "'requests per execution' is how many client requests the dynamic batcher merged "
                     "into one run: (successful requests - cache hits)/s / executions/s. Unit: "
                     "ratio (1 = no batching). Failed executions count in the denominator, so both "
                     "read low while a model fails.\n\nNo data: the model executed nothing in the "
                     "rate window."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.batch_size(selector, by), f"{legend} items per execution"),
                 prometheus_target(q.requests_per_execution(selector, by), f"{legend} requests per execution")],
        datasource=datasource, width=width, height=height)


def pending_requests(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Requests waiting for execution (queue depth)."""
    return default_timeseries(
        title=title or "Pending requests",
        description=("Requests received but not yet started by a model instance (queue depth), "
                     "summed over instances. A steadily growing value means arrivals outpace "
                     "execution.\n\nComputed as sum(nv_inference_pending_request_count) (a gauge). "
                     f"Unit: requests.\n\nNo data: {m.INFERENCE_PENDING_REQUEST_COUNT.no_data_hint()}"),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.pending_requests(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def service_request_rate(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """All selected models' successful requests per second, one number."""
    return default_stat(
        title=title or "Requests/s (all models)",
        description=("Successful inference requests per second over all selected models and "
                     "instances: sum(rate(nv_inference_request_success)). Unit: requests/s.\n\n"
                     + _NO_TRAFFIC),
        unit=Unit.REQUESTS_PER_SECOND,
        targets=[prometheus_target(q.success_rate(selector, ()), "requests/s")],
        datasource=datasource, width=width, height=height)


def service_error_ratio(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """All selected models' error ratio, one number."""
    return default_stat(
        title=title or "Error ratio (all models)",
        description=("Failed / all inference requests over the selected models and instances, "
                     "ratio of sums. Unit: percent. Orange from 1 %, red from 5 %.\n\nNo data: no "
                     "request at all in the rate window."),
        unit=Unit.PERCENT_UNIT,
        targets=[prometheus_target(q.error_ratio(selector, ()), "error ratio")],
        thresholds=ERROR_RATIO_THRESHOLDS,
        datasource=datasource, width=width, height=height)


def service_pending_requests(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """All selected models' pending requests, one number."""
    return default_stat(
        title=title or "Pending requests (all models)",
        description=("Requests waiting for execution over all selected models and instances: "
                     "sum(nv_inference_pending_request_count). Unit: requests.\n\n"
                     f"No data: {m.INFERENCE_PENDING_REQUEST_COUNT.no_data_hint()} Or no Triton series selected."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.pending_requests(selector, ()), "pending")],
        datasource=datasource, width=width, height=height)


def service_models_serving(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """How many model versions report metrics."""
    return default_stat(
        title=title or "Model versions",
        description=("Distinct (model, version) pairs that report metrics on the selected "
                     "instances, idle ones included: "
                     "count(sum by (model, version) (rate(nv_inference_request_success))). "
                     "Unit: model versions.\n\nNo data: no model is loaded, or Prometheus does not "
                     "scrape Triton."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.models_serving(selector), "model versions")],
        datasource=datasource, width=width, height=height)


def traffic_share(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING,
    datasource: DataSource = DATASOURCE, width: int = 8, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Each version's share of its model's traffic (a canary's slice)."""
    return default_timeseries(
        title=title or "Traffic share by version",
        description=("Each version's share of its model's successful requests, 0-100 %: a canary taking "
                     "its slice, or a rollout moving traffic from one version to the next.\n\nComputed as "
                     "sum(rate(nv_inference_request_success)) per version / the same per model, each summed "
                     "over instances. Unit: percent.\n\n" + _NO_TRAFFIC),
        unit=Unit.PERCENT_UNIT, max_value=1, stacked=True,
        targets=[prometheus_target(q.traffic_share(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)
