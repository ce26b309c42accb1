"""The metric catalogue: every metric family triton_dash reads, and nothing else.

Queries, lint checks and the known-answer tests look metric names up here; no
other module spells a metric name. Each entry says what Prometheus type the
family has, its unit, which labels it carries, who exposes it, from which
Triton release and behind which switch.

- :mod:`triton_dash.metrics.core`: Triton core, host, GPU, Prometheus, cAdvisor;
- :mod:`triton_dash.metrics.llm`: the first-response histogram, vLLM, TensorRT-LLM;
- :mod:`triton_dash.metrics.slo`: the series the SLO rules record, and ``ALERTS``;
- :mod:`triton_dash.metrics.unread` and :mod:`triton_dash.metrics.foreign`: families no panel
  reads (Triton's own, and upstream vLLM, NIM, KServe, llm-d, kube-state-metrics ...), known to
  ``lint`` through :func:`identify`.

Usage::

    from triton_dash.metrics import CATALOGUE, INFERENCE_REQUEST_SUCCESS, lookup
    assert INFERENCE_REQUEST_SUCCESS.kind is MetricKind.COUNTER
    CATALOGUE["nv_gpu_utilization"].labels  # ('gpu_uuid',)
    lookup("vllm:time_to_first_token_seconds_bucket").labels  # ('model', 'version', 'le')
"""

from __future__ import annotations

from . import slo
from ._family import (
    BACKENDS,
    HISTOGRAM_PARTS,
    PER_MODEL,
    SCRAPE,
    Metric,
    MetricKind,
)
from .core import (
    CACHE_HIT_DURATION_PER_MODEL,
    CACHE_NUM_ENTRIES,
    CACHE_NUM_HITS_PER_MODEL,
    CACHE_UTIL,
    CONTAINER_CPU_USAGE,
    CONTAINER_MEMORY_WORKING_SET,
    CORE_FAMILIES,
    CPU_MEMORY_TOTAL,
    CPU_MEMORY_USED,
    CPU_UTILIZATION,
    ENERGY_CONSUMPTION,
    GPU_MEMORY_TOTAL,
    GPU_MEMORY_USED,
    GPU_POWER_LIMIT,
    GPU_POWER_USAGE,
    GPU_UTILIZATION,
    INFERENCE_COMPUTE_INFER_DURATION,
    INFERENCE_COMPUTE_INFER_SUMMARY,
    INFERENCE_COMPUTE_INPUT_DURATION,
    INFERENCE_COMPUTE_OUTPUT_DURATION,
    INFERENCE_COUNT,
    INFERENCE_EXEC_COUNT,
    INFERENCE_PENDING_REQUEST_COUNT,
    INFERENCE_QUEUE_DURATION,
    INFERENCE_QUEUE_SUMMARY,
    INFERENCE_REQUEST_DURATION,
    INFERENCE_REQUEST_FAILURE,
    INFERENCE_REQUEST_SUCCESS,
    INFERENCE_REQUEST_SUMMARY,
    PINNED_MEMORY_TOTAL,
    PINNED_MEMORY_USED,
    PROBE_DURATION,
    PROBE_SUCCESS,
    PROMETHEUS_HEAD_SERIES,
    PROMETHEUS_SAMPLES_APPENDED,
    SCRAPE_DURATION,
    UP,
)
from .dcgm import (
    DCGM_CORRECTABLE_REMAPPED_ROWS,
    DCGM_DEC_UTIL,
    DCGM_DEFAULT_CSV,
    DCGM_DRAM_ACTIVE,
    DCGM_ENC_UTIL,
    DCGM_FAMILIES,
    DCGM_FB_FREE,
    DCGM_FB_RESERVED,
    DCGM_FB_TOTAL,
    DCGM_FB_USED,
    DCGM_GPU_LABELS,
    DCGM_GPU_TEMP,
    DCGM_GPU_UTIL,
    DCGM_GR_ENGINE_ACTIVE,
    DCGM_MEM_CLOCK,
    DCGM_MEM_COPY_UTIL,
    DCGM_MEMORY_TEMP,
    DCGM_MIG_LABELS,
    DCGM_NAMESPACE_LABEL,
    DCGM_NVLINK_BANDWIDTH_TOTAL,
    DCGM_PCIE_REPLAY_COUNTER,
    DCGM_PCIE_RX_BYTES,
    DCGM_PCIE_TX_BYTES,
    DCGM_PIPE_FP16_ACTIVE,
    DCGM_PIPE_FP32_ACTIVE,
    DCGM_PIPE_FP64_ACTIVE,
    DCGM_POD_LABELS,
    DCGM_POWER_LIMIT,
    DCGM_POWER_USAGE,
    DCGM_ROW_REMAP_FAILURE,
    DCGM_SM_ACTIVE,
    DCGM_SM_CLOCK,
    DCGM_SM_OCCUPANCY,
    DCGM_TENSOR_ACTIVE,
    DCGM_TOTAL_ENERGY_CONSUMPTION,
    DCGM_UNCORRECTABLE_REMAPPED_ROWS,
    DCGM_VGPU_LICENSE_STATUS,
    DCGM_XID_ERRORS,
    DCGM_XID_ERRORS_COUNT,
    HONOR_LABELS_FALSE_LABELS,
    MIB,
    GpuSource,
)
from .foreign import FOREIGN_FAMILIES
from .llm import (
    FIRST_RESPONSE_HISTOGRAM,
    LLM_FAMILIES,
    TRTLLM_INFLIGHT_BATCHER,
    TRTLLM_INPUT_TOKEN_LEN,
    TRTLLM_KV_CACHE_BLOCKS,
    TRTLLM_OUTPUT_TOKEN_LEN,
    TRTLLM_REQUESTS,
    TRTLLM_RUNTIME_MEMORY,
    VLLM_E2E_LATENCY,
    VLLM_GENERATION_TOKENS,
    VLLM_PROMPT_TOKENS,
    VLLM_REQUEST_GENERATION_TOKENS,
    VLLM_REQUEST_PROMPT_TOKENS,
    VLLM_TIME_PER_OUTPUT_TOKEN,
    VLLM_TIME_TO_FIRST_TOKEN,
)
from .slo import SLO_FAMILIES
from .unread import UNREAD_FAMILIES

