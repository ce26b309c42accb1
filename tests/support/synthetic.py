"""A synthetic Triton fleet with known answers, written as OpenMetrics for promtool.

Every series is generated from the parameters below (per-second rates, per-request
times, gauge values); :mod:`tests.support.oracle` computes what each panel must show
from the same parameters. Nothing is typed in twice.

The fleet covers: one model on two instances with different rates and times, a
model split across two GPUs on one instance, dynamic batching on two instances
with different batch sizes, failures of several reasons, an idle model (its
summaries are NaN), a counter reset (a restarted server), response-cache hits,
two GPUs with different memory use plus one GPU reported by two servers, a
scrape target that is down, and a canary (a second version of one model).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from triton_dash import metrics as m

from .synthetic_llm import LLM_FLEET, LlmFleet, le_text

T0 = 1767225600  # 2026-01-01T00:00:00Z, on a 2 h block boundary
STEP = 15  # seconds between samples (a 15 s scrape interval)
DURATION = 3600
EVAL_AT = T0 + 3000  # the instant every panel is evaluated at
RESET_AT = EVAL_AT - 45  # a server restarts right after this scrape
COUNTER_BASE = 1000.0  # counters start here, as after some earlier traffic
REASONS = ("REJECTED", "CANCELED", "BACKEND", "OTHER")
JOB = "triton"
A, B, C = "pod-a:8002", "pod-b:8002", "pod-c:8002"  # C is down
NAN = math.nan


@dataclass(frozen=True)
class ModelTraffic:
    """One model version on one Triton instance, as steady per-second rates."""

    model: str
    version: str
    instance: str
    success: float  # successful requests/s, cache hits included
    queue_s: float  # per successful request
    request_s: float  # per successful request
    input_s: float  # per executed request
    infer_s: float
    output_s: float
    inferences: float | None = None  # items/s; default: one per executed request
    executions: float | None = None  # default: one per executed request or BACKEND failure
    failures: Mapping[str, float] = field(default_factory=dict)
    cache_hits: float | None = None  # hits/s; None: the cache is off (no series)
    pending: float = 0.0
    gpu_split: Mapping[str, float] = field(default_factory=dict)  # gpu_uuid -> share of counters
    summaries: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # family -> q -> s
    restarted: bool = False  # counters reset at RESET_AT

    @property
    def executed(self) -> float:
        return self.success - (self.cache_hits or 0.0)

    @property
    def inference_rate(self) -> float:
        return self.executed if self.inferences is None else self.inferences

    @property
    def execution_rate(self) -> float:
        if self.executions is not None:
            return self.executions
        return self.executed + self.failures.get("BACKEND", 0.0)

    def failure(self, reason: str) -> float:
        return self.failures.get(reason, 0.0)


@dataclass(frozen=True)
class Gpu:
    uuid: str
    instances: tuple[str, ...]  # the Triton servers that report it
    utilization: float
    memory_used: float
    memory_total: float
    power: float  # W, also the energy counter's rate
    power_limit: float


@dataclass(frozen=True)
class Host:
    instance: str
    cpu: float
    memory_used: float
    memory_total: float
    pinned_used: float
    pinned_total: float
    cache_util: float | None = None


@dataclass(frozen=True)
class Target:
    job: str
    instance: str
    up: float
    scrape_duration: float


@dataclass(frozen=True)
class Fleet:
    traffic: tuple[ModelTraffic, ...]
    gpus: tuple[Gpu, ...]
    hosts: tuple[Host, ...]
    targets: tuple[Target, ...]
    head_series: Mapping[str, float]  # Prometheus instance -> series
    samples_appended: Mapping[str, float]  # sample type -> samples/s
    container_cpu: Mapping[str, float]  # container name ('' = cgroup root) -> cores
    container_memory: Mapping[str, float]
    probes: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # URL -> (success 0/1, seconds)

    def models(self) -> list[tuple[str, str]]:
        return sorted({(t.model, t.version) for t in self.traffic})


MS = 1e-3
SUMMARY_FAMILIES = (m.INFERENCE_REQUEST_SUMMARY.name, m.INFERENCE_COMPUTE_INFER_SUMMARY.name)

FLEET = Fleet(
    traffic=(
        ModelTraffic("resnet", "1", A, success=10, queue_s=2 * MS, request_s=12 * MS, input_s=0.5 * MS,
                     infer_s=8 * MS, output_s=0.3 * MS, pending=3, gpu_split={"GPU-aaaa": 0.25, "GPU-bbbb": 0.75},
                     summaries={SUMMARY_FAMILIES[0]: {"0.5": 11 * MS, "0.9": 15 * MS, "0.99": 30 * MS},
                                SUMMARY_FAMILIES[1]: {"0.5": 7 * MS, "0.9": 9 * MS, "0.99": 14 * MS}}),
        ModelTraffic("resnet", "1", B, success=30, queue_s=10 * MS, request_s=25 * MS, input_s=1 * MS,
                     infer_s=12 * MS, output_s=0.6 * MS, pending=7,
                     summaries={SUMMARY_FAMILIES[0]: {"0.5": 24 * MS, "0.9": 40 * MS, "0.99": 80 * MS},
                                SUMMARY_FAMILIES[1]: {"0.5": 11 * MS, "0.9": 13 * MS, "0.99": 20 * MS}}),
        # a canary: version 2 of resnet on one pod, slower and failing more than version 1
        ModelTraffic("resnet", "2", A, success=5, queue_s=3 * MS, request_s=40 * MS, input_s=1 * MS,
                     infer_s=20 * MS, output_s=0.5 * MS, failures={"BACKEND": 0.5}),
        ModelTraffic("bert", "2", A, success=20, inferences=80, executions=5, queue_s=5 * MS, request_s=20 * MS,
                     input_s=1 * MS, infer_s=10 * MS, output_s=1 * MS, pending=2),
        ModelTraffic("bert", "2", B, success=12, inferences=24, executions=6, queue_s=3 * MS, request_s=9 * MS,
                     input_s=0.4 * MS, infer_s=4 * MS, output_s=0.2 * MS),
        ModelTraffic("flaky", "1", B, success=8, queue_s=1 * MS, request_s=6 * MS, input_s=0.2 * MS,
                     infer_s=4 * MS, output_s=0.1 * MS, failures={"BACKEND": 1.5, "REJECTED": 0.5}),
        ModelTraffic("idle", "1", A, success=0, queue_s=0, request_s=0, input_s=0, infer_s=0, output_s=0,
                     summaries={SUMMARY_FAMILIES[0]: {"0.5": NAN, "0.9": NAN, "0.99": NAN}}),
        ModelTraffic("restarted", "3", B, success=5, queue_s=4 * MS, request_s=16 * MS, input_s=0.5 * MS,
                     infer_s=9 * MS, output_s=0.5 * MS, pending=1, restarted=True),
        ModelTraffic("cached", "1", A, success=20, cache_hits=8, queue_s=0.5 * MS, request_s=3.68 * MS,
                     input_s=0.2 * MS, infer_s=4 * MS, output_s=0.1 * MS),
    ),
    gpus=(
        Gpu("GPU-aaaa", (A, B), utilization=0.8, memory_used=30e9, memory_total=80e9, power=300, power_limit=700),
        Gpu("GPU-bbbb", (A,), utilization=0.2, memory_used=10e9, memory_total=80e9, power=120, power_limit=700),
        Gpu("GPU-cccc", (B,), utilization=0.5, memory_used=75e9, memory_total=80e9, power=450, power_limit=600),
    ),
    hosts=(
        Host(A, cpu=0.35, memory_used=8e9, memory_total=32e9, pinned_used=1e8, pinned_total=268435456,
             cache_util=0.25),
        Host(B, cpu=0.6, memory_used=20e9, memory_total=64e9, pinned_used=0, pinned_total=268435456),
    ),
    targets=(
        Target(JOB, A, 1, 0.05), Target(JOB, B, 1, 0.08), Target(JOB, C, 0, 10.0),
        Target("prometheus", "localhost:9090", 1, 0.01), Target("cadvisor", "cadvisor:8080", 1, 0.2),
    ),
    head_series={"localhost:9090": 12345},
    samples_appended={"float": 800, "histogram": 0},
    container_cpu={"triton": 1.5, "prometheus": 0.1, "": 4.0},
    container_memory={"triton": 4e9, "prometheus": 5e8, "": 1e10},
    probes={"http://pod-a:8000/v2/health/live": (1, 0.002), "http://pod-a:8000/v2/health/ready": (1, 0.003),
            "http://pod-a:8000/v2/models/resnet/ready": (1, 0.004),
            "http://pod-a:8000/v2/models/flaky/ready": (0, 0.010)},  # flaky is unloaded on pod-a
)
PROBE_JOB = "triton-health"


# --- series generation -------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    name: str
    labels: tuple[tuple[str, str], ...]
    rate: float | None = None  # a counter growing at this rate
    value: float | None = None  # a constant gauge
    restarted: bool = False

    def at(self, t: float) -> float:
        if self.rate is None:
            assert self.value is not None
            return self.value
        if self.restarted and t > RESET_AT:
            return self.rate * (t - RESET_AT)
        return COUNTER_BASE + self.rate * (t - T0)


def _labels(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def _traffic_series(t: ModelTraffic) -> Iterator[Series]:
    base = {"job": JOB, "instance": t.instance, "model": t.model, "version": t.version}
    per_request = {
        m.INFERENCE_REQUEST_SUCCESS: t.success,
        m.INFERENCE_COUNT: t.inference_rate,
        m.INFERENCE_EXEC_COUNT: t.execution_rate,
        m.INFERENCE_REQUEST_DURATION: t.success * t.request_s * 1e6,
        m.INFERENCE_QUEUE_DURATION: t.success * t.queue_s * 1e6,
        m.INFERENCE_COMPUTE_INPUT_DURATION: t.executed * t.input_s * 1e6,
        m.INFERENCE_COMPUTE_INFER_DURATION: t.executed * t.infer_s * 1e6,
        m.INFERENCE_COMPUTE_OUTPUT_DURATION: t.executed * t.output_s * 1e6,
    }
    splits = dict(t.gpu_split) or {"": 1.0}
    for metric, rate in per_request.items():
        for gpu, share in splits.items():
            extra = {"gpu_uuid": gpu} if gpu else {}
            yield Series(metric.name, _labels(**base, **extra), rate=rate * share, restarted=t.restarted)
    for family, quantiles in t.summaries.items():
        for gpu in splits:
            extra = {"gpu_uuid": gpu} if gpu else {}
            for quantile, seconds in quantiles.items():
                yield Series(family, _labels(**base, **extra, quantile=quantile), value=seconds * 1e6)
    for reason in REASONS:  # model level: no gpu_uuid
        yield Series(m.INFERENCE_REQUEST_FAILURE.name, _labels(**base, reason=reason), rate=t.failure(reason),
                     restarted=t.restarted)
    yield Series(m.INFERENCE_PENDING_REQUEST_COUNT.name, _labels(**base), value=t.pending)
    if t.cache_hits is not None:
        yield Series(m.CACHE_NUM_HITS_PER_MODEL.name, _labels(**base), rate=t.cache_hits, restarted=t.restarted)


def llm_series(fleet: LlmFleet = LLM_FLEET) -> list[Series]:
    """Histograms as a client library writes them (cumulative buckets, sum, count), gauges, token counters."""
    out: list[Series] = []
    for h in fleet.histograms:
        base = {"job": JOB, "instance": h.instance, "model": h.model, "version": h.version, **h.extra}
        out += [Series(f"{h.family}_bucket", _labels(**base, le=le_text(bound)), rate=rate)
                for bound, rate in h.cumulative()]
        out += [Series(f"{h.family}_sum", _labels(**base), rate=h.count_rate * h.mean),
                Series(f"{h.family}_count", _labels(**base), rate=h.count_rate)]
    for state in fleet.trtllm:
        base = {"job": JOB, "instance": state.instance, "model": state.model, "version": state.version}
        for metric, label, values in ((m.TRTLLM_REQUESTS, "request_type", state.requests),
                                      (m.TRTLLM_KV_CACHE_BLOCKS, "kv_cache_block_type", state.kv_blocks),
                                      (m.TRTLLM_RUNTIME_MEMORY, "memory_type", state.memory),
                                      (m.TRTLLM_INFLIGHT_BATCHER, "inflight_batcher_specific_metric", state.batcher)):
            out += [Series(metric.name, _labels(**base, **{label: key}), value=value) for key, value in values.items()]
    for t in fleet.tokens:
        base = {"job": JOB, "instance": t.instance, "model": t.model, "version": t.version}
        out += [Series(m.VLLM_PROMPT_TOKENS.name, _labels(**base), rate=t.prompt),
                Series(m.VLLM_GENERATION_TOKENS.name, _labels(**base), rate=t.generation)]
    return out


def all_series(fleet: Fleet = FLEET, *, llm: bool = True) -> list[Series]:
    out = [s for t in fleet.traffic for s in _traffic_series(t)] + (llm_series() if llm else [])
    for gpu in fleet.gpus:
        for instance in gpu.instances:
            labels = _labels(job=JOB, instance=instance, gpu_uuid=gpu.uuid)
            out += [Series(m.GPU_UTILIZATION.name, labels, value=gpu.utilization),
                    Series(m.GPU_MEMORY_USED.name, labels, value=gpu.memory_used),
                    Series(m.GPU_MEMORY_TOTAL.name, labels, value=gpu.memory_total),
                    Series(m.GPU_POWER_USAGE.name, labels, value=gpu.power),
                    Series(m.GPU_POWER_LIMIT.name, labels, value=gpu.power_limit),
                    Series(m.ENERGY_CONSUMPTION.name, labels, rate=gpu.power)]
    for host in fleet.hosts:
        labels = _labels(job=JOB, instance=host.instance)
        out += [Series(m.CPU_UTILIZATION.name, labels, value=host.cpu),
                Series(m.CPU_MEMORY_USED.name, labels, value=host.memory_used),
                Series(m.CPU_MEMORY_TOTAL.name, labels, value=host.memory_total),
                Series(m.PINNED_MEMORY_USED.name, labels, value=host.pinned_used),
                Series(m.PINNED_MEMORY_TOTAL.name, labels, value=host.pinned_total)]
        if host.cache_util is not None:
            out.append(Series(m.CACHE_UTIL.name, labels, value=host.cache_util))
    for target in fleet.targets:
        labels = _labels(job=target.job, instance=target.instance)
        out += [Series(m.UP.name, labels, value=target.up),
                Series(m.SCRAPE_DURATION.name, labels, value=target.scrape_duration)]
    for url, (success, seconds) in fleet.probes.items():
        labels = _labels(job=PROBE_JOB, instance=url)
        out += [Series(m.PROBE_SUCCESS.name, labels, value=success),
                Series(m.PROBE_DURATION.name, labels, value=seconds)]
    prom = {"job": "prometheus", "instance": "localhost:9090"}
    out += [Series(m.PROMETHEUS_HEAD_SERIES.name, _labels(**prom), value=v) for v in fleet.head_series.values()]
    out += [Series(m.PROMETHEUS_SAMPLES_APPENDED.name, _labels(**prom, type=k), rate=v)
            for k, v in fleet.samples_appended.items()]
    cadvisor = {"job": "cadvisor", "instance": "cadvisor:8080"}
    out += [Series(m.CONTAINER_CPU_USAGE.name, _labels(**cadvisor, name=k), rate=v)
            for k, v in fleet.container_cpu.items()]
    out += [Series(m.CONTAINER_MEMORY_WORKING_SET.name, _labels(**cadvisor, name=k), value=v)
            for k, v in fleet.container_memory.items()]
    return out


def _fmt_value(value: float) -> str:
    return "NaN" if math.isnan(value) else repr(float(value))


def openmetrics(series: list[Series], start: int = T0, duration: int = DURATION, step: int = STEP) -> str:
    """OpenMetrics text: families grouped, counters typed so promtool keeps their names."""
    families: dict[str, list[Series]] = {}
    for s in series:
        families.setdefault(s.name, []).append(s)
    lines: list[str] = []
    times = range(start, start + duration + 1, step)
    for name in sorted(families):
        if name.endswith("_total"):
            lines.append(f"# TYPE {name[:-len('_total')]} counter")  # OpenMetrics counters end in _total
        else:
            kind = "gauge" if families[name][0].rate is None and "summary" not in name else "unknown"
            lines.append(f"# TYPE {name} {kind}")  # Triton counters lack _total: declare them unknown
        for s in sorted(families[name], key=lambda x: x.labels):
            label_text = ",".join(f'{k}="{v}"' for k, v in s.labels)
            lines += [f"{name}{{{label_text}}} {_fmt_value(s.at(t))} {t}" for t in times]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"
