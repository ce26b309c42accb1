"""Recorded series: per-(job, model, version) rates of every counter the panels divide.

A fleet of hundreds of Triton pods makes each panel sum thousands of raw series
on every refresh. Recording rules do that once a minute; a selector with
``recording_rules=True`` makes every query read the recorded series instead, with the
same result. Names follow Prometheus' ``level:metric:operations`` convention::

    job_model_version:nv_inference_request_success:rate1m
    job_model_version_reason:nv_inference_request_failure:rate1m
    job_model_version_le:vllm_time_to_first_token_seconds_bucket:rate1m

Histograms are recorded as their ``_bucket`` (keeping ``le``), ``_sum`` and
``_count`` rates, so a quantile over recorded buckets equals the raw one.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import metrics as m
from . import Metric, MetricKind

__all__ = [
    "EXECUTED_REQUESTS", "OVERHEAD_DURATION", "RECORDED", "RECORDED_COUNTERS", "RECORDED_HISTOGRAMS",
    "RECORDING_LABELS", "RECORDING_WINDOW", "cluster_grouping", "executed_requests", "overhead_duration",
    "recorded_name_pattern", "recorded_series", "recording_labels", "recording_rule",
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


def cluster_grouping(by: Sequence[str], cluster_label: str | None) -> tuple[str, ...]:
    """``by`` with the cluster label first (once): the one way a grouping keeps the cluster."""
    if not cluster_label or cluster_label in by:
        return tuple(by)
    return (cluster_label, *by)


def recording_labels(cluster_label: str | None = None) -> tuple[str, ...]:
    """job, model, version; with a cluster label first, so each cluster keeps its own recorded series."""
    return cluster_grouping(RECORDING_LABELS, cluster_label)


def recorded_name_pattern(cluster_label: str | None = None) -> str:
    """How the per-model recordings are named, for descriptions: ``job_model_version:*:rate1m``."""
    return f"{'_'.join(recording_labels(cluster_label))}:*:rate{RECORDING_WINDOW}"


def _kept_labels(metric: Metric, cluster_label: str | None = None) -> tuple[str, ...]:
    """The recording's grouping: (cluster,) job, model, version, plus the metric's own split labels (``reason``)."""
    own = (label for label in metric.labels if label not in (*m.PER_MODEL, "gpu_uuid"))
    return (*recording_labels(cluster_label), *own)


def _gauge(level: str, name: str, unit: str, labels: tuple[str, ...], help: str) -> Metric:
    return Metric(f"{level}:{name.replace(':', '_')}:rate{RECORDING_WINDOW}", MetricKind.GAUGE, unit,
                  tuple(label for label in labels if label != "job"), help, source="recording",
                  scrape_labels=("job",))


def _recorded(metric: Metric, cluster_label: str | None = None) -> Metric:
    kept = _kept_labels(metric, cluster_label)
    return _gauge("_".join(kept), metric.name, f"{metric.unit}/s", kept,
                  f"Recorded: sum by ({', '.join(kept)}) of rate({metric.name}[{RECORDING_WINDOW}]).")


_BY_NAME: dict[str, Metric] = {metric.name: metric for metric in RECORDED_COUNTERS}
#: Source metric name -> its recorded series (single cluster).
RECORDED: dict[str, Metric] = {name: _recorded(metric) for name, metric in _BY_NAME.items()}


def recorded_series(name: str, cluster_label: str | None = None) -> Metric | None:
    """The recorded series that replaces counter ``name`` (None if it has no recording)."""
    metric = _BY_NAME.get(name)
    if metric is None:
        return None
    return RECORDED[name] if cluster_label is None else _recorded(metric, cluster_label)


def executed_requests(cluster_label: str | None = None) -> Metric:
    """Recorded once: successful requests minus response-cache hits per second."""
    labels = recording_labels(cluster_label)
    return _gauge("_".join(labels), "nv_inference_executed_requests", "requests/s", (*labels,),
                  "Recorded: successful requests minus response-cache hits per second.")


def overhead_duration(cluster_label: str | None = None) -> Metric:
    """Recorded once: request duration minus queue, input, infer and output duration per second."""
    labels = recording_labels(cluster_label)
    return _gauge("_".join(labels), "nv_inference_overhead_duration_us", "µs/s", (*labels,),
                  "Recorded: request duration minus queue, input, infer and output duration per second.")


#: What per-request panels divide by or subtract, recorded once so each reads two recorded series.
EXECUTED_REQUESTS = executed_requests()
OVERHEAD_DURATION = overhead_duration()


def recording_rule(metric: Metric, cluster_label: str | None = None) -> dict[str, str]:
    """The Prometheus recording rule that produces ``recorded_series(metric.name, cluster_label)``."""
    by = ", ".join(_kept_labels(metric, cluster_label))
    return {"record": _recorded(metric, cluster_label).name,
            "expr": f"sum by ({by}) (rate({metric.name}[{RECORDING_WINDOW}]))"}
