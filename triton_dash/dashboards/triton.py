"""The "Triton Inference Server" overview dashboard.

    from triton_dash.dashboards import triton_overview
    dashboard = triton_overview()            # a grafanalib Dashboard
"""

from __future__ import annotations

import grafanalib.core as G

from .. import panels as p
from ..metrics import GpuSource
from ..metrics.recorded import recorded_name_pattern
from ..panels import DATASOURCE, DataSource, PanelScope
from ..profile import Profile
from ..selector import DEFAULT_SELECTOR, Selector
from .layout import default_dashboard, panel_scope, resolve_profile
from .variables import triton_variables

__all__ = ["TRITON_OVERVIEW_UID", "triton_overview"]

TRITON_OVERVIEW_UID = "triton-overview"


def triton_overview(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    title: str = "Triton Inference Server", uid: str = TRITON_OVERVIEW_UID, profile: Profile | None = None,
    recording_rules: bool = False, cluster_label: str | None = None,
) -> G.Dashboard:
    """Health, latency, throughput and batching, GPU, CPU and memory, cache.

    The ``profile`` says which series to read; with its ``recording_rules`` the
    per-model panels read the recorded rates of ``triton-dash rules`` instead of
    raw counters (fast for large fleets; the instance variable then filters only
    the host and GPU panels). ``recording_rules`` and ``cluster_label`` set those
    two profile keys. With the profile's ``gpu_source = "dcgm"`` the GPU row reads
    NVIDIA's DCGM exporter instead of Triton's ``nv_gpu_*``, per GPU and MIG
    instance of the Triton pods (its ``dcgm_pod_label`` says where the exporter's
    series name the pod), with temperature, XID errors, tensor-core and DRAM
    activity besides.
    """
    profile = resolve_profile(profile, recording_rules=recording_rules, cluster_label=cluster_label)
    kw = panel_scope(selector, datasource, profile)
    rows = [
        G.RowPanel(title="Service health", panels=[
            p.targets_up(**kw), p.targets_down(**kw), p.service_models_serving(**kw),
            p.service_request_rate(**kw), p.service_error_ratio(**kw), p.service_pending_requests(**kw),
        ]),
        G.RowPanel(title="Readiness", panels=[
            p.endpoints_not_ready(**kw), p.probe_success_by_endpoint(**kw), p.probe_duration(**kw),
        ]),
        G.RowPanel(title="Latency per request", panels=[
            p.request_time_per_request(**kw), p.queue_time_per_request(**kw),
            p.compute_infer_time_per_request(**kw), p.compute_input_time_per_request(**kw),
            p.compute_output_time_per_request(**kw), p.aggregated_latency(**kw, width=8),
            p.aggregated_latency(**kw, by=("model", "version"), width=24,
                                 title="Aggregated latency per request, by model"),
            p.request_time_quantiles(**kw), p.compute_infer_quantiles(**kw),
        ]),
        G.RowPanel(title="Throughput and batching", panels=[
            p.success_rate(**kw), p.failures_by_reason(**kw), p.error_ratio(**kw),
            p.inference_rate(**kw), p.execution_rate(**kw), p.batch_ratio(**kw),
            p.pending_requests(**kw, width=24),
        ]),
        G.RowPanel(title="Versions", panels=[
            p.traffic_share(**kw), p.error_ratio(**kw, title="Error ratio by version"),
            p.request_time_per_request(**kw, title="Request time by version"),
        ]),
        _gpu_row(profile.gpu_source, kw),
        G.RowPanel(title="CPU and memory", panels=[
            p.cpu_utilization(**kw), p.host_memory(**kw), p.pinned_memory(**kw),
        ]),
        G.RowPanel(title="Response cache", panels=[
            p.cache_hit_ratio(**kw, width=18), p.cache_utilization(**kw),
        ]),
    ]
    return default_dashboard(
        title=title, uid=uid,
        description="NVIDIA Triton Inference Server: per-request latency, throughput, batching, "
                    "failures, GPU, CPU and memory, response cache. Built by triton_dash."
                    + (f" Per-model panels read triton_dash's recording rules "
                       f"({recorded_name_pattern(profile.cluster_label)}); the instance variable does not filter "
                       "them." if profile.recording_rules else ""),
        tags=["triton", "inference"],
        panels=rows,
        variables=triton_variables(datasource, profile=profile),
    )


def _gpu_row(source: GpuSource, kw: PanelScope) -> G.RowPanel:
    """Triton's own GPU panels, or the DCGM exporter's (the same five, then four only DCGM has)."""
    if source is GpuSource.DCGM:
        return G.RowPanel(title="GPU (DCGM exporter)", panels=[
            p.dcgm_vram(**kw), p.dcgm_utilization(**kw, width=18), p.dcgm_memory_used_ratio(**kw),
            p.dcgm_power(**kw), p.dcgm_energy_power(**kw), p.dcgm_temperature(**kw),
            p.dcgm_xid_errors(**kw, width=8), p.dcgm_tensor_active(**kw, width=8), p.dcgm_dram_active(**kw, width=8),
        ])
    return G.RowPanel(title="GPU", panels=[
        p.gpu_vram(**kw), p.gpu_utilization(**kw, width=18), p.gpu_memory_used_ratio(**kw),
        p.gpu_power(**kw), p.gpu_energy_power(**kw, width=24),
    ])
