"""The LLM part of the synthetic fleet: histograms from two pods, TensorRT-LLM gauges, vLLM counters.

Histograms are given as observations per second in each bucket (not cumulative)
and a mean; the generator writes the cumulative ``_bucket`` counters, ``_sum``
and ``_count`` exactly as a Prometheus client would. The oracle merges the same
per-bucket rates and applies Prometheus' own interpolation.

Scenarios: the core first-response histogram for one model on two pods with
different distributions (the fleet quantile is not the average of the pods'),
a vLLM model on two pods and an idle vLLM model (every rate 0: its quantiles
are NaN and must be left out), a TensorRT-LLM model on two pods with every
category of every gauge present, and its token-length histograms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from triton_dash import metrics as m

A, B = "pod-a:8002", "pod-b:8002"
TTFT_MS_BOUNDS = (100.0, 500.0, 2000.0, 5000.0)  # Triton's default first-response buckets
VLLM_TTFT_BOUNDS = (0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5)
VLLM_TPOT_BOUNDS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2)
VLLM_E2E_BOUNDS = (1.0, 2.5, 5.0, 10.0, 15.0, 20.0)
TOKEN_BOUNDS = (10.0, 50.0, 100.0, 500.0, 1000.0)  # TensorRT-LLM's token-length buckets
VLLM_TOKEN_BOUNDS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0)
# A second vLLM model with max_model_len 512: vLLM's token buckets stop at it (1-2-5 steps), so its layout
# differs from the first model's; and per-model first-response buckets (model_metrics in config.pbtxt).
SMALL_VLLM_TOKEN_BOUNDS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
FINE_TTFT_MS_BOUNDS = (50.0, 100.0, 250.0, 500.0, 1000.0)


def le_text(bound: float) -> str:
    """How a bucket bound is written in the ``le`` label ("+Inf" for the last)."""
    return "+Inf" if bound == float("inf") else f"{bound:g}"


@dataclass(frozen=True)
class Histogram:
    """One histogram family for one model version on one pod, as steady per-bucket rates."""

    family: str
    model: str
    version: str
    instance: str
    bounds: tuple[float, ...]  # finite upper bounds
    per_bucket: tuple[float, ...]  # observations/s in each bucket; one more than bounds (the +Inf bucket)
    mean: float  # mean observation (sets _sum)
    extra: Mapping[str, str] = field(default_factory=dict)  # category labels, e.g. response_metric_type

    def __post_init__(self) -> None:
        assert len(self.per_bucket) == len(self.bounds) + 1, self

    @property
    def count_rate(self) -> float:
        return sum(self.per_bucket)

    def cumulative(self) -> list[tuple[float, float]]:
        """(upper bound, cumulative rate), +Inf last."""
        out, running = [], 0.0
        for bound, rate in zip((*self.bounds, float("inf")), self.per_bucket, strict=True):
            running += rate
            out.append((bound, running))
        return out


@dataclass(frozen=True)
class TrtLlmState:
    """The TensorRT-LLM backend's gauges for one model version on one pod, one value per category."""

    model: str
    version: str
    instance: str
    requests: Mapping[str, float]  # request_type -> value
    kv_blocks: Mapping[str, float]  # kv_cache_block_type -> value
    memory: Mapping[str, float]  # memory_type -> bytes
    batcher: Mapping[str, float]  # inflight_batcher_specific_metric -> value


@dataclass(frozen=True)
class TokenCounters:
    """vLLM's prompt and generation token counters for one model version on one pod."""

    model: str
    version: str
    instance: str
    prompt: float  # tokens/s
    generation: float


@dataclass(frozen=True)
class LlmFleet:
    histograms: tuple[Histogram, ...]
    trtllm: tuple[TrtLlmState, ...]
    tokens: tuple[TokenCounters, ...]


def _idle(family: str, model: str, bounds: tuple[float, ...]) -> Histogram:
    return Histogram(family, model, "1", A, bounds, (0.0,) * (len(bounds) + 1), 0.0)


FR, TTFT, TPOT, E2E = (m.FIRST_RESPONSE_HISTOGRAM.name, m.VLLM_TIME_TO_FIRST_TOKEN.name,
                       m.VLLM_TIME_PER_OUTPUT_TOKEN.name, m.VLLM_E2E_LATENCY.name)
PROMPT_LEN, GEN_LEN = m.VLLM_REQUEST_PROMPT_TOKENS.name, m.VLLM_REQUEST_GENERATION_TOKENS.name
IN_LEN, OUT_LEN = m.TRTLLM_INPUT_TOKEN_LEN.name, m.TRTLLM_OUTPUT_TOKEN_LEN.name
IN_TYPE, OUT_TYPE = {"response_metric_type": "total_input_tokens"}, {"response_metric_type": "total_output_tokens"}

