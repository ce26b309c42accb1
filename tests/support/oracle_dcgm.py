"""Known answers for the DCGM GPU panels, from the scenario of tests/fixtures/dcgm-exporter-k8s-mig.prom.

The scenario, restated here as plain numbers (``test_dcgm`` checks that the
fixture says the same), and what each panel must show, worked out by hand from
the exporter's documented semantics, not from PromQL:

- node ``gpu-node-1``, one DCGM exporter pod ``gpu-operator/nvidia-dcgm-exporter-x7k2p``;
- GPU 0 and GPU 1 (H100): both held by Triton pod ``serving/triton-a-0`` (a pod with two GPUs);
- GPU 2 (A100, MIG): instance 1 (3g.40gb) held by Triton pod ``serving/triton-b-0``, instance 2
  held by ``research/triton-b-0``, a pod of the same name in another namespace that is no Triton
  target; every instance repeats the GPU's power, temperature and energy; DEV_GPU_UTIL reads 0;
  the exporter reports no FB_RESERVED there (as one before 4.3.1-4.4.0 does nowhere);
- GPU 3 (H100): held by no pod.

Units: framebuffer MiB -> bytes, DEV_GPU_UTIL percent -> 0-1, energy mJ/s -> W.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .prometheus import Labels

MIB = 1024 * 1024
SERVING, RESEARCH = "serving", "research"
TRITON_PODS = {(SERVING, "triton-a-0"): "10.0.1.11:8002", (SERVING, "triton-b-0"): "10.0.1.12:8002"}
EXPORTER = {"namespace": "gpu-operator", "pod": "nvidia-dcgm-exporter-x7k2p", "container": "nvidia-dcgm-exporter",
            "service": "nvidia-dcgm-exporter", "endpoint": "gpu-metrics", "instance": "10.0.1.10:9400"}


@dataclass(frozen=True)
class PhysicalGpu:
    index: str
    uuid: str
    power: float  # W (DCGM_FI_DEV_POWER_USAGE)
    limit: float  # W (DCGM_FI_DEV_POWER_MGMT_LIMIT)
    temperature: float  # °C
    energy_watts: float  # the energy counter's rate, mJ/s / 1000 (the exposition server grows it so)


@dataclass(frozen=True)
class Holding:
    """One GPU, or one MIG instance, and the pod that holds it (None: no pod)."""

    gpu: PhysicalGpu
    pod: tuple[str, str] | None  # (namespace, pod)
    used_mib: float
    free_mib: float
    reserved_mib: float | None
    util_percent: float
    gr_engine: float
    tensor: float
    dram: float
    xid: float
    mig: tuple[str, str] | None = None  # (GPU_I_PROFILE, GPU_I_ID)


GPU0 = PhysicalGpu("0", "GPU-3f1c9a52-6d0e-4b7a-9c21-5e8d0f6a1b01", 512.345, 700, 64, 498.5)
GPU1 = PhysicalGpu("1", "GPU-8b27e4d0-1a9f-4c3e-a5b6-7d2c9e0f3a02", 201.5, 700, 51, 210.0)
GPU2 = PhysicalGpu("2", "GPU-c4e6a1f3-2b8d-4e9a-b7c0-1f5d3a9e6b03", 250.25, 400, 58, 240.0)
GPU3 = PhysicalGpu("3", "GPU-e9d3b7c1-4f2a-4d6b-8e1c-3a7f5b9d2c04", 70.125, 700, 33, 65.0)
PHYSICAL = (GPU0, GPU1, GPU2, GPU3)

HOLDINGS = (
    Holding(GPU0, (SERVING, "triton-a-0"), 61440, 19503, 616, 87, 0.83, 0.412, 0.655, 0),
    Holding(GPU1, (SERVING, "triton-a-0"), 20480, 60463, 616, 23, 0.21, 0.05, 0.12, 13),
    Holding(GPU2, (SERVING, "triton-b-0"), 30000, 10192, None, 0, 0.64, 0.3, 0.45, 0, ("3g.40gb", "1")),
    Holding(GPU2, (RESEARCH, "triton-b-0"), 12000, 28192, None, 0, 0.9, 0.7, 0.8, 0, ("3g.40gb", "2")),
    Holding(GPU3, None, 0, 80943, 616, 0, 0.0, 0.0, 0.0, 0),
)
#: The GPUs and MIG instances Triton pods hold: what every DCGM panel shows.
TRITON_HOLDINGS = tuple(h for h in HOLDINGS if h.pod in TRITON_PODS)

Expected = dict[Labels, float]


def _instance_labels(h: Holding) -> Labels:
    assert h.pod is not None
    labels = {"namespace": h.pod[0], "pod": h.pod[1], "gpu": h.gpu.index, "UUID": h.gpu.uuid}
    if h.mig:
        labels |= {"GPU_I_PROFILE": h.mig[0], "GPU_I_ID": h.mig[1]}
    return frozenset(labels.items())


def _gpu_labels(h: Holding) -> Labels:
    assert h.pod is not None
    return frozenset({"namespace": h.pod[0], "pod": h.pod[1], "gpu": h.gpu.index, "UUID": h.gpu.uuid}.items())


def per_instance(value: Callable[[Holding], float | None]) -> Expected:
    return {_instance_labels(h): v for h in TRITON_HOLDINGS if (v := value(h)) is not None}


def per_gpu(value: Callable[[PhysicalGpu], float]) -> Expected:
    """One value per (Triton pod, physical GPU): MIG instances of one GPU in one pod count once."""
    return {_gpu_labels(h): value(h.gpu) for h in TRITON_HOLDINGS}


def memory_ratio(h: Holding) -> float:
    return h.used_mib / (h.used_mib + h.free_mib + (h.reserved_mib or 0))


def utilization(h: Holding) -> float:
    """Whole GPU: DEV_GPU_UTIL / 100. MIG instance: PROF_GR_ENGINE_ACTIVE (DEV_GPU_UTIL reads 0 there)."""
    return h.gr_engine if h.mig else h.util_percent / 100


def vram(part: str, uuid: str) -> Expected:
    """The pie of one GPU: used, free, reserved bytes summed over the instances Triton pods hold."""
    held = [h for h in TRITON_HOLDINGS if h.gpu.uuid == uuid]
    values = {"used": [h.used_mib for h in held], "free": [h.free_mib for h in held],
              "reserved": [h.reserved_mib for h in held if h.reserved_mib is not None]}[part]
    return {frozenset(): sum(values) * MIB} if values else {}


PIE = "GPU memory $gpu"
ORACLES: dict[tuple[str, str], Callable[[Mapping[str, str]], Expected]] = {
    (PIE, "A"): lambda chosen: vram("used", chosen["gpu"]),
    (PIE, "B"): lambda chosen: vram("free", chosen["gpu"]),
    (PIE, "C"): lambda chosen: vram("reserved", chosen["gpu"]),
    ("GPU utilization", "A"): lambda _: per_instance(utilization),
    ("GPU memory used", "A"): lambda _: per_instance(memory_ratio),
    ("GPU power vs limit", "A"): lambda _: per_gpu(lambda g: g.power),
    ("GPU power vs limit", "B"): lambda _: per_gpu(lambda g: g.limit),
    ("GPU average power (from energy)", "A"): lambda _: per_gpu(lambda g: g.energy_watts),
    ("GPU temperature", "A"): lambda _: per_gpu(lambda g: g.temperature),
    ("GPU XID errors (last code)", "A"): lambda _: per_instance(lambda h: h.xid),
    ("Tensor-core activity", "A"): lambda _: per_instance(lambda h: h.tensor),
    ("GPU DRAM activity", "A"): lambda _: per_instance(lambda h: h.dram),
}


def expected(title: str, ref_id: str, chosen: Mapping[str, str]) -> Expected:
    try:
        oracle = ORACLES[(title, ref_id)]
    except KeyError:
        raise LookupError(f"no known answer for {title!r} target {ref_id}") from None
    return oracle(chosen)
