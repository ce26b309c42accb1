"""NVIDIA's DCGM exporter (``dcgm-exporter``, installed by the GPU Operator): the ``DCGM_FI_*`` families.

Facts from the exporter's ``etc/default-counters.csv`` and ``etc/dcp-metrics-included.csv``
(main ``d5e5f51`` and tag ``4.5.3-4.8.2``), its label template and Kubernetes transformation,
and the GPU Operator's DaemonSet, as summarised in the project's DCGM reference:

- **Types** are the CSV's: a field is a ``gauge`` or a ``counter`` (``label`` rows become labels).
  ``DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`` is a counter in **mJ** since boot (``rate()/1000`` = W);
  ``DCGM_FI_DEV_XID_ERRORS`` is a gauge holding the **last XID code**, not a count;
  ``DCGM_FI_PROF_PCIE_{TX,RX}_BYTES`` are gauges in bytes per second.
- **Units differ from Triton's** ``nv_gpu_*``: ``DCGM_FI_DEV_GPU_UTIL`` and the other ``DEV_*_UTIL``
  are percent 0-100, ``DCGM_FI_PROF_*`` activities are ratios 0-1, framebuffer ``DEV_FB_*`` is MiB,
  power W, temperatures °C, clocks MHz.
- **Labels** on every GPU series: ``gpu`` (index), ``UUID``, ``pci_bus_id``, ``device``, ``modelName``,
  the host label (``Hostname`` up to 4.5.3-4.8.2, ``hostname`` on main after it), MIG's ``GPU_I_PROFILE``
  and ``GPU_I_ID``, CSV label fields (``DCGM_FI_DRIVER_VERSION``) and, in Kubernetes mode
  (``--kubernetes``, on in the GPU Operator), ``pod``/``namespace``/``container`` of the pod that holds
  the GPU or MIG instance. A GPU no pod holds gets no pod labels. Scraped with ``honorLabels: false``
  (the shipped ServiceMonitors) those become ``exported_pod``/``exported_namespace``/``exported_container``
  and ``pod``/``namespace`` name the exporter's own pod (:data:`HONOR_LABELS_FALSE_LABELS`).
- **"No data" facts** (``enable``): which counters CSV or switch provides a family. The profiling
  (DCP) fields need a datacenter GPU, Volta or newer; they are in ``dcp-metrics-included.csv`` (the
  GPU Operator's file) and in ``default-counters.csv`` only from tag ``4.0.0-4.0.1``. ``DEV_*_UTIL``
  are not reported for MIG instances (read 0 or absent): use ``DCGM_FI_PROF_GR_ENGINE_ACTIVE``.

Usage::

    from triton_dash.metrics import DCGM_FB_USED, DCGM_FAMILIES
    DCGM_FB_USED.unit                     # 'MiB'
    DCGM_FB_USED.no_data_hint()           # 'DCGM_FI_DEV_FB_USED comes from NVIDIA's DCGM exporter ...'
"""

from __future__ import annotations

import enum

from ._family import SCRAPE, Metric, MetricKind

__all__ = [
    "DCGM_CORRECTABLE_REMAPPED_ROWS",
    "DCGM_DEC_UTIL",
    "DCGM_DEFAULT_CSV",
    "DCGM_DRAM_ACTIVE",
    "DCGM_ENC_UTIL",
    "DCGM_FAMILIES",
    "DCGM_FB_FREE",
    "DCGM_FB_RESERVED",
    "DCGM_FB_TOTAL",
    "DCGM_FB_USED",
    "DCGM_GPU_LABELS",
    "DCGM_GPU_TEMP",
    "DCGM_GPU_UTIL",
    "DCGM_GR_ENGINE_ACTIVE",
    "DCGM_MEMORY_TEMP",
    "DCGM_MEM_CLOCK",
    "DCGM_MEM_COPY_UTIL",
    "DCGM_MIG_LABELS",
    "DCGM_NAMESPACE_LABEL",
    "DCGM_NVLINK_BANDWIDTH_TOTAL",
    "DCGM_PCIE_REPLAY_COUNTER",
    "DCGM_PCIE_RX_BYTES",
    "DCGM_PCIE_TX_BYTES",
    "DCGM_PIPE_FP16_ACTIVE",
    "DCGM_PIPE_FP32_ACTIVE",
    "DCGM_PIPE_FP64_ACTIVE",
    "DCGM_POD_LABELS",
    "DCGM_POWER_LIMIT",
    "DCGM_POWER_USAGE",
    "DCGM_ROW_REMAP_FAILURE",
    "DCGM_SM_ACTIVE",
    "DCGM_SM_CLOCK",
    "DCGM_SM_OCCUPANCY",
    "DCGM_TENSOR_ACTIVE",
    "DCGM_TOTAL_ENERGY_CONSUMPTION",
    "DCGM_UNCORRECTABLE_REMAPPED_ROWS",
    "DCGM_VGPU_LICENSE_STATUS",
    "DCGM_XID_ERRORS",
    "DCGM_XID_ERRORS_COUNT",
    "HONOR_LABELS_FALSE_LABELS",
    "MIB",
    "GpuSource",
]

