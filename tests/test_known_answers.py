"""Every panel of every built dashboard shows the right number, on a real Prometheus.

The synthetic fleet (tests/support/synthetic.py) is backfilled into a real
Prometheus with promtool; each target is evaluated as Grafana would, at one
instant, and compared within 0.5 % with what the oracle computes from the
fleet's own parameters (tests/support/oracle.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from triton_dash import metrics as m
from triton_dash import queries
from triton_dash.analysis.variables import all_panels
from triton_dash.build import compile_builtin
from triton_dash.profile import Profile
from triton_dash.rules import recording_rules, rules_yaml
from triton_dash.selector import Selector

from .grafana import load_dashboards
from .support import oracle, oracle_llm, synthetic_llm
from .support.harness import Case, Context, cases, evaluate, judge
from .support.prometheus import Prometheus, backfilled_prometheus
from .support.synthetic import DURATION, EVAL_AT, FLEET, T0, all_series, openmetrics

pytestmark = pytest.mark.prometheus
DASHBOARDS = oracle.fleet_dashboards(load_dashboards())


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """The fleet's raw series plus triton_dash's recording rules evaluated over them."""
    workdir: Path = tmp_path_factory.mktemp("known-answers")
    with backfilled_prometheus(openmetrics(all_series()), workdir, recording_rules=rules_yaml([recording_rules()]),
                               span=(T0, T0 + DURATION)) as prom:
        yield prom


@pytest.fixture(scope="module")
def ctx(prometheus: Prometheus) -> Context:
    return Context(prometheus, at=EVAL_AT)


def test_every_target_matches_its_known_answer(ctx: Context) -> None:
    """Every target (and every repeat value) of every committed dashboard agrees with the oracle."""
    _assert_all_agree(ctx, DASHBOARDS)


def test_recorded_dashboards_show_the_same_numbers(ctx: Context) -> None:
    """Built with --recording-rules, the dashboards read recorded series and still agree with the oracle."""
    recorded = oracle.fleet_dashboards({c.stem: c.document for c in compile_builtin(recording_rules=True)})
    exprs = [c.expr for c in cases(ctx, recorded)]
    assert sum(":rate1m" in e for e in exprs) >= 25, "the recorded dashboards do not read recorded series"
    _assert_all_agree(ctx, recorded)


PER_REQUEST = ("Request time per request", "Queue time per request", "Inference time per request",
               "Input time per request", "Output time per request", "Aggregated latency per request")


def test_recorded_per_request_targets_read_two_recorded_series() -> None:
    """Executed requests and overhead are recorded once: no target re-reads successes or six counters."""
    from triton_dash.analysis.promql import parse, selectors
    from triton_dash.analysis.variables import expand, offline_values, targets

    doc = next(c.document for c in compile_builtin(recording_rules=True) if c.stem == "triton-overview")
    checked = 0
    for panel, target in targets(doc):
        if panel["title"] not in PER_REQUEST:
            continue
        names = {u.name for u in selectors(parse(expand(target["expr"], offline_values(doc))))}
        assert len(names) == 2 and all(n.endswith(":rate1m") for n in names), (panel["title"], names)
        checked += 1
    assert checked == 10


COMPUTE_PER_REQUEST = ("Inference time per request", "Input time per request", "Output time per request")


@pytest.mark.parametrize("cache", ["off", "on"])
def test_the_response_cache_setting_gives_known_answers_where_it_is_true(ctx: Context, cache: str) -> None:
    """response_cache=off is right for every model without the cache, on for the model with it; where the
    setting is false, off reads low (hits counted as executed) and on shows nothing (no hits to subtract)."""
    docs = {c.stem: c.document for c in compile_builtin(profile=Profile(response_cache=cache))
            if c.stem == "triton-overview"}
    cached = {t.model for t in FLEET.traffic if t.cache_hits is not None}

    def true_here(labels: Any) -> bool:
        return (dict(labels)["model"] in cached) == (cache == "on")

    checked = 0
    for case in cases(ctx, docs):
        if case.title not in COMPUTE_PER_REQUEST:
            continue
        want = oracle.expected(case.stem, case.title, case.ref_id, dict(case.chosen))
        got = evaluate(ctx, docs[case.stem], case.expr, dict(case.chosen))
        right = {k: v for k, v in want.items() if true_here(k)}
        assert right and judge({k: v for k, v in got.items() if true_here(k)}, right) == []
        wrong = {k: v for k, v in got.items() if not true_here(k)}
        if cache == "on":
            assert wrong == {}, wrong
        else:
            assert wrong and all(v < want[k] for k, v in wrong.items()), (wrong, want)
        checked += 1
    assert checked == len(COMPUTE_PER_REQUEST)


def _assert_all_agree(ctx: Context, dashboards: dict[str, Any]) -> None:
    all_cases = list(cases(ctx, dashboards))
    assert len(all_cases) >= 60
    failures = []
    for case in all_cases:
        problems = _check(ctx, case, dashboards)
        if problems:
            failures.append(f"{case.id}: " + "; ".join(problems))
    assert not failures, "\n".join(failures)


def _check(ctx: Context, case: Case, dashboards: dict[str, Any]) -> list[str]:
    chosen = dict(case.chosen)
    try:
        want = oracle.expected(case.stem, case.title, case.ref_id, chosen)
    except LookupError as exc:
        return [str(exc)]
    if not want and not chosen:
        return ["the scenario gives this target nothing to show: extend the fleet"]
    # A repeated panel for a model without this family must show nothing (judge then asserts no series).
    got = evaluate(ctx, dashboards[case.stem], case.expr, chosen)
    return judge(got, want)


def test_every_oracle_is_used(ctx: Context) -> None:
    used = {(c.stem, c.title, c.ref_id) for c in cases(ctx, DASHBOARDS)}
    assert set(oracle.ORACLES) - used == set(), "oracle entries for targets that no longer exist"


def test_counter_reset_is_in_the_window(ctx: Context) -> None:
    """The restarted model's counters really drop inside the rate window at the evaluation instant."""
    got = ctx.prometheus.query('resets(nv_inference_request_success{model="restarted"}[1m])', at=EVAL_AT)
    assert list(got.values()) == [1.0]
    rate = ctx.prometheus.query('rate(nv_inference_request_success{model="restarted"}[1m])', at=EVAL_AT)
    restarted = next(t for t in FLEET.traffic if t.model == "restarted")
    assert judge(rate, {next(iter(rate)): restarted.success}) == []


