"""Prometheus recording and alerting rules, from the same query functions as the panels.

    from triton_dash.rules import AlertConfig, rule_groups, rules_yaml
    print(rules_yaml(rule_groups(AlertConfig(queue_time_seconds=0.2))))

Every threshold and ``for:`` duration lives in :class:`AlertConfig`, with the
defaults documented in the README's alert runbook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from . import metrics as m
from . import queries as q
from . import validate
from .metrics import UP
from .queries._promql import selected
from .queries.llm import MS_PER_S
from .recorded import (
    RECORDED_COUNTERS,
    RECORDING_WINDOW,
    executed_requests,
    overhead_duration,
    recording_labels,
    recording_rule,
)
from .render import generated_yaml
from .selector import Selector

__all__ = [
    "AlertConfig", "alert_rules", "check_rule_groups", "prometheus_rule", "recording_rules", "rule_groups",
    "rules_yaml",
]

ALERT_GROUPING: tuple[str, ...] = ("job", "model", "version")
#: Settings that are shares between 0 and 1, counts (>= 0) and times in seconds (> 0).
RATIO_SETTINGS = frozenset({"error_ratio", "gpu_memory_ratio", "kv_cache_ratio", "canary_min_error_ratio"})
COUNT_SETTINGS = frozenset({"pending_requests", "llm_waiting_requests"})
SECONDS_SETTINGS = frozenset({"queue_time_seconds", "ttft_p95_seconds", "canary_factor"})
#: ``for:`` durations that may be 0 (fire at once); pending_for is also a subquery window.
FOR_SETTINGS = frozenset({"target_down_for", "scrape_missing_for", "error_ratio_for", "queue_time_for",
                          "gpu_memory_for", "stalled_for", "kv_cache_for", "ttft_for", "llm_active_at_max_for",
                          "canary_for", "not_ready_for"})


@dataclass(frozen=True)
class AlertConfig:
    """Thresholds and durations of the alerts; override any of them (``rules --set name=value``)."""

    job: str = "triton"  #: regex of the Triton scrape jobs
    rate_window: str = "5m"  #: window of the rates the alerts compare
    target_down_for: str = "5m"
    scrape_missing_for: str = "10m"
    error_ratio: float = 0.05  #: share of failed requests
    error_ratio_for: str = "10m"
    queue_time_seconds: float = 0.1  #: average queue time per request
    queue_time_for: str = "10m"
    pending_requests: float = 10  #: pending requests (and growing)
    pending_for: str = "15m"
    gpu_memory_ratio: float = 0.9  #: share of GPU memory in use
    gpu_memory_for: str = "5m"
    stalled_window: str = "10m"  #: no successful request for this long...
    stalled_history: str = "1h"  #: ...after traffic in this window before it
    stalled_for: str = "5m"
    kv_cache_ratio: float = 0.9  #: share of TensorRT-LLM KV-cache blocks in use
    kv_cache_for: str = "5m"
    ttft_p95_seconds: float = 2.0  #: p95 time to first response/token
    ttft_for: str = "10m"
    llm_waiting_requests: float = 10  #: TensorRT-LLM requests waiting inside the engine (and growing)
    llm_waiting_for: str = "15m"
    llm_active_at_max_for: str = "10m"  #: TensorRT-LLM active requests at the engine's maximum this long
    canary_factor: float = 2.0  #: a version this many times worse than the model's other versions...
    canary_min_error_ratio: float = 0.01  #: ...and failing at least this share of its requests (error branch)
    canary_for: str = "10m"
    probe_job: str = "triton-health"  #: regex of the blackbox exporter's job probing Triton's health endpoints
    not_ready_for: str = "2m"
    cluster_label: str = ""  #: external label naming the cluster; alerts and recordings then keep it

    def __post_init__(self) -> None:
        """Every field is checked here, so a bad value never reaches a rules file."""
        validate.re2_regex(self.job, "job")
        validate.re2_regex(self.probe_job, "probe_job")
        if self.cluster_label:
            Selector(cluster_label=self.cluster_label)  # the same check as the dashboards'
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "cluster_label":
                continue
            if item.name in RATIO_SETTINGS:
                validate.ratio(value, item.name)
            elif item.name in COUNT_SETTINGS:
                validate.number(value, item.name, minimum=0)
            elif item.name in SECONDS_SETTINGS:
                validate.number(value, item.name, minimum=0, exclusive_minimum=True)
            elif item.name not in ("job", "probe_job"):
                validate.duration(value, item.name, allow_zero=item.name in FOR_SETTINGS)

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str]) -> AlertConfig:
        """Parse ``{"queue_time_seconds": "0.2"}`` style overrides; ValueError names a bad one."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, raw in overrides.items():
            if name not in known:
                raise validate.InvalidValue(f"unknown alert setting {name!r}; known: {', '.join(sorted(known))}")
            default = getattr(cls(), name)
            try:
                values[name] = float(raw) if isinstance(default, float | int) else str(raw)
            except ValueError:
                raise validate.InvalidValue(f"alert setting {name}={raw!r} is not a number") from None
        return cls(**values)

    @property
    def grouping(self) -> tuple[str, ...]:
        """What every per-model alert keeps: (cluster,) job, model, version."""
        return self.with_cluster(ALERT_GROUPING)

    def with_cluster(self, by: tuple[str, ...]) -> tuple[str, ...]:
        return (self.cluster_label, *by) if self.cluster_label else by

    @property
    def selector(self) -> Selector:
        return Selector(job=self.job, instance=None, model=None, version=None, gpu=None,
                        rate_interval=self.rate_window)


