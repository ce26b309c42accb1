"""Alert thresholds and durations: :class:`AlertConfig`, every setting checked on construction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .. import validate
from ..metrics import DCGM_NAMESPACE_LABEL, GpuSource
from ..selector import Selector, cluster_grouping

__all__ = ["ALERT_GROUPING", "FLEET_SETTINGS", "AlertConfig"]

ALERT_GROUPING: tuple[str, ...] = ("job", "model", "version")
#: Settings that are shares between 0 and 1, counts (>= 0) and times in seconds (> 0).
RATIO_SETTINGS = frozenset({"error_ratio", "gpu_memory_ratio", "kv_cache_ratio", "canary_min_error_ratio"})
COUNT_SETTINGS = frozenset({"pending_requests", "llm_waiting_requests"})
SECONDS_SETTINGS = frozenset({"queue_time_seconds", "ttft_p95_seconds"})
FACTOR_SETTINGS = frozenset({"canary_factor"})
#: Settings that are facts of the fleet, not of one alert: in a profile they are top-level keys.
FLEET_SETTINGS = frozenset({"job", "rate_window", "probe_job", "cluster_label", "gpu_source", "dcgm_pod_label"})
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
    cluster_label: str | None = None  #: external label naming the cluster; alerts and recordings then keep it
    gpu_source: str = GpuSource.TRITON.value  #: GPU alerts from triton (nv_gpu_*) or dcgm (the DCGM exporter)
    dcgm_pod_label: str = "pod"  #: dcgm: the label naming the GPU's pod (exported_pod with honorLabels: false)

    def __post_init__(self) -> None:
        """Every field is checked here, so a bad value never reaches a rules file."""
        validate.re2_regex(self.job, "job")
        validate.re2_regex(self.probe_job, "probe_job")
        if self.cluster_label:
            Selector(cluster_label=self.cluster_label)  # the same check as the dashboards'
        if self.gpu_source not in {s.value for s in GpuSource}:
            raise validate.InvalidValue(f"gpu_source={self.gpu_source!r} is not one of "
                                        f"{', '.join(s.value for s in GpuSource)}")
        if self.dcgm_pod_label not in DCGM_NAMESPACE_LABEL:
            Selector(dcgm_pod_label=self.dcgm_pod_label)  # the dashboards' check and message
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("cluster_label", "gpu_source", "dcgm_pod_label"):
                continue
            if item.name in RATIO_SETTINGS:
                validate.ratio(value, item.name)
            elif item.name in COUNT_SETTINGS:
                validate.number(value, item.name, minimum=0)
            elif item.name in SECONDS_SETTINGS or item.name in FACTOR_SETTINGS:
                validate.number(value, item.name, minimum=0, exclusive_minimum=True)
            elif item.name not in ("job", "probe_job"):
                validate.duration(value, item.name, allow_zero=item.name in FOR_SETTINGS)

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str]) -> AlertConfig:
        """Parse ``{"queue_time_seconds": "0.2"}`` style overrides; ValueError names a bad one.

        A time in seconds also takes a duration with its unit (``queue_time_seconds=100ms``); an empty
        ``cluster_label`` means none.
        """
        return cls(**parse_settings(overrides))

    @property
    def grouping(self) -> tuple[str, ...]:
        """What every per-model alert keeps: (cluster,) job, model, version."""
        return self.with_cluster(ALERT_GROUPING)

    def with_cluster(self, by: tuple[str, ...]) -> tuple[str, ...]:
        return cluster_grouping(by, self.cluster_label)

    @property
    def selector(self) -> Selector:
        return Selector.fixed(job=self.job, rate_interval=self.rate_window, dcgm_pod_label=self.dcgm_pod_label)


def parse_settings(overrides: Mapping[str, object]) -> dict[str, Any]:
    """Alert settings from text (``--set``) or TOML values, each converted to its field's type."""
    known = {f.name for f in fields(AlertConfig)}
    defaults = AlertConfig()
    values: dict[str, Any] = {}
    for name, raw in overrides.items():
        if name not in known:
            raise validate.InvalidValue(f"unknown alert setting {name!r}; known: {', '.join(sorted(known))}")
        default = getattr(defaults, name)
        if name == "cluster_label":
            values[name] = str(raw) or None
        elif isinstance(default, float | int):
            values[name] = _number(name, raw)
        else:
            values[name] = str(raw)
    return values


def _number(name: str, raw: object) -> float:
    if isinstance(raw, bool):
        raise validate.InvalidValue(f"alert setting {name}={raw!r} is not a number")
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip()
    try:
        return float(text)
    except ValueError:
        pass
    if name in SECONDS_SETTINGS:
        try:
            return validate.duration_seconds(validate.duration(text, name))
        except validate.InvalidValue:
            raise validate.InvalidValue(f"alert setting {name}={raw!r} is neither seconds (0.1) nor a duration "
                                        "(100ms)") from None
    if name in RATIO_SETTINGS:
        raise validate.InvalidValue(f"alert setting {name}={raw!r} is not a number; give a share between 0 and 1 "
                                    "(0.05 means 5 %)")
    raise validate.InvalidValue(f"alert setting {name}={raw!r} is not a number")
