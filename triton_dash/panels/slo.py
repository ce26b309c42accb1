"""SLO panels: objective, SLI, error budget left, burn rates against the alert thresholds, alert state.

Every panel reads the series ``python -m triton_dash slo`` records (never raw
counters), selected by the dashboard's ``$slo`` and ``$model`` variables::

    from triton_dash.panels.slo import slo_budget_remaining, slo_burn_rate
    panels = [slo_budget_remaining(), slo_burn_rate(long="1h", short="5m")]
"""

from __future__ import annotations

from typing import Any

import attr
import grafanalib.core as G

from ..metrics.slo import SLO_RULES_ENABLE
from ..profile.slo import BURN_WINDOWS
from ..queries import slo as q
from ..selector import Selector
from .factory import (
    Color,
    FlowPos,
    PanelOptions,
    Unit,
    Unpack,
    default_stat,
    default_timeseries,
    panel_options,
    prometheus_target,
)

__all__ = [
    "BudgetGauge", "slo_alert_state", "slo_budget_remaining", "slo_budget_remaining_trend", "slo_burn_rate",
    "slo_objective", "slo_sli", "slo_time_to_exhaustion",
]

SLO_VARIABLE = "$slo"
_NO_DATA = (f"No data: these series exist only with {SLO_RULES_ENABLE}; an idle model has no SLI (no valid "
            "request in the window), so it shows nothing rather than a perfect 100 %.")
_LEGEND = "{{slo}}: {{model}} v{{version}}"
_ALERT_NAME = "TritonErrorBudgetBurn"  # rules.slo.ALERT_NAME; rules sit above panels, so it is spelled here
#: What fills each budget colour: red when spent, orange under a quarter left.
_BUDGET_COLOURS = ((None, Color.BAD), (0.0, Color.WARN), (0.25, Color.OK))


def _matchers(selector: Selector, *, per_model: bool = True) -> str:
    return q.slo_matchers(SLO_VARIABLE, selector.model if per_model else None, selector.cluster_label,
                          selector.cluster)


@attr.s
class BudgetGauge(G.Panel):  # type: ignore[misc]
    """Grafana's gauge panel in its current schema (grafanalib's ``GaugePanel`` writes no thresholds)."""

    unit: str = attr.ib(default="percentunit")
    min_value: float = attr.ib(default=0.0)
    max_value: float = attr.ib(default=1.0)
    steps: list[dict[str, Any]] = attr.ib(factory=list)

    def to_json_data(self) -> dict[str, Any]:
        return self.panel_json({  # type: ignore[no-any-return]
            "type": "gauge",
            "fieldConfig": {"defaults": {"unit": self.unit, "min": self.min_value, "max": self.max_value,
                                         "thresholds": {"mode": "absolute", "steps": self.steps}},
                            "overrides": []},
            # every option Grafana's published gauge schema requires (sizing and the minimum sizes included)
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "showThresholdLabels": False, "showThresholdMarkers": True, "orientation": "auto",
                        "sizing": "auto", "minVizWidth": 75, "minVizHeight": 75},
        })


def slo_objective(**options: Unpack[PanelOptions]) -> G.Stat:
    """Each selected SLO's objective."""
    o = panel_options(options, width=4, height=6)
    return default_stat(
        title=o.title or "Objective",
        description=("The objective of each selected SLO: the share of valid requests that must be good over "
                     f"its window ({q.OBJECTIVE}, written by the rules from the SLO definition). Unit: percent."
                     f"\n\n{_NO_DATA}"),
        unit=Unit.PERCENT_UNIT, decimals=3, width=o.width, height=o.height, datasource=o.datasource,
        targets=[prometheus_target(q.per_slo(q.OBJECTIVE, _matchers(o.selector, per_model=False)), "{{slo}}")])


def slo_sli(**options: Unpack[PanelOptions]) -> G.Stat:
    """The SLI over the whole SLO window, per model version."""
    o = panel_options(options, width=5, height=6)
    return default_stat(
        title=o.title or "SLI over the window",
        description=("Good / valid requests over the SLO's whole window (28 or 30 days), per model version: "
                     "1 - sum_over_time(bad 5 m rate) / sum_over_time(valid 5 m rate), so busy hours weigh more "
                     "than quiet ones. Availability: good = successes, bad = failures whose reason is not "
                     "excluded (CANCELED by default). Latency: good = responses within the threshold bucket. "
                     f"Below the objective the budget is overspent. Unit: percent.\n\n{_NO_DATA}"),
        unit=Unit.PERCENT_UNIT, decimals=3, width=o.width, height=o.height, datasource=o.datasource,
        targets=[prometheus_target(f"{q.PERIOD_SLI}{_matchers(o.selector)}", _LEGEND)])


_BUDGET_TEXT = ("The share of the window's error budget not yet spent: 1 - (error ratio over the window / "
                "(1 - objective)). 100 % = nothing spent, 0 = all spent, negative = overspent.")


