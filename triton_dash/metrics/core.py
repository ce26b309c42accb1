"""Triton core's families, plus the Prometheus and cAdvisor ones the stack dashboard reads.

As documented for Triton 2.51+ (``docs/user_guide/metrics.md``) and observed on a
real 2.51 server; release gates and switches from the release branches' docs.
"""

from __future__ import annotations

from ._family import PER_MODEL, Metric, MetricKind

__all__ = [
    "CACHE_HIT_DURATION_PER_MODEL",
    "CACHE_NUM_ENTRIES",
    "CACHE_NUM_HITS_PER_MODEL",
    "CACHE_UTIL",
    "CONTAINER_CPU_USAGE",
    "CONTAINER_MEMORY_WORKING_SET",
    "CORE_FAMILIES",
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
    "PINNED_MEMORY_TOTAL",
    "PINNED_MEMORY_USED",
    "PROBE_DURATION",
    "PROBE_SUCCESS",
    "PROMETHEUS_HEAD_SERIES",
    "PROMETHEUS_SAMPLES_APPENDED",
    "SCRAPE_DURATION",
    "UP",
]


def _m(name: str, kind: MetricKind, unit: str, labels: tuple[str, ...], help: str, source: str = "triton",
       *, since: str = "", enable: str = "") -> Metric:
    return Metric(name, kind, unit, labels, help, source, since=since, enable=enable)


C, G, S = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.SUMMARY
_PM = PER_MODEL

# --- per-model request counts (Triton counters carry no ``_total`` suffix)
INFERENCE_REQUEST_SUCCESS = _m("nv_inference_request_success", C, "requests", _PM,
                               "Successful requests, each counted once whatever its batch size; includes cache hits.")
INFERENCE_REQUEST_FAILURE = _m("nv_inference_request_failure", C, "requests", (*_PM, "reason"),
                               "Failed requests by reason (REJECTED, CANCELED, BACKEND, OTHER; the reason label "
                               "since 24.07).")
INFERENCE_COUNT = _m("nv_inference_count", C, "inferences", _PM,
                     "Inferences (batch items) performed; excludes cache hits.")
INFERENCE_EXEC_COUNT = _m("nv_inference_exec_count", C, "executions", _PM,
                          "Model executions (batches), failed ones included; excludes cache hits.")
INFERENCE_PENDING_REQUEST_COUNT = _m("nv_inference_pending_request_count", G, "requests", _PM,
                                     "Requests waiting to start executing.", since="23.09")
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
                               "End-to-end request time summary; off when the response cache is on.",
                               since="23.04", enable="--metrics-config summary_latencies=true")
INFERENCE_QUEUE_SUMMARY = _m("nv_inference_queue_summary_us", S, "µs", (*_PM, "quantile"),
                             "Queue time summary.", since="23.04",
                             enable="--metrics-config summary_latencies=true")
INFERENCE_COMPUTE_INFER_SUMMARY = _m("nv_inference_compute_infer_summary_us", S, "µs", (*_PM, "quantile"),
                                     "Model execution time summary.", since="23.04",
                                     enable="--metrics-config summary_latencies=true")
# --- per-model response cache
CACHE_NUM_HITS_PER_MODEL = _m("nv_cache_num_hits_per_model", C, "hits", _PM,
                              "Response-cache hits.",
                              enable="the response cache (--cache-config on the server and "
                                     "response_cache { enable: true } in the model)")
CACHE_HIT_DURATION_PER_MODEL = _m("nv_cache_hit_duration_per_model", C, "µs", _PM,
                                  "Time spent on cache hits.",
                                  enable="the response cache (--cache-config and the model's response_cache)")
CACHE_UTIL = _m("nv_cache_util", G, "ratio", (), "Response-cache utilisation, 0-1 (global).",
                enable="the response cache (--cache-config)")
CACHE_NUM_ENTRIES = _m("nv_cache_num_entries", G, "entries", (), "Entries in the response cache (global).",
                       enable="the response cache (--cache-config)")
