"""GPU panels from NVIDIA's DCGM exporter (the ``dcgm`` GPU source), per GPU and per MIG instance.

The first five replace the Triton-source GPU panels one for one (same titles,
same units); the others only DCGM has: temperature, XID errors, tensor-core and
DRAM activity. Every query keeps the GPUs (MIG instances) that the selected
Triton pods hold (see :mod:`triton_dash.queries.dcgm`).

    from triton_dash.panels import dcgm_vram, dcgm_utilization
    from triton_dash.selector import Selector
    sel = Selector(dcgm_pod_label="exported_pod")   # the GPU Operator's ServiceMonitor
    panels = [dcgm_vram(selector=sel), dcgm_utilization(selector=sel, width=18)]
"""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from .. import metrics as m
from ..queries import dcgm as q
from ..queries.dcgm import DCGM_GPU_GROUPING, DCGM_INSTANCE_GROUPING
from ..selector import Selector
from .factory import (
    Color,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_piechart,
    default_timeseries,
    panel_options,
    prometheus_target,
)

__all__ = [
    "dcgm_dram_active",
    "dcgm_energy_power",
    "dcgm_memory_used_ratio",
    "dcgm_power",
    "dcgm_temperature",
    "dcgm_tensor_active",
    "dcgm_utilization",
    "dcgm_vram",
    "dcgm_xid_errors",
]

Grouping = Sequence[str]
FULLNESS_THRESHOLDS = ((None, Color.OK), (0.8, Color.WARN), (0.9, Color.BAD))
#: NVIDIA's dashboard 12239 marks GPU temperature at 83 and 87 °C.
TEMPERATURE_THRESHOLDS = ((None, Color.OK), (83.0, Color.WARN), (87.0, Color.BAD))
_PER_INSTANCE = ("One line per GPU, or per MIG instance (GPU_I_PROFILE, GPU_I_ID), that a selected "
                 "Triton pod holds.")
_PER_GPU = ("One line per physical GPU a selected Triton pod uses: every MIG instance repeats its GPU's "
            "value, so the panel takes the max per UUID instead of adding instances up.")


def _attribution(sel: Selector) -> str:
    """How a DCGM series reaches a Triton pod, and what to check when none does."""
    pod, ns = sel.dcgm_pod_label, sel.dcgm_namespace_label
    other = "exported_pod" if pod == "pod" else "pod"
    return (f"Attributed to Triton pods through the exporter's {pod}/{ns} labels, joined on namespace and pod "
            f"to the selected Triton targets' up series. Also empty when the exporter is not in Kubernetes "
            f"mode (--kubernetes, DCGM_EXPORTER_KUBERNETES=true; on in the GPU Operator), when no Triton pod "
            f"holds a GPU, or when the pod is stored in another label: with the shipped ServiceMonitors "
            f"(honorLabels: false) it is exported_pod; set dcgm_pod_label={other!r} if that is yours.")


def _no_data(sel: Selector, *families: m.Metric) -> str:
    hints = " ".join(dict.fromkeys(f.no_data_hint() for f in families))
    return f"No data: {hints} {_attribution(sel)}"


def _legend(sel: Selector, by: Grouping) -> str:
    parts = [f"{{{{{sel.cluster_label}}}}}"] if sel.cluster_label else []
    parts += ["{{pod}}"] if "pod" in by else []
    parts += ["gpu {{gpu}}"] if "gpu" in by else []
    parts += ["{{GPU_I_PROFILE}}"] if "GPU_I_PROFILE" in by else []
    extra = [f"{{{{{label}}}}}" for label in by if label not in ("namespace", "pod", "gpu", "UUID",
                                                                   "GPU_I_PROFILE", "GPU_I_ID")]
    return " ".join(parts + extra) or "__auto"