C, G = MetricKind.COUNTER, MetricKind.GAUGE

#: Bytes per MiB: the framebuffer fields are in MiB, panels show bytes.
MIB = 1024 * 1024
#: The exporter's own counters file, the binary's and the Helm chart's default.
DCGM_DEFAULT_CSV = "/etc/dcgm-exporter/default-counters.csv"

#: MIG instance labels (only on MIG-partitioned GPUs).
DCGM_MIG_LABELS: tuple[str, ...] = ("GPU_I_PROFILE", "GPU_I_ID")
#: Pod attribution labels as the exporter writes them in Kubernetes mode (``--use-old-namespace``
#: writes ``pod_name``, ``pod_namespace``, ``container_name``).
DCGM_POD_LABELS: tuple[str, ...] = ("pod", "namespace", "container")
#: Labels on every GPU series the exporter writes (template ``gpuMetricsFormat``).
DCGM_GPU_LABELS: tuple[str, ...] = (
    "gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "hostname", *DCGM_MIG_LABELS,
    "DCGM_FI_DRIVER_VERSION", *DCGM_POD_LABELS, "pod_name", "pod_namespace", "container_name",
)
#: Where the workload's pod name is, once Prometheus stored the series -> where its namespace is:
#: ``pod`` with ``honorLabels: true``; ``exported_pod`` with ``honorLabels: false`` (the default of the
#: dcgm-exporter Helm chart and of the GPU Operator's ServiceMonitor); ``pod_name`` with the exporter's
#: ``--use-old-namespace`` (no clash, so no renaming).
DCGM_NAMESPACE_LABEL: dict[str, str] = {
    "pod": "namespace", "exported_pod": "exported_namespace", "pod_name": "pod_namespace",
}


class GpuSource(str, enum.Enum):
    """Where the GPU panels and alerts read GPUs from (profile key ``gpu_source``)."""

    #: Triton's own ``nv_gpu_*`` (embedded DCGM): none under MIG or with ``--allow-gpu-metrics=false``.
    TRITON = "triton"
    #: NVIDIA's DCGM exporter (GPU Operator): per GPU and per MIG instance, attributed to Triton pods.
    DCGM = "dcgm"


#: What a Prometheus scrape with ``honor_labels: false`` (the shipped ServiceMonitors) adds: the
#: metric's ``pod``/``namespace``/``container`` renamed ``exported_*``, the target's own labels.
HONOR_LABELS_FALSE_LABELS: tuple[str, ...] = (
    "exported_pod", "exported_namespace", "exported_container", "service", "endpoint",
)
_SCRAPE = (*SCRAPE, *HONOR_LABELS_FALSE_LABELS)

_SHIPPED = ""  # enabled in both shipped files: only the exporter itself is needed
_NO_MIG = ("a GPU without MIG (DEV_*_UTIL fields read 0 or are absent for MIG instances; "
           "DCGM_FI_PROF_GR_ENGINE_ACTIVE is their per-instance replacement)")
_DCP = ("a datacenter GPU (Volta or newer) and the profiling (DCP) fields in the exporter's counters CSV: "
        "dcp-metrics-included.csv (the GPU Operator's DCGM_EXPORTER_COLLECTORS), or default-counters.csv "
        "from dcgm-exporter 4.0.0-4.0.1 on")
_FB_RESERVED = "dcgm-exporter 4.3.1-4.4.0 or later (DCGM_FI_DEV_FB_RESERVED was added to the counters CSV then)"


def _uncommented(field: str, kind: str, *, dcp: bool = False) -> str:
    where = "a datacenter GPU (Volta or newer) and " if dcp else ""
    return (f"{where}the line '{field}, {kind}, ...' uncommented or added in the exporter's counters CSV "
            f"(-f / DCGM_EXPORTER_COLLECTORS; shipped commented out or absent)")


def _d(name: str, kind: MetricKind, unit: str, help: str, enable: str = _SHIPPED,
       extra_labels: tuple[str, ...] = ()) -> Metric:
    return Metric(name, kind, unit, (*DCGM_GPU_LABELS, *extra_labels), help, "dcgm",
                  scrape_labels=_SCRAPE, enable=enable)


