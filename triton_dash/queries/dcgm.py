"""GPU queries from NVIDIA's DCGM exporter, attributed to Triton pods (the ``dcgm`` GPU source).

On Kubernetes (GPU Operator) the exporter labels each GPU, or each MIG instance,
with the pod that holds it (``pod``/``namespace``, from the kubelet's
pod-resources API). Stored by Prometheus those labels are either ``pod`` and
``namespace`` (``honorLabels: true``) or ``exported_pod`` and
``exported_namespace`` (``honorLabels: false``, what the shipped ServiceMonitors
do: there ``pod`` is the exporter's own pod). :attr:`Selector.dcgm_pod_label`
says which. Every query here:

1. reads the DCGM family with no job/instance matcher (the exporter is its own
   scrape job) but only series that carry a pod, and ``UUID=~"$gpu"``;
2. copies the workload's pod and namespace to ``pod``/``namespace`` when they
   are stored elsewhere (``label_replace``);
3. keeps the series whose pod is a selected Triton target:
   ``and on (namespace, pod) up{job=~"$job", instance=~"$instance"}``. ``and``
   keeps every GPU of a pod with two GPUs and every MIG instance of a pod (no
   one-to-one matching to break), and drops GPUs no Triton pod holds;
4. takes the ``max`` per GPU instance (``UUID``, ``GPU_I_ID``) for what MIG
   splits (framebuffer, utilisation, DCP activities), or per physical GPU
   (``UUID``) for what it does not (power, energy, temperature): every MIG
   instance repeats its GPU's power, so a sum would count it once per instance.

Units are converted to the panels' own: framebuffer MiB to bytes, ``DEV_GPU_UTIL``
percent to 0-1, energy mJ/s to W.

    from triton_dash.queries.dcgm import dcgm_memory_used_ratio
    from triton_dash.selector import Selector
    dcgm_memory_used_ratio(Selector(dcgm_pod_label="exported_pod"))
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, Selector, render_selector
from .builders import agg, guarded_ratio

__all__ = [
    "DCGM_GPU_GROUPING",
    "DCGM_INSTANCE_GROUPING",
    "dcgm_dram_active",
    "dcgm_energy_power",
    "dcgm_memory_free",
    "dcgm_memory_reserved",
    "dcgm_memory_split",
    "dcgm_memory_used",
    "dcgm_memory_used_ratio",
    "dcgm_power_limit",
    "dcgm_power_usage",
    "dcgm_series",
    "dcgm_temperature",
    "dcgm_tensor_active",
    "dcgm_utilization",
    "dcgm_xid_last",
]

#: One line per GPU or MIG instance held by a Triton pod.
DCGM_INSTANCE_GROUPING: tuple[str, ...] = ("namespace", "pod", "gpu", "UUID", "GPU_I_PROFILE", "GPU_I_ID")
#: One line per physical GPU a Triton pod uses (MIG instances folded into their GPU).
DCGM_GPU_GROUPING: tuple[str, ...] = ("namespace", "pod", "gpu", "UUID")
#: Percent (DCGM_FI_DEV_*_UTIL) -> 0-1; mJ (energy) -> J.
PERCENT, MILLI = "100", "1000"
Grouping = Sequence[str]


def _grouping(sel: Selector, by: Grouping) -> tuple[str, ...]:
    return (sel.cluster_label, *by) if sel.cluster_label and sel.cluster_label not in by else tuple(by)


def dcgm_series(metric: m.Metric, sel: Selector = DEFAULT_SELECTOR, *matchers: tuple[str, str, str],
                rate: bool = False) -> str:
    """``metric`` (``rate()`` of it for a counter) on the GPUs the selected Triton pods hold, labelled
    with the Triton pod's ``pod`` and ``namespace``."""
    if rate and not metric.is_counter:
        raise ValueError(f"rate() of {metric.name}, which is a {metric.kind.value}, not a counter")
    own = Selector(job=None, instance=None, model=None, version=None, gpu=None, rate_interval=sel.rate_interval,
                   offset=sel.offset, cluster_label=sel.cluster_label, cluster=sel.cluster)
    pod, namespace = sel.dcgm_pod_label, sel.dcgm_namespace_label
    held = ((pod, "!=", ""), *((("UUID", "=~", sel.gpu),) if sel.gpu is not None else ()), *matchers)
    expr = render_selector(metric, own, *held)
    if rate:
        offset = f" offset {sel.offset}" if sel.offset else ""
        expr = f"rate({expr}[{sel.rate_interval}]{offset})"
    if pod != "pod":
        expr = (f'label_replace(label_replace({expr}, "pod", "$1", "{pod}", "(.+)"), '
                f'"namespace", "$1", "{namespace}", "(.+)")')
    on = ", ".join(_grouping(sel, ("namespace", "pod")))
    return f"{expr} and on ({on}) {render_selector(m.UP, sel)}"