def test_filtering_by_model_variable(ctx: Context) -> None:
    """Choosing one model in the model variable narrows a panel to it."""
    doc = DASHBOARDS["triton-overview"]
    target = next(p for p in doc["panels"] if p.get("title") == "Queue time per request")["targets"][0]
    got = evaluate(ctx, doc, target["expr"], {"model": "resnet"})
    want = {k: v for k, v in oracle.expected("triton-overview", "Queue time per request", "A", {}).items()
            if ("model", "resnet") in k}
    assert judge(got, want) == []


# --- the harness catches the classic mistakes ---------------------------------------------------

BARE = Selector(job=None, instance=None, model=None, version=None, gpu=None, rate_interval="1m")
QUEUE_TRUTH = oracle.per_model(oracle.queue_time)(FLEET, {})


def test_harness_accepts_the_correct_queue_time(ctx: Context) -> None:
    assert judge(ctx.prometheus.query(queries.queue_time_per_request(BARE), at=EVAL_AT), QUEUE_TRUTH) == []


def test_harness_rejects_a_sum_of_ratios(ctx: Context) -> None:
    wrong = ("sum by (model, version) (rate(nv_inference_queue_duration_us[1m]) "
             "/ rate(nv_inference_request_success[1m])) / 1e6")
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), QUEUE_TRUTH)
    assert any("model=resnet" in p and "expected 0.008" in p for p in problems), problems


def test_harness_rejects_an_average_of_ratios(ctx: Context) -> None:
    wrong = ("avg by (model, version) (rate(nv_inference_queue_duration_us[1m]) "
             "/ (rate(nv_inference_request_success[1m]) > 0)) / 1e6")
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), QUEUE_TRUTH)
    assert any("model=resnet" in p for p in problems), problems


def test_harness_rejects_an_unguarded_ratio_at_idle(ctx: Context) -> None:
    wrong = ("sum by (model, version) (rate(nv_inference_queue_duration_us[1m])) "
             "/ sum by (model, version) (rate(nv_inference_request_success[1m])) / 1e6")
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), QUEUE_TRUTH)
    assert problems == ["{model=idle, version=1} is nan"]


def test_harness_rejects_per_execution_compute_time(ctx: Context) -> None:
    truth = oracle.per_model(oracle.compute_time("infer_s"))(FLEET, {})
    wrong = ("sum by (model, version) (rate(nv_inference_compute_infer_duration_us[1m])) / 1e6 "
             "/ (sum by (model, version) (rate(nv_inference_exec_count[1m])) > 0)")
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), truth)
    assert any("model=bert" in p for p in problems), problems


def test_harness_rejects_summed_gpu_memory(ctx: Context) -> None:
    truth = oracle.per_gpu("memory_used")(FLEET, {})
    problems = judge(ctx.prometheus.query("sum by (gpu_uuid) (nv_gpu_memory_used_bytes)", at=EVAL_AT), truth)
    assert problems == ["{gpu_uuid=GPU-aaaa} = 6e+10, expected 3e+10"]


# --- LLM: the harness catches the classic mistakes of LLM dashboards -------------------------------

TTFT_P90 = oracle_llm.quantile(synthetic_llm.FR, "0.9", oracle_llm.MS)(FLEET, {})


