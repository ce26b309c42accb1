"""House defaults: the grafanalib panels every triton_dash panel starts from.

Specialise these rather than building grafanalib panels from scratch, so that
every panel shares one datasource reference, legend style and threshold shape::

    from triton_dash.panels import default_timeseries, prometheus_target, Unit
    panel = default_timeseries(
        title="Queue depth", description="...", unit=Unit.SHORT,
        targets=[prometheus_target("sum(nv_inference_pending_request_count)", "pending")],
    )
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict

if sys.version_info >= (3, 11):
    from typing import Unpack
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Unpack

import attr
import grafanalib.core as G

from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector

__all__ = [
    "DATASOURCE",
    "BucketHeatmap",
    "Color",
    "DataSource",
    "FlowPos",
    "GroupedPanelOptions",
    "Layout",
    "PanelOptions",
    "PanelScope",
    "ResolvedOptions",
    "Thresholds",
    "Unit",
    "Unpack",
    "default_heatmap",
    "default_piechart",
    "default_stat",
    "default_timeseries",
    "legend_for",
    "panel_options",
    "prometheus_target",
    "used_and_total",
]

#: A panel's datasource reference: ``{"type": "prometheus", "uid": "${datasource}"}``.
DataSource = Mapping[str, str]
#: The dashboard's ``datasource`` variable, which every built-in panel uses.
DATASOURCE: DataSource = {"type": "prometheus", "uid": "${datasource}"}


class PanelScope(TypedDict):
    """The keyword arguments a dashboard passes to all its panels: ``panel(**scope)``."""

    selector: Selector
    datasource: DataSource


class PanelOptions(TypedDict, total=False):
    """The keyword arguments every panel factory takes; a factory states only the ones that are its own.

    ``selector``: which series; ``datasource``: the panel's datasource reference; ``width`` and ``height``:
    its size on the 24-column grid; ``title``: replaces the factory's own.
    """

    selector: Selector
    datasource: DataSource
    width: int
    height: int
    title: str | None


class GroupedPanelOptions(PanelOptions, total=False):
    """:class:`PanelOptions` of a per-model panel, plus ``by``: the grouping (default model and version)."""

    by: Grouping


class Layout(TypedDict):
    """Where a panel draws: what every house default below takes (``default_timeseries(..., **o.layout)``)."""

    datasource: DataSource
    width: int
    height: int


@dataclass(frozen=True)
class ResolvedOptions:
    """A factory's options with its own defaults filled in (see :func:`panel_options`)."""

    selector: Selector
    by: tuple[str, ...]
    datasource: DataSource
    width: int
    height: int
    title: str | None

    @property
    def layout(self) -> Layout:
        return {"datasource": self.datasource, "width": self.width, "height": self.height}

    def regrouped(self, by: Sequence[str]) -> ResolvedOptions:
        """The same options with another grouping (e.g. the selector's, with the cluster label)."""
        return replace(self, by=tuple(by))


def panel_options(options: PanelOptions | GroupedPanelOptions, *, width: int = 8, height: int = 8,
                  by: Sequence[str] = MODEL_GROUPING) -> ResolvedOptions:
    """The options a factory was called with, over that factory's defaults (its size, its grouping)."""
    unknown = set(options) - set(GroupedPanelOptions.__annotations__) - set(PanelOptions.__annotations__)
    if unknown:
        raise TypeError(f"unexpected panel option(s): {', '.join(sorted(unknown))}")
    given: dict[str, Any] = dict(options)
    return ResolvedOptions(
        selector=given.get("selector", DEFAULT_SELECTOR), by=tuple(given.get("by", by)),
        datasource=given.get("datasource", DATASOURCE), width=given.get("width", width),
        height=given.get("height", height), title=given.get("title"),
    )


