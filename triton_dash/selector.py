"""Which series a query reads, and over what rate window.

A :class:`Selector` holds one regex matcher per label that triton_dash knows
(``job``, ``instance``, ``model``, ``version``, ``gpu_uuid``) plus any fixed
matchers you add. When a query selects a metric, only the matchers for labels
that the metric really carries are written (``nv_cpu_utilization`` has no
``model`` label, so it gets no model matcher); the metric catalogue says which
labels those are.

By default the matchers point at the dashboard variables, so panels follow the
variable drop-downs. For recording rules or ad-hoc queries, use fixed values::

    from triton_dash.selector import Selector
    prod = Selector.fixed(job="triton", extra=(("namespace", "=", "prod"),), rate_interval="5m")

The dashboard variables the default matchers point at are named once, in
:class:`Var`; the dashboards' variable drop-downs are made from the same names.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import validate
from .metrics import DCGM_NAMESPACE_LABEL, Metric
from .metrics.recorded import cluster_grouping

__all__ = [
    "DEFAULT_SELECTOR", "MATCH_OPERATORS", "MODEL_GROUPING", "Grouping", "ResponseCache", "Selector", "Var",
    "cluster_grouping", "quote", "render_selector",
]

#: A query's grouping: the labels of ``sum by (...)``.
Grouping = Sequence[str]

#: A query's grouping: the labels of ``sum by (...)``.

#: PromQL label-matcher operators.
MATCH_OPERATORS: tuple[str, ...] = ("=", "!=", "=~", "!~")
#: The default grouping of per-model queries: one line per model version.
MODEL_GROUPING: tuple[str, ...] = ("model", "version")


class Var(str, enum.Enum):
    """The dashboard variables, by name; ``Var.JOB.ref`` is what a matcher writes (``$job``)."""

    DATASOURCE = "datasource"
    CLUSTER = "cluster"
    JOB = "job"
    INSTANCE = "instance"
    MODEL = "model"
    VERSION = "version"
    GPU = "gpu"
    PROBE_JOB = "probe_job"

    @property
    def ref(self) -> str:
        return f"${self.value}"


class ResponseCache(str, enum.Enum):
    """Whether Triton's response cache is on: how per-request compute times count executed requests.

    ``auto`` subtracts cache hits where a server reports them and counts them as zero where it does not;
    ``on`` always subtracts them; ``off`` divides by successful requests alone (no cache-hit series read).
    """

    AUTO = "auto"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class Selector:
    """Label matchers and the rate window shared by every query.

    Each of ``job``, ``instance``, ``model``, ``version`` and ``gpu`` is a
    regular expression matched with ``=~``; ``None`` leaves that label out.
    ``extra`` holds ``(label, operator, value)`` matchers added to every
    selector (for example a Kubernetes ``namespace``), whatever the metric.
    """

    job: str | None = Var.JOB.ref
    instance: str | None = Var.INSTANCE.ref
    model: str | None = Var.MODEL.ref
    version: str | None = Var.VERSION.ref
    gpu: str | None = Var.GPU.ref
    extra: tuple[tuple[str, str, str], ...] = ()
    rate_interval: str = "$__rate_interval"
    #: Read the recording rules' per-(job, model, version) rates instead of raw counters (the profile key and
    #: the build flag of the same name).
    recording_rules: bool = False
    #: Look this far back (PromQL ``offset``), e.g. "10m"; for alerts comparing now with before.
    offset: str | None = None
    #: The external label that names a cluster (Thanos/Mimir/VictoriaMetrics fleets), e.g. "cluster";
    #: when set, every selector also matches ``<cluster_label>=~<cluster>``, whatever the metric.
    cluster_label: str | None = None
    cluster: str = Var.CLUSTER.ref
    #: Whether the response cache is on (see :class:`ResponseCache`).
    response_cache: ResponseCache = ResponseCache.AUTO
    #: Where DCGM exporter series name the pod that holds the GPU: ``pod`` (honorLabels: true),
    #: ``exported_pod`` (honorLabels: false, the shipped ServiceMonitors) or ``pod_name``
    #: (``--use-old-namespace``); only the ``dcgm`` GPU source reads it.
    dcgm_pod_label: str = "pod"

    def __post_init__(self) -> None:
        """Refuse a bad regex, matcher or duration here, before any query or file is made from it."""
        for label, value in self.regex_matchers().items():
            if value is not None:
                validate.re2_regex(value, f"selector {label}")
        for matcher in self.extra:
            if len(matcher) != 3:
                raise validate.InvalidValue(f"selector extra matcher {matcher!r} is not (label, operator, value)")
            label, op, value = matcher
            validate.prometheus_label_name(label, "selector extra label")
            if op not in MATCH_OPERATORS:
                raise validate.InvalidValue(f"selector extra matcher {label}{op}... has the operator {op!r}; "
                                            f"use one of {', '.join(MATCH_OPERATORS)}")
            if op in ("=~", "!~"):
                validate.re2_regex(value, f"selector {label}")
            else:
                validate.no_control_characters(value, f"selector {label}")
        validate.duration(self.rate_interval, "rate_interval", allow_variables=True)
        if self.cluster_label is not None:
            validate.prometheus_label_name(self.cluster_label, "cluster label")
            if self.cluster_label in (*self.regex_matchers(), "le", "quantile", "reason"):
                raise validate.InvalidValue(f"cluster label={self.cluster_label!r} is a label Triton already uses; "
                                            "name the external label that tells clusters apart, e.g. cluster")
            validate.re2_regex(self.cluster, "selector cluster")
        if self.offset is not None:
            validate.duration(self.offset, "offset", allow_variables=True)
        if self.dcgm_pod_label not in DCGM_NAMESPACE_LABEL:
            raise validate.InvalidValue(f"dcgm_pod_label={self.dcgm_pod_label!r}; use one of "
                                        f"{', '.join(DCGM_NAMESPACE_LABEL)} (exported_pod when the exporter's "
                                        "ServiceMonitor keeps honorLabels: false)")
        if not isinstance(self.response_cache, ResponseCache):
            choices = ", ".join(c.value for c in ResponseCache)
            try:
                object.__setattr__(self, "response_cache", ResponseCache(self.response_cache))
            except ValueError:
                raise validate.InvalidValue(f"response_cache={self.response_cache!r} is not one of {choices}") from None

    @classmethod
    def fixed(cls, *, job: str | None = None, model: str | None = None, rate_interval: str = "5m",
              **changes: object) -> Selector:
        """No dashboard variable at all: only the matchers given (for rules, autoscaling and ad-hoc queries)."""
        base = cls(job=job, instance=None, model=model, version=None, gpu=None, rate_interval=rate_interval)
        return base.with_(**changes) if changes else base

    @property
    def dcgm_namespace_label(self) -> str:
        """The namespace label that goes with :attr:`dcgm_pod_label`."""
        return DCGM_NAMESPACE_LABEL[self.dcgm_pod_label]

    @property
    def reads_recordings(self) -> bool:
        """Queries read the recorded rates: recorded, and not looking back (recordings have no offset copy)."""
        return self.recording_rules and not self.offset

    def with_(self, **changes: object) -> Selector:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def grouping(self, by: Sequence[str]) -> tuple[str, ...]:
        """``by`` plus the cluster label when the grouping is per server (``instance``): pod names repeat
        across clusters, so per-server lines must say which cluster they are from."""
        return cluster_grouping(by, self.cluster_label) if "instance" in by else tuple(by)

    def regex_matchers(self) -> dict[str, str | None]:
        return {
            "job": self.job,
            "instance": self.instance,
            "model": self.model,
            "version": self.version,
            "gpu_uuid": self.gpu,
        }


DEFAULT_SELECTOR = Selector()


def quote(value: str) -> str:
    """A PromQL double-quoted string: backslashes and quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_selector(metric: Metric, selector: Selector, *extra: tuple[str, str, str]) -> str:
    """``metric{label=~"..."}`` with the matchers that apply to ``metric``.

    >>> from triton_dash.metrics import CPU_UTILIZATION
    >>> render_selector(CPU_UTILIZATION, Selector())
    'nv_cpu_utilization{job=~"$job", instance=~"$instance"}'
    """
    applicable = set(metric.scrape_labels) | set(metric.labels)
    parts = [
        f"{label}=~{quote(value)}"
        for label, value in selector.regex_matchers().items()
        if value is not None and label in applicable
    ]
    if selector.cluster_label:
        parts.append(f"{selector.cluster_label}=~{quote(selector.cluster)}")
    parts += [f"{label}{op}{quote(value)}" for label, op, value in (*selector.extra, *extra)]
    return f"{metric.name}{{{', '.join(parts)}}}" if parts else metric.name
