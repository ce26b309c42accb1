"""The series ``python -m triton_dash slo`` records and the SLO dashboard reads, and Prometheus' ``ALERTS``.

Names follow ``level:metric:operation``; every per-model series carries ``slo``,
``model`` and ``version`` (and the cluster label where configured)::

    slo:triton_request_error:ratio_rate1h{slo="availability", model="resnet", version="1"}

The metadata series (objective, error budget, period) carry ``slo`` only.
"""

from __future__ import annotations

from ._family import Metric, MetricKind

__all__ = [
    "ALERTS",
    "CURRENT_BURN_RATE",
    "ERROR_BUDGET",
    "ERROR_RATIOS",
    "ERROR_RATIO_PREFIX",
    "OBJECTIVE",
    "PERIOD_ERROR_BUDGET_REMAINING",
    "PERIOD_SLI",
    "SLO_FAMILIES",
    "SLO_RULES_ENABLE",
    "SLO_WINDOWS",
    "TIME_PERIOD_DAYS",
]

#: What makes these series exist (the "No data" hint of every SLO panel).
SLO_RULES_ENABLE = "triton_dash's SLO rules loaded in Prometheus (python -m triton_dash slo)"
#: The windows the burn-rate alerts read.
SLO_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
ERROR_RATIO_PREFIX = "slo:triton_request_error:ratio_rate"
_PER_MODEL = ("slo", "model", "version")
G = MetricKind.GAUGE


def _recorded(name: str, unit: str, labels: tuple[str, ...], help: str) -> Metric:
    return Metric(name, G, unit, labels, help, source="recording", scrape_labels=(), enable=SLO_RULES_ENABLE)


ERROR_RATIOS: dict[str, Metric] = {
    window: _recorded(f"{ERROR_RATIO_PREFIX}{window}", "ratio", _PER_MODEL,
                      f"Bad / valid requests over {window} (no series while the model is idle).")
    for window in SLO_WINDOWS
}
OBJECTIVE = _recorded("slo:objective:ratio", "ratio", ("slo",), "The SLO's objective, 0-1 (0.999 for 99.9 %).")
ERROR_BUDGET = _recorded("slo:error_budget:ratio", "ratio", ("slo",), "1 - objective: the share allowed to be bad.")
TIME_PERIOD_DAYS = _recorded("slo:time_period:days", "days", ("slo",), "The SLO window in days (28 or 30).")
PERIOD_SLI = _recorded("slo:period_sli:ratio", "ratio", _PER_MODEL, "Good / valid requests over the SLO window.")
PERIOD_ERROR_BUDGET_REMAINING = _recorded("slo:period_error_budget_remaining:ratio", "ratio", _PER_MODEL,
                                          "Share of the window's error budget not yet spent (negative: overspent).")
CURRENT_BURN_RATE = _recorded("slo:current_burn_rate:ratio", "ratio", _PER_MODEL,
                              "The last hour's error ratio / the error budget.")
ALERTS = Metric("ALERTS", G, "boolean", ("alertname", "alertstate", "severity", *_PER_MODEL),
                "1 for every pending or firing alert, written by Prometheus (and vmalert).", source="prometheus",
                scrape_labels=(), enable=SLO_RULES_ENABLE)

SLO_FAMILIES: tuple[Metric, ...] = (*ERROR_RATIOS.values(), OBJECTIVE, ERROR_BUDGET, TIME_PERIOD_DAYS, PERIOD_SLI,
                                    PERIOD_ERROR_BUDGET_REMAINING, CURRENT_BURN_RATE, ALERTS)
