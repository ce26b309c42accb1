"""SLO rules: SLI recordings on the workbook's windows, metadata, and multi-window multi-burn-rate alerts.

    from triton_dash.profile.slo import AvailabilitySLO
    from triton_dash.rules import rules_yaml
    from triton_dash.rules.slo import slo_rule_groups
    print(rules_yaml(slo_rule_groups([AvailabilitySLO(name="availability", objective=99.9)])))

Per SLO three groups, in this order (each reads only the groups before it, so
Prometheus, promtool's ``group_eval_order`` and vmalert's replay agree):

1. ``triton_dash.slo.<name>.sli``: the error ratio over 5m, 30m, 1h, 2h, 6h,
   1d and 3d from the raw counters, and the 5 m bad and valid rates;
2. ``triton_dash.slo.<name>.meta``: objective, error budget, period, the
   window-long error ratio (from the recorded 5 m rates, request-weighted; no
   30-day ``rate()``), the SLI, burn rates and the budget remaining;
3. ``triton_dash.slo.<name>.alerts``: ``TritonErrorBudgetBurn`` with
   ``severity: page`` (2 % of the budget in 1 h, checked on 5 m; 5 % in 6 h, on
   30 m) and ``severity: ticket`` (10 % in 1 d, on 2 h; 10 % in 3 d, on 6 h).

Burn-rate thresholds come from the objective and the window:
``factor = budget_share * period / long_window`` (14.4, 6, 3, 1 for 30 d).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .. import validate
from ..profile.slo import BURN_WINDOWS, SLO, BurnWindow, LatencySLO, burn_factor
from ..queries import slo as q

#: The workbook table lives with the SLO definitions; re-exported here for the rules' readers.
__all__ = ["ALERT_NAME", "BURN_WINDOWS", "RUNBOOK_WHERE", "BurnWindow", "burn_factor", "slo_rule_groups"]

ALERT_NAME = "TritonErrorBudgetBurn"
#: Where the runbook lives, said in the description when no runbook URL is configured: a relative link would
#: be a broken link in Alertmanager or a pager, so there is then no ``runbook_url`` annotation at all.
RUNBOOK_WHERE = "triton_dash docs/slo.md, 'When an SLO alert fires'"


def _by(cluster_label: str | None) -> tuple[str, ...]:
    return (cluster_label, "model", "version") if cluster_label else ("model", "version")


#: The metadata group sums a window of 5 m rates per model: every 5 minutes is often enough for a 30-day number.
META_INTERVAL = "5m"


def _group(slo: SLO, part: str, rules: list[dict[str, Any]], interval: str | None = None) -> dict[str, Any]:
    group: dict[str, Any] = {"name": f"triton_dash.slo.{slo.name}.{part}"}
    if interval:
        group["interval"] = interval
    return {**group, "rules": rules}


def _record(name: str, expr: str, slo: SLO) -> dict[str, Any]:
    return {"record": name, "expr": expr, "labels": {"slo": slo.name}}


def _sli_group(slo: SLO, by: tuple[str, ...]) -> dict[str, Any]:
    rules = [_record(f"{q.ERROR_RATIO}{window}", q.error_ratio(slo, window, by), slo) for window in q.ALERT_WINDOWS]
    rules.append(_record(q.BAD_RATE, q.bad_rate(slo, "5m", by), slo))
    rules.append(_record(q.VALID_RATE, q.valid_rate(slo, "5m", by), slo))
    return _group(slo, "sli", rules)


def _meta_group(slo: SLO) -> dict[str, Any]:
    own = q.slo_matchers(slo.name)
    period = q.period_error_ratio(slo.window, own)
    budget = f"{slo.error_budget:.12g}"
    rules = [
        _record(q.OBJECTIVE, f"vector({slo.objective_ratio:.12g})", slo),
        _record(q.ERROR_BUDGET, f"vector({budget})", slo),
        _record(q.TIME_PERIOD_DAYS, f"vector({validate.duration_seconds(slo.window) / 86400:g})", slo),
        # the window-long ratio, then what follows from it; each from the sli group's series, none from this group's
        _record(f"{q.ERROR_RATIO}{slo.window}", period, slo),
        _record(q.PERIOD_SLI, f"1 - ({period})", slo),
        _record(q.PERIOD_BURN_RATE, f"({period}) / {budget}", slo),
        _record(q.PERIOD_ERROR_BUDGET_REMAINING, f"1 - ({period}) / {budget}", slo),
        _record(q.CURRENT_BURN_RATE, f"{q.ERROR_RATIO}{q.CURRENT_WINDOW}{own} / {budget}", slo),
    ]
    return _group(slo, "meta", rules, META_INTERVAL)


def _burning(slo: SLO, window: BurnWindow) -> str:
    own, budget = q.slo_matchers(slo.name), f"{slo.error_budget:.12g}"
    factor = f"{burn_factor(slo, window):g}"
    return (f"({q.ERROR_RATIO}{window.long}{own} / {budget} > {factor} "
            f"and {q.ERROR_RATIO}{window.short}{own} / {budget} > {factor})")


def _what(slo: SLO) -> str:
    if isinstance(slo, LatencySLO):
        return (f"{slo.objective:g} % of requests within {slo.histogram.show(slo.threshold)} by "
                f"{slo.histogram.metric.name} over {slo.window}")
    excluded = f" ({'/'.join(slo.excluded_reasons)} failures not counted)" if slo.excluded_reasons else ""
    return f"{slo.objective:g} % of requests succeed over {slo.window}{excluded}"


def _budget_left(cluster_label: str | None) -> str:
    """The budget left, looked up when the alert is sent (Prometheus and vmalert both have ``query``)."""
    keys = ("slo", "model", "version", *((cluster_label,) if cluster_label else ()))
    matchers = ", ".join(f"{key}=%q" for key in keys)
    values = " ".join(f"$labels.{key}" for key in keys)
    return (f'{{{{ with printf "{q.PERIOD_ERROR_BUDGET_REMAINING}{{{matchers}}}" {values} | query }}}}'
            "{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}")


def _alert(slo: SLO, severity: str, cluster_label: str | None) -> dict[str, Any]:
    windows = [w for w in BURN_WINDOWS if w.severity == severity]
    pairs = "; or ".join(f"{burn_factor(slo, w):g}x over {w.long} and {w.short}" for w in windows)
    spent = ", ".join(f"{w.budget_share:.0%} of the budget in {w.long}" for w in windows)
    return {
        "alert": ALERT_NAME,
        "expr": " or ".join(_burning(slo, w) for w in windows),
        "for": windows[0].for_,
        "labels": {"severity": severity, "slo": slo.name},
        "annotations": {
            "summary": f"{{{{ $labels.model }}}} version {{{{ $labels.version }}}} burns its {slo.name} error "
                       "budget too fast.",
            "description": (
                f"SLO {slo.name}: {_what(slo)}. The error budget burns "
                "{{ printf \"%.1f\" $value }} times as fast as the SLO allows over the alert's long window "
                f"(fires at {pairs}: {spent}). Budget left over {slo.window}: {_budget_left(cluster_label)}."
                + ("" if slo.runbook_url else f" Runbook: {RUNBOOK_WHERE}.")),
            **({"runbook_url": slo.runbook_url} if slo.runbook_url else {}),
        },
    }


def slo_rule_groups(slos: Sequence[SLO], cluster_label: str | None = None,
                    job: str | None = None) -> list[dict[str, Any]]:
    """All groups for ``slos``: per SLO its SLI recordings, its metadata, then its page and ticket alerts.

    ``job`` (the profile's) is the scrape-job regex of every SLO that names none; else ``triton``.
    """
    slos = [slo if slo.job is not None or job is None else replace(slo, job=job) for slo in slos]
    names = [slo.name for slo in slos]
    if len(set(names)) != len(names):
        raise validate.InvalidValue("two SLOs share a name; give each a distinct name")
    by = _by(cluster_label)
    groups: list[dict[str, Any]] = []
    for slo in slos:
        groups += [_sli_group(slo, by), _meta_group(slo),
                   _group(slo, "alerts", [_alert(slo, "page", cluster_label), _alert(slo, "ticket", cluster_label)])]
    return groups
