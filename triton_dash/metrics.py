"""The metric catalogue: every metric family triton_dash reads, and nothing else.

Queries, lint checks and the known-answer tests look metric names up here; no
other module spells a metric name. Each entry says what Prometheus type the
family has, its unit and which labels it carries, as documented for Triton
2.51+ (``docs/user_guide/metrics.md``) and observed on a real 2.51 server.

Usage::

    from triton_dash.metrics import CATALOGUE, INFERENCE_REQUEST_SUCCESS
    assert INFERENCE_REQUEST_SUCCESS.kind is MetricKind.COUNTER
    CATALOGUE["nv_gpu_utilization"].labels  # ('gpu_uuid',)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "CACHE_HIT_DURATION_PER_MODEL",
    "CACHE_NUM_ENTRIES",
    "CACHE_NUM_HITS_PER_MODEL",
    "CACHE_UTIL",
    "CATALOGUE",
    "CONTAINER_CPU_USAGE",
    "CONTAINER_MEMORY_WORKING_SET",
    "CPU_MEMORY_TOTAL",
    "CPU_MEMORY_USED",
    "CPU_UTILIZATION",
    "ENERGY_CONSUMPTION",
    "GPU_MEMORY_TOTAL",
    "GPU_MEMORY_USED",
    "GPU_POWER_LIMIT",
    "GPU_POWER_USAGE",
    "GPU_UTILIZATION",
    "INFERENCE_COMPUTE_INFER_DURATION",
    "INFERENCE_COMPUTE_INFER_SUMMARY",
    "INFERENCE_COMPUTE_INPUT_DURATION",
    "INFERENCE_COMPUTE_OUTPUT_DURATION",
    "INFERENCE_COUNT",
    "INFERENCE_EXEC_COUNT",
    "INFERENCE_PENDING_REQUEST_COUNT",
    "INFERENCE_QUEUE_DURATION",
    "INFERENCE_QUEUE_SUMMARY",
    "INFERENCE_REQUEST_DURATION",
    "INFERENCE_REQUEST_FAILURE",
    "INFERENCE_REQUEST_SUCCESS",
    "INFERENCE_REQUEST_SUMMARY",
    "PER_MODEL",
    "PINNED_MEMORY_TOTAL",
    "PINNED_MEMORY_USED",
    "PROMETHEUS_HEAD_SERIES",
    "PROMETHEUS_SAMPLES_APPENDED",
    "SCRAPE",
    "SCRAPE_DURATION",
    "UP",
    "Metric",
    "MetricKind",
]


class MetricKind(enum.Enum):
    """Prometheus metric type, as it matters for PromQL."""

    COUNTER = "counter"
    GAUGE = "gauge"
    SUMMARY = "summary"


#: Labels Prometheus adds to every scraped series (kube-prometheus adds more).
SCRAPE: tuple[str, ...] = ("job", "instance")
#: Labels Triton puts on every per-model family.
PER_MODEL: tuple[str, ...] = ("model", "version")


@dataclass(frozen=True)
class Metric:
    """One metric family.

    ``labels`` are the labels the family carries besides the scrape labels; a
    query selector only matches labels the family really has.
    """

    name: str
    kind: MetricKind
    unit: str
    labels: tuple[str, ...]
    help: str
    source: str = "triton"
    #: Labels the scrape (or the recording rule) adds; selectors may match them.
    scrape_labels: tuple[str, ...] = SCRAPE

    @property
    def is_counter(self) -> bool:
        return self.kind is MetricKind.COUNTER

    def __str__(self) -> str:
        return self.name


def _m(name: str, kind: MetricKind, unit: str, labels: tuple[str, ...], help: str, source: str = "triton") -> Metric:
    return Metric(name, kind, unit, labels, help, source)


C, G, S = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.SUMMARY
_PM = PER_MODEL

# --- per-model request counts (Triton counters carry no ``_total`` suffix)
INFERENCE_REQUEST_SUCCESS = _m("nv_inference_request_success", C, "requests", _PM,
                               "Successful requests, each counted once whatever its batch size; includes cache hits.")
INFERENCE_REQUEST_FAILURE = _m("nv_inference_request_failure", C, "requests", (*_PM, "reason"),
                               "Failed requests by reason (REJECTED, CANCELED, BACKEND, OTHER).")
INFERENCE_COUNT = _m("nv_inference_count", C, "inferences", _PM,
                     "Inferences (batch items) performed; excludes cache hits.")
INFERENCE_EXEC_COUNT = _m("nv_inference_exec_count", C, "executions", _PM,
                          "Model executions (batches), failed ones included; excludes cache hits.")
INFERENCE_PENDING_REQUEST_COUNT = _m("nv_inference_pending_request_count", G, "requests", _PM,
                                     "Requests waiting to start executing.")
# --- per-model latency counters: request-weighted, microseconds
INFERENCE_REQUEST_DURATION = _m("nv_inference_request_duration_us", C, "µs", _PM,
                                "End-to-end request time, summed over successful requests; includes cache hits.")
INFERENCE_QUEUE_DURATION = _m("nv_inference_queue_duration_us", C, "µs", _PM,
                              "Queue time, summed over successful requests; includes cache hits.")
INFERENCE_COMPUTE_INPUT_DURATION = _m("nv_inference_compute_input_duration_us", C, "µs", _PM,
                                      "Input processing time, summed over executed requests.")
INFERENCE_COMPUTE_INFER_DURATION = _m("nv_inference_compute_infer_duration_us", C, "µs", _PM,
                                      "Model execution time, summed over executed requests.")
INFERENCE_COMPUTE_OUTPUT_DURATION = _m("nv_inference_compute_output_duration_us", C, "µs", _PM,
                                       "Output processing time, summed over executed requests.")
# --- per-model summaries (``--metrics-config summary_latencies=true``)
INFERENCE_REQUEST_SUMMARY = _m("nv_inference_request_summary_us", S, "µs", (*_PM, "quantile"),
                               "End-to-end request time summary; off when the response cache is on.")
INFERENCE_QUEUE_SUMMARY = _m("nv_inference_queue_summary_us", S, "µs", (*_PM, "quantile"),
                             "Queue time summary.")
INFERENCE_COMPUTE_INFER_SUMMARY = _m("nv_inference_compute_infer_summary_us", S, "µs", (*_PM, "quantile"),
                                     "Model execution time summary.")
# --- per-model response cache
CACHE_NUM_HITS_PER_MODEL = _m("nv_cache_num_hits_per_model", C, "hits", _PM,
                              "Response-cache hits.")
CACHE_HIT_DURATION_PER_MODEL = _m("nv_cache_hit_duration_per_model", C, "µs", _PM,
                                  "Time spent on cache hits.")
CACHE_UTIL = _m("nv_cache_util", G, "ratio", (), "Response-cache utilisation, 0-1 (global).")
CACHE_NUM_ENTRIES = _m("nv_cache_num_entries", G, "entries", (), "Entries in the response cache (global).")
# --- GPU (DCGM inside Triton)
GPU_UTILIZATION = _m("nv_gpu_utilization", G, "ratio", ("gpu_uuid",), "GPU utilisation, 0-1.")
GPU_MEMORY_TOTAL = _m("nv_gpu_memory_total_bytes", G, "bytes", ("gpu_uuid",), "GPU memory in total.")
GPU_MEMORY_USED = _m("nv_gpu_memory_used_bytes", G, "bytes", ("gpu_uuid",), "GPU memory in use.")
GPU_POWER_USAGE = _m("nv_gpu_power_usage", G, "W", ("gpu_uuid",), "GPU power draw.")
GPU_POWER_LIMIT = _m("nv_gpu_power_limit", G, "W", ("gpu_uuid",), "GPU power limit.")
ENERGY_CONSUMPTION = _m("nv_energy_consumption", C, "J", ("gpu_uuid",), "GPU energy since Triton started.")
# --- host (node-wide, not per container)
CPU_UTILIZATION = _m("nv_cpu_utilization", G, "ratio", (), "Host CPU utilisation, 0-1, all cores.")
CPU_MEMORY_TOTAL = _m("nv_cpu_memory_total_bytes", G, "bytes", (), "Host RAM in total.")
CPU_MEMORY_USED = _m("nv_cpu_memory_used_bytes", G, "bytes", (), "Host RAM in use (MemTotal - MemAvailable).")
PINNED_MEMORY_TOTAL = _m("nv_pinned_memory_pool_total_bytes", G, "bytes", (), "Configured pinned memory pool size.")
PINNED_MEMORY_USED = _m("nv_pinned_memory_pool_used_bytes", G, "bytes", (), "Pinned memory pool in use.")
# --- scrape health and the monitoring stack
UP = _m("up", G, "boolean", (), "1 when Prometheus' last scrape of the target succeeded.", "prometheus")
SCRAPE_DURATION = _m("scrape_duration_seconds", G, "s", (), "How long the last scrape took.", "prometheus")
PROMETHEUS_HEAD_SERIES = _m("prometheus_tsdb_head_series", G, "series", (),
                            "Series in Prometheus' head block.", "prometheus")
PROMETHEUS_SAMPLES_APPENDED = _m("prometheus_tsdb_head_samples_appended_total", C, "samples", ("type",),
                                 "Samples appended to the head block.", "prometheus")
CONTAINER_CPU_USAGE = _m("container_cpu_usage_seconds_total", C, "s", ("name",),
                         "CPU time used by a container.", "cadvisor")
CONTAINER_MEMORY_WORKING_SET = _m("container_memory_working_set_bytes", G, "bytes", ("name",),
                                  "Memory working set of a container.", "cadvisor")

CATALOGUE: dict[str, Metric] = {m.name: m for m in (
    INFERENCE_REQUEST_SUCCESS, INFERENCE_REQUEST_FAILURE, INFERENCE_COUNT, INFERENCE_EXEC_COUNT,
    INFERENCE_PENDING_REQUEST_COUNT, INFERENCE_REQUEST_DURATION, INFERENCE_QUEUE_DURATION,
    INFERENCE_COMPUTE_INPUT_DURATION, INFERENCE_COMPUTE_INFER_DURATION, INFERENCE_COMPUTE_OUTPUT_DURATION,
    INFERENCE_REQUEST_SUMMARY, INFERENCE_QUEUE_SUMMARY, INFERENCE_COMPUTE_INFER_SUMMARY,
    CACHE_NUM_HITS_PER_MODEL, CACHE_HIT_DURATION_PER_MODEL, CACHE_UTIL, CACHE_NUM_ENTRIES,
    GPU_UTILIZATION, GPU_MEMORY_TOTAL, GPU_MEMORY_USED, GPU_POWER_USAGE, GPU_POWER_LIMIT, ENERGY_CONSUMPTION,
    CPU_UTILIZATION, CPU_MEMORY_TOTAL, CPU_MEMORY_USED, PINNED_MEMORY_TOTAL, PINNED_MEMORY_USED,
    UP, SCRAPE_DURATION, PROMETHEUS_HEAD_SERIES, PROMETHEUS_SAMPLES_APPENDED,
    CONTAINER_CPU_USAGE, CONTAINER_MEMORY_WORKING_SET,
)}
