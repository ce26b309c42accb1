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
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import attr
import grafanalib.core as G

from ..selector import MODEL_GROUPING, Selector

__all__ = [
    "DATASOURCE",
    "BucketHeatmap",
    "Color",
    "DataSource",
    "FlowPos",
    "PanelScope",
    "Thresholds",
    "Unit",
    "default_heatmap",
    "default_piechart",
    "default_stat",
    "default_timeseries",
    "legend_for",
    "prometheus_target",
]

#: A panel's datasource reference: ``{"type": "prometheus", "uid": "${datasource}"}``.
DataSource = Mapping[str, str]
#: The dashboard's ``datasource`` variable, which every built-in panel uses.
DATASOURCE: DataSource = {"type": "prometheus", "uid": "${datasource}"}


class PanelScope(TypedDict):
    """The keyword arguments a dashboard passes to all its panels: ``panel(**scope)``."""

    selector: Selector
    datasource: DataSource


class Unit(str, enum.Enum):
    """Grafana unit ids used by triton_dash panels."""

    SECONDS = "s"
    PERCENT_UNIT = "percentunit"  # 0-1 shown as %
    BYTES = "bytes"
    REQUESTS_PER_SECOND = "reqps"
    OPS_PER_SECOND = "ops"
    WATTS = "watt"
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
    """A legend naming each grouping label: ``{{model}} v{{version}}`` for the default."""
    if tuple(by[:2]) == MODEL_GROUPING:
        rest = "".join(f" {{{{{label}}}}}" for label in by[2:])
        return "{{model}} v{{version}}" + rest
    return " ".join(f"{{{{{label}}}}}" for label in by) or "__auto"


def prometheus_target(expr: str, legend: str = "", *, instant: bool = False, heatmap: bool = False) -> G.Target:
    """A Prometheus query; refIds and the datasource are set by the final pass.

    ``heatmap`` asks Grafana for histogram buckets (``format: heatmap``), which it de-accumulates by ``le``.
    """
    if heatmap:
        return G.Target(expr=expr, legendFormat=legend, instant=instant, format="heatmap")
    return G.Target(expr=expr, legendFormat=legend, instant=instant)


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
) -> BucketHeatmap:
    """A heatmap of one histogram's buckets: ``expr`` must return one series per ``le``."""
    return BucketHeatmap(  # type: ignore[call-arg]  # grafanalib Panel fields, unseen by mypy
        title=title, description=description, dataSource=dict(datasource),
        targets=[prometheus_target(expr, "{{le}}", heatmap=True)],
        unit=unit.value if isinstance(unit, Unit) else unit,
        gridPos=FlowPos.sized(width, height),
    )
