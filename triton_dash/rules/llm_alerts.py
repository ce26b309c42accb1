"""The LLM-serving alerts: KV cache, time to first token, waiting and active requests."""

from __future__ import annotations

from typing import Any

from .. import metrics as m
from .. import queries as q
from ..profile.alerts import AlertConfig
from ..queries.llm import MS_PER_S
from .alert import alert, model_words

__all__ = ["llm_alerts"]


def llm_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    sel, by = config.selector, config.grouping
    model = model_words(config)
    ttft = (f"({q.histogram_quantile(m.FIRST_RESPONSE_HISTOGRAM, '0.95', sel, by, divide_by=MS_PER_S)}) "
            f"or ({q.histogram_quantile(m.VLLM_TIME_TO_FIRST_TOKEN, '0.95', sel, by)})")
    waiting = q.category_gauge(m.TRTLLM_REQUESTS, "request_type", ("waiting",), sel, by, keep_category=False)
    return [
        alert("TritonLlmKvCacheHigh", f"{q.kv_cache_used_ratio(sel, by)} > {config.kv_cache_ratio:g}",
               config.kv_cache_for, "warning",
               "A TensorRT-LLM model's KV cache is almost full.",
               f"{{{{ $value | humanizePercentage }}}} of the KV-cache blocks of {model} are in use (threshold "
               f"{config.kv_cache_ratio:.0%}): new requests wait or reusable blocks are evicted; add replicas or give "
               "the cache more GPU memory (kv_cache_free_gpu_mem_fraction)."),
        alert("TritonLlmTimeToFirstTokenHigh", f"({ttft}) > {config.ttft_p95_seconds:g}",
               config.ttft_for, "warning",
               "Time to first token is too high for an LLM served by Triton.",
               f"The 95th percentile time to first response of {model} is {{{{ $value | humanizeDuration }}}} "
               f"over the last {config.rate_window} (threshold {config.ttft_p95_seconds:g}s): look at queued "
               "and waiting requests and KV-cache use; add replicas if the engine is saturated."),
        alert("TritonLlmWaitingRequestsGrowing",
               f"{waiting} > {config.llm_waiting_requests:g} and deriv(({waiting})[{config.llm_waiting_for}:1m]) > 0",
               config.llm_waiting_for, "warning",
               "Requests keep piling up inside a TensorRT-LLM engine.",
               f"{{{{ $value }}}} requests to {model} wait inside the TensorRT-LLM engine and the backlog has "
               f"grown for {config.llm_waiting_for}: the engine admits fewer requests than arrive."),
        alert("TritonLlmActiveRequestsAtMax", f"{q.trtllm_active_ratio(sel, by)} >= 1",
               config.llm_active_at_max_for, "warning",
               "A TensorRT-LLM engine runs at its maximum number of requests.",
               f"{model} has had as many active requests as its engine admits (max) for "
               f"{config.llm_active_at_max_for}: further requests queue in Triton; raise max_batch_size / "
               "max_num_sequences if memory allows, or add replicas."),
    ]
