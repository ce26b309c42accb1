"""Triton's own families that no built-in panel reads, catalogued so ``lint`` knows them in other dashboards.

    from triton_dash.metrics.unread import UNREAD_FAMILIES
    {m.name for m in UNREAD_FAMILIES} >= {"nv_trt_llm_general_metrics", "nv_model_load_duration_secs"}

Facts from Triton core (``src/metrics.cc``, ``src/metric_model_reporter.cc``)
and the TensorRT-LLM backend's ``custom_metrics_reporter.cc``, as summarised in
the project's metrics references.
"""

from __future__ import annotations

from ._family import PER_MODEL, Metric, MetricKind

__all__ = ["UNREAD_FAMILIES"]

C, G, S = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.SUMMARY
_CACHE = "the response cache (--cache-config and the model's response_cache)"
_SUMMARIES = "--metrics-config summary_latencies=true"

_OLD_CACHE = "the server-wide response cache of Triton 22.09 to 23.02 (replaced by the per-model families in 23.03)"

UNREAD_FAMILIES: tuple[Metric, ...] = (
    Metric("nv_cache_num_lookups", C, "lookups", (), "Response-cache lookups (22.09-23.02).", since="22.09",
           enable=_OLD_CACHE),
    Metric("nv_cache_num_hits", C, "hits", (), "Response-cache hits (22.09-23.02).", since="22.09",
           enable=_OLD_CACHE),
    Metric("nv_cache_num_misses", C, "misses", (), "Response-cache misses (22.09-23.02).", since="22.09",
           enable=_OLD_CACHE),
    Metric("nv_cache_num_evictions", C, "evictions", (), "Response-cache evictions (22.09-23.02).", since="22.09",
           enable=_OLD_CACHE),
    Metric("nv_cache_lookup_duration", C, "µs", (), "Time spent on cache lookups (22.09-23.02).", since="22.09",
           enable=_OLD_CACHE),
    Metric("nv_cache_insertion_duration", C, "µs", (), "Time spent on cache insertions (22.09-23.02).",
           since="22.09", enable=_OLD_CACHE),
    Metric("nv_cache_num_misses_per_model", C, "misses", PER_MODEL, "Response-cache misses.", enable=_CACHE),
    Metric("nv_cache_miss_duration_per_model", C, "µs", PER_MODEL, "Time spent on cache misses.", enable=_CACHE),
    Metric("nv_cache_hit_summary_per_model", S, "µs", (*PER_MODEL, "quantile"), "Cache hit time summary.",
           enable=_SUMMARIES),
    Metric("nv_cache_miss_summary_per_model", S, "µs", (*PER_MODEL, "quantile"), "Cache miss time summary.",
           enable=_SUMMARIES),
    Metric("nv_inference_compute_input_summary_us", S, "µs", (*PER_MODEL, "quantile"), "Input time summary.",
           since="23.04", enable=_SUMMARIES),
    Metric("nv_inference_compute_output_summary_us", S, "µs", (*PER_MODEL, "quantile"), "Output time summary.",
           since="23.04", enable=_SUMMARIES),
    Metric("nv_model_load_duration_secs", G, "s", PER_MODEL, "Model load time.", since="24.11"),
    Metric("nv_trt_llm_general_metrics", G, "short", (*PER_MODEL, "general_type"),
           "general_type: timestamp (µs since the epoch) and iteration_counter: different quantities.",
           "tensorrt_llm", since="24.01"),
    Metric("nv_trt_llm_v1_metrics", G, "short", (*PER_MODEL, "v1_specific_metric"),
           "V1 (static batching) models: total_context_tokens, total_generation_tokens, empty_generation_slots.",
           "tensorrt_llm", since="24.01"),
    Metric("nv_trt_llm_disaggregated_serving_metrics", C, "short", (*PER_MODEL, "disaggregated_serving_type"),
           "Counter by disaggregated_serving_type: kv_cache_transfer_ms and request_count.", "tensorrt_llm",
           since="25.02"),
)
