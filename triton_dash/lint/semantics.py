"""What an expression reads, in the catalogue's terms: the facts every target rule asks about.

A rule never matches metric names as strings: it asks :func:`family` what a
series is (counter, gauge, a per-request time total, a request count, a 0-1
ratio), and :class:`TargetContext` how the panel presents the number (its unit,
title and legend).

    ctx = TargetContext.of(doc, panel, target, ref="A", raw=expr, ast=parse(expanded))
    [u.name for u in ctx.uses if is_time_total(u.name)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import promql_parser as pp

from ..analysis.promql import RANGE_FUNCTIONS, Node, SelectorUse, binary_op, selectors
from ..metrics import HISTOGRAM_PARTS, Metric, MetricKind, identify
from .exposition import exposed_kind

__all__ = [
    "PERCENT_UNITS",
    "RATIO_UNITS",
    "TIME_UNITS",
    "TargetContext",
    "category_label",
    "divided_by_selector",
    "family",
    "is_count",
    "is_time_total",
    "kind",
    "locate",
    "rated",
    "strip",
    "target_unit",
]

#: Grafana units that show a time.
TIME_UNITS = frozenset({"ns", "µs", "us", "ms", "s", "m", "h", "d", "dtdurationms", "dtdurations", "dthms", "dtdhms",
                        "clockms", "clocks", "timeticks"})
#: Catalogue units of a 0-1 family, and of a 0-100 one.
RATIO_UNITS = frozenset({"ratio", "fraction", "0-1", "percentunit"})
PERCENT_UNITS = frozenset({"percent", "%", "0-100"})
_CATALOGUE_TIME = frozenset({"ns", "µs", "us", "ms", "s"})
_TIME_WORDS = re.compile(r"\b(time|times|latency|latencies|duration|durations|delay|wait|ttft|tpot|itl)\b", re.I)
_CUMULATIVE_WORDS = re.compile(r"\b(total|totals|cumulative|since|overall|lifetime|all[- ]time)\b", re.I)
_RATE_UNITS = frozenset({"reqps", "rps", "ops", "opm", "rpm", "wps", "iops", "Bps", "bps", "binBps", "binbps"})
_BATCH_WORDS = re.compile(r"\bbatch(?!ing)", re.I)  # "batch size", not "batching efficiency"
_LEGEND_VARS = re.compile(r"\{\{[^}]*\}\}")


def strip(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def family(name: str) -> Metric | None:
    """The known family (or histogram series, as a counter) of a series name; None when nobody catalogued it."""
    return identify(name)


#: Types the user's own servers declare (``lint --types``), for names no catalogue knows.
EXPOSED: ContextVar[Mapping[str, MetricKind]] = ContextVar("EXPOSED", default=MappingProxyType({}))


def kind(name: str) -> MetricKind | None:
    """The Prometheus type by the catalogue, else by the declared types; ``_bucket`` series are counters; else None.

    The ``_total`` suffix is only a hint (``vllm:healthy_pods_total`` is a gauge), so an unknown
    ``..._total`` has no kind here.
    """
    metric = family(name)
    if metric is not None:
        return metric.kind
    declared = exposed_kind(name, EXPOSED.get())
    if declared is not None:
        return declared
    return MetricKind.COUNTER if name.endswith("_bucket") else None


def _part_of(name: str) -> tuple[Metric, str] | None:
    for suffix in HISTOGRAM_PARTS:
        if name.endswith(suffix):
            parent = identify(name.removesuffix(suffix))
            if parent is not None and parent.kind in (MetricKind.HISTOGRAM, MetricKind.SUMMARY):
                return parent, suffix
    return None


def is_time_total(name: str) -> bool:
    """A counter that adds up time over requests: Triton's ``*_duration_us``, a time histogram's ``_sum``."""
    part = _part_of(name)
    if part is not None:
        return part[1] == "_sum" and part[0].unit in _CATALOGUE_TIME
    metric = family(name)
    return (metric is not None and metric.kind is MetricKind.COUNTER and metric.unit in _CATALOGUE_TIME
            and metric.source == "triton")


def is_count(name: str, unit: str) -> bool:
    """A counter of ``unit`` (requests, inferences, executions); a histogram's ``_count`` counts requests."""
    part = _part_of(name)
    if part is not None:
        return part[1] == "_count" and unit == "requests"
    metric = family(name)
    return metric is not None and metric.kind is MetricKind.COUNTER and metric.unit == unit


def category_label(name: str) -> str | None:
    """The label splitting a family into different quantities (request_type ...), never to be aggregated away."""
    metric = family(name)
    if metric is None or _part_of(name) is not None:
        return None
    if metric.category_label:
        return metric.category_label
    extra = [label for label in metric.labels if label not in ("model", "version")]
    return extra[0] if metric.source == "tensorrt_llm" and metric.kind is MetricKind.COUNTER and len(extra) == 1 \
        else None


