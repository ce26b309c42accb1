"""GPU, host CPU and memory, pinned memory and response-cache panels.

    from triton_dash.panels import gpu_vram, gpu_utilization
    panels = [gpu_vram(), gpu_utilization(width=18)]
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import queries as q
from ..queries.resources import GPU_GROUPING, HOST_GROUPING
from .factory import (
    Color,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_piechart,
    default_stat,
    default_timeseries,
    legend_for,
    panel_options,
    prometheus_target,
    used_and_total,
)

__all__ = [
    "cache_hit_ratio",
    "cache_utilization",
    "cpu_utilization",
    "gpu_energy_power",
    "gpu_memory_used_ratio",
    "gpu_power",
    "gpu_utilization",
    "gpu_vram",
    "host_memory",
    "pinned_memory",
]

_NO_GPU = (f"No data: {m.GPU_UTILIZATION.no_data_hint()} Triton needs a visible NVIDIA GPU and its "
           "embedded DCGM; check Triton's log for 'DCGM unable to start'.")
_GPU_DEDUP = "Two Triton servers sharing one GPU report it twice; the panel takes the max per gpu_uuid."
FULLNESS_THRESHOLDS = ((None, Color.OK), (0.8, Color.WARN), (0.9, Color.BAD))


def gpu_vram(*, repeat_variable: str | None = "gpu", **options: Unpack[PanelOptions]) -> G.PieChartv2:
    """GPU memory used vs free, one pie per GPU (repeated over the ``gpu`` variable)."""
    o = panel_options(options, width=6)
    return default_piechart(
        title=o.title or "GPU memory $gpu",
        description=("GPU memory in use and free on one GPU. The panel repeats once per GPU "
                     "selected in the gpu variable; with one GPU it reads that GPU.\n\nComputed as "
                     "used = nv_gpu_memory_used_bytes, free = nv_gpu_memory_total_bytes - used, "
                     f"summed over the selected GPUs. {_GPU_DEDUP} Unit: bytes.\n\n{_NO_GPU}"),
        unit=Unit.BYTES,
        targets=[prometheus_target(expr, part) for part, expr in q.gpu_memory_split(o.selector).items()],
        **o.layout, repeat_variable=repeat_variable)


def gpu_utilization(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU utilisation per GPU."""
    o = panel_options(options, width=12, by=GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU utilization",
        description=("Share of time the GPU was busy running kernels, as DCGM reports it "
                     f"(nv_gpu_utilization, 0-1), per GPU. {_GPU_DEDUP} Unit: percent.\n\n{_NO_GPU}"),
        unit=Unit.PERCENT_UNIT, max_value=1,
        targets=[prometheus_target(q.gpu_utilization(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def gpu_memory_used_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU memory used as a share of the GPU's memory."""
    o = panel_options(options, width=12, by=GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU memory used",
        description=("GPU memory in use as a share of the GPU's total: nv_gpu_memory_used_bytes / "
                     f"nv_gpu_memory_total_bytes, per GPU. {_GPU_DEDUP} Unit: percent; orange from "
                     f"80 %, red from 90 % (out-of-memory errors come next).\n\n{_NO_GPU}"),
        unit=Unit.PERCENT_UNIT, max_value=1, thresholds=FULLNESS_THRESHOLDS,
        targets=[prometheus_target(q.gpu_memory_used_ratio(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def gpu_power(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """GPU power draw against its power limit."""
    o = panel_options(options, width=12, by=GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU power vs limit",
        description=("Instantaneous GPU power draw (nv_gpu_power_usage) and the GPU's power limit "
                     "(nv_gpu_power_limit), per GPU. A draw pinned at the limit means the GPU is "
                     f"power-throttled. {_GPU_DEDUP} Unit: watts.\n\n{_NO_GPU}"),
        unit=Unit.WATTS,
        targets=used_and_total(q.gpu_power_usage(o.selector, o.by), q.gpu_power_limit(o.selector, o.by), o.by,
                               used_word="draw", total_word="limit"),
        **o.layout)


def gpu_energy_power(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Average GPU power over the rate window, from the energy counter."""
    o = panel_options(options, width=12, by=GPU_GROUPING)
    return default_timeseries(
        title=o.title or "GPU average power (from energy)",
        description=("Average power over the rate window, from the energy counter: "
                     "rate(nv_energy_consumption) in joules per second, per GPU. Unlike the "
                     "instantaneous draw it misses no spike between scrapes. "
                     f"{_GPU_DEDUP} Unit: watts.\n\n{_NO_GPU}"),
        unit=Unit.WATTS,
        targets=[prometheus_target(q.gpu_energy_power(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def cpu_utilization(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Host CPU utilisation as Triton reports it (node-wide)."""
    o = panel_options(options, by=HOST_GROUPING)
    o = o.regrouped(o.selector.grouping(o.by))
    return default_timeseries(
        title=o.title or "Host CPU utilization",
        description=("CPU busy share over all cores of the host running each Triton server "
                     "(nv_cpu_utilization, from /proc/stat). Node-wide, not Triton's own share; "
                     "see the monitoring-stack dashboard for per-container CPU. Unit: percent.\n\n"
                     f"No data: {m.CPU_UTILIZATION.no_data_hint()} Linux only."),
        unit=Unit.PERCENT_UNIT, max_value=1, thresholds=FULLNESS_THRESHOLDS,
        targets=[prometheus_target(q.cpu_utilization(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def host_memory(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Host RAM used and total (node-wide)."""
    o = panel_options(options, by=HOST_GROUPING)
    o = o.regrouped(o.selector.grouping(o.by))
    return default_timeseries(
        title=o.title or "Host memory",
        description=("RAM in use (MemTotal - MemAvailable) and in total on the host running each "
                     "Triton server (nv_cpu_memory_used_bytes, nv_cpu_memory_total_bytes). "
                     "Node-wide, not Triton's own memory. Unit: bytes.\n\n"
                     f"No data: {m.CPU_MEMORY_USED.no_data_hint()} Linux only."),
        unit=Unit.BYTES,
        targets=used_and_total(q.host_memory_used(o.selector, o.by), q.host_memory_total(o.selector, o.by), o.by),
        **o.layout)


def pinned_memory(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Triton's pinned host memory pool: used and configured size."""
    o = panel_options(options, by=HOST_GROUPING)
    o = o.regrouped(o.selector.grouping(o.by))
    return default_timeseries(
        title=o.title or "Pinned memory pool",
        description=("Page-locked host memory Triton uses for fast GPU copies: in use and the "
                     "pool's configured size (--pinned-memory-pool-byte-size). The size is the "
                     "configured one even when allocation failed. Unit: bytes.\n\n"
                     f"No data: {m.PINNED_MEMORY_USED.no_data_hint()}"),
        unit=Unit.BYTES,
        targets=used_and_total(q.pinned_memory_used(o.selector, o.by), q.pinned_memory_total(o.selector, o.by), o.by,
                               total_word="pool size"),
        **o.layout)


def cache_hit_ratio(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Share of requests answered from the response cache."""
    o = panel_options(options, width=12)
    return default_timeseries(
        title=o.title or "Response cache hit ratio",
        description=("Share of successful requests answered from Triton's response cache: "
                     "sum(rate(nv_cache_num_hits_per_model)) / sum(rate(nv_inference_request_success)). "
                     "Not hits / (hits + misses): Triton's per-model miss counter counts only "
                     "successful inserts. Unit: percent.\n\n"
                     f"No data: {m.CACHE_NUM_HITS_PER_MODEL.no_data_hint()} Also empty while the model "
                     "has no request."),
        unit=Unit.PERCENT_UNIT, max_value=1,
        targets=[prometheus_target(q.cache_hit_ratio(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def cache_utilization(**options: Unpack[PanelOptions]) -> G.Stat:
    """Fullness of the response cache, worst Triton server."""
    o = panel_options(options, width=6)
    return default_stat(
        title=o.title or "Response cache used",
        description=("Share of the response cache's configured size in use (nv_cache_util, 0-1), "
                     "on the fullest selected Triton server. Near 100 % the cache evicts entries. "
                     f"Unit: percent.\n\nNo data: {m.CACHE_UTIL.no_data_hint()}"),
        unit=Unit.PERCENT_UNIT, thresholds=FULLNESS_THRESHOLDS,
        targets=[prometheus_target(q.cache_utilization(o.selector, ()), "cache used")],
        **o.layout)
