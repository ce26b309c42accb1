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
    prod = Selector(job="triton", instance=None, model=None, version=None,
                    extra=(("namespace", "=", "prod"),), rate_interval="5m")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import validate
from .metrics import Metric

__all__ = ["DEFAULT_SELECTOR", "MATCH_OPERATORS", "MODEL_GROUPING", "Selector", "render_selector"]

#: PromQL label-matcher operators.
MATCH_OPERATORS: tuple[str, ...] = ("=", "!=", "=~", "!~")
#: The default grouping of per-model queries: one line per model version.
MODEL_GROUPING: tuple[str, ...] = ("model", "version")


@dataclass(frozen=True)
class Selector:
    """Label matchers and the rate window shared by every query.

    Each of ``job``, ``instance``, ``model``, ``version`` and ``gpu`` is a
    regular expression matched with ``=~``; ``None`` leaves that label out.
    ``extra`` holds ``(label, operator, value)`` matchers added to every
    selector (for example a Kubernetes ``namespace``), whatever the metric.
    """

    job: str | None = "$job"
    instance: str | None = "$instance"
    model: str | None = "$model"
    version: str | None = "$version"
    gpu: str | None = "$gpu"
    extra: tuple[tuple[str, str, str], ...] = ()
    rate_interval: str = "$__rate_interval"
    #: Read the recording rules' per-(job, model, version) rates instead of raw counters.
    recorded: bool = False
    #: Look this far back (PromQL ``offset``), e.g. "10m"; for alerts comparing now with before.
    offset: str | None = None
    #: The external label that names a cluster (Thanos/Mimir/VictoriaMetrics fleets), e.g. "cluster";
    #: when set, every selector also matches ``<cluster_label>=~<cluster>``, whatever the metric.
    cluster_label: str | None = None
    cluster: str = "$cluster"

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

    def with_(self, **changes: object) -> Selector:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def grouping(self, by: Sequence[str]) -> tuple[str, ...]:
        """``by`` plus the cluster label when the grouping is per server (``instance``): pod names repeat
        across clusters, so per-server lines must say which cluster they are from."""
        if self.cluster_label and "instance" in by and self.cluster_label not in by:
            return (*by, self.cluster_label)
        return tuple(by)

    def regex_matchers(self) -> dict[str, str | None]:
        return {
            "job": self.job,
            "instance": self.instance,
            "model": self.model,
            "version": self.version,
            "gpu_uuid": self.gpu,
        }


DEFAULT_SELECTOR = Selector()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_selector(metric: Metric, selector: Selector, *extra: tuple[str, str, str]) -> str:
    """``metric{label=~"..."}`` with the matchers that apply to ``metric``.

    >>> from triton_dash.metrics import CPU_UTILIZATION
    >>> render_selector(CPU_UTILIZATION, Selector())
    'nv_cpu_utilization{job=~"$job", instance=~"$instance"}'
    """
    applicable = set(metric.scrape_labels) | set(metric.labels)
    parts = [
        f"{label}=~{_quote(value)}"
        for label, value in selector.regex_matchers().items()
        if value is not None and label in applicable
    ]
    if selector.cluster_label:
        parts.append(f"{selector.cluster_label}=~{_quote(selector.cluster)}")
    parts += [f"{label}{op}{_quote(value)}" for label, op, value in (*selector.extra, *extra)]
    return f"{metric.name}{{{', '.join(parts)}}}" if parts else metric.name
