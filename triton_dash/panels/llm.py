"""LLM serving panels: time to first response, vLLM latency and tokens, TensorRT-LLM engine state.

Quantile panels merge every pod's buckets before taking the quantile and add the
mean (rate of ``_sum`` over rate of ``_count``); heatmaps show the buckets
themselves, one panel per model (repeated over the model variable: bucket
layouts differ between models and must never be added). TensorRT-LLM
gauges keep one series per category (``request_type``, ``kv_cache_block_type``
...). Each description ends with the "No data" causes, written from the
metric catalogue's facts (backend, first release, switch).

    from grafanalib.core import Dashboard
    from triton_dash.panels import vllm_time_to_first_token, trtllm_kv_cache_used_ratio
    dashboard = Dashboard(title="LLMs", uid="llms",
                          panels=[vllm_time_to_first_token(width=12), trtllm_kv_cache_used_ratio(width=12)])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import grafanalib.core as G

from .. import metrics as m
from .. import queries as q
from ..metrics import Metric
from ..queries.llm import MS_PER_S, TRTLLM_INPUT_TOKENS, TRTLLM_OUTPUT_TOKENS, Matcher
from ..selector import Grouping, Selector
from .factory import (
    BucketHeatmap,
    Color,
    DataSource,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_heatmap,
    default_timeseries,
    legend_for,
    panel_options,
    prometheus_target,
)

__all__ = [
    "LLM_QUANTILES",
    "first_response_heatmap",
    "first_response_time",
    "trtllm_inflight_batcher",
    "trtllm_kv_cache_blocks",
    "trtllm_kv_cache_used_ratio",
    "trtllm_requests",
    "trtllm_runtime_memory",
    "trtllm_token_length_heatmap",
    "trtllm_token_lengths",
    "trtllm_token_throughput",
    "vllm_e2e_latency",
    "vllm_time_per_output_token",
    "vllm_time_to_first_token",
    "vllm_token_length_heatmap",
    "vllm_token_throughput",
]

LLM_QUANTILES: tuple[str, ...] = ("0.5", "0.9", "0.99")
_IDLE = "or no request finished in the selected models within the rate window (idle models are left out, not NaN)"


def _no_data(*families: Metric) -> str:
    hints = " ".join(dict.fromkeys(f.no_data_hint() for f in families))
    return f"No data: {hints} Also empty when the model/instance variables select nothing, {_IDLE}."


def _quantile_panel(
    metric: Metric, what: str, *, selector: Selector, by: Grouping, quantiles: Sequence[str], title: str,
    datasource: DataSource, width: int, height: int, divide_by: str | None = None, extra: tuple[Matcher, ...] = (),
    note: str = "",
) -> G.TimeSeries:
    legend = legend_for(by)
    targets = [prometheus_target(q.histogram_quantile(metric, quantile, selector, by, *extra, divide_by=divide_by),
                                 f"p{float(quantile) * 100:g} {legend}") for quantile in quantiles]
    targets.append(prometheus_target(q.histogram_mean(metric, selector, by, *extra, divide_by=divide_by),
                                     f"mean {legend}"))
    scale = f" / {divide_by}" if divide_by else ""
    return default_timeseries(
        title=title,
        description=(
            f"{what}: quantiles ({', '.join(quantiles)}) and the mean, per model version, over every "
            "selected pod.\n\n"
            f"Quantiles are histogram_quantile(q, sum by (le, model, version) (rate({metric.name}_bucket))){scale}: "
            "the buckets of all pods are added first, so the quantile is the fleet's, never an average of "
            "per-pod quantiles; Prometheus interpolates linearly inside the bucket, so a quantile is only as "
            f"fine as the buckets. The mean is rate({metric.name}_sum) / rate({metric.name}_count), each "
            f"summed over pods.{note} Unit: seconds.\n\n" + _no_data(metric)),
        unit=Unit.SECONDS, targets=targets, datasource=datasource, width=width, height=height)


def _heatmap(
    metric: Metric, what: str, *, selector: Selector, unit: Unit, unit_words: str, title: str,
    datasource: DataSource, width: int, height: int, extra: tuple[Matcher, ...] = (),
) -> BucketHeatmap:
    model_variable = _variable_name(selector.model)
    return default_heatmap(
        title=f"{title} (${model_variable})" if model_variable else title,
        description=(
            f"{what}: how many observations per second fell into each bucket of {metric.name}, for one model "
            "over its selected pods and versions: sum by (le) (rate(..._bucket)), which Grafana de-accumulates "
            "into bands. "
            + ("The panel repeats once per selected model, " if model_variable else "Select a single model, ")
            + "because models may have different bucket layouts (vLLM's token buckets follow each model's "
            "max_model_len, Triton's first-response buckets can be set per model): adding unlike layouts "
            f"would put one model's observations in another's bands. Unit of the y axis: {unit_words}; "
            "colour: observations/s.\n\n" + _no_data(metric)),
        unit=unit, expr=q.histogram_buckets(metric, selector, *extra), datasource=datasource, width=width,
        height=height, repeat_variable=model_variable)


def _variable_name(value: str | None) -> str | None:
    """``"$model"`` or ``"${model}"`` -> ``"model"``; None for a fixed regex (or no matcher)."""
    match = re.fullmatch(r"\$\{?(\w+)\}?", value or "")
    return match[1] if match else None


# --- Triton core: time to first response ----------------------------------------------------------

def first_response_time(
    *, quantiles: Sequence[str] = LLM_QUANTILES, **options: Unpack[GroupedPanelOptions],
) -> G.TimeSeries:
    """Time to first response (TTFT for streaming models) from Triton core's histogram."""
    o = panel_options(options, width=16)
    return _quantile_panel(
        m.FIRST_RESPONSE_HISTOGRAM,
        "Time from the request's arrival to Triton sending its first response (time to first token for "
        "streaming LLMs), measured by Triton core for any backend",
        selector=o.selector, by=o.by, quantiles=quantiles, title=o.title or "Time to first response",
        **o.layout, divide_by=MS_PER_S,
        note=" Triton records whole milliseconds; values are shown in seconds. The default buckets "
             "(100, 500, 2000, 5000 ms) are coarse: set finer ones per model with model_metrics.")


