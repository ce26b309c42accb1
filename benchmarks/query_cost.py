"""How long the overview dashboard's queries take on a real Prometheus, raw vs recorded, as the fleet grows.

Run from the repository root (needs Debian's ``prometheus`` and the test extras)::

    python benchmarks/query_cost.py              # fleets of 10, 50 and 150 Triton pods
    python benchmarks/query_cost.py 20 100       # other fleet sizes

For each fleet it backfills synthetic Triton series (tests/support/synthetic.py)
and triton_dash's recording rules into a real Prometheus, evaluates every target
of the overview dashboard as Grafana would draw it, a range query over the last
15 minutes at a 15 s step (raw and built with ``--recording-rules``), and prints
a table of the median total time over the repeats.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.harness import Context, cases, resolve_variables
from tests.support.prometheus import backfilled_prometheus
from tests.support.synthetic import T0, Fleet, Gpu, Host, ModelTraffic, Target, all_series, openmetrics
from triton_dash.build import compile_builtin
from triton_dash.rules import recording_rules, rules_yaml

MODELS = 4
DURATION = 1200  # 20 minutes of 15 s samples
REPEATS = 5
RANGE = 900  # the dashboard's time range: 15 minutes
STEP = 15
MS = 1e-3


def fleet(pods: int) -> Fleet:
    instances = [f"pod-{i}:8002" for i in range(pods)]
    traffic = tuple(
        ModelTraffic(f"model-{m}", "1", inst, success=5 + m + i % 7, queue_s=(1 + i % 5) * MS, request_s=20 * MS,
                     input_s=0.5 * MS, infer_s=10 * MS, output_s=0.5 * MS, inferences=(5 + m + i % 7) * 2,
                     executions=2 + m, gpu_split={f"GPU-{i}": 1.0}, pending=i % 3)
        for i, inst in enumerate(instances) for m in range(MODELS))
    gpus = tuple(Gpu(f"GPU-{i}", (inst,), 0.5, 40e9, 80e9, 300, 700) for i, inst in enumerate(instances))
    hosts = tuple(Host(inst, 0.4, 8e9, 32e9, 0, 268435456) for inst in instances)
    targets = tuple(Target("triton", inst, 1, 0.05) for inst in instances)
    return Fleet(traffic, gpus, hosts, targets, {"localhost:9090": 1}, {"float": 1}, {"triton": 1}, {"triton": 1})


def measure(pods: int) -> tuple[int, int, float, float]:
    series = all_series(fleet(pods))
    with tempfile.TemporaryDirectory() as work, backfilled_prometheus(
            openmetrics(series, duration=DURATION), Path(work), recording_rules=rules_yaml([recording_rules()]),
            span=(T0, T0 + DURATION)) as prom:
        ctx = Context(prom, at=T0 + DURATION - 60)
        timings = {}
        for recorded in (False, True):
            doc = next(c.document for c in compile_builtin(recording_rules=recorded) if c.stem == "triton-overview")
            targets = list(cases(ctx, {"triton-overview": doc}))
            exprs = [ctx.expand(c.expr, resolve_variables(ctx, doc, dict(c.chosen))) for c in targets]
            runs = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                for expr in exprs:
                    prom.api("/api/v1/query_range", query=expr, start=ctx.at - RANGE, end=ctx.at, step=STEP)
                runs.append(time.perf_counter() - start)
            timings[recorded] = statistics.median(runs) * 1000
        return len(series), len(targets), timings[False], timings[True]


def main(sizes: list[int]) -> None:
    print(f"{'pods':>6} {'series':>8} {'targets':>8} {'raw ms':>9} {'recorded ms':>12} {'speed-up':>9}")
    for pods in sizes:
        n_series, n_targets, raw, recorded = measure(pods)
        print(f"{pods:>6} {n_series:>8} {n_targets:>8} {raw:>9.1f} {recorded:>12.1f} {raw / recorded:>8.1f}x")
    print(f"(median of {REPEATS} draws of every overview target: range queries over {RANGE // 60} min at a "
          f"{STEP} s step; {MODELS} models per pod, one GPU each)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 50, 150])
