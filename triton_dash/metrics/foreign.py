"""Families triton_dash does not read but meets next to Triton: upstream vLLM, its router, NIM, KServe, llm-d, k8s.

``lint`` checks other people's dashboards, and those read more than Triton:
upstream vLLM's own server (``vllm:*`` with ``model_name``, counters with
``_total``), the vLLM production-stack router, NVIDIA NIM for LLMs, KServe's
predictor, the Gateway API inference extension (llm-d's endpoint picker),
kube-state-metrics, cAdvisor and node-exporter. Knowing their types keeps lint
from guessing: ``vllm:healthy_pods_total`` is the router's *gauge*, whatever its
suffix says. Names the Triton vLLM backend also exposes
(``vllm:prompt_tokens_total`` ...) stay in :mod:`triton_dash.metrics.llm`.

    from triton_dash.metrics.foreign import FOREIGN_FAMILIES
    {m.name: m.kind for m in FOREIGN_FAMILIES}["vllm:kv_cache_usage_perc"]  # MetricKind.GAUGE

Sources: vLLM ``vllm/v1/metrics/loggers.py`` and docs/design/metrics.md; the
production-stack router's ``vllm_router`` metrics module (Gauges with a
``server`` label); NIM for LLMs' observability page; KServe's
``kserve/metrics``; gateway-api-inference-extension ``pkg/epp/metrics``;
kube-state-metrics docs; cAdvisor's prometheus.md.
"""

from __future__ import annotations

from ._family import Metric, MetricKind

__all__ = ["CADVISOR", "FOREIGN_FAMILIES", "INFERENCE_GATEWAY", "KSERVE", "KUBE_STATE", "NIM", "NODE",
           "PER_MODEL_BUCKETS",
           "VLLM_ROUTER", "VLLM_UPSTREAM"]

C, G, H = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.HISTOGRAM
_VLLM = ("model_name", "engine")


def _family(source: str, labels: tuple[str, ...], *rows: tuple[str, MetricKind, str, str]) -> tuple[Metric, ...]:
    return tuple(Metric(name, kind, unit, labels, help, source, scrape_labels=("job", "instance"))
                 for name, kind, unit, help in rows)