def first_response_heatmap(**options: Unpack[PanelOptions]) -> BucketHeatmap:
    """Distribution of the time to first response (ms buckets)."""
    o = panel_options(options)
    return _heatmap(m.FIRST_RESPONSE_HISTOGRAM, "Distribution of the time to first response", selector=o.selector,
                    unit=Unit.MILLISECONDS, unit_words="milliseconds",
                    title=o.title or "Time to first response distribution",
                    **o.layout)


# --- vLLM backend ---------------------------------------------------------------------------------

def vllm_time_to_first_token(
    *, quantiles: Sequence[str] = LLM_QUANTILES, **options: Unpack[GroupedPanelOptions],
) -> G.TimeSeries:
    """vLLM's time to first token."""
    o = panel_options(options)
    return _quantile_panel(m.VLLM_TIME_TO_FIRST_TOKEN, "Time to first token, as vLLM measures it",
                           selector=o.selector, by=o.by, quantiles=quantiles,
                           title=o.title or "vLLM time to first token", **o.layout)


def vllm_time_per_output_token(
    *, quantiles: Sequence[str] = LLM_QUANTILES, **options: Unpack[GroupedPanelOptions],
) -> G.TimeSeries:
    """vLLM's time per output token (inter-token latency)."""
    o = panel_options(options)
    return _quantile_panel(
        m.VLLM_TIME_PER_OUTPUT_TOKEN, "Time between two output tokens of one request (inter-token latency)",
        selector=o.selector, by=o.by, quantiles=quantiles, title=o.title or "vLLM time per output token",
        **o.layout,
        note=" Triton's vLLM backend keeps the name time_per_output_token_seconds (vLLM itself renamed it "
             "inter_token_latency_seconds).")


def vllm_e2e_latency(
    *, quantiles: Sequence[str] = LLM_QUANTILES, **options: Unpack[GroupedPanelOptions],
) -> G.TimeSeries:
    """vLLM's end-to-end request latency (to the last token)."""
    o = panel_options(options)
    return _quantile_panel(
        m.VLLM_E2E_LATENCY, "End-to-end latency of finished requests, to the last token",
        selector=o.selector, by=o.by, quantiles=quantiles, title=o.title or "vLLM end-to-end request latency",
        **o.layout,
        note=" Use this, not the overview's request time: for vLLM, Triton's own request timers stop when "
             "execute() returns, long before generation ends.")


