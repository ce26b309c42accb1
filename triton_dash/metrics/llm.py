"""Families for LLM serving: Triton core's first-response histogram, the vLLM and TensorRT-LLM backends.

Facts (names, types, labels, first releases, switches) from the backends' source
as summarised in the project's LLM metrics reference:

- core ``nv_inference_first_response_histogram_ms``: 24.11+, only with
  ``--metrics-config histogram_latencies=true``, and for decoupled models only
  before 26.01; buckets in whole milliseconds (default 100, 500, 2000, 5000).
- vLLM backend ``vllm:*``: labels ``model``, ``version`` (not vLLM's own
  ``model_name``), only with ``REPORT_CUSTOM_METRICS`` in the model config and
  ``disable_log_stats`` false; no gauges at all (no running/waiting/KV cache).
- TensorRT-LLM backend ``nv_trt_llm_*``: gauges with one category label each
  (``request_type``, ``kv_cache_block_type``, ``memory_type``,
  ``inflight_batcher_specific_metric``), never to be summed across categories;
  ``nv_llm_*_token_len`` histograms from TensorRT-LLM v0.16 (Triton 25.02).
"""

from __future__ import annotations

from ._family import PER_MODEL, Metric, MetricKind

__all__ = [
    "FIRST_RESPONSE_HISTOGRAM",
    "LLM_FAMILIES",
    "TRTLLM_INFLIGHT_BATCHER",
    "TRTLLM_INPUT_TOKEN_LEN",
    "TRTLLM_KV_CACHE_BLOCKS",
    "TRTLLM_OUTPUT_TOKEN_LEN",
    "TRTLLM_REQUESTS",
    "TRTLLM_RUNTIME_MEMORY",
    "VLLM_E2E_LATENCY",
    "VLLM_GENERATION_TOKENS",
    "VLLM_PROMPT_TOKENS",
    "VLLM_REQUEST_GENERATION_TOKENS",
    "VLLM_REQUEST_PROMPT_TOKENS",
    "VLLM_TIME_PER_OUTPUT_TOKEN",
    "VLLM_TIME_TO_FIRST_TOKEN",
]

C, G, H = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.HISTOGRAM
_VLLM_ON = "REPORT_CUSTOM_METRICS: \"true\" in the model's config.pbtxt and disable_log_stats false in model.json"

FIRST_RESPONSE_HISTOGRAM = Metric(
    "nv_inference_first_response_histogram_ms", H, "ms", PER_MODEL,
    "Time from request to first response, whole milliseconds (decoupled models only before 26.01).",
    since="24.11", enable="--metrics-config histogram_latencies=true (decoupled models only before 26.01)")

# --- vLLM backend (vllm_backend src/utils/metrics.py)
VLLM_PROMPT_TOKENS = Metric("vllm:prompt_tokens_total", C, "tokens", PER_MODEL, "Prompt tokens processed.",
                            "vllm", since="24.08", enable=_VLLM_ON)
VLLM_GENERATION_TOKENS = Metric("vllm:generation_tokens_total", C, "tokens", PER_MODEL, "Tokens generated.",
                                "vllm", since="24.08", enable=_VLLM_ON)
VLLM_TIME_TO_FIRST_TOKEN = Metric("vllm:time_to_first_token_seconds", H, "s", PER_MODEL,
                                  "Time to first token.", "vllm", since="24.08", enable=_VLLM_ON)
VLLM_TIME_PER_OUTPUT_TOKEN = Metric("vllm:time_per_output_token_seconds", H, "s", PER_MODEL,
                                    "Time between output tokens (inter-token latency samples since 25.10).",
                                    "vllm", since="24.08", enable=_VLLM_ON)
VLLM_E2E_LATENCY = Metric("vllm:e2e_request_latency_seconds", H, "s", PER_MODEL,
                          "End-to-end latency of finished requests.", "vllm", since="24.09", enable=_VLLM_ON)
VLLM_REQUEST_PROMPT_TOKENS = Metric("vllm:request_prompt_tokens", H, "tokens", PER_MODEL,
                                    "Prompt length of finished requests.", "vllm", since="24.09", enable=_VLLM_ON)
VLLM_REQUEST_GENERATION_TOKENS = Metric("vllm:request_generation_tokens", H, "tokens", PER_MODEL,
                                        "Generated length of finished requests.", "vllm", since="24.09",
                                        enable=_VLLM_ON)

# --- TensorRT-LLM backend (custom_metrics_reporter.cc): gauges with one category label each
TRTLLM_REQUESTS = Metric("nv_trt_llm_request_metrics", G, "requests", (*PER_MODEL, "request_type"),
                         "Requests by request_type: active, max, scheduled, context, waiting (= active - scheduled).",
                         "tensorrt_llm", since="24.01")
TRTLLM_RUNTIME_MEMORY = Metric("nv_trt_llm_runtime_memory_metrics", G, "bytes", (*PER_MODEL, "memory_type"),
                               "Runtime memory by memory_type: cpu, gpu, pinned.", "tensorrt_llm", since="24.01")
TRTLLM_KV_CACHE_BLOCKS = Metric("nv_trt_llm_kv_cache_block_metrics", G, "blocks",
                                (*PER_MODEL, "kv_cache_block_type"),
                                "KV-cache blocks by kv_cache_block_type: max, free, used, tokens_per, reused, "
                                "fraction (= used / max).", "tensorrt_llm", since="24.01")
TRTLLM_INFLIGHT_BATCHER = Metric("nv_trt_llm_inflight_batcher_metrics", G, "short",
                                 (*PER_MODEL, "inflight_batcher_specific_metric"),
                                 "In-flight batcher per iteration: total_context_tokens, generation_requests, "
                                 "micro_batch_id, paused_requests.", "tensorrt_llm", since="24.01",
                                 enable="an in-flight batching (IFB) model (V1 models report nv_trt_llm_v1_metrics)")
TRTLLM_INPUT_TOKEN_LEN = Metric("nv_llm_input_token_len", H, "tokens", (*PER_MODEL, "response_metric_type"),
                                "Input tokens per finished request.", "tensorrt_llm", since="25.02")
TRTLLM_OUTPUT_TOKEN_LEN = Metric("nv_llm_output_token_len", H, "tokens", (*PER_MODEL, "response_metric_type"),
                                 "Output tokens per finished request.", "tensorrt_llm", since="25.02")

LLM_FAMILIES: tuple[Metric, ...] = (
    FIRST_RESPONSE_HISTOGRAM,
    VLLM_PROMPT_TOKENS, VLLM_GENERATION_TOKENS, VLLM_TIME_TO_FIRST_TOKEN, VLLM_TIME_PER_OUTPUT_TOKEN,
    VLLM_E2E_LATENCY, VLLM_REQUEST_PROMPT_TOKENS, VLLM_REQUEST_GENERATION_TOKENS,
    TRTLLM_REQUESTS, TRTLLM_RUNTIME_MEMORY, TRTLLM_KV_CACHE_BLOCKS, TRTLLM_INFLIGHT_BATCHER,
    TRTLLM_INPUT_TOKEN_LEN, TRTLLM_OUTPUT_TOKEN_LEN,
)
