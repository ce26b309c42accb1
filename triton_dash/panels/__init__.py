"""Panel factories: each returns a grafanalib panel holding correct PromQL.

Drop them into your own grafanalib dashboard; every factory takes keyword
arguments ``selector`` (which series), ``datasource``, ``width``, ``height``
and ``title``, and per-model panels also ``by`` (the grouping)::

    from grafanalib.core import Dashboard
    from triton_dash.panels import queue_time_per_request, batch_ratio
    from triton_dash.selector import Selector

    dashboard = Dashboard(
        title="My models", uid="my-models",
        panels=[queue_time_per_request(width=12),
                batch_ratio(selector=Selector(model="resnet.*"), width=12)],
    )

``python -m triton_dash build my.dashboard.py`` then lays the panels out and
writes clean Grafana JSON.
"""

from .dcgm import (
    dcgm_dram_active,
    dcgm_energy_power,
    dcgm_memory_used_ratio,
    dcgm_power,
    dcgm_temperature,
    dcgm_tensor_active,
    dcgm_utilization,
    dcgm_vram,
    dcgm_xid_errors,
)
from .factory import (
    DATASOURCE,
    BucketHeatmap,
    Color,
    DataSource,
    FlowPos,
    PanelScope,
    Unit,
    default_heatmap,
    default_piechart,
    default_stat,
    default_timeseries,
    legend_for,
    prometheus_target,
)
from .health import endpoints_not_ready, probe_duration, probe_success_by_endpoint
from .latency import (
    aggregated_latency,
    compute_infer_quantiles,
    compute_infer_time_per_request,
    compute_input_time_per_request,
    compute_output_time_per_request,
    queue_time_per_request,
    request_time_per_request,
    request_time_quantiles,
)
from .llm import (
    first_response_heatmap,
    first_response_time,
    trtllm_inflight_batcher,
    trtllm_kv_cache_blocks,
    trtllm_kv_cache_used_ratio,
    trtllm_requests,
    trtllm_runtime_memory,
    trtllm_token_length_heatmap,
    trtllm_token_lengths,
    trtllm_token_throughput,
    vllm_e2e_latency,
    vllm_time_per_output_token,
    vllm_time_to_first_token,
    vllm_token_length_heatmap,
    vllm_token_throughput,
)
from .resources import (
    cache_hit_ratio,
    cache_utilization,
    cpu_utilization,
    gpu_energy_power,
    gpu_memory_used_ratio,
    gpu_power,
    gpu_utilization,
    gpu_vram,
    host_memory,
    pinned_memory,
)
from .stack import (
    container_cpu,
    container_memory,
    prometheus_head_series,
    prometheus_ingestion_rate,
    scrape_duration,
    targets_down,
    targets_up,
    targets_up_by_job,
)
from .throughput import (
    batch_ratio,
    error_ratio,
    execution_rate,
    failures_by_reason,
    inference_rate,
    pending_requests,
    service_error_ratio,
    service_models_serving,
    service_pending_requests,
    service_request_rate,
    success_rate,
    traffic_share,
)

#: The panels of the user's design card, by name.
input_time_per_request = compute_input_time_per_request
output_time_per_request = compute_output_time_per_request
inference_time_per_request = compute_infer_time_per_request

__all__ = [
    "DATASOURCE",
    "BucketHeatmap",
    "Color",
    "DataSource",
    "FlowPos",
    "PanelScope",
    "Unit",
    "aggregated_latency",
    "batch_ratio",
    "cache_hit_ratio",
    "cache_utilization",
    "compute_infer_quantiles",
    "compute_infer_time_per_request",
    "compute_input_time_per_request",
    "compute_output_time_per_request",
    "container_cpu",
    "container_memory",
    "cpu_utilization",
    "dcgm_dram_active",
    "dcgm_energy_power",
    "dcgm_memory_used_ratio",
    "dcgm_power",
    "dcgm_temperature",
    "dcgm_tensor_active",
    "dcgm_utilization",
    "dcgm_vram",
    "dcgm_xid_errors",
    "default_heatmap",
    "default_piechart",
    "default_stat",
    "default_timeseries",
    "endpoints_not_ready",
    "error_ratio",
    "execution_rate",
    "failures_by_reason",
    "first_response_heatmap",
    "first_response_time",
    "gpu_energy_power",
    "gpu_memory_used_ratio",
    "gpu_power",
    "gpu_utilization",
    "gpu_vram",
    "host_memory",
    "inference_rate",
    "inference_time_per_request",
    "input_time_per_request",
    "legend_for",
    "output_time_per_request",
    "pending_requests",
    "pinned_memory",
    "probe_duration",
    "probe_success_by_endpoint",
    "prometheus_head_series",
    "prometheus_ingestion_rate",
    "prometheus_target",
    "queue_time_per_request",
    "request_time_per_request",
    "request_time_quantiles",
    "scrape_duration",
    "service_error_ratio",
    "service_models_serving",
    "service_pending_requests",
    "service_request_rate",
    "success_rate",
    "targets_down",
    "targets_up",
    "targets_up_by_job",
    "traffic_share",
    "trtllm_inflight_batcher",
    "trtllm_kv_cache_blocks",
    "trtllm_kv_cache_used_ratio",
    "trtllm_requests",
    "trtllm_runtime_memory",
    "trtllm_token_length_heatmap",
    "trtllm_token_lengths",
    "trtllm_token_throughput",
    "vllm_e2e_latency",
    "vllm_time_per_output_token",
    "vllm_time_to_first_token",
    "vllm_token_length_heatmap",
    "vllm_token_throughput",
]
