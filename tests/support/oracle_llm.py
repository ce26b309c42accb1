"""Known answers for the "Triton LLM serving" dashboard, from the LLM fleet's own parameters.

Quantiles merge the pods' per-bucket rates and then interpolate exactly as
Prometheus' ``histogram_quantile`` does (linear inside the bucket, the lower
bound of the first bucket is 0, a rank in the +Inf bucket gives the last finite
bound); a model with no observations has no quantile. Means are total observed
over total observations. Gauges are summed per category value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import groupby

from .oracle import Expected, Oracle, labels
from .synthetic import Fleet
from .synthetic_llm import (
    E2E,
    FR,
    GEN_LEN,
    IN_LEN,
    LLM_FLEET,
    OUT_LEN,
    PROMPT_LEN,
    TPOT,
    TTFT,
    Histogram,
    LlmFleet,
    TrtLlmState,
    le_text,
)

MS = 1e3


def prometheus_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus 2.x ``bucketQuantile`` over (upper bound, cumulative count) pairs, +Inf last."""
    total = buckets[-1][1]
    if total == 0:
        return None  # NaN in Prometheus; the panel's ">= 0" drops it
    rank = q * total
    index = next((i for i, (_, count) in enumerate(buckets[:-1]) if count >= rank), len(buckets) - 1)
    if index == len(buckets) - 1:
        return buckets[-2][0]
    if index == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[index][0], buckets[index][1]
    if index > 0:
        start = buckets[index - 1][0]
        count -= buckets[index - 1][1]
        rank -= buckets[index - 1][1]
    return start + (end - start) * (rank / count)


def _merged(hs: list[Histogram]) -> list[tuple[float, float]]:
    bounds = hs[0].cumulative()
    assert all(h.bounds == hs[0].bounds for h in hs)
    return [(bound, sum(h.cumulative()[i][1] for h in hs)) for i, (bound, _) in enumerate(bounds)]


def _by_model(family: str, llm: LlmFleet) -> dict[tuple[str, str], list[Histogram]]:
    chosen = sorted((h for h in llm.histograms if h.family == family), key=lambda h: (h.model, h.version))
    return {key: list(group) for key, group in groupby(chosen, key=lambda h: (h.model, h.version))}


def quantile(family: str, q: str, scale: float = 1.0, llm: LlmFleet = LLM_FLEET) -> Oracle:
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for (model, version), hs in _by_model(family, llm).items():
            value = prometheus_quantile(float(q), _merged(hs))
            if value is not None:
                out[labels(model=model, version=version)] = value / scale
        return out
    return oracle


def mean(family: str, scale: float = 1.0, llm: LlmFleet = LLM_FLEET) -> Oracle:
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for (model, version), hs in _by_model(family, llm).items():
            count = sum(h.count_rate for h in hs)
            if count > 0:
                out[labels(model=model, version=version)] = sum(h.count_rate * h.mean for h in hs) / count / scale
        return out
    return oracle


def observed_rate(family: str, llm: LlmFleet = LLM_FLEET) -> Oracle:
    """Per model, what the histogram observed per second (tokens/s of finished requests)."""
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        return {labels(model=model, version=version): sum(h.count_rate * h.mean for h in hs)
                for (model, version), hs in _by_model(family, llm).items()}
    return oracle