CATALOGUE: dict[str, Metric] = {m.name: m for m in (*CORE_FAMILIES, *LLM_FAMILIES, *DCGM_FAMILIES,
                                                    *SLO_FAMILIES)}
#: Every family lint knows: the catalogue, Triton's unread families, and the foreign ones met next to Triton.
KNOWN: dict[str, Metric] = {**{m.name: m for m in (*FOREIGN_FAMILIES, *UNREAD_FAMILIES, *DCGM_FAMILIES)},
                            **CATALOGUE}
_RECORDED_KNOWN: list[bool] = []


#: Families Triton no longer has (all gone in 20.06), and what replaced them.
REMOVED: dict[str, str] = {
    "nv_inference_compute_duration_us": "nv_inference_compute_input_duration_us, "
                                        "nv_inference_compute_infer_duration_us and "
                                        "nv_inference_compute_output_duration_us (per executed request)",
    "nv_inference_load_ratio": "the queue and request time per request (nv_inference_queue_duration_us / "
                               "nv_inference_request_success)",
}


def lookup(name: str, families: dict[str, Metric] | None = None) -> Metric | None:
    """The family (or the histogram/summary series, as a counter) that a series name belongs to; None if unknown."""
    families = CATALOGUE if families is None else families
    if name in families:
        return families[name]
    for suffix in HISTOGRAM_PARTS:
        family = families.get(name.removesuffix(suffix)) if name.endswith(suffix) else None
        if family is not None and family.kind in (MetricKind.HISTOGRAM, MetricKind.SUMMARY):
            try:
                return family.part(suffix)
            except ValueError:
                return None
    return None


def identify(name: str) -> Metric | None:
    """Like :func:`lookup`, over every family lint knows (:data:`KNOWN`, triton_dash's recorded series too)."""
    if not _RECORDED_KNOWN:
        from .recorded import EXECUTED_REQUESTS, OVERHEAD_DURATION, RECORDED

        KNOWN.update({m.name: m for m in (*RECORDED.values(), EXECUTED_REQUESTS, OVERHEAD_DURATION)})
        _RECORDED_KNOWN.append(True)
    return lookup(name, KNOWN)


def removed(name: str) -> str | None:
    """What replaced a removed family (``name`` may be a histogram series of it); None if not removed."""
    for family, replacement in REMOVED.items():
        if name == family or (name.startswith(family) and name[len(family):] in HISTOGRAM_PARTS):
            return replacement
    return None