LLM_FLEET = LlmFleet(
    histograms=(
        # core first response (ms): pod A fast, pod B slow and busier
        Histogram(FR, "llama", "1", A, TTFT_MS_BOUNDS, (6.0, 3.0, 1.0, 0.0, 0.0), mean=260.0),
        Histogram(FR, "llama", "1", B, TTFT_MS_BOUNDS, (2.0, 6.0, 8.0, 3.0, 1.0), mean=1900.0),
        _idle(FR, "vllm-idle", TTFT_MS_BOUNDS),
        # vLLM on two pods
        Histogram(TTFT, "vllm-llama", "1", A, VLLM_TTFT_BOUNDS,
                  (0, 0, 1.0, 2.0, 3.0, 2.0, 1.5, 0.5, 0, 0, 0, 0), mean=0.07),
        Histogram(TTFT, "vllm-llama", "1", B, VLLM_TTFT_BOUNDS,
                  (0, 0, 0, 0, 0.5, 1.0, 2.0, 1.5, 1.0, 0.5, 0.3, 0.2), mean=0.4),
        Histogram(TPOT, "vllm-llama", "1", A, VLLM_TPOT_BOUNDS, (100.0, 300.0, 80.0, 20.0, 0, 0, 0, 0), mean=0.02),
        Histogram(TPOT, "vllm-llama", "1", B, VLLM_TPOT_BOUNDS, (0, 50.0, 150.0, 100.0, 50.0, 25.0, 10.0, 5.0),
                  mean=0.06),
        Histogram(E2E, "vllm-llama", "1", A, VLLM_E2E_BOUNDS, (2.0, 4.0, 4.0, 0, 0, 0, 0), mean=2.6),
        Histogram(E2E, "vllm-llama", "1", B, VLLM_E2E_BOUNDS, (0, 1.0, 2.0, 3.0, 1.0, 0.5, 0.5), mean=7.5),
        Histogram(PROMPT_LEN, "vllm-llama", "1", A, VLLM_TOKEN_BOUNDS, (0, 0, 0, 0, 1.0, 2.0, 3.0, 2.0, 1.5, 0.5, 0, 0),
                  mean=140.0),
        Histogram(PROMPT_LEN, "vllm-llama", "1", B, VLLM_TOKEN_BOUNDS,
                  (0, 0, 0, 0, 0, 0, 1.0, 2.0, 2.0, 2.0, 1.0, 0.0), mean=520.0),
        Histogram(GEN_LEN, "vllm-llama", "1", A, VLLM_TOKEN_BOUNDS, (0, 0, 0, 1.0, 2.0, 3.0, 2.0, 1.0, 1.0, 0, 0, 0),
                  mean=80.0),
        Histogram(GEN_LEN, "vllm-llama", "1", B, VLLM_TOKEN_BOUNDS, (0, 0, 0, 0, 0, 1.0, 3.0, 3.0, 1.0, 0, 0, 0),
                  mean=150.0),
        _idle(TTFT, "vllm-idle", VLLM_TTFT_BOUNDS), _idle(TPOT, "vllm-idle", VLLM_TPOT_BOUNDS),
        _idle(E2E, "vllm-idle", VLLM_E2E_BOUNDS), _idle(PROMPT_LEN, "vllm-idle", VLLM_TOKEN_BOUNDS),
        _idle(GEN_LEN, "vllm-idle", VLLM_TOKEN_BOUNDS),
        # the second vLLM model, other bucket layouts: short prompts, custom first-response buckets
        Histogram(PROMPT_LEN, "vllm-small", "1", A, SMALL_VLLM_TOKEN_BOUNDS,
                  (0, 0, 1.0, 2.0, 4.0, 2.0, 1.0, 0.5, 0.5, 0), mean=30.0),
        Histogram(GEN_LEN, "vllm-small", "1", A, SMALL_VLLM_TOKEN_BOUNDS, (0, 1.0, 3.0, 3.0, 2.0, 1.0, 0, 0, 0, 0),
                  mean=9.0),
        Histogram(FR, "vllm-small", "1", A, FINE_TTFT_MS_BOUNDS, (2.0, 4.0, 3.0, 1.0, 0.0, 0.0), mean=120.0),
        # TensorRT-LLM token lengths on two pods
        Histogram(IN_LEN, "trt-llama", "1", A, TOKEN_BOUNDS, (0, 1.0, 2.0, 4.0, 1.0, 0.0), mean=180.0, extra=IN_TYPE),
        Histogram(IN_LEN, "trt-llama", "1", B, TOKEN_BOUNDS, (0, 0, 1.0, 3.0, 3.0, 1.0), mean=520.0, extra=IN_TYPE),
        Histogram(OUT_LEN, "trt-llama", "1", A, TOKEN_BOUNDS, (1.0, 3.0, 3.0, 1.0, 0, 0), mean=60.0, extra=OUT_TYPE),
        Histogram(OUT_LEN, "trt-llama", "1", B, TOKEN_BOUNDS, (0, 2.0, 3.0, 3.0, 0, 0), mean=110.0, extra=OUT_TYPE),
    ),
    trtllm=(
        TrtLlmState("trt-llama", "1", A,
                    requests={"active": 40, "max": 64, "scheduled": 32, "context": 8, "waiting": 8},
                    kv_blocks={"max": 1000, "free": 100, "used": 900, "tokens_per": 64, "reused": 50,
                               "fraction": 0.9},
                    memory={"gpu": 40e9, "cpu": 2e9, "pinned": 1e9},
                    batcher={"total_context_tokens": 2048, "generation_requests": 24, "micro_batch_id": 0,
                             "paused_requests": 3}),
        TrtLlmState("trt-llama", "1", B,
                    requests={"active": 64, "max": 64, "scheduled": 48, "context": 10, "waiting": 16},
                    kv_blocks={"max": 2000, "free": 1500, "used": 500, "tokens_per": 64, "reused": 20,
                               "fraction": 0.25},
                    memory={"gpu": 60e9, "cpu": 3e9, "pinned": 2e9},
                    batcher={"total_context_tokens": 1024, "generation_requests": 38, "micro_batch_id": 1,
                             "paused_requests": 0}),
    ),
    tokens=(
        TokenCounters("vllm-llama", "1", A, prompt=1400.0, generation=800.0),
        TokenCounters("vllm-llama", "1", B, prompt=4160.0, generation=1200.0),
        TokenCounters("vllm-idle", "1", A, prompt=0.0, generation=0.0),
    ),
)
