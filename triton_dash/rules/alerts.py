"""The core alerts: targets, errors, queue, backlog, GPU memory, stalls, canary versions, readiness."""

from __future__ import annotations

from typing import Any

from .. import queries as q
from ..metrics import UP
from ..profile.alerts import AlertConfig
from ..queries.builders import selected
from ..selector import Selector
from .alert import alert, model_words, where
from .gpu_alerts import gpu_alerts
from .llm_alerts import llm_alerts

__all__ = ["alert_rules"]


def alert_rules(config: AlertConfig) -> dict[str, Any]:
    sel, by = config.selector, config.grouping
    up = selected(UP, sel)
    model = model_words(config)
    pending = q.pending_requests(sel, by)
    before = sel.with_(rate_interval=config.stalled_history, offset=config.stalled_window)
    rules = [
        alert("TritonTargetDown", f"{up} == 0", config.target_down_for, "critical",
               "A Triton server's metrics endpoint cannot be scraped.",
               f"Prometheus has failed to scrape {{{{ $labels.instance }}}} {where(config)} for "
               f"{config.target_down_for}: the server is down or its metrics port is unreachable."),
        alert("TritonScrapeMissing", f"absent({up})", config.scrape_missing_for, "critical",
               "Prometheus scrapes no Triton server at all.",
               f"No scrape target of the Prometheus at {{{{ $externalURL }}}} matches job=~\"{config.job}\" for "
               f"{config.scrape_missing_for}: check its service discovery (ServiceMonitor/PodMonitor labels, "
               "scrape config)."),
        alert("TritonModelErrorRatioHigh", f"{q.error_ratio(sel, by)} > {config.error_ratio:g}",
               config.error_ratio_for, "warning",
               "A Triton model fails too many requests.",
               f"{{{{ $value | humanizePercentage }}}} of the requests to {model} failed over the last "
               f"{config.rate_window} (threshold {config.error_ratio:.0%})."),
        alert("TritonQueueTimeHigh", f"{q.queue_time_per_request(sel, by)} > {config.queue_time_seconds:g}",
               config.queue_time_for, "warning",
               "Requests wait too long in a Triton model's queue.",
               f"Requests to {model} waited {{{{ $value | humanizeDuration }}}} in the queue on average over "
               f"the last {config.rate_window} (threshold {config.queue_time_seconds:g}s): add instances or "
               "raise the batch size."),
        alert("TritonPendingRequestsGrowing",
               f"{pending} > {config.pending_requests:g} and deriv(({pending})[{config.pending_for}:1m]) > 0",
               config.pending_for, "warning",
               "Pending requests keep growing for a Triton model.",
               f"{{{{ $value }}}} requests to {model} are waiting for execution and the backlog has grown "
               f"for {config.pending_for}: arrivals outpace what the model executes."),
        *gpu_alerts(config),
        alert("TritonModelStalled",
               f"{q.success_rate(sel.with_(rate_interval=config.stalled_window), by)} == 0 "
               f"and {q.success_rate(before, by)} > 0",
               config.stalled_for, "critical",
               "A Triton model that had traffic has stopped answering.",
               f"{model} served requests in the {config.stalled_history} before the last "
               f"{config.stalled_window} but none since: check the model, its backend and its clients."),
    ]
    return {"name": "triton_dash.alerts",
            "rules": [*rules, _canaryalert(config), *_readiness_alerts(config), *llm_alerts(config)]}


def _readiness_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    """From the blackbox exporter's probes of /v2/health/ready and /v2/models/<name>/ready."""
    by = config.with_cluster(("job", "instance"))

    def failing(path: str) -> str:
        # 1 while the endpoint fails (a positive value: engines treat 0-valued alert samples differently)
        sel = Selector(job=config.probe_job, instance=path, model=None, version=None, gpu=None)
        return f"1 - {q.probe_success(sel, by)} > 0"

    return [
        alert("TritonServerNotReady", failing(q.health.SERVER_READY_PATH), config.not_ready_for, "critical",
               "A Triton server answers not ready.",
               "{{ $labels.instance }} has not answered 200 for "
               f"{config.not_ready_for}: the server is starting or shutting down, or (with the default "
               "--strict-readiness=true) one of its models is not ready; check its log and the models' status."),
        alert("TritonModelNotReady", failing(q.health.MODEL_READY_PATH), config.not_ready_for, "warning",
               "A Triton model answers not ready.",
               "{{ $labels.instance }} has not answered 200 for "
               f"{config.not_ready_for}: the model is unloaded or failed to load; requests to it fail."),
    ]


def _canaryalert(config: AlertConfig) -> dict[str, Any]:
    """A version worse than the model's other versions combined, while both take traffic."""
    sel, by, factor = config.selector, config.grouping, f"{config.canary_factor:g}"
    errors = (f"({q.error_ratio(sel, by)} > {factor} * {q.other_versions_error_ratio(sel, by)} "
              f"and {q.error_ratio(sel, by)} > {config.canary_min_error_ratio:g})")
    slower = f"({q.request_time_per_request(sel, by)} > {factor} * {q.other_versions_request_time(sel, by)})"
    return alert(
        "TritonModelVersionWorse", f"{errors} or {slower}", config.canary_for, "warning",
        "A Triton model version fails or answers worse than the model's other versions.",
        f"Version {{{{ $labels.version }}}} of {{{{ $labels.model }}}} {where(config)} has had at least "
        f"{factor} times the error ratio or the request time of the model's other versions over the last "
        f"{config.rate_window}, while both took traffic: roll the canary back, or compare its logs and config.")
