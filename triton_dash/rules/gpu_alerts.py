"""GPU alerts, from Triton's ``nv_gpu_*`` or from NVIDIA's DCGM exporter (``AlertConfig.gpu_source``).

Both read the panels' own queries: with ``gpu_source="dcgm"`` the memory alert
is per GPU or MIG instance that a Triton pod holds (``exported_pod`` or ``pod``,
``AlertConfig.dcgm_pod_label``), and an XID alert fires while the last XID code a
Triton pod's GPU reported is not 0.
"""

from __future__ import annotations

from typing import Any

from .. import queries as q
from ..metrics import GpuSource
from ..profile.alerts import AlertConfig
from ..queries.dcgm import DCGM_INSTANCE_GROUPING
from .alert import alert, where

__all__ = ["gpu_alerts"]



def _dcgm_where(config: AlertConfig) -> str:
    """Which GPU or MIG instance of which Triton pod (and cluster), for a DCGM alert's description."""
    cluster = (f"{{{{ with $labels.{config.cluster_label} }}}} in cluster {{{{ . }}}}{{{{ end }}}}"
               if config.cluster_label else "")
    return ("GPU {{ $labels.gpu }} ({{ $labels.UUID }}{{ if $labels.GPU_I_ID }}, MIG instance "
            "{{ $labels.GPU_I_PROFILE }} {{ $labels.GPU_I_ID }}{{ end }}) of Triton pod "
            f"{{{{ $labels.namespace }}}}/{{{{ $labels.pod }}}}{cluster}")


def gpu_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    if GpuSource(config.gpu_source) is GpuSource.DCGM:
        return _dcgm_alerts(config)
    return [alert(
        "TritonGpuMemoryHigh",
        f"{q.gpu_memory_used_ratio(config.selector, config.with_cluster(('job', 'gpu_uuid')))} "
        f"> {config.gpu_memory_ratio:g}",
        config.gpu_memory_for, "warning",
        "A GPU used by Triton is almost out of memory.",
        f"GPU {{{{ $labels.gpu_uuid }}}} {where(config)} has {{{{ $value | humanizePercentage }}}} of "
        f"its memory in use (threshold {config.gpu_memory_ratio:.0%}); the next model load or larger "
        "batch may fail.")]


def _dcgm_alerts(config: AlertConfig) -> list[dict[str, Any]]:
    sel, where_ = config.selector, _dcgm_where(config)
    if config.cluster_label:  # join DCGM to Triton within one cluster, and keep the cluster in the alert
        sel = sel.with_(cluster_label=config.cluster_label, cluster=".+")
    return [
        alert("TritonGpuMemoryHigh",
              f"{q.dcgm_memory_used_ratio(sel, DCGM_INSTANCE_GROUPING)} > {config.gpu_memory_ratio:g}",
              config.gpu_memory_for, "warning",
              "A GPU (or MIG instance) used by Triton is almost out of memory.",
              f"{where_} has {{{{ $value | humanizePercentage }}}} of its memory in use (threshold "
              f"{config.gpu_memory_ratio:.0%}, DCGM exporter); the next model load or larger batch may fail."),
        alert("TritonGpuXidError", f"{q.dcgm_xid_last(sel, DCGM_INSTANCE_GROUPING)} > 0", "0m", "critical",
              "A GPU used by Triton reported an XID error.",
              f"{where_} last reported XID {{{{ $value }}}} (DCGM_FI_DEV_XID_ERRORS, a code: look it up in "
              "NVIDIA's XID catalogue). Most XIDs (for example 48, 79) need the pod moved and the GPU "
              "drained and reset; the alert lasts while the exporter keeps reporting that code."),
    ]
