"""The profile: one frozen object holding the fleet's facts, which every command reads.

kubernetes-mixin's ``_config`` for triton_dash: the scrape job, the cluster label,
whether dashboards read recording rules, whether the response cache is on, the
probe job, the rate window of rules and manifests, the alert thresholds, the
SLOs and where GPU metrics come from. Dashboards, rules, SLOs, autoscaling,
capacity, check and provisioning all take their selectors and groupings from
it, so two commands run with the same profile cannot disagree::

    from triton_dash.profile import Profile
    fleet = Profile(job="triton-prod", cluster_label="cluster", recording_rules=True)
    fleet.dashboard_selector()        # $job, $model... with cluster_label=~"$cluster", recorded rates
    fleet.fixed_selector()            # job=~"triton-prod", no variables: for rules and manifests
    fleet.alert_config()              # AlertConfig(job="triton-prod", cluster_label="cluster", ...)
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .. import validate
from ..metrics import GpuSource
from ..selector import DEFAULT_SELECTOR, ResponseCache, Selector, cluster_grouping
from .alerts import FLEET_SETTINGS, AlertConfig, parse_settings

__all__ = ["DEFAULT_JOB", "DEFAULT_PROBE_JOB", "PROFILE_KEYS", "GpuSource", "Profile"]

#: The job rules, autoscaling and capacity use when the profile names none.
DEFAULT_JOB = AlertConfig.job
#: The blackbox exporter's job the readiness alerts use when the profile names none.
DEFAULT_PROBE_JOB = AlertConfig.probe_job


@dataclass(frozen=True)
class Profile:
    """The fleet's facts. Every field is checked on construction; a bad one raises a one-line error.

    ``job`` and ``probe_job`` are regexes; ``None`` means "not set": the dashboards then list every job
    that has Triton's (or the probes') metrics, and rules use ``triton`` (``triton-health``).
    """

    #: Regex of the Triton scrape jobs.
    job: str | None = None
    #: External label naming the cluster (Thanos/Mimir/VictoriaMetrics fleets), e.g. "cluster".
    cluster_label: str | None = None
    #: Dashboards read the recorded rates of ``triton-dash rules`` instead of raw counters.
    recording_rules: bool = False
    #: Whether Triton's response cache is on: auto, on or off.
    response_cache: ResponseCache = ResponseCache.AUTO
    #: Regex of the blackbox exporter's job probing Triton's health endpoints.
    probe_job: str | None = None
    #: The rate window of rules, autoscaling and capacity (dashboards use $__rate_interval).
    rate_window: str = "5m"
    #: Alert threshold overrides, ``(name, value)`` pairs of :class:`AlertConfig` fields.
    alerts: tuple[tuple[str, Any], ...] = ()
    #: Service-level objectives (``[[slo]]`` tables), as parsed by :mod:`triton_dash.profile.slo`.
    slo: tuple[Any, ...] = ()
    #: Where GPU metrics come from: Triton's own ``nv_gpu_*`` or the DCGM exporter.
    gpu_source: GpuSource = GpuSource.TRITON
    #: The DCGM exporter's label naming the pod a GPU is attached to (``exported_pod`` when the exporter's
    #: ServiceMonitor keeps ``honorLabels: false``).
    dcgm_pod_label: str = "pod"
    #: Lint exclusions (``[lint]``), handed to :mod:`triton_dash.lint.config` as they are.
    lint: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("job", "probe_job"):
            value = getattr(self, name)
            if value is not None:
                validate.re2_regex(validate.text(value, name), name)
        if not isinstance(self.recording_rules, bool):
            raise validate.InvalidValue(f"recording_rules={self.recording_rules!r} is not true or false")
        validate.duration(self.rate_window, "rate_window")
        validate.prometheus_label_name(self.dcgm_pod_label, "dcgm_pod_label")
        object.__setattr__(self, "response_cache", _choice(ResponseCache, self.response_cache, "response_cache"))
        object.__setattr__(self, "gpu_source", _choice(GpuSource, self.gpu_source, "gpu_source"))
        fleet = [name for name, _ in self.alerts if name in FLEET_SETTINGS]
        if fleet:
            raise validate.InvalidValue(f"alerts.{fleet[0]} is a fact of the fleet, not of one alert: set "
                                        f"{fleet[0]} at the top level of the profile")
        # the dashboards' check of the cluster label, and every alert setting
        self.dashboard_selector()
        self.alert_config()

    def with_(self, **changes: Any) -> Profile:
        """A copy with some keys changed (flags override single keys); ``None`` values are ignored."""
        given = {name: value for name, value in changes.items() if value is not None}
        return replace(self, **given) if given else self

    @property
    def alert_job(self) -> str:
        """The job rules, autoscaling and capacity select."""
        return self.job if self.job is not None else DEFAULT_JOB

    def alert_config(self) -> AlertConfig:
        """The alert thresholds, with the fleet's job, probe job, rate window and cluster label."""
        fleet: dict[str, Any] = {"job": self.alert_job, "rate_window": self.rate_window,
                                 "probe_job": self.probe_job if self.probe_job is not None else DEFAULT_PROBE_JOB,
                                 "cluster_label": self.cluster_label, "gpu_source": GpuSource(self.gpu_source).value,
                                 "dcgm_pod_label": self.dcgm_pod_label}
        return AlertConfig(**fleet, **parse_settings(dict(self.alerts)))

    def dashboard_selector(self, base: Selector = DEFAULT_SELECTOR) -> Selector:
        """What every panel of a built-in dashboard reads: the variables, recorded or raw, clustered."""
        return base.with_(recording_rules=self.recording_rules, cluster_label=self.cluster_label,
                          response_cache=self.response_cache, dcgm_pod_label=self.dcgm_pod_label)

    def fixed_selector(self, **matchers: Any) -> Selector:
        """No dashboard variable: the fleet's job and rate window (rules, autoscaling, capacity, SLOs)."""
        chosen: dict[str, Any] = {"job": self.alert_job, "rate_interval": self.rate_window}
        chosen.update(matchers)
        return Selector.fixed(**chosen, response_cache=self.response_cache, dcgm_pod_label=self.dcgm_pod_label)

    def grouping(self, by: Sequence[str]) -> tuple[str, ...]:
        """``by`` with the cluster label first: what rules and alerts keep per series."""
        return cluster_grouping(by, self.cluster_label)


def _choice(kind: type[enum.Enum], value: object, key: str) -> Any:
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(c.value) for c in kind)
        raise validate.InvalidValue(f"{key}={value!r} is not one of {choices}") from None


#: Every key a profile file may hold (``alerts`` and ``lint`` are tables, ``slo`` an array of tables).
PROFILE_KEYS: tuple[str, ...] = tuple(item.name for item in fields(Profile))