#: Raw series, the recording window: what the derived recordings compute from (never from other recordings,
#: which vmalert would read before they are written within the same group).
_RAW = Selector(job=None, instance=None, model=None, version=None, gpu=None, rate_interval=RECORDING_WINDOW)


def recording_rules(cluster_label: str | None = None) -> dict[str, Any]:
    """One group recording every counter the panels divide, per job, model and version.

    Last come two derived recordings, so that every recorded per-request panel
    reads two series: executed requests (successes minus cache hits) and the
    overhead duration (request minus its four phases).
    """
    by = recording_labels(cluster_label)
    derived = [{"record": executed_requests(cluster_label).name, "expr": q.executed_request_rate(_RAW, by)},
               {"record": overhead_duration(cluster_label).name, "expr": q.overhead_duration_rate(_RAW, by)}]
    return {"name": "triton_dash.recording", "interval": "30s",
            "rules": [recording_rule(metric, cluster_label) for metric in RECORDED_COUNTERS] + derived}


def _alert(name: str, expr: str, duration: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {"alert": name, "expr": expr, "for": duration, "labels": {"severity": severity},
            "annotations": {"summary": summary, "description": description}}


def alert_rules(config: AlertConfig) -> dict[str, Any]:
    sel, by = config.selector, config.grouping
    up = selected(UP, sel)
    model = "{{ $labels.model }} version {{ $labels.version }} (job {{ $labels.job }})"
    pending = q.pending_requests(sel, by)
    before = sel.with_(rate_interval=config.stalled_history, offset=config.stalled_window)
    rules = [
        _alert("TritonTargetDown", f"{up} == 0", config.target_down_for, "critical",
               "A Triton server's metrics endpoint cannot be scraped.",
               "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for "
               f"{config.target_down_for}: the server is down or its metrics port is unreachable."),
        _alert("TritonScrapeMissing", f"absent({up})", config.scrape_missing_for, "critical",
               "Prometheus scrapes no Triton server at all.",
               f"No scrape target of the Prometheus at {{{{ $externalURL }}}} matches job=~\"{config.job}\" for "
               f"{config.scrape_missing_for}: check its service discovery (ServiceMonitor/PodMonitor labels, "
               "scrape config)."),
        _alert("TritonModelErrorRatioHigh", f"{q.error_ratio(sel, by)} > {config.error_ratio:g}",
               config.error_ratio_for, "warning",
               "A Triton model fails too many requests.",
               f"{{{{ $value | humanizePercentage }}}} of the requests to {model} failed over the last "
               f"{config.rate_window} (threshold {config.error_ratio:.0%})."),
        _alert("TritonQueueTimeHigh", f"{q.queue_time_per_request(sel, by)} > {config.queue_time_seconds:g}",
               config.queue_time_for, "warning",
               "Requests wait too long in a Triton model's queue.",
               f"Requests to {model} waited {{{{ $value | humanizeDuration }}}} in the queue on average over "
               f"the last {config.rate_window} (threshold {config.queue_time_seconds:g}s): add instances or "
               "raise the batch size."),
        _alert("TritonPendingRequestsGrowing",
               f"{pending} > {config.pending_requests:g} and deriv(({pending})[{config.pending_for}:1m]) > 0",
               config.pending_for, "warning",
               "Pending requests keep growing for a Triton model.",
               f"{{{{ $value }}}} requests to {model} are waiting for execution and the backlog has grown "
               f"for {config.pending_for}: arrivals outpace what the model executes."),
        _alert("TritonGpuMemoryHigh",
               f"{q.gpu_memory_used_ratio(sel, config.with_cluster(('job', 'gpu_uuid')))} "
               f"> {config.gpu_memory_ratio:g}",
               config.gpu_memory_for, "warning",
               "A GPU used by Triton is almost out of memory.",
               "GPU {{ $labels.gpu_uuid }} (job {{ $labels.job }}) has {{ $value | humanizePercentage }} of "
               f"its memory in use (threshold {config.gpu_memory_ratio:.0%}); the next model load or larger "
               "batch may fail."),
        _alert("TritonModelStalled",
               f"{q.success_rate(sel.with_(rate_interval=config.stalled_window), by)} == 0 "
               f"and {q.success_rate(before, by)} > 0",
               config.stalled_for, "critical",
               "A Triton model that had traffic has stopped answering.",
               f"{model} served requests in the {config.stalled_history} before the last "
               f"{config.stalled_window} but none since: check the model, its backend and its clients."),
    ]
    return {"name": "triton_dash.alerts",
            "rules": [*rules, _canary_alert(config), *_readiness_alerts(config), *_llm_alerts(config)]}


def _readiness_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    """From the blackbox exporter's probes of /v2/health/ready and /v2/models/<name>/ready."""
    by = config.with_cluster(("job", "instance"))

    def failing(path: str) -> str:
        # 1 while the endpoint fails (a positive value: engines treat 0-valued alert samples differently)
        sel = Selector(job=config.probe_job, instance=path, model=None, version=None, gpu=None)
        return f"1 - {q.probe_success(sel, by)} > 0"

    return [
        _alert("TritonServerNotReady", failing(q.health.SERVER_READY_PATH), config.not_ready_for, "critical",
               "A Triton server answers not ready.",
               "{{ $labels.instance }} has not answered 200 for "
               f"{config.not_ready_for}: the server is starting or shutting down, or (with the default "
               "--strict-readiness=true) one of its models is not ready; check its log and the models' status."),
        _alert("TritonModelNotReady", failing(q.health.MODEL_READY_PATH), config.not_ready_for, "warning",
               "A Triton model answers not ready.",
               "{{ $labels.instance }} has not answered 200 for "
               f"{config.not_ready_for}: the model is unloaded or failed to load; requests to it fail."),
    ]


def _canary_alert(config: AlertConfig) -> dict[str, Any]:
    """A version worse than the model's other versions combined, while both take traffic."""
    sel, by, factor = config.selector, config.grouping, f"{config.canary_factor:g}"
    errors = (f"({q.error_ratio(sel, by)} > {factor} * {q.other_versions_error_ratio(sel, by)} "
              f"and {q.error_ratio(sel, by)} > {config.canary_min_error_ratio:g})")
    slower = f"({q.request_time_per_request(sel, by)} > {factor} * {q.other_versions_request_time(sel, by)})"
    return _alert(
        "TritonModelVersionWorse", f"{errors} or {slower}", config.canary_for, "warning",
        "A Triton model version fails or answers worse than the model's other versions.",
        "Version {{ $labels.version }} of {{ $labels.model }} (job {{ $labels.job }}) has had at least "
        f"{factor} times the error ratio or the request time of the model's other versions over the last "
        f"{config.rate_window}, while both took traffic: roll the canary back, or compare its logs and config.")


def _llm_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    sel, by = config.selector, config.grouping
    model = "{{ $labels.model }} version {{ $labels.version }} (job {{ $labels.job }})"
    ttft = (f"({q.histogram_quantile(m.FIRST_RESPONSE_HISTOGRAM, '0.95', sel, by, divide_by=MS_PER_S)}) "
            f"or ({q.histogram_quantile(m.VLLM_TIME_TO_FIRST_TOKEN, '0.95', sel, by)})")
    waiting = q.category_gauge(m.TRTLLM_REQUESTS, "request_type", ("waiting",), sel, by, keep_category=False)
    return [
        _alert("TritonLlmKvCacheHigh", f"{q.kv_cache_used_ratio(sel, by)} > {config.kv_cache_ratio:g}",
               config.kv_cache_for, "warning",
               "A TensorRT-LLM model's KV cache is almost full.",
               f"{{{{ $value | humanizePercentage }}}} of the KV-cache blocks of {model} are in use (threshold "
               f"{config.kv_cache_ratio:.0%}): new requests wait or reusable blocks are evicted; add replicas or give "
               "the cache more GPU memory (kv_cache_free_gpu_mem_fraction)."),
        _alert("TritonLlmTimeToFirstTokenHigh", f"({ttft}) > {config.ttft_p95_seconds:g}",
               config.ttft_for, "warning",
               "Time to first token is too high for an LLM served by Triton.",
               f"The 95th percentile time to first response of {model} is {{{{ $value | humanizeDuration }}}} "
               f"over the last {config.rate_window} (threshold {config.ttft_p95_seconds:g}s): look at queued "
               "and waiting requests and KV-cache use; add replicas if the engine is saturated."),
        _alert("TritonLlmWaitingRequestsGrowing",
               f"{waiting} > {config.llm_waiting_requests:g} and deriv(({waiting})[{config.llm_waiting_for}:1m]) > 0",
               config.llm_waiting_for, "warning",
               "Requests keep piling up inside a TensorRT-LLM engine.",
               f"{{{{ $value }}}} requests to {model} wait inside the TensorRT-LLM engine and the backlog has "
               f"grown for {config.llm_waiting_for}: the engine admits fewer requests than arrive."),
        _alert("TritonLlmActiveRequestsAtMax", f"{q.trtllm_active_ratio(sel, by)} >= 1",
               config.llm_active_at_max_for, "warning",
               "A TensorRT-LLM engine runs at its maximum number of requests.",
               f"{model} has had as many active requests as its engine admits (max) for "
               f"{config.llm_active_at_max_for}: further requests queue in Triton; raise max_batch_size / "
               "max_num_sequences if memory allows, or add replicas."),
    ]


def rule_groups(config: AlertConfig | None = None) -> list[dict[str, Any]]:
    config = config or AlertConfig()
    return [recording_rules(config.cluster_label or None), alert_rules(config)]


def check_rule_groups(groups: Sequence[Mapping[str, Any]]) -> None:
    """Refuse groups Prometheus would reject: every expression is parsed as PromQL, every name checked.

    Raises :class:`~triton_dash.validate.InvalidValue` naming the rule; run before any file is written.
    """
    names: set[str] = set()
    for group in groups:
        name = str(group.get("name") or "")
        validate.text(name, "rule group name")
        if name in names:
            raise validate.InvalidValue(f"two rule groups are named {name!r}")
        names.add(name)
        if "interval" in group:
            validate.duration(str(group["interval"]), f"group {name} interval")
        for rule in group.get("rules", []):
            label = rule.get("record") or rule.get("alert")
            if not label:
                raise validate.InvalidValue(f"a rule in group {name!r} has neither 'record' nor 'alert'")
            if "record" in rule:
                validate.metric_name(rule["record"], f"group {name} record")
            else:
                validate.prometheus_label_name(rule["alert"], f"group {name} alert")
                validate.duration(str(rule.get("for", "0s")), f"alert {label} for", allow_zero=True)
            for key in (rule.get("labels") or {}):
                validate.prometheus_label_name(key, f"rule {label} label")
            validate.promql(rule["expr"], f"rule {label} in group {name!r} (check the --set values)")


def rules_yaml(groups: Sequence[Mapping[str, Any]]) -> str:
    """A Prometheus rules file (``promtool check rules`` accepts it); checked before it is returned."""
    check_rule_groups(groups)
    return generated_yaml({"groups": list(groups)}, "rules")


def prometheus_rule(groups: Sequence[Mapping[str, Any]], *, name: str = "triton-dash",
                    namespace: str = "monitoring", release: str = "kube-prometheus-stack") -> str:
    """A ``monitoring.coreos.com/v1`` PrometheusRule; kube-prometheus-stack loads it only with ``release``."""
    check_rule_groups(groups)
    validate.dns_subdomain(name, "PrometheusRule name")
    validate.dns_label(namespace, "namespace")
    validate.k8s_label_value(release, "release")
    manifest = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                "metadata": {"name": name, "namespace": namespace, "labels": {"release": release}},
                "spec": {"groups": list(groups)}}
    return generated_yaml(manifest, "rules --format prometheusrule")
