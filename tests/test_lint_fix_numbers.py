"""``lint --fix`` proven on numbers: every Triton corpus dashboard, before and after, on a real Prometheus.

The synthetic fleet (tests/support/synthetic.py) is backfilled into a real
Prometheus; each judged target is evaluated as Grafana would (the harness), and
compared with what its panel's title and unit say it shows, computed from the
fleet's own parameters. The table below is the hand-written expectation: which
number each target means (per-request queue time by instance, batch size by
model ...), in the unit the fixed panel shows. After ``--fix`` every judged
target agrees, none is NaN at idle, no panel or title is lost, and a second fix
changes nothing; before, the mistakes disagree (so the harness can tell).

Not judged, and why: targets on families the fleet has no series of (DCGM,
node-exporter, Seldon, triton_dash-foreign recording rules, ``job="triton-server"``,
``model="frida_encoder"``, ``model="qwen"``), Loki targets, and raw lifetime counters (what they
show depends on when the server started, not on the fleet's rates).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from triton_dash.analysis.variables import query_panels, targets
from triton_dash.lint.fix import fix_text
from triton_dash.lint.intent import panel_unit

from .support import oracle as o
from .support import oracle_llm
from .support.harness import Context, evaluate, judge
from .support.oracle import Expected, Labels, Traffic, labels
from .support.prometheus import Prometheus, backfilled_prometheus
from .support.synthetic import EVAL_AT, FLEET, JOB, REASONS, Fleet, ModelTraffic, all_series, openmetrics
from .support.synthetic_llm import LLM_FLEET, TTFT

pytestmark = pytest.mark.prometheus

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
CORPUS = FIXTURES / "corpus"
EXAMPLES = FIXTURES / "fix" / "issue-examples.json"

Want = Callable[[Fleet], Expected]
TIME, RATIO, PLAIN = "time", "ratio", "plain"
#: What one unit of the canonical number (s, 0-1) is in the panel's unit.
SCALE = {TIME: {"s": 1.0, "ms": 1e3, "µs": 1e6, "us": 1e6, "ns": 1e9}, RATIO: {"percentunit": 1.0, "percent": 100.0}}


def _label(t: ModelTraffic, name: str) -> str:
    return {"model": t.model, "version": t.version, "instance": t.instance, "job": JOB}.get(name, "")


def grouped(fn: Callable[[Traffic], float | None], *by: str) -> Want:
    """``fn`` over the traffic of each group of ``by`` labels (a label the fleet lacks, such as pod, is empty)."""
    def want(fleet: Fleet) -> Expected:
        groups: dict[Labels, list[ModelTraffic]] = {}
        for t in fleet.traffic:
            key = frozenset((name, value) for name in by if (value := _label(t, name)))
            groups.setdefault(key, []).append(t)
        return {key: value for key, ts in groups.items() if (value := fn(ts)) is not None}
    return want


def per_series(fn: Callable[[ModelTraffic, float], float | None]) -> Want:
    """One value per raw Triton series (job, instance, model, version and, where split, gpu_uuid);
    ``fn`` gets the traffic and the share of it the series carries."""
    def want(fleet: Fleet) -> Expected:
        out: Expected = {}
        for t in fleet.traffic:
            for gpu, share in (t.gpu_split or {"": 1.0}).items():
                value = fn(t, share)
                extra = {"gpu_uuid": gpu} if gpu else {}
                if value is not None:
                    out[labels(job=JOB, instance=t.instance, model=t.model, version=t.version, **extra)] = value
        return out
    return want


def gpu_series(fn: Callable[[Any], float]) -> Want:
    return lambda fleet: {labels(job=JOB, instance=i, gpu_uuid=g.uuid): fn(g) for g in fleet.gpus for i in g.instances}


def host_series(attr: str) -> Want:
    return lambda fleet: {labels(job=JOB, instance=h.instance): getattr(h, attr) for h in fleet.hosts}


def compute_total(ts: Traffic) -> float | None:
    """What the removed nv_inference_compute_duration_us meant: input + infer + output per executed request."""
    return o._ratio(o._sum(ts, lambda t: t.executed * (t.input_s + t.infer_s + t.output_s)),
                    o._sum(ts, lambda t: t.executed))


def load_ratio(ts: Traffic) -> float | None:
    request, compute = o.request_time(ts), compute_total(ts)
    return None if request is None or not compute else request / compute


def failures(ts: Traffic) -> float:
    return o._sum(ts, lambda t: sum(t.failure(r) for r in REASONS))


def trtllm(field: str, label: str) -> Want:
    def want(_: Fleet) -> Expected:
        out: Expected = {}
        for state in LLM_FLEET.trtllm:
            for key, value in getattr(state, field).items():
                where = labels(job=JOB, **{label: key})
                out[where] = out.get(where, 0.0) + value
        return out
    return want


def batching_efficiency(fleet: Fleet) -> Expected:
    executions = o._sum(fleet.traffic, lambda t: t.execution_rate)
    return {labels(): 100 * (1 - executions / o._sum(fleet.traffic, lambda t: t.success))}


def ttft_p90(fleet: Fleet) -> Expected:
    return oracle_llm.quantile(TTFT, "0.9")(fleet, {})


def one(value: float) -> Want:
    return lambda fleet: {labels(): value}


# (file stem, panel title, refId) -> (what it must show, in canonical units, and its kind)
JUDGED: dict[tuple[str, str, str], tuple[Want, str]] = {
    # NVIDIA's AWS/GCP/OCI dashboard
    ("triton-aws", "Load Ratio  (Total Time / Compute Time)", "A"): (grouped(load_ratio), PLAIN),
    ("triton-aws", "Queue Time (milliseconds)", "A"): (grouped(o.queue_time, "instance"), TIME),
    ("triton-aws", "Compute Time (milliseconds)", "A"): (grouped(compute_total, "instance"), TIME),
    # NVIDIA's k8s on-prem dashboard
    ("triton-k8s-onprem", "Active Triton Instances", "A"): (one(2.0), PLAIN),
    ("triton-k8s-onprem", "Proportion of Requests by Pod", "A"): (one(1.0), PLAIN),  # no pod label: one pod
    ("triton-k8s-onprem", "Compute Time by Model (milliseconds)", "A"):
        (grouped(o.compute_time("infer_s"), "model"), TIME),
    ("triton-k8s-onprem", "Average Queue Time by Pod (microseconds)", "A"): (grouped(o.queue_time, "pod"), TIME),
    ("triton-k8s-onprem", "GPU Power Usage", "A"): (gpu_series(lambda g: g.power), PLAIN),
    ("triton-k8s-onprem", "GPU Framebuffer Mem Used", "A"): (gpu_series(lambda g: g.memory_used), PLAIN),
    ("triton-k8s-onprem", "GPU Utilization", "A"): (gpu_series(lambda g: g.utilization), RATIO),
    ("triton-k8s-onprem", "Memory Used", "A"): (host_series("memory_used"), PLAIN),
    ("triton-k8s-onprem", "CPU Utilization", "A"): (host_series("cpu"), RATIO),
    # a community MLOps dashboard (job="triton")
    ("triton-mlops", "Request Rate (Requests/sec)", "A"): (per_series(lambda t, share: t.success * share), PLAIN),
    ("triton-mlops", "Average Batch Size", "A"): (grouped(o.batch_size, "model"), PLAIN),
    ("triton-mlops", "Average Request Duration (milliseconds)", "A"): (grouped(o.request_time, "model"), TIME),
    ("triton-mlops", "Average Request Duration (milliseconds)", "B"):
        (per_series(lambda t, _: t.request_s if t.success else None), TIME),
    ("triton-mlops", "GPU Utilization - Current", "A"): (gpu_series(lambda g: g.utilization), RATIO),
    ("triton-mlops", "GPU Memory - Current", "A"): (gpu_series(lambda g: g.memory_used / g.memory_total), RATIO),
    ("triton-mlops", "GPU Utilization Over Time (%)", "A"): (gpu_series(lambda g: g.utilization), RATIO),
    ("triton-mlops", "GPU Utilization Over Time (%)", "B"): (gpu_series(lambda g: g.utilization), RATIO),
    ("triton-mlops", "GPU Memory Usage Over Time (%)", "A"):
        (gpu_series(lambda g: g.memory_used / g.memory_total), RATIO),
    ("triton-mlops", "Queue Time - Batching Delay (milliseconds)", "A"):
        (per_series(lambda t, _: t.queue_s if t.success else None), TIME),
    ("triton-mlops", "Batching Efficiency (%)", "A"): (batching_efficiency, PLAIN),
    ("triton-mlops", "Compute Time per Model (milliseconds)", "A"):
        (grouped(o.compute_time("infer_s"), "model"), TIME),
    # a community NER service dashboard
    ("mlops-ner-triton", "GPU used", "A"): (gpu_series(lambda g: g.memory_used / 1024 ** 3), PLAIN),
    ("mlops-ner-triton", "Queue Time (milliseconds)", "A"): (grouped(o.queue_time, "instance"), TIME),
    # an LLM observability demo on Triton (its per-model targets select model="qwen", which the fleet lacks)
    ("llmobs-triton", "GPU Utilization", "A"): (gpu_series(lambda g: g.utilization), RATIO),
    ("llmobs-triton", "GPU Memory Used", "A"): (gpu_series(lambda g: g.memory_used), PLAIN),
    # NVIDIA's TensorRT-LLM autoscaling tutorial
    ("tutorials-trtllm-autoscaling", "Requests / Second", "Success"):
        (grouped(o.rate_of("success"), "job"), PLAIN),
    ("tutorials-trtllm-autoscaling", "Requests / Second", "Failure"): (grouped(failures, "job"), PLAIN),
    ("tutorials-trtllm-autoscaling", "I/O Duration", "Input"): (grouped(o.compute_time("input_s"), "job"), TIME),
    ("tutorials-trtllm-autoscaling", "I/O Duration", "A"): (grouped(o.compute_time("output_s"), "job"), TIME),
    ("tutorials-trtllm-autoscaling", "TRT-LLM In-Flight Batcher", "A"):
        (trtllm("batcher", "inflight_batcher_specific_metric"), PLAIN),
    ("tutorials-trtllm-autoscaling", "TRT-LLM Requests", "A"): (trtllm("requests", "request_type"), PLAIN),
    # the issue's own examples (tests/fixtures/lint/fix)
    ("issue-examples", "Queue Time (milliseconds)", "A"): (grouped(o.queue_time, "instance"), TIME),
    ("issue-examples", "Compute Time by Model", "A"): (grouped(o.compute_time("infer_s"), "model"), TIME),
    ("issue-examples", "Queue Time (ms)", "A"): (grouped(o.queue_time, "model", "version"), TIME),
    ("issue-examples", "Average Batch Size", "A"): (grouped(o.batch_size, "model", "version"), PLAIN),
    ("issue-examples", "GPU Utilization", "A"): (gpu_series(lambda g: g.utilization), RATIO),
    ("issue-examples", "Requests/s", "A"): (grouped(o.rate_of("success"), "model"), PLAIN),
    ("issue-examples", "Compute Time (milliseconds)", "A"): (grouped(compute_total, "model"), TIME),
    ("issue-examples", "Average Queue Time by Pod (µs)", "A"): (grouped(o.queue_time, "pod"), TIME),
    ("issue-examples", "Time to first token p90", "A"): (ttft_p90, TIME),
    ("issue-examples", "Error ratio", "A"): (grouped(o.error_ratio, "model"), RATIO),
}
#: Targets that are wrong as published: the harness must see them wrong before the fix.
WRONG_BEFORE = {key for key in JUDGED if key[0] == "issue-examples" and key[1] != "Requests/s"} | {
    ("triton-aws", "Load Ratio  (Total Time / Compute Time)", "A"), ("triton-aws", "Queue Time (milliseconds)", "A"),
    ("triton-aws", "Compute Time (milliseconds)", "A"),
    ("triton-k8s-onprem", "Compute Time by Model (milliseconds)", "A"),
    ("triton-k8s-onprem", "Average Queue Time by Pod (microseconds)", "A"),
    ("triton-mlops", "Average Batch Size", "A"), ("triton-mlops", "GPU Utilization - Current", "A"),
    ("triton-mlops", "GPU Utilization Over Time (%)", "B"), ("triton-mlops", "Batching Efficiency (%)", "A"),
    ("triton-mlops", "Compute Time per Model (milliseconds)", "A"),
    ("triton-mlops", "Average Request Duration (milliseconds)", "B"),  # NaN at idle: no guard
    ("mlops-ner-triton", "Queue Time (milliseconds)", "A"),
    ("tutorials-trtllm-autoscaling", "I/O Duration", "Input"), ("tutorials-trtllm-autoscaling", "I/O Duration", "A"),
    ("tutorials-trtllm-autoscaling", "TRT-LLM In-Flight Batcher", "A"),
    ("tutorials-trtllm-autoscaling", "TRT-LLM Requests", "A"),
}
STEMS = sorted({stem for stem, _, _ in JUDGED})


def _path(stem: str) -> Path:
    return EXAMPLES if stem == "issue-examples" else CORPUS / f"{stem}.json"


def _triton_corpus() -> list[str]:
    return sorted(p.name.removesuffix(".expected.yaml") for p in CORPUS.glob("*.expected.yaml")
                  if "\ngroup: triton\n" in "\n" + p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(openmetrics(all_series()), tmp_path_factory.mktemp("lint-fix-numbers")) as prom:
        yield prom


@pytest.fixture(scope="module")
def ctx(prometheus: Prometheus) -> Context:
    return Context(prometheus, at=EVAL_AT)


def _documents(stem: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    text = _path(stem).read_text(encoding="utf-8")
    fixed = fix_text(text, stem).text
    return json.loads(text), json.loads(fixed), fixed


def _judge(ctx: Context, doc: dict[str, Any], stem: str) -> dict[tuple[str, str, str], list[str]]:
    out = {}
    for panel, target in targets(doc):
        key = (stem, str(panel.get("title")), str(target.get("refId") or "#1"))
        if key not in JUDGED:
            continue
        want, kind = JUDGED[key]
        scale = SCALE.get(kind, {}).get(panel_unit(panel), 1.0) if kind != PLAIN else 1.0
        expected = {k: v * scale for k, v in want(FLEET).items()}
        assert expected, f"{key}: the fleet gives this target nothing to show"
        out[key] = judge(evaluate(ctx, doc, str(target["expr"]), {}), expected)
    return out


def test_the_table_covers_every_triton_corpus_dashboard_it_can() -> None:
    """Every Triton corpus dashboard is judged, except the ones with nothing the fleet has."""
    unjudged = set(_triton_corpus()) - set(STEMS)
    assert unjudged == {"dcgm-exporter", "seldon-analytics", "triton-mlops-logs"}  # DCGM, Seldon, Loki only
    fixable = []
    import yaml

    for stem in _triton_corpus():
        verdicts = yaml.safe_load((CORPUS / f"{stem}.expected.yaml").read_text(encoding="utf-8"))
        fixable += [(stem, t["panel"], t["ref"]) for t in verdicts["targets"] if t.get("fixable")]
    no_such_model = {("mlops-ner-triton", "Compute Time (milliseconds)", "A")}  # model="frida_encoder"
    judgeable = {key for key in fixable if key[0] in STEMS} - no_such_model
    assert judgeable - set(JUDGED) == set(), "a fixable corpus target without a known answer"


@pytest.mark.parametrize("stem", STEMS)
def test_after_fix_every_judged_target_shows_the_right_number(ctx: Context, stem: str) -> None:
    _, after, _ = _documents(stem)
    results = _judge(ctx, after, stem)
    assert set(results) == {key for key in JUDGED if key[0] == stem}, "a judged target went missing"
    wrong = {key: problems for key, problems in results.items() if problems}
    assert not wrong, "\n".join(f"{key}: {'; '.join(p)}" for key, p in wrong.items())


@pytest.mark.parametrize("stem", STEMS)
def test_before_fix_the_mistakes_show_wrong_numbers(ctx: Context, stem: str) -> None:
    before, _, _ = _documents(stem)
    results = _judge(ctx, before, stem)
    mistaken = {key for key in WRONG_BEFORE if key[0] == stem}
    right_already = {key for key in mistaken if key in results and not results[key]}
    assert not right_already, f"the harness does not see these mistakes: {sorted(right_already)}"


@pytest.mark.parametrize("stem", STEMS)
def test_no_panel_or_title_is_lost_and_a_second_fix_changes_nothing(stem: str) -> None:
    before, after, fixed = _documents(stem)
    titles = [(p.get("id"), p.get("title"), p.get("type"), p.get("gridPos")) for p in query_panels(before)]
    assert [(p.get("id"), p.get("title"), p.get("type"), p.get("gridPos")) for p in query_panels(after)] == titles
    assert fix_text(fixed, stem).text == fixed