def vllm_token_throughput(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Prompt and generation tokens per second."""
    o = panel_options(options, width=12)
    legend = legend_for(o.by)
    return default_timeseries(
        title=o.title or "vLLM tokens/s",
        description=(
            "Prompt tokens processed and tokens generated per second, per model version, summed over pods: "
            "sum(rate(vllm:prompt_tokens_total)) and sum(rate(vllm:generation_tokens_total)). Unit: tokens/s.\n\n"
            + _no_data(m.VLLM_PROMPT_TOKENS)),
        unit=Unit.TOKENS_PER_SECOND,
        targets=[prometheus_target(q.token_rate(m.VLLM_PROMPT_TOKENS, o.selector, o.by), f"prompt {legend}"),
                 prometheus_target(q.token_rate(m.VLLM_GENERATION_TOKENS, o.selector, o.by), f"generation {legend}")],
        **o.layout)


def vllm_token_length_heatmap(*, generated: bool = False, **options: Unpack[PanelOptions]) -> BucketHeatmap:
    """Distribution of prompt (or, with ``generated``, generation) lengths of finished requests."""
    o = panel_options(options, width=6)
    metric = m.VLLM_REQUEST_GENERATION_TOKENS if generated else m.VLLM_REQUEST_PROMPT_TOKENS
    what = "generation" if generated else "prompt"
    return _heatmap(metric, f"Distribution of {what} lengths (tokens) of finished requests", selector=o.selector,
                    unit=Unit.SHORT, unit_words="tokens", title=o.title or f"vLLM {what} length", **o.layout)


# --- TensorRT-LLM backend -------------------------------------------------------------------------

def _by_category(metric: Metric, label: str, values: Sequence[str], selector: Selector, by: Grouping,
                 legend_prefix: str = "") -> G.Target:
    legend = f"{legend_prefix}{legend_for(by)} {{{{{label}}}}}"
    return prometheus_target(q.category_gauge(metric, label, values, selector, by), legend)


def trtllm_requests(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Requests active, scheduled and waiting in the TensorRT-LLM engine, against its maximum."""
    o = panel_options(options, width=12)
    return default_timeseries(
        title=o.title or "TensorRT-LLM requests",
        description=(
            "Requests inside the TensorRT-LLM engine, one line per request_type: active (admitted), scheduled "
            "(in this iteration's batch), waiting (active - scheduled: the engine's own queue, which Triton's "
            "pending-request and queue-time panels do not see) and max (the most it admits). Each is "
            "sum(nv_trt_llm_request_metrics{request_type=...}) over pods; types are never added together. "
            "Active at max means new requests wait outside the engine. Unit: requests.\n\n"
            + _no_data(m.TRTLLM_REQUESTS)),
        unit=Unit.SHORT,
        targets=[_by_category(m.TRTLLM_REQUESTS, "request_type", ("active", "scheduled", "waiting", "max"),
                              o.selector, o.by)],
        **o.layout)


def trtllm_kv_cache_blocks(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """KV-cache blocks used and free, and blocks reused from earlier requests."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "TensorRT-LLM KV-cache blocks",
        description=(
            "KV-cache blocks per model version, summed over pods: used and free (one line per "
            "kv_cache_block_type), and reused (blocks served from earlier requests' prefixes). From "
            "nv_trt_llm_kv_cache_block_metrics, a gauge. Unit: blocks.\n\n" + _no_data(m.TRTLLM_KV_CACHE_BLOCKS)),
        unit=Unit.SHORT,
        targets=[_by_category(m.TRTLLM_KV_CACHE_BLOCKS, "kv_cache_block_type", ("used", "free"), o.selector, o.by),
                 prometheus_target(q.category_gauge(m.TRTLLM_KV_CACHE_BLOCKS, "kv_cache_block_type", ("reused",),
                                                    o.selector, o.by, keep_category=False),
                                   f"reused {legend_for(o.by)}")],
        **o.layout)


def trtllm_kv_cache_used_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Share of KV-cache blocks in use (ratio of sums over pods)."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "TensorRT-LLM KV cache used",
        description=(
            "Share of the KV cache in use: sum(used blocks) / sum(max blocks) over the selected pods, per model "
            "version (a ratio of sums, not an average of each pod's fraction). Near 100 % the engine cannot admit "
            "new requests or must evict reusable blocks. Unit: percent; orange from 80 %, red from 90 %.\n\n"
            + _no_data(m.TRTLLM_KV_CACHE_BLOCKS)),
        unit=Unit.PERCENT_UNIT,
        targets=[prometheus_target(q.kv_cache_used_ratio(o.selector, o.by), legend_for(o.by))],
        thresholds=((None, Color.OK), (0.8, Color.WARN), (0.9, Color.BAD)), max_value=1,
        **o.layout)


def trtllm_runtime_memory(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Memory the TensorRT-LLM runtime holds, by memory type."""
    o = panel_options(options)
    return default_timeseries(
        title=o.title or "TensorRT-LLM runtime memory",
        description=(
            "Memory held by the TensorRT-LLM runtime per model version, summed over pods, one line per "
            "memory_type (gpu, cpu, pinned): sum(nv_trt_llm_runtime_memory_metrics). Unit: bytes.\n\n"
            + _no_data(m.TRTLLM_RUNTIME_MEMORY)),
        unit=Unit.BYTES,
        targets=[_by_category(m.TRTLLM_RUNTIME_MEMORY, "memory_type", ("gpu", "cpu", "pinned"), o.selector, o.by)],
        **o.layout)


def trtllm_inflight_batcher(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Context tokens and paused requests of the in-flight batcher's last iteration."""
    o = panel_options(options)
    legend = legend_for(o.by)

    def one(value: str) -> str:
        return q.category_gauge(m.TRTLLM_INFLIGHT_BATCHER, "inflight_batcher_specific_metric", (value,), o.selector,
                                o.by, keep_category=False)

    return default_timeseries(
        title=o.title or "TensorRT-LLM in-flight batcher",
        description=(
            "The in-flight batcher's last iteration, summed over pods: context (prefill) tokens in the batch, and "
            "requests paused to make room (a sign of KV-cache pressure). Tokens and requests are separate lines, "
            "never added. Unit: tokens / requests.\n\n" + _no_data(m.TRTLLM_INFLIGHT_BATCHER)),
        unit=Unit.SHORT,
        targets=[prometheus_target(one("total_context_tokens"), f"context tokens {legend}"),
                 prometheus_target(one("paused_requests"), f"paused requests {legend}")],
        **o.layout)


_TOKEN_SIDES = (("input", m.TRTLLM_INPUT_TOKEN_LEN, TRTLLM_INPUT_TOKENS),
                ("output", m.TRTLLM_OUTPUT_TOKEN_LEN, TRTLLM_OUTPUT_TOKENS))


def _token_panel(
    query: Callable[[Metric, Selector, Grouping, Matcher], str], *, title: str, description: str, unit: Unit,
    selector: Selector, by: Grouping, datasource: DataSource, width: int, height: int,
) -> G.TimeSeries:
    """One line per side (input, output) of the TensorRT-LLM token-length histograms."""
    legend = legend_for(by)
    return default_timeseries(
        title=title, description=description + "\n\n" + _no_data(m.TRTLLM_INPUT_TOKEN_LEN), unit=unit,
        targets=[prometheus_target(query(metric, selector, by, matcher), f"{side} {legend}")
                 for side, metric, matcher in _TOKEN_SIDES],
        datasource=datasource, width=width, height=height)


def trtllm_token_lengths(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Mean input and output tokens per finished request."""
    o = panel_options(options)
    return _token_panel(
        q.histogram_mean, title=o.title or "TensorRT-LLM tokens per request",
        description="Mean input and output length of the requests that finished in the rate window: "
                    "rate(nv_llm_*_token_len_sum) / rate(nv_llm_*_token_len_count), each summed over pods. "
                    "Unit: tokens per request.",
        unit=Unit.SHORT, selector=o.selector, by=o.by, **o.layout)


def trtllm_token_throughput(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Input and output tokens per second of finished requests."""
    o = panel_options(options)
    return _token_panel(
        q.histogram_sum_rate, title=o.title or "TensorRT-LLM tokens/s",
        description="Input and output tokens per second, counted when each request finishes: "
                    "sum(rate(nv_llm_*_token_len_sum)) over pods. Lumpy for long generations, because a "
                    "request's tokens all land at its end. Unit: tokens/s.",
        unit=Unit.TOKENS_PER_SECOND, selector=o.selector, by=o.by, **o.layout)


def trtllm_token_length_heatmap(*, output: bool = False, **options: Unpack[PanelOptions]) -> BucketHeatmap:
    """Distribution of input (or, with ``output``, output) lengths of finished requests."""
    o = panel_options(options, width=6)
    metric, matcher = ((m.TRTLLM_OUTPUT_TOKEN_LEN, TRTLLM_OUTPUT_TOKENS) if output
                       else (m.TRTLLM_INPUT_TOKEN_LEN, TRTLLM_INPUT_TOKENS))
    what = "output" if output else "input"
    return _heatmap(metric, f"Distribution of {what} lengths (tokens) of finished requests", selector=o.selector,
                    unit=Unit.SHORT, unit_words="tokens", title=o.title or f"TensorRT-LLM {what} length",
                    **o.layout, extra=(matcher,))