def _max(metric: m.Metric, sel: Selector, by: Grouping, *matchers: tuple[str, str, str],
         rate: bool = False) -> str:
    return agg("max", dcgm_series(metric, sel, *matchers, rate=rate), _grouping(sel, by))


def dcgm_memory_used(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Framebuffer in use (bytes), per GPU or MIG instance."""
    return f"{_max(m.DCGM_FB_USED, sel, by)} * {m.MIB}"


def dcgm_memory_free(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Framebuffer free (bytes), per GPU or MIG instance."""
    return f"{_max(m.DCGM_FB_FREE, sel, by)} * {m.MIB}"


def dcgm_memory_reserved(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Framebuffer the driver reserves (bytes), per GPU or MIG instance (exporter 4.3.1-4.4.0 and later)."""
    return f"{_max(m.DCGM_FB_RESERVED, sel, by)} * {m.MIB}"


def dcgm_memory_split(sel: Selector = DEFAULT_SELECTOR) -> dict[str, str]:
    """``used``, ``free`` and ``reserved`` framebuffer (bytes), each summed over the selected GPU instances
    (one value per instance first, so a GPU seen twice is counted once)."""
    return {"used": f"sum({dcgm_memory_used(sel)})", "free": f"sum({dcgm_memory_free(sel)})",
            "reserved": f"sum({dcgm_memory_reserved(sel)})"}


def dcgm_memory_used_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Framebuffer used / (used + free + reserved), 0-1, per GPU or MIG instance.

    The total is what ``DCGM_FI_DEV_FB_TOTAL`` (not enabled in the shipped CSVs) would
    say: used + free + reserved on drivers that report reserved memory, used + free
    before (where used included it), hence ``reserved or 0``.
    """
    used, free, reserved = (_max(f, sel, by) for f in (m.DCGM_FB_USED, m.DCGM_FB_FREE, m.DCGM_FB_RESERVED))
    return guarded_ratio(used, f"({used} + {free} + ({reserved} or {used} * 0))")


def dcgm_utilization(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Busy share 0-1: ``DCGM_FI_DEV_GPU_UTIL / 100`` on a whole GPU (what Triton's nv_gpu_utilization
    shows), ``DCGM_FI_PROF_GR_ENGINE_ACTIVE`` on a MIG instance (DEV_GPU_UTIL is not reported there)."""
    whole = _max(m.DCGM_GPU_UTIL, sel, by, ("GPU_I_ID", "=", ""))
    mig = _max(m.DCGM_GR_ENGINE_ACTIVE, sel, by, ("GPU_I_ID", "!=", ""))
    return f"{whole} / {PERCENT} or {mig}"


def dcgm_power_usage(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_GPU_GROUPING) -> str:
    """Power draw (W) per physical GPU."""
    return _max(m.DCGM_POWER_USAGE, sel, by)


def dcgm_power_limit(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_GPU_GROUPING) -> str:
    """Power management limit (W) per physical GPU (a counters-CSV line the shipped files lack)."""
    return _max(m.DCGM_POWER_LIMIT, sel, by)


def dcgm_energy_power(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_GPU_GROUPING) -> str:
    """Average power (W) over the rate window: rate of the energy counter (mJ/s) / 1000, per physical GPU."""
    return f"{_max(m.DCGM_TOTAL_ENERGY_CONSUMPTION, sel, by, rate=True)} / {MILLI}"


def dcgm_temperature(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_GPU_GROUPING) -> str:
    """GPU temperature (°C) per physical GPU."""
    return _max(m.DCGM_GPU_TEMP, sel, by)


def dcgm_xid_last(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """The last XID error code per GPU or MIG instance (0: none); a code, never to be summed or rated."""
    return _max(m.DCGM_XID_ERRORS, sel, by)


def dcgm_tensor_active(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Share of cycles the tensor (HMMA) pipe is active, 0-1, per GPU or MIG instance."""
    return _max(m.DCGM_TENSOR_ACTIVE, sel, by)


def dcgm_dram_active(sel: Selector = DEFAULT_SELECTOR, by: Grouping = DCGM_INSTANCE_GROUPING) -> str:
    """Share of cycles the memory interface is active, 0-1, per GPU or MIG instance."""
    return _max(m.DCGM_DRAM_ACTIVE, sel, by)