def test_llm_fleet_quantile_differs_from_the_pods_average() -> None:
    """The scenario is built so that merging buckets and averaging pod quantiles disagree."""
    (value,) = [v for k, v in TTFT_P90.items() if ("model", "llama") in k]
    hs = [h for h in synthetic_llm.LLM_FLEET.histograms if h.family == synthetic_llm.FR and h.model == "llama"]
    per_pod = [oracle_llm.prometheus_quantile(0.9, h.cumulative()) for h in hs]
    assert value == pytest.approx(3.0)
    assert sum(p for p in per_pod if p is not None) / 2 / oracle_llm.MS == pytest.approx(2.25)  # (0.5 + 4) / 2


def test_harness_accepts_the_merged_quantile(ctx: Context) -> None:
    got = ctx.prometheus.query(queries.histogram_quantile(m.FIRST_RESPONSE_HISTOGRAM, "0.9", BARE,
                                                          divide_by="1e3"), at=EVAL_AT)
    assert judge(got, TTFT_P90) == []


def test_harness_rejects_an_average_of_per_pod_quantiles(ctx: Context) -> None:
    wrong = ("avg by (model, version) (histogram_quantile(0.9, sum by (model, version, instance, le) "
             "(rate(nv_inference_first_response_histogram_ms_bucket[1m])))) / 1e3 >= 0")
    assert judge(ctx.prometheus.query(wrong, at=EVAL_AT), TTFT_P90) == [
        "{model=llama, version=1} = 2.25, expected 3"]


def test_harness_rejects_an_unguarded_quantile_of_an_idle_model(ctx: Context) -> None:
    wrong = "histogram_quantile(0.9, sum by (model, version, le) (rate(vllm:time_to_first_token_seconds_bucket[1m])))"
    truth = oracle_llm.quantile(synthetic_llm.TTFT, "0.9")(FLEET, {})
    assert judge(ctx.prometheus.query(wrong, at=EVAL_AT), truth) == ["{model=vllm-idle, version=1} is nan"]


def test_harness_rejects_an_average_of_kv_cache_fractions(ctx: Context) -> None:
    truth = oracle_llm.kv_used_ratio()(FLEET, {})
    wrong = 'avg by (model, version) (nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction"})'
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), truth)
    assert problems == ["{model=trt-llama, version=1} = 0.575, expected 0.466667"]


def test_harness_rejects_a_sum_across_request_categories(ctx: Context) -> None:
    """NVIDIA's tutorial dashboard adds active + max + scheduled + context + waiting together."""
    truth = oracle_llm.gauge("requests", "request_type", ("active",), keep=False)(FLEET, {})
    wrong = "sum by (model, version) (nv_trt_llm_request_metrics)"
    problems = judge(ctx.prometheus.query(wrong, at=EVAL_AT), truth)
    assert problems == ["{model=trt-llama, version=1} = 354, expected 104"]


# --- heatmaps: one model's buckets at a time -----------------------------------------------------

HEATMAP_FAMILIES = {"Time to first response distribution ($model)": synthetic_llm.FR,
                    "vLLM prompt length ($model)": synthetic_llm.PROMPT_LEN,
                    "vLLM generation length ($model)": synthetic_llm.GEN_LEN}


def _cumulative_is_monotonic(series: dict[Any, float]) -> bool:
    by_le = sorted((float(dict(k)["le"]), v) for k, v in series.items())
    return all(a[1] <= b[1] + 1e-9 for a, b in itertools.pairwise(by_le))


def test_heatmaps_never_add_models_with_different_bucket_layouts(ctx: Context) -> None:
    """Two models with different layouts: each repeated panel shows exactly its model's bands.

    The same query over both models at once (the old panel) is not even monotonic in ``le``: the known-answer
    data would catch a heatmap that added them.
    """
    doc = DASHBOARDS["triton-llm"]
    heatmaps = {p["title"]: p for p in all_panels(doc) if p.get("type") == "heatmap"}
    assert all(p.get("repeat") == "model" for p in heatmaps.values()), heatmaps.keys()
    for title, family in HEATMAP_FAMILIES.items():
        expr = heatmaps[title]["targets"][0]["expr"]
        layouts = {h.model: h.bounds for h in synthetic_llm.LLM_FLEET.histograms if h.family == family}
        assert len(set(layouts.values())) >= 2, f"{title}: the scenario needs two bucket layouts"
        for model in layouts:
            got = evaluate(ctx, doc, expr, {"model": model})
            want = oracle.expected("triton-llm", title, "A", {"model": model})
            assert judge(got, want) == [], (title, model)
            assert _cumulative_is_monotonic(got), (title, model)
        merged = evaluate(ctx, doc, expr, {"model": "|".join(layouts)})
        assert not _cumulative_is_monotonic(merged), f"{title}: the scenario does not show the merging mistake"
