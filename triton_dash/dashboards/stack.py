"""The "Triton monitoring stack" dashboard: Prometheus, scrape targets, containers."""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import panels as p
from ..panels import DATASOURCE, DataSource, PanelScope
from ..profile import Profile
from ..selector import Selector, Var
from .layout import default_dashboard, resolve_profile
from .variables import cluster_variable, datasource_variable, label_variable

__all__ = ["TRITON_STACK_UID", "monitoring_stack"]

TRITON_STACK_UID = "triton-stack"
#: Scrape-health panels follow the job variable; Prometheus and cAdvisor panels read everything.
STACK_SELECTOR = Selector.fixed(job=Var.JOB.ref, rate_interval=Selector.rate_interval)
UNFILTERED = Selector.fixed(rate_interval=Selector.rate_interval)


def monitoring_stack(
    *, datasource: DataSource = DATASOURCE, title: str = "Triton monitoring stack",
    uid: str = TRITON_STACK_UID, profile: Profile | None = None, recording_rules: bool = False,
    cluster_label: str | None = None,
) -> G.Dashboard:
    """Scrape targets, Prometheus itself and cAdvisor's per-container CPU and memory.

    Of the ``profile`` only the cluster label matters here: no panel reads a recorded rate.
    """
    cluster_label = resolve_profile(profile, recording_rules=recording_rules, cluster_label=cluster_label).cluster_label
    clustered = {"cluster_label": cluster_label} if cluster_label else {}
    scoped: PanelScope = {"selector": STACK_SELECTOR.with_(**clustered), "datasource": datasource}
    everything: PanelScope = {"selector": UNFILTERED.with_(**clustered), "datasource": datasource}
    rows = [
        G.RowPanel(title="Scrape targets", panels=[
            p.targets_up(**scoped), p.targets_down(**scoped),
            p.targets_up_by_job(**scoped, width=16), p.scrape_duration(**scoped, width=24),
        ]),
        G.RowPanel(title="Prometheus", panels=[
            p.prometheus_head_series(**everything), p.prometheus_ingestion_rate(**everything),
        ]),
        G.RowPanel(title="Containers (cAdvisor)", panels=[
            p.container_cpu(**everything), p.container_memory(**everything),
        ]),
    ]
    return default_dashboard(
        title=title, uid=uid,
        description="The monitoring stack around Triton: scrape targets, Prometheus, and container "
                    "CPU and memory from cAdvisor. Built by triton_dash.",
        tags=["triton", "monitoring"],
        panels=rows,
        variables=[
            datasource_variable(),
            *([cluster_variable(cluster_label, datasource=datasource)] if cluster_label else []),
            label_variable(Var.JOB.value, "Job", m.UP, "job", all_value=".+", datasource=datasource,
                           filters=((cluster_label, Var.CLUSTER.value),) if cluster_label else ()),
        ],
    )
