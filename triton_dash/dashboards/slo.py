"""The "Triton SLOs" dashboard: objective, SLI, error budget, burn rates and alerts per model and SLO.

    from triton_dash.dashboards import triton_slo
    dashboard = triton_slo()                 # a grafanalib Dashboard

Every panel reads the series written by ``python -m triton_dash slo`` (the
recording rules), chosen by the ``slo`` and ``model`` variables; without those
rules loaded the dashboard shows "no data", with the reason in each description.
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from ..panels import DATASOURCE, DataSource
from ..panels import slo as p
from ..profile import Profile
from ..profile.slo import BURN_WINDOWS
from ..selector import DEFAULT_SELECTOR, Selector
from .layout import default_dashboard, panel_scope, resolve_profile
from .variables import cluster_variable, datasource_variable, label_variable

__all__ = ["TRITON_SLO_UID", "triton_slo"]

TRITON_SLO_UID = "triton-slo"


def _variables(datasource: DataSource, cluster_label: str | None) -> list[G.Template]:
    outer = ((cluster_label, "cluster"),) if cluster_label else ()
    return [
        datasource_variable(),
        *([cluster_variable(cluster_label, m.slo.PERIOD_SLI, datasource)] if cluster_label else []),
        label_variable("slo", "SLO", m.slo.OBJECTIVE, "slo", datasource=datasource),
        label_variable("model", "Model", m.slo.PERIOD_SLI, "model", filters=(*outer, ("slo", "slo")),
                       datasource=datasource),
    ]


def triton_slo(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    title: str = "Triton SLOs", uid: str = TRITON_SLO_UID, profile: Profile | None = None,
    recording_rules: bool = False, cluster_label: str | None = None,
) -> G.Dashboard:
    """Per SLO and model: objective, SLI, budget left and its trend, time to exhaustion, burn rates, alerts.

    Of the ``profile`` only the cluster label matters: every panel reads the SLO recordings, whatever
    ``recording_rules`` says.
    """
    profile = resolve_profile(profile, recording_rules=recording_rules, cluster_label=cluster_label)
    cluster_label = profile.cluster_label
    kw = panel_scope(selector, datasource, profile)

    def burn_row(severity: str) -> G.RowPanel:
        return G.RowPanel(title=f"Burn rates: {severity} windows", panels=[
            p.slo_burn_rate(long=w.long, short=w.short, **kw) for w in BURN_WINDOWS if w.severity == severity])

    rows = [
        G.RowPanel(title="Error budget", panels=[
            p.slo_alert_state(**kw), p.slo_objective(**kw), p.slo_sli(**kw), p.slo_budget_remaining(**kw),
            p.slo_time_to_exhaustion(**kw), p.slo_budget_remaining_trend(**kw, width=24),
        ]),
        burn_row("page"),
        burn_row("ticket"),
    ]
    return default_dashboard(
        title=title, uid=uid,
        description="Service level objectives of models on NVIDIA Triton Inference Server: the SLI over the SLO "
                    "window, the error budget left, burn rates on the SRE workbook's alert windows and the burn-rate "
                    "alerts, from the recording rules of 'python -m triton_dash slo'. Built by triton_dash.",
        tags=["triton", "slo"], panels=rows, variables=_variables(datasource, cluster_label),
    )