def slo_budget_remaining(**options: Unpack[PanelOptions]) -> BudgetGauge:
    """Error budget left, as a gauge per model version."""
    o = panel_options(options, width=5, height=6)
    return BudgetGauge(  # type: ignore[call-arg]  # grafanalib Panel fields, unseen by mypy
        title=o.title or "Error budget remaining",
        description=(f"{_BUDGET_TEXT} Red once spent, orange under 25 %. Unit: percent of the budget.\n\n"
                     f"{_NO_DATA}"),
        dataSource=dict(o.datasource), gridPos=FlowPos.sized(o.width, o.height),
        targets=[prometheus_target(q.budget_remaining(_matchers(o.selector)), _LEGEND)],
        steps=[{"color": colour.value, "value": value} for value, colour in _BUDGET_COLOURS])


def slo_budget_remaining_trend(**options: Unpack[PanelOptions]) -> G.TimeSeries:
    """Error budget left over time: a steady slope down is a steady burn."""
    o = panel_options(options, width=10, height=6)
    return default_timeseries(
        title=o.title or "Error budget remaining (trend)",
        description=(f"{_BUDGET_TEXT} Over time: a line falling by 1/30 of the budget per day burns at exactly "
                     f"rate 1. Unit: percent of the budget.\n\n{_NO_DATA}"),
        unit=Unit.PERCENT_UNIT, min_value=None, width=o.width, height=o.height, datasource=o.datasource,
        thresholds=((None, Color.BAD), (0.0, Color.OK)), legend_calcs=("min", "lastNotNull"),
        targets=[prometheus_target(q.budget_remaining(_matchers(o.selector)), _LEGEND)])


def slo_time_to_exhaustion(**options: Unpack[PanelOptions]) -> G.Stat:
    """How long the budget left lasts at the last hour's burn rate."""
    o = panel_options(options, width=5, height=6)
    return default_stat(
        title=o.title or "Budget exhausted in",
        description=("How long the error budget left lasts at the current burn: budget remaining (clamped at 0) "
                     "x the SLO window / the burn rate over the last hour. 0 = already spent; no value while "
                     "nothing burns (the budget lasts). Unit: time.\n\n" + _NO_DATA),
        unit=Unit.SECONDS, width=o.width, height=o.height, datasource=o.datasource,
        thresholds=((None, Color.BAD), (86400.0, Color.WARN), (7 * 86400.0, Color.OK)),
        targets=[prometheus_target(q.time_to_exhaustion(_matchers(o.selector)), _LEGEND)])


def slo_burn_rate(*, long: str, short: str, **options: Unpack[PanelOptions]) -> G.TimeSeries:
    """The burn rate on one alert window pair, with the alert's threshold drawn from the SLO's own period."""
    o = panel_options(options, width=12)
    window = next(w for w in BURN_WINDOWS if (w.long, w.short) == (long, short))
    hours = q.window_hours(long)
    threshold = q.burn_threshold(long, window.budget_share, _matchers(o.selector, per_model=False))
    return default_timeseries(
        title=o.title or f"Burn rate {long} / {short} ({window.severity})",
        description=(f"How fast each model version burns its error budget over {long} and {short}: the recorded "
                     f"error ratio / (1 - objective); 1 spends exactly the budget over the window. The "
                     f"{window.severity} alert fires when both lines stay above the threshold line "
                     f"({window.budget_share:.0%} of the budget in {long}: {window.budget_share:g} x window "
                     f"hours / {hours:g}, 14.4 / 6 / 3 / 1 for 30 days) for {window.for_}. Unit: x budget rate."
                     f"\n\n{_NO_DATA}"),
        unit=Unit.NONE, width=o.width, height=o.height, datasource=o.datasource,
        targets=[prometheus_target(q.burn_rate(long, _matchers(o.selector)), f"{_LEGEND} over {long}"),
                 prometheus_target(q.burn_rate(short, _matchers(o.selector)), f"{_LEGEND} over {short}"),
                 prometheus_target(threshold, f"{{{{slo}}}}: {window.severity} threshold")])


def slo_alert_state(**options: Unpack[PanelOptions]) -> G.Stat:
    """The burn-rate alerts firing now, per severity and model version."""
    o = panel_options(options, width=24, height=4)
    matchers = _matchers(o.selector).replace("{", f'{{alertname="{_ALERT_NAME}", alertstate="firing", ', 1)
    return default_stat(
        title=o.title or "Burn-rate alerts firing",
        description=(f"The {_ALERT_NAME} alerts firing now (Prometheus' ALERTS series), per severity and model "
                     "version: page = 2 % of the budget in 1 h or 5 % in 6 h; ticket = 10 % in 1 d or 3 d. "
                     "'none' when nothing fires. Unit: alerts.\n\n"
                     f"{_NO_DATA} ALERTS exists only where Prometheus (or vmalert) evaluates the alert rules."),
        unit=Unit.SHORT, decimals=0, no_value="none", width=o.width, height=o.height, datasource=o.datasource,
        thresholds=((None, Color.OK), (1.0, Color.BAD)),
        targets=[prometheus_target(f"sum by (slo, severity, model, version) (ALERTS{matchers})",
                                   "{{severity}} {{slo}}: {{model}} v{{version}}")])