__all__ = [
    "BACKENDS",
    "CACHE_HIT_DURATION_PER_MODEL",
    "CACHE_NUM_ENTRIES",
    "CACHE_NUM_HITS_PER_MODEL",
    "CACHE_UTIL",
    "CATALOGUE",
    "CONTAINER_CPU_USAGE",
    "CONTAINER_MEMORY_WORKING_SET",
    "CORE_FAMILIES",
    "CPU_MEMORY_TOTAL",
    "CPU_MEMORY_USED",
    "CPU_UTILIZATION",
    "DCGM_CORRECTABLE_REMAPPED_ROWS",
    "DCGM_DEC_UTIL",
    "DCGM_DEFAULT_CSV",
    "DCGM_DRAM_ACTIVE",
    "DCGM_ENC_UTIL",
    "DCGM_FAMILIES",
    "DCGM_FB_FREE",
    "DCGM_FB_RESERVED",
    "DCGM_FB_TOTAL",
    "DCGM_FB_USED",
    "DCGM_GPU_LABELS",
    "DCGM_GPU_TEMP",
    "DCGM_GPU_UTIL",
    "DCGM_GR_ENGINE_ACTIVE",
    "DCGM_MEMORY_TEMP",
    "DCGM_MEM_CLOCK",
    "DCGM_MEM_COPY_UTIL",
    "DCGM_MIG_LABELS",
    "DCGM_NAMESPACE_LABEL",
    "DCGM_NVLINK_BANDWIDTH_TOTAL",
    "DCGM_PCIE_REPLAY_COUNTER",
    "DCGM_PCIE_RX_BYTES",
    "DCGM_PCIE_TX_BYTES",
    "DCGM_PIPE_FP16_ACTIVE",
    "DCGM_PIPE_FP32_ACTIVE",
    "DCGM_PIPE_FP64_ACTIVE",
    "DCGM_POD_LABELS",
    "DCGM_POWER_LIMIT",
    "DCGM_POWER_USAGE",
    "DCGM_ROW_REMAP_FAILURE",
    "DCGM_SM_ACTIVE",
    "DCGM_SM_CLOCK",
    "DCGM_SM_OCCUPANCY",
    "DCGM_TENSOR_ACTIVE",
    "DCGM_TOTAL_ENERGY_CONSUMPTION",
    "DCGM_UNCORRECTABLE_REMAPPED_ROWS",
    "DCGM_VGPU_LICENSE_STATUS",
    "DCGM_XID_ERRORS",
    "DCGM_XID_ERRORS_COUNT",
    "ENERGY_CONSUMPTION",
    "FIRST_RESPONSE_HISTOGRAM",
    "GPU_MEMORY_TOTAL",
    "GPU_MEMORY_USED",
    "GPU_POWER_LIMIT",
    "GPU_POWER_USAGE",
    "GPU_UTILIZATION",
    "HISTOGRAM_PARTS",
    "HONOR_LABELS_FALSE_LABELS",
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
    "KNOWN",
    "LLM_FAMILIES",
    "MIB",
    "PER_MODEL",
    "PINNED_MEMORY_TOTAL",
    "PINNED_MEMORY_USED",
    "PROBE_DURATION",
    "PROBE_SUCCESS",
    "PROMETHEUS_HEAD_SERIES",
    "PROMETHEUS_SAMPLES_APPENDED",
    "REMOVED",
    "SCRAPE",
    "SCRAPE_DURATION",
    "SLO_FAMILIES",
    "TRTLLM_INFLIGHT_BATCHER",
    "TRTLLM_INPUT_TOKEN_LEN",
    "TRTLLM_KV_CACHE_BLOCKS",
    "TRTLLM_OUTPUT_TOKEN_LEN",
    "TRTLLM_REQUESTS",
    "TRTLLM_RUNTIME_MEMORY",
    "UP",
    "VLLM_E2E_LATENCY",
    "VLLM_GENERATION_TOKENS",
    "VLLM_PROMPT_TOKENS",
    "VLLM_REQUEST_GENERATION_TOKENS",
    "VLLM_REQUEST_PROMPT_TOKENS",
    "VLLM_TIME_PER_OUTPUT_TOKEN",
    "VLLM_TIME_TO_FIRST_TOKEN",
    "GpuSource",
    "Metric",
    "MetricKind",
    "identify",
    "lookup",
    "removed",
    "slo",
]