def dcgm_vram(*, repeat_variable: str | None = "gpu", **options: Unpack[PanelOptions]) -> G.PieChartv2:
    """Framebuffer used, free and reserved on one GPU, one pie per GPU (repeated over ``gpu``)."""
    o = panel_options(options, width=6)
    return default_piechart(
        title=o.title or "GPU memory $gpu",
        description=("GPU memory in use, free and reserved by the driver on one GPU, from the DCGM "
                     "exporter. The panel repeats once per GPU (UUID) selected in the gpu variable; on a "
                     "MIG GPU it adds up the instances Triton pods hold.\n\nComputed as "
                     "DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE and DCGM_FI_DEV_FB_RESERVED (MiB, times "
                     "1048576), one value per GPU instance, summed over the selected ones. Unit: bytes.\n\n"
                     + _no_data(o.selector, m.DCGM_FB_USED, m.DCGM_FB_RESERVED)),
        unit=Unit.BYTES,
        targets=[prometheus_target(expr, part) for part, expr in q.dcgm_memory_split(o.selector).items()],
        **o.layout, repeat_variable=repeat_variable)


def dcgm_utilization(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU utilisation per GPU and per MIG instance."""
    o = panel_options(options, width=12, by=DCGM_INSTANCE_GROUPING)
    return default_timeseries(
        title=o.title or "GPU utilization",
        description=("Share of time the GPU was busy. On a whole GPU: DCGM_FI_DEV_GPU_UTIL / 100 (the "
                     "exporter reports percent 0-100; Triton's nv_gpu_utilization is the same number as "
                     "0-1). On a MIG instance DCGM reports no DEV_GPU_UTIL (it reads 0), so the panel "
                     "shows DCGM_FI_PROF_GR_ENGINE_ACTIVE (0-1, share of time the graphics engine is "
                     f"active) instead. {_PER_INSTANCE} Unit: percent.\n\n"
                     + _no_data(o.selector, m.DCGM_GPU_UTIL, m.DCGM_GR_ENGINE_ACTIVE)),
        unit=Unit.PERCENT_UNIT, max_value=1,
        targets=[prometheus_target(q.dcgm_utilization(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_memory_used_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Framebuffer used as a share of the GPU's (or MIG instance's) memory."""
    o = panel_options(options, width=12, by=DCGM_INSTANCE_GROUPING)
    return default_timeseries(
        title=o.title or "GPU memory used",
        description=("GPU memory in use as a share of the GPU's or MIG instance's total: "
                     "DCGM_FI_DEV_FB_USED / (FB_USED + FB_FREE + FB_RESERVED), the reserved part counted "
                     "as 0 where the exporter does not report it. DCGM_FI_DEV_FB_TOTAL is not in the "
                     f"shipped counters files. {_PER_INSTANCE} Unit: percent; orange from 80 %, red from "
                     "90 % (out-of-memory errors come next).\n\n"
                     + _no_data(o.selector, m.DCGM_FB_USED, m.DCGM_FB_RESERVED)),
        unit=Unit.PERCENT_UNIT, max_value=1, thresholds=FULLNESS_THRESHOLDS,
        targets=[prometheus_target(q.dcgm_memory_used_ratio(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_power(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU power draw against its power limit, per physical GPU."""
    o = panel_options(options, width=12, by=DCGM_GPU_GROUPING)
    legend = _legend(o.selector, o.by)
    return default_timeseries(
        title=o.title or "GPU power vs limit",
        description=("Instantaneous GPU power draw (DCGM_FI_DEV_POWER_USAGE) and the power management "
                     "limit (DCGM_FI_DEV_POWER_MGMT_LIMIT, what Triton reports as nv_gpu_power_limit). "
                     f"A draw pinned at the limit means the GPU is power-throttled. {_PER_GPU} "
                     "Unit: watts.\n\n" + _no_data(o.selector, m.DCGM_POWER_USAGE, m.DCGM_POWER_LIMIT)),
        unit=Unit.WATTS,
        targets=[prometheus_target(q.dcgm_power_usage(o.selector, o.by), f"{legend} draw"),
                 prometheus_target(q.dcgm_power_limit(o.selector, o.by), f"{legend} limit")],
        **o.layout)


def dcgm_energy_power(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Average GPU power over the rate window, from the energy counter, per physical GPU."""
    o = panel_options(options, width=12, by=DCGM_GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU average power (from energy)",
        description=("Average power over the rate window, from the energy counter: "
                     "rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION) is millijoules per second, divided by "
                     "1000 for watts. Unlike the instantaneous draw it misses no spike between scrapes. "
                     f"{_PER_GPU} Unit: watts.\n\n" + _no_data(o.selector, m.DCGM_TOTAL_ENERGY_CONSUMPTION)),
        unit=Unit.WATTS,
        targets=[prometheus_target(q.dcgm_energy_power(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_temperature(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU temperature per physical GPU."""
    o = panel_options(options, width=12, by=DCGM_GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU temperature",
        description=("GPU temperature (DCGM_FI_DEV_GPU_TEMP). Orange from 83 °C, red from 87 °C (the "
                     "marks of NVIDIA's DCGM exporter dashboard); a hot GPU slows its clocks. "
                     f"{_PER_GPU} Unit: degrees Celsius.\n\n" + _no_data(o.selector, m.DCGM_GPU_TEMP)),
        unit=Unit.CELSIUS, thresholds=TEMPERATURE_THRESHOLDS,
        targets=[prometheus_target(q.dcgm_temperature(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_xid_errors(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """The last XID error code per GPU or MIG instance."""
    o = panel_options(options, width=12, by=DCGM_INSTANCE_GROUPING)
    return default_timeseries(
        title=o.title or "GPU XID errors (last code)",
        description=("The code of the last XID error the driver reported (DCGM_FI_DEV_XID_ERRORS): a code, "
                     "not a count, so it is never summed or rated; 0 means none. Look the code up in "
                     "NVIDIA's XID catalogue (for example 79: the GPU fell off the bus; 48: double-bit ECC "
                     "error); most need the GPU drained and reset. The err_code and err_msg labels the "
                     f"exporter adds are folded away. {_PER_INSTANCE} Unit: none (a code).\n\n"
                     + _no_data(o.selector, m.DCGM_XID_ERRORS)),
        unit=Unit.NONE, thresholds=((None, Color.OK), (1.0, Color.BAD)),
        targets=[prometheus_target(q.dcgm_xid_last(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_tensor_active(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Tensor-core (HMMA pipe) activity per GPU or MIG instance."""
    o = panel_options(options, width=12, by=DCGM_INSTANCE_GROUPING)
    return default_timeseries(
        title=o.title or "Tensor-core activity",
        description=("Share of cycles the tensor (HMMA) pipe was active (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, "
                     "0-1, a profiling field). Low while GPU utilization is high: the model runs in a "
                     f"precision or on kernels that do not use tensor cores. {_PER_INSTANCE} Unit: "
                     "percent.\n\n" + _no_data(o.selector, m.DCGM_TENSOR_ACTIVE)),
        unit=Unit.PERCENT_UNIT, max_value=1,
        targets=[prometheus_target(q.dcgm_tensor_active(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)


def dcgm_dram_active(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU memory-interface (DRAM) activity per GPU or MIG instance."""
    o = panel_options(options, width=12, by=DCGM_INSTANCE_GROUPING)
    return default_timeseries(
        title=o.title or "GPU DRAM activity",
        description=("Share of cycles the GPU's memory interface was busy sending or receiving data "
                     "(DCGM_FI_PROF_DRAM_ACTIVE, 0-1, a profiling field). Near 100 % the model is bound by "
                     f"memory bandwidth (typical of LLM decoding). {_PER_INSTANCE} Unit: percent.\n\n"
                     + _no_data(o.selector, m.DCGM_DRAM_ACTIVE)),
        unit=Unit.PERCENT_UNIT, max_value=1,
        targets=[prometheus_target(q.dcgm_dram_active(o.selector, o.by), _legend(o.selector, o.by))],
        **o.layout)
