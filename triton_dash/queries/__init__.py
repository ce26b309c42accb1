"""Pure PromQL builders, one function per number a panel shows.

Nothing here imports grafanalib: the same functions feed panels, recording and
alerting rules and the tests. Each takes a :class:`~triton_dash.selector.Selector`
(which series, which rate window) and a grouping (default ``model, version``)
and returns a PromQL string.

    >>> from triton_dash.queries import queue_time_per_request
    >>> from triton_dash.selector import Selector
    >>> q = queue_time_per_request(Selector(job="triton", instance=None, model=None,
    ...                                     version=None, rate_interval="5m"))
    >>> q.startswith("sum by (model, version) (rate(nv_inference_queue_duration_us{job=~\\"triton\\"}[5m]))")
    True
"""

from .health import endpoints_not_ready, probe_duration, probe_success
from .latency import (
    BREAKDOWN_PHASES,
    compute_infer_time_per_request,
    compute_input_time_per_request,
    compute_output_time_per_request,
    compute_time_per_request,
    latency_breakdown,
    load_ratio,
    overhead_duration_rate,
    queue_time_per_request,
    request_time_per_request,
    summary_quantile,
)
from .llm import (
    category_gauge,
    histogram_buckets,
    histogram_mean,
    histogram_quantile,
    histogram_sum_rate,
    kv_cache_used_ratio,
    token_rate,
    trtllm_active_ratio,
)
from .requests import (
    batch_size,
    error_ratio,
    executed_request_rate,
    execution_rate,
    failure_rate_by_reason,
    inference_rate,
    models_serving,
    pending_requests,
    requests_per_execution,
    serving_pods,
    success_rate,
)
from .resources import (
    busiest_gpu_utilization,
    cache_hit_ratio,
    cache_utilization,
    cpu_utilization,
    fullest_gpu_memory_ratio,
    gpu_energy_power,
    gpu_memory_free,
    gpu_memory_split,
    gpu_memory_used,
    gpu_memory_used_ratio,
    gpu_power_limit,
    gpu_power_usage,
    gpu_utilization,
    host_memory_total,
    host_memory_used,
    pinned_memory_total,
    pinned_memory_used,
)
from .stack import (
    container_cpu_cores,
    container_memory,
    prometheus_head_series,
    prometheus_ingestion_rate,
    scrape_duration,
    targets_configured,
    targets_down,
    targets_up,
)
from .versions import (
    other_versions_error_ratio,
    other_versions_request_time,
    traffic_share,
)

__all__ = [
    "BREAKDOWN_PHASES",
    "batch_size",
    "busiest_gpu_utilization",
    "cache_hit_ratio",
    "cache_utilization",
    "category_gauge",
    "compute_infer_time_per_request",
    "compute_input_time_per_request",
    "compute_output_time_per_request",
    "compute_time_per_request",
    "container_cpu_cores",
    "container_memory",
    "cpu_utilization",
    "endpoints_not_ready",
    "error_ratio",
    "executed_request_rate",
    "execution_rate",
    "failure_rate_by_reason",
    "fullest_gpu_memory_ratio",
    "gpu_energy_power",
    "gpu_memory_free",
    "gpu_memory_split",
    "gpu_memory_used",
    "gpu_memory_used_ratio",
    "gpu_power_limit",
    "gpu_power_usage",
    "gpu_utilization",
    "histogram_buckets",
    "histogram_mean",
    "histogram_quantile",
    "histogram_sum_rate",
    "host_memory_total",
    "host_memory_used",
    "inference_rate",
    "kv_cache_used_ratio",
    "latency_breakdown",
    "load_ratio",
    "models_serving",
    "other_versions_error_ratio",
    "other_versions_request_time",
    "overhead_duration_rate",
    "pending_requests",
    "pinned_memory_total",
    "pinned_memory_used",
    "probe_duration",
    "probe_success",
    "prometheus_head_series",
    "prometheus_ingestion_rate",
    "queue_time_per_request",
    "request_time_per_request",
    "requests_per_execution",
    "scrape_duration",
    "serving_pods",
    "success_rate",
    "summary_quantile",
    "targets_configured",
    "targets_down",
    "targets_up",
    "token_rate",
    "traffic_share",
    "trtllm_active_ratio",
]