# --- GPU (DCGM inside Triton)
GPU_UTILIZATION = _m("nv_gpu_utilization", G, "ratio", ("gpu_uuid",), "GPU utilisation, 0-1.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
GPU_MEMORY_TOTAL = _m("nv_gpu_memory_total_bytes", G, "bytes", ("gpu_uuid",), "GPU memory in total.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
GPU_MEMORY_USED = _m("nv_gpu_memory_used_bytes", G, "bytes", ("gpu_uuid",), "GPU memory in use.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
GPU_POWER_USAGE = _m("nv_gpu_power_usage", G, "W", ("gpu_uuid",), "GPU power draw.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
GPU_POWER_LIMIT = _m("nv_gpu_power_limit", G, "W", ("gpu_uuid",), "GPU power limit.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
ENERGY_CONSUMPTION = _m("nv_energy_consumption", C, "J", ("gpu_uuid",), "GPU energy since Triton started.",
    enable="GPU metrics (--allow-gpu-metrics=true, the default; none on MIG GPUs or without NVML/DCGM)")
# --- host (node-wide, not per container)
CPU_UTILIZATION = _m("nv_cpu_utilization", G, "ratio", (), "Host CPU utilisation, 0-1, all cores.",
    since="22.09", enable="CPU metrics (--allow-cpu-metrics=true, the default)")
CPU_MEMORY_TOTAL = _m("nv_cpu_memory_total_bytes", G, "bytes", (), "Host RAM in total.",
    since="22.09", enable="CPU metrics (--allow-cpu-metrics=true, the default)")
CPU_MEMORY_USED = _m("nv_cpu_memory_used_bytes", G, "bytes", (), "Host RAM in use (MemTotal - MemAvailable).",
    since="22.09", enable="CPU metrics (--allow-cpu-metrics=true, the default)")
PINNED_MEMORY_TOTAL = _m("nv_pinned_memory_pool_total_bytes", G, "bytes", (), "Configured pinned memory pool size.",
                         since="24.01")
PINNED_MEMORY_USED = _m("nv_pinned_memory_pool_used_bytes", G, "bytes", (), "Pinned memory pool in use.",
                        since="24.01")
# --- scrape health and the monitoring stack
UP = _m("up", G, "boolean", (), "1 when Prometheus' last scrape of the target succeeded.", "prometheus")
SCRAPE_DURATION = _m("scrape_duration_seconds", G, "s", (), "How long the last scrape took.", "prometheus")
PROMETHEUS_HEAD_SERIES = _m("prometheus_tsdb_head_series", G, "series", (),
                            "Series in Prometheus' head block.", "prometheus")
PROMETHEUS_SAMPLES_APPENDED = _m("prometheus_tsdb_head_samples_appended_total", C, "samples", ("type",),
                                 "Samples appended to the head block.", "prometheus")
PROBE_SUCCESS = _m("probe_success", G, "boolean", (), "1 when the blackbox exporter's probe of the target succeeded.",
                   "blackbox", enable="a blackbox exporter probing Triton's health endpoints (the stack's "
                                     "'triton-health' job, or a Probe in Kubernetes)")
PROBE_DURATION = _m("probe_duration_seconds", G, "s", (), "How long the blackbox exporter's probe took.",
                    "blackbox", enable="a blackbox exporter probing Triton's health endpoints (the stack's "
                                       "'triton-health' job, or a Probe in Kubernetes)")
CONTAINER_CPU_USAGE = _m("container_cpu_usage_seconds_total", C, "s", ("name",),
                         "CPU time used by a container.", "cadvisor")
CONTAINER_MEMORY_WORKING_SET = _m("container_memory_working_set_bytes", G, "bytes", ("name",),
                                  "Memory working set of a container.", "cadvisor")

CORE_FAMILIES: tuple[Metric, ...] = (
    INFERENCE_REQUEST_SUCCESS, INFERENCE_REQUEST_FAILURE, INFERENCE_COUNT, INFERENCE_EXEC_COUNT,
    INFERENCE_PENDING_REQUEST_COUNT, INFERENCE_REQUEST_DURATION, INFERENCE_QUEUE_DURATION,
    INFERENCE_COMPUTE_INPUT_DURATION, INFERENCE_COMPUTE_INFER_DURATION, INFERENCE_COMPUTE_OUTPUT_DURATION,
    INFERENCE_REQUEST_SUMMARY, INFERENCE_QUEUE_SUMMARY, INFERENCE_COMPUTE_INFER_SUMMARY,
    CACHE_NUM_HITS_PER_MODEL, CACHE_HIT_DURATION_PER_MODEL, CACHE_UTIL, CACHE_NUM_ENTRIES,
    GPU_UTILIZATION, GPU_MEMORY_TOTAL, GPU_MEMORY_USED, GPU_POWER_USAGE, GPU_POWER_LIMIT, ENERGY_CONSUMPTION,
    CPU_UTILIZATION, CPU_MEMORY_TOTAL, CPU_MEMORY_USED, PINNED_MEMORY_TOTAL, PINNED_MEMORY_USED,
    UP, SCRAPE_DURATION, PROMETHEUS_HEAD_SERIES, PROMETHEUS_SAMPLES_APPENDED,
    CONTAINER_CPU_USAGE, CONTAINER_MEMORY_WORKING_SET, PROBE_SUCCESS, PROBE_DURATION,
)
