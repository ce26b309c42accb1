"""Recorded series: per-(job, model, version) rates of every counter the panels divide.

A fleet of hundreds of Triton pods makes each panel sum thousands of raw series
on every refresh. Recording rules do that once a minute; a selector with
``recorded=True`` makes every query read the recorded series instead, with the
same result. Names follow Prometheus' ``level:metric:operations`` convention::

    job_model_version:nv_inference_request_success:rate1m
    job_model_version_reason:nv_inference_request_failure:rate1m
    job_model_version_le:vllm_time_to_first_token_seconds_bucket:rate1m

Histograms are recorded as their ``_bucket`` (keeping ``le``), ``_sum`` and
``_count`` rates, so a quantile over recorded buckets equals the raw one.
"""

from __future__ import annotations

from . import metrics as m
from .metrics import Metric, MetricKind

__all__ = [
    "EXECUTED_REQUESTS", "OVERHEAD_DURATION", "RECORDED", "RECORDED_COUNTERS", "RECORDED_HISTOGRAMS",
    "RECORDING_LABELS", "RECORDING_WINDOW", "recording_rule",
]

RECORDING_LABELS: tuple[str, ...] = ("job", "model", "version")
RECORDING_WINDOW = "1m"

#: The LLM histograms whose buckets, sums and counts are recorded (quantiles merge recorded buckets).
RECORDED_HISTOGRAMS: tuple[Metric, ...] = (
    m.FIRST_RESPONSE_HISTOGRAM, m.VLLM_TIME_TO_FIRST_TOKEN, m.VLLM_TIME_PER_OUTPUT_TOKEN, m.VLLM_E2E_LATENCY,
    m.VLLM_REQUEST_PROMPT_TOKENS, m.VLLM_REQUEST_GENERATION_TOKENS, m.TRTLLM_INPUT_TOKEN_LEN,
    m.TRTLLM_OUTPUT_TOKEN_LEN,
)

#: The per-model counters the panels divide, then the LLM token counters and histogram series, in rule-file order.
RECORDED_COUNTERS: tuple[Metric, ...] = (
    m.INFERENCE_REQUEST_SUCCESS, m.INFERENCE_REQUEST_FAILURE, m.INFERENCE_COUNT, m.INFERENCE_EXEC_COUNT,
    m.INFERENCE_REQUEST_DURATION, m.INFERENCE_QUEUE_DURATION, m.INFERENCE_COMPUTE_INPUT_DURATION,
    m.INFERENCE_COMPUTE_INFER_DURATION, m.INFERENCE_COMPUTE_OUTPUT_DURATION, m.CACHE_NUM_HITS_PER_MODEL,
    m.VLLM_PROMPT_TOKENS, m.VLLM_GENERATION_TOKENS,
    *(histogram.part(suffix) for histogram in RECORDED_HISTOGRAMS for suffix in m.HISTOGRAM_PARTS),
)


def _kept_labels(metric: Metric) -> tuple[str, ...]:
    """The recording's grouping: job, model, version, plus the metric's own split labels (``reason``)."""
    return (*RECORDING_LABELS, *(label for label in metric.labels if label not in (*m.PER_MODEL, "gpu_uuid")))


def _recorded(metric: Metric) -> Metric:
    level = "_".join(_kept_labels(metric))
    return Metric(
        name=f"{level}:{metric.name.replace(':', '_')}:rate{RECORDING_WINDOW}",
        kind=MetricKind.GAUGE,
        unit=f"{metric.unit}/s",
        labels=tuple(label for label in _kept_labels(metric) if label != "job"),
        help=f"Recorded: sum by ({', '.join(_kept_labels(metric))}) of rate({metric.name}[{RECORDING_WINDOW}]).",
        source="recording",
        scrape_labels=("job",),
    )


#: Source metric name -> its recorded series.
RECORDED: dict[str, Metric] = {metric.name: _recorded(metric) for metric in RECORDED_COUNTERS}


def _derived(name: str, unit: str, help: str) -> Metric:
    level = "_".join(RECORDING_LABELS)
    return Metric(f"{level}:{name}:rate{RECORDING_WINDOW}", MetricKind.GAUGE, unit, ("model", "version"), help,
                  source="recording", scrape_labels=("job",))


#: Recorded once what per-request panels divide by or subtract, so each reads two recorded series.
EXECUTED_REQUESTS = _derived("nv_inference_executed_requests", "requests/s",
                             "Recorded: successful requests minus response-cache hits per second.")
OVERHEAD_DURATION = _derived("nv_inference_overhead_duration_us", "µs/s",
                             "Recorded: request duration minus queue, input, infer and output duration per second.")


def recording_rule(metric: Metric) -> dict[str, str]:
    """The Prometheus recording rule that produces ``RECORDED[metric.name]``."""
    by = ", ".join(_kept_labels(metric))
    return {"record": RECORDED[metric.name].name, "expr": f"sum by ({by}) (rate({metric.name}[{RECORDING_WINDOW}]))"}
