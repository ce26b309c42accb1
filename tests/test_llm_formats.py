"""The LLM catalogue agrees with each backend's exposition format (hand-written fixtures, see fixtures/README)."""

from __future__ import annotations

import itertools

import pytest

from triton_dash.metrics import LLM_FAMILIES, SCRAPE, MetricKind

from .test_real_scrapes import FIXTURES, parse

LLM_FIXTURES = [FIXTURES / name for name in ("triton-core-first-response-histogram.prom",
                                             "triton-vllm-backend.prom", "triton-tensorrtllm-backend.prom")]
PARSED = {path.name: parse(path) for path in LLM_FIXTURES}
#: The category values the panels and alerts select; each must exist in the backend's output.
CATEGORIES = {
    "nv_trt_llm_request_metrics": ("request_type", {"active", "max", "scheduled", "waiting"}),
    "nv_trt_llm_kv_cache_block_metrics": ("kv_cache_block_type", {"used", "free", "max", "reused"}),
    "nv_trt_llm_runtime_memory_metrics": ("memory_type", {"gpu", "cpu", "pinned"}),
    "nv_trt_llm_inflight_batcher_metrics": ("inflight_batcher_specific_metric",
                                            {"total_context_tokens", "paused_requests"}),
    "nv_llm_input_token_len_count": ("response_metric_type", {"total_input_tokens"}),
    "nv_llm_output_token_len_count": ("response_metric_type", {"total_output_tokens"}),
}


def _find(name: str) -> tuple[str, dict[str, str], dict[str, dict[frozenset[tuple[str, str]], float]]]:
    for file, (types, samples) in PARSED.items():
        if name in types:
            return file, types, samples
    raise AssertionError(f"{name} is in no LLM fixture")


@pytest.mark.parametrize("metric", LLM_FAMILIES, ids=lambda m: m.name)
def test_every_llm_family_has_its_type_and_labels(metric: object) -> None:
    from triton_dash.metrics import Metric

    assert isinstance(metric, Metric)
    _, types, samples = _find(metric.name)
    assert types[metric.name] == metric.kind.value
    names = ([metric.name + s for s in ("_bucket", "_sum", "_count")] if metric.kind is MetricKind.HISTOGRAM
             else [metric.name])
    for name in names:
        assert samples.get(name), f"no {name} samples"
        allowed = set(metric.labels) | set(SCRAPE) | ({"le"} if name.endswith("_bucket") else set())
        for labels in samples[name]:
            assert {k for k, _ in labels} <= allowed, (name, labels)
            assert {"model", "version"} <= {k for k, _ in labels}


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_selected_categories_exist(name: str) -> None:
    label, wanted = CATEGORIES[name]
    _, _, samples = _find(name.removesuffix("_count"))
    found = {dict(labels)[label] for labels in samples[name]}
    assert wanted <= found, wanted - found


def test_histogram_buckets_are_cumulative_and_end_in_inf() -> None:
    for file, (types, samples) in PARSED.items():
        for family in (f for f, kind in types.items() if kind == "histogram"):
            by_series: dict[frozenset[tuple[str, str]], list[tuple[float, float]]] = {}
            for labels, value in samples[f"{family}_bucket"].items():
                rest = frozenset((k, v) for k, v in labels if k != "le")
                by_series.setdefault(rest, []).append((float(dict(labels)["le"]), value))
            for rest, buckets in by_series.items():
                buckets.sort()
                assert buckets[-1][0] == float("inf"), (file, family)
                assert all(a[1] <= b[1] for a, b in itertools.pairwise(buckets)), (file, family)
                assert buckets[-1][1] == samples[f"{family}_count"][rest], (file, family)

