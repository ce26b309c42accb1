"""Capacity from a load test: per model, the highest throughput sustained while the SLO held.

Reads a load-test window (perf_analyzer, Locust ...) through the panels' own
queries: successful requests/s, request and queue time per request, batch size,
pods serving the model, GPU utilization and memory. A point meets the SLO when
its queue time (or request time) is at most the limit; the capacity is the best
throughput held for ``sustain`` in a row (one bright point between two load steps
does not count), and the recommended autoscaling target is ``share`` of it per pod.

    client = PrometheusClient("http://127.0.0.1:9090")
    for row in capacity(client, start, end, slo=Slo("queue", 0.1)):
        print(row.model, row.max_rps, row.target_per_pod)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import queries as q
from .. import validate
from ..prometheus.client import PrometheusClient
from ..selector import Selector

__all__ = ["PLOT_NEEDS", "CapacityRow", "Slo", "can_plot", "capacity", "plot", "rows_json", "rows_table"]

#: What to install for --plot: from a clone (the usual case) and from PyPI.
PLOT_NEEDS = ("--plot needs matplotlib: pip install -e '.[plot]' in a clone of triton_dash, or "
              "pip install 'triton-dash[plot]'")


def can_plot() -> bool:
    """Whether matplotlib can be imported (checked before a long analysis, not after)."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None

BY = ("model", "version")


@dataclass(frozen=True)
class Slo:
    kind: str  # "queue" or "latency"
    seconds: float

    def __post_init__(self) -> None:
        if self.kind not in ("queue", "latency"):
            raise validate.InvalidValue(f"SLO kind {self.kind!r} is not queue or latency")
        validate.number(self.seconds, f"--slo-{self.kind}", minimum=0, exclusive_minimum=True)


@dataclass(frozen=True)
class CapacityRow:
    model: str
    version: str
    max_rps: float  # requests/s held for the sustain period with the SLO met (0: never met)
    pods: float
    latency_s: float  # request time per request at that point
    queue_s: float
    batch_size: float
    gpu_utilization: float  # max over the selected GPUs, 0-1 (NaN without GPU metrics)
    gpu_memory_ratio: float
    target_per_pod: float  # share x max_rps / pods: the autoscaling target
    slo_broken_at_rps: float  # the lowest throughput at which the SLO failed (NaN if it never did)
    points: tuple[tuple[float, float, float], ...] = ()  # (time, requests/s, SLO metric) for the plot


Series = dict[tuple[str, str], dict[float, float]]


def _series(client: PrometheusClient, expr: str, start: float, end: float, step: float) -> Series:
    out: Series = {}
    for labels, values in client.query_range_all(expr, start, end, step):
        key = (labels.get("model", ""), labels.get("version", ""))
        out[key] = {t: v for t, v in values if not math.isnan(v)}
    return out


def _scalar(client: PrometheusClient, expr: str, start: float, end: float, step: float) -> dict[float, float]:
    result = client.query_range_all(expr, start, end, step)
    return {t: v for t, v in result[0][1] if not math.isnan(v)} if result else {}