def heatmap(family: str, llm: LlmFleet = LLM_FLEET) -> Oracle:
    """Cumulative observations/s per ``le`` of ONE model (the panel repeats per model), over its pods.

    Models have different bucket layouts; a heatmap that added them would not be
    monotonic in ``le``, and Grafana would draw one model's observations in
    another model's bands.
    """
    def oracle(_: Fleet, chosen: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for h in (h for h in llm.histograms if h.family == family and h.model == chosen["model"]):
            for bound, rate in h.cumulative():
                key = labels(le=le_text(bound))
                out[key] = out.get(key, 0.0) + rate
        return out
    return oracle


def tokens(kind: str, llm: LlmFleet = LLM_FLEET) -> Oracle:
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for t in llm.tokens:
            key = labels(model=t.model, version=t.version)
            out[key] = out.get(key, 0.0) + getattr(t, kind)
        return out
    return oracle


def gauge(field: str, label: str, values: tuple[str, ...] | None, keep: bool = True,
          llm: LlmFleet = LLM_FLEET) -> Oracle:
    """A TensorRT-LLM category gauge summed over pods, per category (or one category, label dropped)."""
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for state in llm.trtllm:
            categories: Mapping[str, float] = getattr(state, field)
            for category, value in categories.items():
                if values is not None and category not in values:
                    continue
                extra = {label: category} if keep else {}
                key = labels(model=state.model, version=state.version, **extra)
                out[key] = out.get(key, 0.0) + value
        return out
    return oracle


def kv_used_ratio(llm: LlmFleet = LLM_FLEET) -> Oracle:
    def oracle(_: Fleet, __: Mapping[str, str]) -> Expected:
        models: dict[tuple[str, str], list[TrtLlmState]] = {}
        for state in llm.trtllm:
            models.setdefault((state.model, state.version), []).append(state)
        return {labels(model=model, version=version): sum(s.kv_blocks["used"] for s in states)
                / sum(s.kv_blocks["max"] for s in states) for (model, version), states in models.items()}
    return oracle


LLM = "triton-llm"
QUANTILES = ("0.5", "0.9", "0.99")


def _quantile_panel(title: str, family: str, scale: float = 1.0) -> dict[tuple[str, str, str], Oracle]:
    out: dict[tuple[str, str, str], Oracle] = {
        (LLM, title, ref): quantile(family, q, scale) for ref, q in zip("ABC", QUANTILES, strict=True)}
    out[(LLM, title, "D")] = mean(family, scale)
    return out


LLM_ORACLES: dict[tuple[str, str, str], Callable[[Fleet, Mapping[str, str]], Expected]] = {
    **_quantile_panel("Time to first response", FR, MS),
    (LLM, "Time to first response distribution ($model)", "A"): heatmap(FR),
    **_quantile_panel("vLLM time to first token", TTFT),
    **_quantile_panel("vLLM time per output token", TPOT),
    **_quantile_panel("vLLM end-to-end request latency", E2E),
    (LLM, "vLLM tokens/s", "A"): tokens("prompt"),
    (LLM, "vLLM tokens/s", "B"): tokens("generation"),
    (LLM, "vLLM prompt length ($model)", "A"): heatmap(PROMPT_LEN),
    (LLM, "vLLM generation length ($model)", "A"): heatmap(GEN_LEN),
    (LLM, "TensorRT-LLM requests", "A"): gauge("requests", "request_type", ("active", "scheduled", "waiting", "max")),
    (LLM, "TensorRT-LLM KV cache used", "A"): kv_used_ratio(),
    (LLM, "TensorRT-LLM KV-cache blocks", "A"): gauge("kv_blocks", "kv_cache_block_type", ("used", "free")),
    (LLM, "TensorRT-LLM KV-cache blocks", "B"): gauge("kv_blocks", "kv_cache_block_type", ("reused",), keep=False),
    (LLM, "TensorRT-LLM runtime memory", "A"): gauge("memory", "memory_type", None),
    (LLM, "TensorRT-LLM in-flight batcher", "A"): gauge("batcher", "inflight_batcher_specific_metric",
                                                        ("total_context_tokens",), keep=False),
    (LLM, "TensorRT-LLM in-flight batcher", "B"): gauge("batcher", "inflight_batcher_specific_metric",
                                                        ("paused_requests",), keep=False),
    (LLM, "TensorRT-LLM tokens/s", "A"): observed_rate(IN_LEN),
    (LLM, "TensorRT-LLM tokens/s", "B"): observed_rate(OUT_LEN),
    (LLM, "TensorRT-LLM tokens per request", "A"): mean(IN_LEN),
    (LLM, "TensorRT-LLM tokens per request", "B"): mean(OUT_LEN),
    (LLM, "TensorRT-LLM input length ($model)", "A"): heatmap(IN_LEN),
    (LLM, "TensorRT-LLM output length ($model)", "A"): heatmap(OUT_LEN),
}