# --- clocks and temperatures
DCGM_SM_CLOCK = _d("DCGM_FI_DEV_SM_CLOCK", G, "MHz", "SM clock frequency; per physical GPU (every MIG instance "
                   "shows the same value).")
DCGM_MEM_CLOCK = _d("DCGM_FI_DEV_MEM_CLOCK", G, "MHz", "Memory clock frequency; per physical GPU.")
DCGM_MEMORY_TEMP = _d("DCGM_FI_DEV_MEMORY_TEMP", G, "°C", "Memory temperature.")
DCGM_GPU_TEMP = _d("DCGM_FI_DEV_GPU_TEMP", G, "°C", "GPU temperature.")
# --- power and energy
DCGM_POWER_USAGE = _d("DCGM_FI_DEV_POWER_USAGE", G, "W", "Power draw; per physical GPU.")
DCGM_POWER_LIMIT = _d("DCGM_FI_DEV_POWER_MGMT_LIMIT", G, "W",
                      "Power management limit (what Triton reports as nv_gpu_power_limit); per physical GPU.",
                      _uncommented("DCGM_FI_DEV_POWER_MGMT_LIMIT", "gauge"))
DCGM_TOTAL_ENERGY_CONSUMPTION = _d("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", C, "mJ",
                                   "Energy since boot, millijoules; rate()/1000 is watts. Per physical GPU.")
# --- PCIe and NVLink
DCGM_PCIE_REPLAY_COUNTER = _d("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", C, "retries", "PCIe retries.")
DCGM_PCIE_TX_BYTES = _d("DCGM_FI_PROF_PCIE_TX_BYTES", G, "B/s",
                        "PCIe transmit rate, bytes per second, headers and payload (a gauge in the shipped CSVs; "
                        "a commented counter variant and older fixtures type it counter).", _DCP)
DCGM_PCIE_RX_BYTES = _d("DCGM_FI_PROF_PCIE_RX_BYTES", G, "B/s",
                        "PCIe receive rate, bytes per second, headers and payload.", _DCP)
DCGM_NVLINK_BANDWIDTH_TOTAL = _d("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", C, "counts",
                                 "NVLink bandwidth counters, all lanes.")
# --- utilisation (percent 0-100; not for MIG instances)
DCGM_GPU_UTIL = _d("DCGM_FI_DEV_GPU_UTIL", G, "percent", "GPU utilisation, percent 0-100 (Triton's "
                   "nv_gpu_utilization is this / 100).", _NO_MIG)
DCGM_MEM_COPY_UTIL = _d("DCGM_FI_DEV_MEM_COPY_UTIL", G, "percent", "Memory (copy engine) utilisation, 0-100.",
                        _NO_MIG)
DCGM_ENC_UTIL = _d("DCGM_FI_DEV_ENC_UTIL", G, "percent", "Encoder utilisation, 0-100.", _NO_MIG)
DCGM_DEC_UTIL = _d("DCGM_FI_DEV_DEC_UTIL", G, "percent", "Decoder utilisation, 0-100.", _NO_MIG)
# --- errors and health
DCGM_XID_ERRORS = _d("DCGM_FI_DEV_XID_ERRORS", G, "XID code",
                     "Value of the last XID error: a code, not a count (0: none since the exporter started).",
                     extra_labels=("err_code", "err_msg"))
DCGM_XID_ERRORS_COUNT = Metric("DCGM_EXP_XID_ERRORS_COUNT", C, "errors", (*DCGM_GPU_LABELS, "xid"),
                               "XID errors per code over the exporter's window (--xid-count-window-size, "
                               "default 5 min).", "dcgm", scrape_labels=_SCRAPE,
                               enable=_uncommented("DCGM_EXP_XID_ERRORS_COUNT", "counter"))
DCGM_UNCORRECTABLE_REMAPPED_ROWS = _d("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", C, "rows",
                                      "Rows remapped for uncorrectable errors.")
DCGM_CORRECTABLE_REMAPPED_ROWS = _d("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", C, "rows",
                                    "Rows remapped for correctable errors.")