class Unit(str, enum.Enum):
    """Grafana unit ids used by triton_dash panels."""

    SECONDS = "s"
    PERCENT_UNIT = "percentunit"  # 0-1 shown as %
    BYTES = "bytes"
    REQUESTS_PER_SECOND = "reqps"
    OPS_PER_SECOND = "ops"
    WATTS = "watt"
    CELSIUS = "celsius"
    CORES = "short"
    SHORT = "short"
    NONE = "none"
    MILLISECONDS = "ms"
    TOKENS_PER_SECOND = "short"


class FlowPos(G.GridPos):  # type: ignore[misc]
    """A panel size without a position: the final pass places the panel in reading order.

    A plain ``grafanalib.core.GridPos`` (x and y given) pins the panel where it says.
    """

    @classmethod
    def sized(cls, width: int, height: int) -> FlowPos:
        return cls(h=height, w=width, x=0, y=0)


class Color(str, enum.Enum):
    OK = "green"
    WARN = "orange"
    BAD = "red"
    INFO = "blue"


#: Threshold steps: ``(from_value, color)``; the first has ``None`` (the base).
Thresholds = Sequence[tuple[float | None, Color]]
NEUTRAL: Thresholds = ((None, Color.OK),)


def _steps(thresholds: Thresholds) -> list[dict[str, Any]]:
    return [{"color": color.value, "value": value} for value, color in thresholds]


def legend_for(by: Sequence[str]) -> str:
    """A legend naming each grouping label: ``{{model}} v{{version}}`` for the default, wherever it stands."""
    labels, parts = list(by), []
    while labels:
        if tuple(labels[:2]) == MODEL_GROUPING:
            parts.append("{{model}} v{{version}}")
            del labels[:2]
        else:
            parts.append(f"{{{{{labels.pop(0)}}}}}")
    return " ".join(parts) or "__auto"


def prometheus_target(expr: str, legend: str = "", *, instant: bool = False, heatmap: bool = False) -> G.Target:
    """A Prometheus query; refIds and the datasource are set by the final pass.

    ``heatmap`` asks Grafana for histogram buckets (``format: heatmap``), which it de-accumulates by ``le``.
    """
    if heatmap:
        return G.Target(expr=expr, legendFormat=legend, instant=instant, format="heatmap")
    return G.Target(expr=expr, legendFormat=legend, instant=instant)


def used_and_total(used: str, total: str, by: Sequence[str], *, used_word: str = "used",
                   total_word: str = "total") -> list[G.Target]:
    """The two lines of a used-versus-total panel (memory used and its size, power drawn and its limit)."""
    legend = legend_for(by)
    return [prometheus_target(used, f"{legend} {used_word}"), prometheus_target(total, f"{legend} {total_word}")]