def capacity(client: PrometheusClient, start: float, end: float, *, slo: Slo, selector: Selector,
             share: float = 0.7, step: float = 15, sustain: float = 60,
             progress: Callable[[int], None] | None = None) -> list[CapacityRow]:
    """One row per model version found in the window."""
    validate.ratio(share, "--share")
    if end <= start:
        raise validate.InvalidValue("--to must be after --from")
    tick = progress or (lambda _n: None)
    fetch = {
        "rps": q.success_rate(selector, BY), "latency": q.request_time_per_request(selector, BY),
        "queue": q.queue_time_per_request(selector, BY), "batch": q.batch_size(selector, BY),
        "pods": q.serving_pods(selector, BY),
    }
    data: dict[str, Series] = {}
    for name, expr in fetch.items():
        data[name] = _series(client, expr, start, end, step)
        tick(1)
    gpu = _scalar(client, q.busiest_gpu_utilization(selector), start, end, step)
    memory = _scalar(client, q.fullest_gpu_memory_ratio(selector), start, end, step)
    tick(1)
    need = max(1, round(sustain / step))
    rows = []
    for key in sorted(data["rps"]):
        rps, limit = data["rps"][key], data["queue" if slo.kind == "queue" else "latency"].get(key, {})
        times = sorted(t for t in rps if t in limit and rps[t] > 0)
        held = [t for t in times if limit[t] <= slo.seconds]
        broken = [rps[t] for t in times if limit[t] > slo.seconds]
        best, best_at = 0.0, None
        for index in range(len(times) - need + 1):
            run = times[index:index + need]
            if all(limit[t] <= slo.seconds for t in run) and run[-1] - run[0] <= (need - 1) * step + 1e-6:
                held_rps = min(rps[t] for t in run)
                if held_rps > best:
                    best, best_at = held_rps, run[-1]
        at = best_at if best_at is not None else (held[-1] if held else None)

        def value(name: str, at: float | None = at, key: tuple[str, str] = key) -> float:
            return data[name].get(key, {}).get(at, math.nan) if at is not None else math.nan

        pods = value("pods")
        rows.append(CapacityRow(
            model=key[0], version=key[1], max_rps=best, pods=pods, latency_s=value("latency"),
            queue_s=value("queue"), batch_size=value("batch"),
            gpu_utilization=gpu.get(at, math.nan) if at is not None else math.nan,
            gpu_memory_ratio=memory.get(at, math.nan) if at is not None else math.nan,
            target_per_pod=share * best / pods if pods and pods == pods else math.nan,
            slo_broken_at_rps=min(broken) if broken else math.nan,
            points=tuple((t, rps[t], limit[t]) for t in times)))
    return rows


def _fmt(value: float, digits: int = 3) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}g}"


def rows_table(rows: Sequence[CapacityRow], slo: Slo, share: float) -> str:
    header = ("MODEL", "MAX REQ/S", "PODS", "LATENCY S", "QUEUE S", "BATCH", "GPU UTIL", "GPU MEM",
              f"TARGET/POD ({share:.0%})")
    table = [header] + [(f"{r.model} v{r.version}", _fmt(r.max_rps), _fmt(r.pods), _fmt(r.latency_s),
                         _fmt(r.queue_s), _fmt(r.batch_size), _fmt(r.gpu_utilization), _fmt(r.gpu_memory_ratio),
                         _fmt(r.target_per_pod)) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]
    lines.append(f"SLO: {slo.kind} time per request <= {slo.seconds:g}s; max req/s held for the whole sustain "
                 "period; target/pod is what to give the autoscaler")
    return "\n".join(lines)


def rows_json(rows: Sequence[CapacityRow]) -> str:
    def clean(value: object) -> object:
        return None if isinstance(value, float) and math.isnan(value) else value

    return json.dumps([{k: clean(v) for k, v in asdict(r).items() if k != "points"} for r in rows], indent=2)


def plot(rows: Sequence[CapacityRow], slo: Slo, path: Path) -> None:
    """Throughput against the SLO metric per model, the capacity point marked (needs triton-dash[plot])."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise validate.InvalidValue(PLOT_NEEDS) from None
    figure, axis = plt.subplots(figsize=(8, 5))
    for row in rows:
        xs = [p[1] for p in row.points]
        ys = [p[2] for p in row.points]
        axis.scatter(xs, ys, s=10, label=f"{row.model} v{row.version}")
        if row.max_rps:
            axis.axvline(row.max_rps, linestyle=":", linewidth=1)
    axis.axhline(slo.seconds, color="red", linewidth=1, label=f"SLO {slo.seconds:g}s")
    axis.set_xlabel("successful requests/s")
    axis.set_ylabel(f"{slo.kind} time per request (s)")
    axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