#: Upstream vLLM's OpenAI server (V1 engine, plus V0 names still on older servers).
VLLM_UPSTREAM = _family(
    "vllm-upstream", _VLLM,
    ("vllm:num_requests_running", G, "requests", "Requests in model execution batches."),
    ("vllm:num_requests_waiting", G, "requests", "Requests waiting to be processed."),
    ("vllm:num_requests_swapped", G, "requests", "Requests swapped to CPU (V0)."),
    ("vllm:kv_cache_usage_perc", G, "ratio", "KV-cache usage, 0-1 (1 = 100 %)."),
    ("vllm:gpu_cache_usage_perc", G, "ratio", "GPU KV-cache usage, 0-1 (deprecated for kv_cache_usage_perc)."),
    ("vllm:cpu_cache_usage_perc", G, "ratio", "CPU KV-cache usage, 0-1 (V0)."),
    ("vllm:gpu_prefix_cache_hit_rate", G, "ratio", "GPU prefix-cache block hit rate, 0-1 (V0)."),
    ("vllm:cpu_prefix_cache_hit_rate", G, "ratio", "CPU prefix-cache block hit rate, 0-1 (V0)."),
    ("vllm:avg_prompt_throughput_toks_per_s", G, "tokens/s", "Average prefill throughput (V0)."),
    ("vllm:avg_generation_throughput_toks_per_s", G, "tokens/s", "Average generation throughput (V0)."),
    ("vllm:spec_decode_draft_acceptance_rate", G, "ratio", "Speculative-decoding acceptance rate (V0)."),
    ("vllm:spec_decode_efficiency", G, "ratio", "Speculative-decoding efficiency (V0)."),
    ("vllm:lora_requests_info", G, "info", "Running and waiting LoRA adapters (labels)."),
    ("vllm:cache_config_info", G, "info", "The engine's cache configuration (labels)."),
    ("vllm:engine_sleep_state", G, "state", "Engine sleep state."),
    ("vllm:num_preemptions_total", C, "preemptions", "Preemptions from the engine."),
    ("vllm:request_success_total", C, "requests", "Finished requests, by finished_reason."),
    ("vllm:prefix_cache_queries_total", C, "tokens", "Prefix-cache queries, in tokens."),
    ("vllm:prefix_cache_hits_total", C, "tokens", "Prefix-cache hits, in tokens."),
    ("vllm:gpu_prefix_cache_queries_total", C, "tokens", "GPU prefix-cache queries (deprecated name)."),
    ("vllm:gpu_prefix_cache_hits_total", C, "tokens", "GPU prefix-cache hits (deprecated name)."),
    ("vllm:external_prefix_cache_queries_total", C, "tokens", "External (KV connector) prefix-cache queries."),
    ("vllm:external_prefix_cache_hits_total", C, "tokens", "External (KV connector) prefix-cache hits."),
    ("vllm:spec_decode_num_drafts_total", C, "drafts", "Speculative-decoding drafts."),
    ("vllm:spec_decode_num_draft_tokens_total", C, "tokens", "Speculative-decoding draft tokens."),
    ("vllm:spec_decode_num_accepted_tokens_total", C, "tokens", "Speculative-decoding accepted tokens."),
    ("vllm:spec_decode_num_accepted_tokens_per_pos_total", C, "tokens", "Accepted tokens per draft position."),
    ("vllm:corrupted_requests_total", C, "requests", "Requests with NaN logits."),
    ("vllm:iteration_tokens_total", H, "tokens", "Tokens per engine step (a histogram despite the suffix)."),
    ("vllm:inter_token_latency_seconds", H, "s", "Time between output tokens."),
    ("vllm:request_time_per_output_token_seconds", H, "s", "Mean time per output token, per request."),
    ("vllm:request_queue_time_seconds", H, "s", "Time a request spent waiting (queue)."),
    ("vllm:request_inference_time_seconds", H, "s", "Time a request spent running."),
    ("vllm:request_prefill_time_seconds", H, "s", "Time a request spent in prefill."),
    ("vllm:request_decode_time_seconds", H, "s", "Time a request spent in decode."),
    ("vllm:request_max_num_generation_tokens", H, "tokens", "Requested max generation tokens per request."),
    ("vllm:request_params_n", H, "choices", "The n request parameter."),
    ("vllm:request_params_max_tokens", H, "tokens", "The max_tokens request parameter."),
    ("vllm:request_prefill_kv_computed_tokens", H, "tokens", "Prefill tokens computed (not from cache)."),
    ("vllm:model_forward_time_milliseconds", H, "ms", "Model forward time (V0, with detailed tracing)."),
    ("vllm:model_execute_time_milliseconds", H, "ms", "Model execute time (V0, with detailed tracing)."),
)
#: The vLLM production-stack router: every family is a Gauge with a ``server`` label.
VLLM_ROUTER = _family(
    "vllm-router", ("server",),
    ("vllm:current_qps", G, "reqps", "Requests per second the router sends to one engine."),
    ("vllm:avg_decoding_length", G, "tokens", "Average decoding length."),
    ("vllm:num_prefill_requests", G, "requests", "Requests in prefill."),
    ("vllm:num_decoding_requests", G, "requests", "Requests in decode."),
    ("vllm:healthy_pods_total", G, "pods", "Healthy engine pods (a gauge despite the suffix)."),
    ("vllm:avg_latency", G, "s", "Average end-to-end latency the router saw."),
    ("vllm:avg_itl", G, "s", "Average inter-token latency the router saw."),
    ("vllm:num_incoming_requests", G, "requests", "Requests the router received."),
)
#: NVIDIA NIM for LLMs (``/v1/metrics``, no prefix).
NIM = _family(
    "nim", ("model_name",),
    ("gpu_cache_usage_perc", G, "ratio", "GPU KV-cache usage, 0-1 (1 = 100 %)."),
    ("num_requests_running", G, "requests", "Requests running on the GPU."),
    ("num_requests_waiting", G, "requests", "Requests waiting."),
    ("num_request_max", G, "requests", "Most requests the model runs at once."),
    ("prompt_tokens_total", C, "tokens", "Prefill tokens processed."),
    ("generation_tokens_total", C, "tokens", "Tokens generated."),
    ("request_success_total", C, "requests", "Successful requests."),
    ("request_failure_total", C, "requests", "Failed requests."),
    ("request_finish_total", C, "requests", "Finished requests."),
    ("time_to_first_token_seconds", H, "s", "Time to first token."),
    ("time_per_output_token_seconds", H, "s", "Time per output token."),
    ("e2e_request_latency_seconds", H, "s", "End-to-end request latency."),
    ("request_prompt_tokens", H, "tokens", "Prompt tokens per request."),
    ("request_generation_tokens", H, "tokens", "Generated tokens per request."),
    ("gpu_utilization", G, "ratio", "GPU utilisation, 0-1 (non-LLM NIMs)."),
    ("gpu_power_usage_watts", G, "W", "GPU power draw (non-LLM NIMs)."),
    ("gpu_memory_used_bytes", G, "bytes", "GPU memory in use (non-LLM NIMs)."),
    ("gpu_memory_total_bytes", G, "bytes", "GPU memory in total (non-LLM NIMs)."),
)
#: KServe's model server (Python ``kserve`` and the queue proxy's Knative families).
KSERVE = _family(
    "kserve", ("model_name",),
    ("request_preprocess_seconds", H, "s", "Pre-processing latency."),
    ("request_predict_seconds", H, "s", "Predict latency."),
    ("request_postprocess_seconds", H, "s", "Post-processing latency."),
    ("request_explain_seconds", H, "s", "Explain latency."),
    ("revision_app_request_count", C, "requests", "Requests the queue proxy passed to the app (Knative)."),
    ("revision_app_request_latencies", H, "ms", "App request latency (Knative)."),
    ("revision_request_count", C, "requests", "Requests to the revision (Knative)."),
    ("revision_request_latencies", H, "ms", "Revision request latency (Knative)."),
)
#: Gateway API inference extension's endpoint picker (llm-d), old and new names.
INFERENCE_GATEWAY = _family(
    "inference-gateway", ("model_name", "target_model_name"),
    ("inference_model_request_total", C, "requests", "Requests per model."),
    ("inference_model_request_error_total", C, "requests", "Failed requests per model."),
    ("inference_model_request_duration_seconds", H, "s", "Request latency."),
    ("inference_model_request_sizes", H, "bytes", "Request size."),
    ("inference_model_response_sizes", H, "bytes", "Response size."),
    ("inference_model_input_tokens", H, "tokens", "Input tokens per request."),
    ("inference_model_output_tokens", H, "tokens", "Output tokens per request."),
    ("inference_model_running_requests", G, "requests", "Running requests per model."),
    ("inference_objective_request_total", C, "requests", "Requests per objective."),
    ("inference_objective_request_error_total", C, "requests", "Failed requests per objective."),
    ("inference_objective_request_duration_seconds", H, "s", "Request latency per objective."),
    ("inference_objective_running_requests", G, "requests", "Running requests per objective."),
    ("inference_pool_average_kv_cache_utilization", G, "ratio", "Average KV-cache utilisation of a pool, 0-1."),
    ("inference_pool_average_queue_size", G, "requests", "Average queue size of a pool."),
    ("inference_pool_per_pod_queue_size", G, "requests", "Queue size of each pod of a pool."),
    ("inference_pool_ready_pods", G, "pods", "Ready pods in a pool."),
)
KUBE_STATE = _family(
    "kube-state-metrics", ("namespace", "pod"),
    ("kube_pod_info", G, "info", "Pod information (labels)."),
    ("kube_pod_status_phase", G, "boolean", "1 for the pod's current phase."),
    ("kube_pod_status_ready", G, "boolean", "1 when the pod is ready, by condition."),
    ("kube_pod_container_status_ready", G, "boolean", "1 when the container is ready."),
    ("kube_pod_container_status_running", G, "boolean", "1 when the container is running."),
    ("kube_pod_container_status_waiting_reason", G, "boolean", "1 for the reason a container waits."),
    ("kube_pod_container_status_last_terminated_reason", G, "boolean", "1 for why a container last ended."),
    ("kube_pod_container_status_restarts_total", C, "restarts", "Container restarts."),
    ("kube_pod_container_resource_requests", G, "short", "Requested resources, by resource."),
    ("kube_pod_container_resource_limits", G, "short", "Resource limits, by resource."),
    ("kube_deployment_spec_replicas", G, "pods", "Desired replicas of a deployment."),
    ("kube_deployment_status_replicas", G, "pods", "Replicas of a deployment."),
    ("kube_deployment_status_replicas_available", G, "pods", "Available replicas of a deployment."),
    ("kube_deployment_status_replicas_ready", G, "pods", "Ready replicas of a deployment."),
    ("kube_statefulset_status_replicas_ready", G, "pods", "Ready replicas of a statefulset."),
    ("kube_horizontalpodautoscaler_status_current_replicas", G, "pods", "HPA current replicas."),
    ("kube_horizontalpodautoscaler_status_desired_replicas", G, "pods", "HPA desired replicas."),
    ("kube_horizontalpodautoscaler_spec_max_replicas", G, "pods", "HPA maximum replicas."),
    ("kube_horizontalpodautoscaler_spec_min_replicas", G, "pods", "HPA minimum replicas."),
    ("kube_node_status_capacity", G, "short", "Node capacity, by resource."),
    ("kube_node_status_allocatable", G, "short", "Node allocatable resources, by resource."),
    ("kube_node_info", G, "info", "Node information (labels)."),
)
#: cAdvisor (through the kubelet), besides the two families in :mod:`triton_dash.metrics.core`.
CADVISOR = _family(
    "cadvisor", ("namespace", "pod", "container", "name"),
    ("container_memory_usage_bytes", G, "bytes", "Memory in use, page cache included."),
    ("container_memory_rss", G, "bytes", "Resident memory."),
    ("container_memory_cache", G, "bytes", "Page cache."),
    ("container_spec_memory_limit_bytes", G, "bytes", "Memory limit."),
    ("container_spec_cpu_quota", G, "short", "CPU quota (CFS)."),
    ("container_cpu_cfs_periods_total", C, "periods", "CFS enforcement periods."),
    ("container_cpu_cfs_throttled_periods_total", C, "periods", "Throttled CFS periods."),
    ("container_cpu_cfs_throttled_seconds_total", C, "s", "Time throttled."),
    ("container_network_receive_bytes_total", C, "bytes", "Bytes received."),
    ("container_network_transmit_bytes_total", C, "bytes", "Bytes sent."),
    ("container_fs_reads_bytes_total", C, "bytes", "Bytes read."),
    ("container_fs_writes_bytes_total", C, "bytes", "Bytes written."),
    ("container_last_seen", G, "s", "When the container was last seen (Unix time)."),
    ("container_oom_events_total", C, "events", "OOM kills."),
)
#: node-exporter basics the same dashboards show.
NODE = _family(
    "node-exporter", (),
    ("node_cpu_seconds_total", C, "s", "CPU time by mode."),
    ("node_memory_MemTotal_bytes", G, "bytes", "Memory in total."),
    ("node_memory_MemAvailable_bytes", G, "bytes", "Memory available."),
    ("node_memory_MemFree_bytes", G, "bytes", "Memory free."),
    ("node_load1", G, "short", "1-minute load average."),
    ("node_filesystem_avail_bytes", G, "bytes", "Filesystem space available."),
    ("node_filesystem_size_bytes", G, "bytes", "Filesystem size."),
    ("node_network_receive_bytes_total", C, "bytes", "Bytes received."),
    ("node_network_transmit_bytes_total", C, "bytes", "Bytes sent."),
    ("process_cpu_seconds_total", C, "s", "CPU time of the process."),
    ("process_resident_memory_bytes", G, "bytes", "Resident memory of the process."),
)

FOREIGN_FAMILIES: tuple[Metric, ...] = (*VLLM_UPSTREAM, *VLLM_ROUTER, *NIM, *KSERVE, *INFERENCE_GATEWAY,
                                        *KUBE_STATE, *CADVISOR, *NODE)

#: Upstream vLLM histograms whose bucket layout follows each model's configuration (max_model_len, batched
#: tokens), so buckets of different models must not be summed into one layout. (A NIM serves one model.)
PER_MODEL_BUCKETS: frozenset[str] = frozenset({
    "vllm:request_max_num_generation_tokens", "vllm:request_params_max_tokens", "vllm:iteration_tokens_total",
    "vllm:request_prefill_kv_computed_tokens",
})