DCGM_ROW_REMAP_FAILURE = _d("DCGM_FI_DEV_ROW_REMAP_FAILURE", G, "boolean", "1 when row remapping failed.")
DCGM_VGPU_LICENSE_STATUS = _d("DCGM_FI_DEV_VGPU_LICENSE_STATUS", G, "status", "vGPU licence status.")
# --- framebuffer (MiB)
DCGM_FB_FREE = _d("DCGM_FI_DEV_FB_FREE", G, "MiB", "Framebuffer memory free, MiB; per GPU or MIG instance.")
DCGM_FB_USED = _d("DCGM_FI_DEV_FB_USED", G, "MiB", "Framebuffer memory used, MiB; per GPU or MIG instance.")
DCGM_FB_RESERVED = _d("DCGM_FI_DEV_FB_RESERVED", G, "MiB", "Framebuffer memory reserved by the driver, MiB.",
                      _FB_RESERVED)
DCGM_FB_TOTAL = _d("DCGM_FI_DEV_FB_TOTAL", G, "MiB", "Framebuffer memory in total, MiB.",
                   _uncommented("DCGM_FI_DEV_FB_TOTAL", "gauge"))
# --- profiling (DCP) activities: ratios 0-1, per GPU or MIG instance
DCGM_GR_ENGINE_ACTIVE = _d("DCGM_FI_PROF_GR_ENGINE_ACTIVE", G, "ratio",
                           "Share of time the graphics engine is active, 0-1; per GPU or MIG instance.", _DCP)
DCGM_TENSOR_ACTIVE = _d("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", G, "ratio",
                        "Share of cycles the tensor (HMMA) pipe is active, 0-1.", _DCP)
DCGM_DRAM_ACTIVE = _d("DCGM_FI_PROF_DRAM_ACTIVE", G, "ratio",
                      "Share of cycles the memory interface is active, 0-1.", _DCP)
DCGM_SM_ACTIVE = _d("DCGM_FI_PROF_SM_ACTIVE", G, "ratio", "Share of time at least one warp is active on an SM.",
                    _uncommented("DCGM_FI_PROF_SM_ACTIVE", "gauge", dcp=True))
DCGM_SM_OCCUPANCY = _d("DCGM_FI_PROF_SM_OCCUPANCY", G, "ratio", "Resident warps over the SMs' maximum.",
                       _uncommented("DCGM_FI_PROF_SM_OCCUPANCY", "gauge", dcp=True))
DCGM_PIPE_FP64_ACTIVE = _d("DCGM_FI_PROF_PIPE_FP64_ACTIVE", G, "ratio", "Share of cycles the FP64 pipe is active.",
                           _uncommented("DCGM_FI_PROF_PIPE_FP64_ACTIVE", "gauge", dcp=True))
DCGM_PIPE_FP32_ACTIVE = _d("DCGM_FI_PROF_PIPE_FP32_ACTIVE", G, "ratio", "Share of cycles the FP32 pipe is active.",
                           _uncommented("DCGM_FI_PROF_PIPE_FP32_ACTIVE", "gauge", dcp=True))
DCGM_PIPE_FP16_ACTIVE = _d("DCGM_FI_PROF_PIPE_FP16_ACTIVE", G, "ratio", "Share of cycles the FP16 pipe is active.",
                           _uncommented("DCGM_FI_PROF_PIPE_FP16_ACTIVE", "gauge", dcp=True))

DCGM_FAMILIES: tuple[Metric, ...] = (
    DCGM_SM_CLOCK, DCGM_MEM_CLOCK, DCGM_MEMORY_TEMP, DCGM_GPU_TEMP, DCGM_POWER_USAGE, DCGM_POWER_LIMIT,
    DCGM_TOTAL_ENERGY_CONSUMPTION, DCGM_PCIE_REPLAY_COUNTER, DCGM_PCIE_TX_BYTES, DCGM_PCIE_RX_BYTES,
    DCGM_NVLINK_BANDWIDTH_TOTAL, DCGM_GPU_UTIL, DCGM_MEM_COPY_UTIL, DCGM_ENC_UTIL, DCGM_DEC_UTIL,
    DCGM_XID_ERRORS, DCGM_XID_ERRORS_COUNT, DCGM_UNCORRECTABLE_REMAPPED_ROWS, DCGM_CORRECTABLE_REMAPPED_ROWS,
    DCGM_ROW_REMAP_FAILURE, DCGM_VGPU_LICENSE_STATUS, DCGM_FB_FREE, DCGM_FB_USED, DCGM_FB_RESERVED, DCGM_FB_TOTAL,
    DCGM_GR_ENGINE_ACTIVE, DCGM_TENSOR_ACTIVE, DCGM_DRAM_ACTIVE, DCGM_SM_ACTIVE, DCGM_SM_OCCUPANCY,
    DCGM_PIPE_FP64_ACTIVE, DCGM_PIPE_FP32_ACTIVE, DCGM_PIPE_FP16_ACTIVE,
)
