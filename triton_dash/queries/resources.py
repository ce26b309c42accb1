"""GPU, host, pinned-memory and response-cache queries.

GPU gauges are per device (``gpu_uuid``). Two Triton servers sharing a GPU
report the same device twice, so GPU queries take ``max by (gpu_uuid)``
rather than a sum. Host CPU and RAM are node-wide readings from ``/proc``,
one series per Triton server (``instance``).
"""

from __future__ import annotations

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector
from .builders import agg, guarded_ratio, max_gauge, rate, sum_rate
from .requests import success_rate

__all__ = [
    "GPU_GROUPING",
    "HOST_GROUPING",
    "busiest_gpu_utilization",
    "cache_hit_ratio",
    "cache_utilization",
    "cpu_utilization",
    "fullest_gpu_memory_ratio",
    "gpu_energy_power",
    "gpu_memory_free",
    "gpu_memory_split",
    "gpu_memory_used",
    "gpu_memory_used_ratio",
    "gpu_power_limit",
    "gpu_power_usage",
    "gpu_utilization",
    "host_memory_total",
    "host_memory_used",
    "pinned_memory_total",
    "pinned_memory_used",
]

GPU_GROUPING: tuple[str, ...] = ("gpu_uuid",)
HOST_GROUPING: tuple[str, ...] = ("instance",)


def gpu_utilization(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """GPU busy fraction, 0-1."""
    return max_gauge(m.GPU_UTILIZATION, sel, by)


def gpu_memory_used(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """GPU memory in use (bytes)."""
    return max_gauge(m.GPU_MEMORY_USED, sel, by)


def gpu_memory_free(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """GPU memory not in use (bytes): total minus used."""
    return f"{max_gauge(m.GPU_MEMORY_TOTAL, sel, by)} - {max_gauge(m.GPU_MEMORY_USED, sel, by)}"


def gpu_memory_split(sel: Selector = DEFAULT_SELECTOR) -> dict[str, str]:
    """GPU memory ``used`` and ``free`` (bytes), each summed over the selected GPUs (one per GPU deduplicated)."""
    return {"used": f"sum({gpu_memory_used(sel)})", "free": f"sum({gpu_memory_free(sel)})"}


def gpu_memory_used_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """GPU memory used / total, 0-1."""
    return guarded_ratio(max_gauge(m.GPU_MEMORY_USED, sel, by), max_gauge(m.GPU_MEMORY_TOTAL, sel, by))


def busiest_gpu_utilization(sel: Selector = DEFAULT_SELECTOR) -> str:
    """The highest utilization among the selected GPUs, 0-1."""
    return agg("max", gpu_utilization(sel), ())


def fullest_gpu_memory_ratio(sel: Selector = DEFAULT_SELECTOR) -> str:
    """The highest memory used / total among the selected GPUs (per GPU first, then the max), 0-1."""
    return agg("max", gpu_memory_used_ratio(sel), ())


def gpu_power_usage(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """Instantaneous GPU power draw (W)."""
    return max_gauge(m.GPU_POWER_USAGE, sel, by)


def gpu_power_limit(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """GPU power limit (W)."""
    return max_gauge(m.GPU_POWER_LIMIT, sel, by)


def gpu_energy_power(sel: Selector = DEFAULT_SELECTOR, by: Grouping = GPU_GROUPING) -> str:
    """Average power (W) over the rate window, from the energy counter (J/s)."""
    return agg("max", rate(m.ENERGY_CONSUMPTION, sel), by)


def cpu_utilization(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Host CPU busy fraction over all cores, 0-1."""
    return max_gauge(m.CPU_UTILIZATION, sel, by)


def host_memory_used(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Host RAM in use (bytes)."""
    return max_gauge(m.CPU_MEMORY_USED, sel, by)


def host_memory_total(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Host RAM in total (bytes)."""
    return max_gauge(m.CPU_MEMORY_TOTAL, sel, by)


def pinned_memory_used(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Pinned (page-locked) host memory in use by Triton (bytes)."""
    return max_gauge(m.PINNED_MEMORY_USED, sel, by)


def pinned_memory_total(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Configured size of Triton's pinned memory pool (bytes)."""
    return max_gauge(m.PINNED_MEMORY_TOTAL, sel, by)


def cache_hit_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Share of successful requests answered from the response cache, 0-1.

    Divides by successful requests, not hits + misses: Triton's per-model miss
    counter undercounts (it counts only successful inserts).
    """
    return guarded_ratio(sum_rate(m.CACHE_NUM_HITS_PER_MODEL, sel, by), success_rate(sel, by))


def cache_utilization(sel: Selector = DEFAULT_SELECTOR, by: Grouping = HOST_GROUPING) -> str:
    """Fraction of the response cache in use, 0-1, per Triton server."""
    return max_gauge(m.CACHE_UTIL, sel, by)