def _field_defaults(min_value: float | None, max_value: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if min_value is not None:
        out["min"] = min_value
    if max_value is not None:
        out["max"] = max_value
    return {"fieldConfig": {"defaults": out}} if out else {}


def default_timeseries(
    *,
    title: str,
    description: str,
    unit: Unit,
    targets: Sequence[G.Target],
    datasource: DataSource = DATASOURCE,
    width: int = 8,
    height: int = 8,
    thresholds: Thresholds = NEUTRAL,
    stacked: bool = False,
    min_value: float | None = 0,
    max_value: float | None = None,
    legend_calcs: Sequence[str] = ("mean", "max", "lastNotNull"),
) -> G.TimeSeries:
    """A line graph with a table legend (mean, max, last) and a shared tooltip."""
    return G.TimeSeries(
        title=title,
        description=description,
        dataSource=dict(datasource),
        targets=list(targets),
        unit=unit.value,
        gridPos=FlowPos.sized(width, height),
        thresholds=_steps(thresholds),
        thresholdsStyleMode="line" if len(thresholds) > 1 else "off",
        fillOpacity=60 if stacked else 10,
        lineWidth=1,
        stacking={"mode": "normal", "group": "A"} if stacked else {"mode": "none", "group": "A"},
        legendDisplayMode="table",
        legendPlacement="bottom",
        legendCalcs=list(legend_calcs),
        tooltipMode="multi",
        tooltipSort="desc",
        extraJson=_field_defaults(min_value, max_value),
    )


def default_stat(
    *,
    title: str,
    description: str,
    unit: Unit,
    targets: Sequence[G.Target],
    datasource: DataSource = DATASOURCE,
    width: int = 4,
    height: int = 4,
    thresholds: Thresholds = NEUTRAL,
    decimals: int | None = None,
    no_value: str = "no data",
) -> G.Stat:
    """A single number: the last value, coloured by thresholds."""
    stat = G.Stat(
        title=title,
        description=description,
        dataSource=dict(datasource),
        targets=list(targets),
        format=unit.value,
        gridPos=FlowPos.sized(width, height),
        thresholds=_steps(thresholds),
        reduceCalc="lastNotNull",
        colorMode="value",
        graphMode="area",
        decimals=decimals,
        noValue=no_value,
    )
    return stat


def default_piechart(
    *,
    title: str,
    description: str,
    unit: Unit,
    targets: Sequence[G.Target],
    datasource: DataSource = DATASOURCE,
    width: int = 6,
    height: int = 8,
    repeat_variable: str | None = None,
) -> G.PieChartv2:
    """A pie of the last values, with values and percentages in the legend."""
    return G.PieChartv2(
        title=title,
        description=description,
        dataSource=dict(datasource),
        targets=list(targets),
        unit=unit.value,
        gridPos=FlowPos.sized(width, height),
        pieType="pie",
        reduceOptionsCalcs=["lastNotNull"],
        legendDisplayMode="table",
        legendPlacement="right",
        legendValues=["value", "percent"],
        tooltipMode="single",
        repeat=G.Repeat("h", repeat_variable, 4) if repeat_variable else G.Repeat(),
    )


@attr.s
class BucketHeatmap(G.Panel):  # type: ignore[misc]
    """Grafana's current heatmap panel over pre-bucketed data (Prometheus histogram buckets).

    grafanalib's ``Heatmap`` writes the pre-7 Angular options; this writes the
    options Grafana's heatmap schema requires, with ``calculate: false``.
    """

    unit: str = attr.ib(default="short")

    def to_json_data(self) -> dict[str, Any]:
        return self.panel_json({  # type: ignore[no-any-return]
            "type": "heatmap",
            "fieldConfig": {"defaults": {"custom": {
                "hideFrom": {"legend": False, "tooltip": False, "viz": False},
                "scaleDistribution": {"type": "linear"},
            }}, "overrides": []},
            "options": {
                "calculate": False,
                "cellGap": 1,
                "color": {"exponent": 0.5, "fill": "dark-orange", "mode": "scheme", "reverse": False,
                          "scale": "exponential", "scheme": "Oranges", "steps": 64},
                "exemplars": {"color": "rgba(255,0,255,0.7)"},
                "filterValues": {"le": 1e-9},
                "legend": {"show": True},
                "rowsFrame": {"layout": "auto"},
                "showValue": "never",
                "tooltip": {"mode": "single", "showColorScale": False, "yHistogram": True},
                "yAxis": {"axisPlacement": "left", "reverse": False, "unit": self.unit},
            },
        })


def default_heatmap(
    *,
    title: str,
    description: str,
    unit: Unit | str,
    expr: str,
    datasource: DataSource = DATASOURCE,
    width: int = 12,
    height: int = 8,
    repeat_variable: str | None = None,
) -> BucketHeatmap:
    """A heatmap of one histogram's buckets: ``expr`` must return one series per ``le``.

    ``repeat_variable`` repeats the panel once per selected value (Grafana
    ``repeat``), e.g. once per model: buckets of different layouts must never
    be added together.
    """
    return BucketHeatmap(  # type: ignore[call-arg]  # grafanalib Panel fields, unseen by mypy
        title=title, description=description, dataSource=dict(datasource),
        targets=[prometheus_target(expr, "{{le}}", heatmap=True)],
        unit=unit.value if isinstance(unit, Unit) else unit,
        gridPos=FlowPos.sized(width, height),
        repeat=G.Repeat("h", repeat_variable, 4) if repeat_variable else G.Repeat(),
    )
