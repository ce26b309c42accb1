"""The card's 8 panels on a synthetic fleet: the blog dashboard's queries against triton_dash's, raw and recorded,
on Prometheus and VictoriaMetrics. Prints a table.

Run from the repository root (needs Debian's ``prometheus`` and ``victoria-metrics`` and the test extras)::

    python benchmarks/fleet.py                      # 16 pods x 8 models, 1 h of 15 s samples
    python benchmarks/fleet.py --pods 64 --models 32 --hours 6
    python benchmarks/fleet.py --cache        # every pod has the response cache on (hit counters exist)

Each variant draws every target of the 8 panels as Grafana would (a range query
over the whole window at a 15 s step, variables resolved); the table gives, per
variant and engine, the samples read (Prometheus ``stats=all``:
``totalQueryableSamples``; VictoriaMetrics reports none), the series and points
returned, and the median wall time of the draws. The baseline (the blog
dashboard's queries, ``benchmarks/blog-dashboard-queries.json``) comes first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grafanalib.core as G

from tests.support.harness import Context, resolve_variables
from tests.support.prometheus import Prometheus, backfilled_prometheus
from tests.support.synthetic import T0, Fleet, Gpu, Host, ModelTraffic, Target, all_series, openmetrics
from tests.support.victoria import imported_victoria, replay_rules
from triton_dash import panels
from triton_dash.analysis.variables import targets
from triton_dash.dashboards import triton_variables
from triton_dash.grafana.finalize import finalize
from triton_dash.rules import recording_rules, rules_yaml
from triton_dash.selector import ResponseCache, Selector

HERE = Path(__file__).resolve().parent
STEP = 15
REPEATS = 3
MS = 1e-3
CARD = (panels.compute_infer_time_per_request, panels.compute_input_time_per_request,
        panels.compute_output_time_per_request, panels.queue_time_per_request, panels.gpu_vram,
        panels.gpu_utilization, panels.batch_ratio, panels.aggregated_latency)


def fleet(pods: int, models: int, cache: bool = False) -> Fleet:
    instances = [f"pod-{i}:8002" for i in range(pods)]
    traffic = tuple(
        ModelTraffic(f"model-{m}", "1", inst, success=5 + m % 5 + i % 7, queue_s=(1 + i % 5) * MS,
                     request_s=20 * MS, input_s=0.5 * MS, infer_s=10 * MS, output_s=0.5 * MS,
                     inferences=(5 + m % 5 + i % 7) * 2, executions=2 + m % 3, gpu_split={f"GPU-{i}": 1.0},
                     cache_hits=1.0 if cache else None)
        for i, inst in enumerate(instances) for m in range(models))
    gpus = tuple(Gpu(f"GPU-{i}", (inst,), 0.5, 40e9, 80e9, 300, 700) for i, inst in enumerate(instances))
    hosts = tuple(Host(inst, 0.4, 8e9, 32e9, 0, 268435456) for inst in instances)
    return Fleet(traffic, gpus, hosts, tuple(Target("triton", i, 1, 0.05) for i in instances), {}, {}, {}, {})


def _card(recorded: bool, response_cache: str = "auto") -> dict[str, Any]:
    selector = Selector(recording_rules=recorded, response_cache=ResponseCache(response_cache))
    items = [factory(selector=selector) for factory in CARD]
    return finalize(G.Dashboard(title="card", uid="card", panels=items,
                                templating=G.Templating(list=triton_variables())))


def _exprs(ctx: Context, variant: str) -> list[str]:
    if variant == "blog dashboard (baseline)":
        data = json.loads((HERE / "blog-dashboard-queries.json").read_text())
        return [ctx.expand(e, {}) for p in data["panels"] for e in p["exprs"]]
    cache = variant.rsplit("cache ", 1)[1] if "cache " in variant else "auto"
    doc = _card(recorded=variant.endswith("recorded"), response_cache=cache)
    values = resolve_variables(ctx, doc)
    return [ctx.expand(t["expr"], values) for _, t in targets(doc)]


def _draw(engine: Prometheus, exprs: list[str], start: float, end: float) -> tuple[float, int, int, float]:
    samples = series = points = 0
    runs = []
    for repeat in range(REPEATS):
        began = time.perf_counter()
        for expr in exprs:
            data = engine.api("/api/v1/query_range", query=expr, start=start, end=end, step=STEP, stats="all")
            if repeat == 0:
                stats = (data.get("stats") or {}).get("samples") or {}
                samples += int(stats.get("totalQueryableSamples") or 0)
                series += len(data["result"])
                points += sum(len(s["values"]) for s in data["result"])
        runs.append(time.perf_counter() - began)
    return samples, series, points, statistics.median(runs) * 1000


VARIANTS = ("blog dashboard (baseline)", "triton_dash raw", "triton_dash raw, cache on", "triton_dash raw, cache off",
            "triton_dash recorded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", type=int, default=16)
    parser.add_argument("--models", type=int, default=8)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--cache", action="store_true", help="every pod has the response cache on")
    args = parser.parse_args()
    duration = int(args.hours * 3600)
    data = openmetrics(all_series(fleet(args.pods, args.models, args.cache), llm=False), duration=duration)
    rules = rules_yaml([recording_rules()])
    rows: list[tuple[str, str, float, int, int, float]] = []
    with tempfile.TemporaryDirectory() as work:
        prom_dir, vm_dir = Path(work, "prom"), Path(work, "vm")
        prom_dir.mkdir()
        vm_dir.mkdir()
        span = (T0, T0 + duration)
        engines = [("Prometheus", backfilled_prometheus(data, prom_dir, recording_rules=rules, span=span)),
                   ("VictoriaMetrics", imported_victoria(data, vm_dir))]
        for name, started in engines:
            with started as engine:
                if name == "VictoriaMetrics":
                    replay_rules(engine, rules, T0, T0 + duration, vm_dir)
                ctx = Context(engine, at=T0 + duration)
                for variant in VARIANTS:
                    rows.append((variant, name, *_draw(engine, _exprs(ctx, variant), T0 + 120, T0 + duration)))
    base = {engine: (s, ms) for variant, engine, s, _, _, ms in rows if variant == VARIANTS[0]}
    print(f"fleet: {args.pods} pods x {args.models} models, {args.hours:g} h at 15 s, response cache "
          f"{'on' if args.cache else 'off'}; the card's 8 panels, median of {REPEATS} draws "
          "(raw = response_cache auto)")
    print(f"{'variant':<28} {'engine':<16} {'samples':>11} {'x base':>7} {'series':>7} {'points':>8} {'ms':>8} "
          f"{'x base':>7}")
    for variant, engine, samples, series, points, ms in rows:
        base_samples, base_ms = base[engine]
        ratio = f"{samples / base_samples:.3g}" if base_samples and samples else "n/a"
        shown = f"{samples:,}" if samples else "n/a"
        print(f"{variant:<28} {engine:<16} {shown:>11} {ratio:>7} {series:>7} {points:>8} {ms:>8.1f} "
              f"{ms / base_ms:>7.3g}")


if __name__ == "__main__":
    main()