def rated(node: Node) -> list[SelectorUse]:
    """Selectors under rate/irate/increase that are not gauges by the catalogue."""
    return [u for u in selectors(node) if u.function in RANGE_FUNCTIONS
            and kind(u.name) not in (MetricKind.GAUGE, MetricKind.SUMMARY)]


def locate(raw: str, use: SelectorUse) -> str:
    """The text of ``use`` in the expression as written: ``rate(x{...}[30s])``, else the metric name."""
    name = re.escape(use.name)
    if use.function:
        found = re.search(rf"{use.function}\s*\(\s*{name}\s*(\{{[^}}]*\}})?\s*\[[^\]]*\]\s*\)", raw)
        if found:
            return found[0]
    found = re.search(rf"{name}\s*(\{{[^}}]*\}})?", raw)
    return found[0].rstrip() if found else ""


def _override_unit(panel: Mapping[str, Any], ref: str) -> str | None:
    for override in (panel.get("fieldConfig") or {}).get("overrides", []) or []:
        matcher = override.get("matcher") or {}
        if matcher.get("id") == "byFrameRefID" and matcher.get("options") == ref:
            for prop in override.get("properties", []) or []:
                if prop.get("id") == "unit" and prop.get("value"):
                    return str(prop["value"])
    return None


def target_unit(panel: Mapping[str, Any], ref: str) -> str:
    """The unit Grafana shows this target's numbers in: a refId override, the default, or the legacy axis."""
    unit = _override_unit(panel, ref) or ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
    if unit:
        return str(unit)
    axes = [a for a in panel.get("yaxes", []) or [] if isinstance(a, Mapping)]
    if axes and axes[0].get("format"):
        return str(axes[0]["format"])
    return str(panel.get("format") or "")


@dataclass(frozen=True)
class TargetContext:
    doc: Mapping[str, Any]
    panel: Mapping[str, Any]
    target: Mapping[str, Any]
    ref: str
    raw: str  # as written, with variables
    ast: Node  # parsed after expansion with recognisable macro values
    uses: list[SelectorUse] = field(default_factory=list)
    #: False for a hidden target, or one a Grafana expression (math, reduce) reads: its number is not shown
    #: as it is, so the rules about how a number is presented (unit, title) do not apply.
    shown: bool = True

    @classmethod
    def of(cls, doc: Mapping[str, Any], panel: Mapping[str, Any], target: Mapping[str, Any], ref: str, raw: str,
           ast: Node, *, shown: bool = True) -> TargetContext:
        return cls(doc, panel, target, ref, raw, ast, list(selectors(ast)), shown)

    @property
    def unit(self) -> str:
        return target_unit(self.panel, self.ref)

    @property
    def axis_label(self) -> str:
        axes = [a for a in self.panel.get("yaxes", []) or [] if isinstance(a, Mapping)]
        custom = ((self.panel.get("fieldConfig") or {}).get("defaults") or {}).get("custom") or {}
        return " ".join(str(x) for x in (axes[0].get("label") if axes else None, custom.get("axisLabel")) if x)

    @property
    def legend(self) -> str:
        return _LEGEND_VARS.sub(" ", str(self.target.get("legendFormat") or "")).strip()

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or "")

    def shown_as_time(self) -> bool:
        """The panel presents the number as a time: a time unit, or a title or legend saying so."""
        return self.unit in TIME_UNITS or any(_TIME_WORDS.search(text) for text in (self.title, self.legend,
                                                                                      self.axis_label))

    def shown_as_cumulative(self) -> bool:
        """The panel says the number is a running total (a title or legend saying total, cumulative, since ...)."""
        if self.unit in _RATE_UNITS or self.unit.endswith(("/s", "ps")):
            return False
        return any(_CUMULATIVE_WORDS.search(text) for text in (self.title, self.legend))

    def shown_as_batch(self) -> bool:
        words = self.legend if re.search(r"[A-Za-z]{3}", self.legend) else self.title
        return bool(_BATCH_WORDS.search(words))


def divided_by_selector(use: SelectorUse) -> bool:
    """Whether ``use`` is divided by (or weighs, or divides) another series: not just scaled by a number."""
    chain = (*use.parents, use.node)
    for index, parent in enumerate(use.parents):
        op = binary_op(parent)
        if op not in ("/", "*"):
            continue
        on_left = chain[index + 1] is parent.lhs
        if op == "/" and not on_left:
            return True
        if list(selectors(parent.rhs if on_left else parent.lhs)):
            return True
    return False
