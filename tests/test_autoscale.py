"""Autoscaling manifests: the per-pod queries give the known answer on a real Prometheus; the manifests carry
what the HPA controller, prometheus-adapter and KEDA require (checked structurally: no cluster runs here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import promql_parser
import pytest
import yaml
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.deploy.autoscale import adapter_rule, adapter_values_yaml, autoscale_yaml, pod_query
from triton_dash.selector import Selector

from .support.harness import judge
from .support.oracle import labels
from .support.prometheus import Prometheus, backfilled_prometheus
from .support.synthetic import DURATION, EVAL_AT, FLEET, T0, all_series, openmetrics

BARE = Selector(job=None, instance=None, model=None, version=None, gpu=None, rate_interval="1m")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(openmetrics(all_series(llm=False)), tmp_path_factory.mktemp("autoscale"),
                               span=(T0, T0 + DURATION)) as prom:
        yield prom


def _per_pod(attr: str, weight: str | None = None) -> dict[frozenset[tuple[str, str]], float]:
    out: dict[frozenset[tuple[str, str]], float] = {}
    for instance in sorted({t.instance for t in FLEET.traffic}):
        mine = [t for t in FLEET.traffic if t.instance == instance]
        if weight:
            total = sum(getattr(t, weight) for t in mine)
            if total:
                out[labels(instance=instance)] = sum(getattr(t, weight) * getattr(t, attr) for t in mine) / total
        else:
            out[labels(instance=instance)] = float(sum(getattr(t, attr) for t in mine))
    return out


@pytest.mark.prometheus
@pytest.mark.parametrize(("metric", "expected"), [
    ("queue-time", _per_pod("queue_s", weight="success")),
    ("pending", _per_pod("pending")),
    ("requests", _per_pod("success")),
])
def test_per_pod_value_is_the_known_answer(prometheus: Prometheus, metric: str,
                                           expected: dict[frozenset[tuple[str, str]], float]) -> None:
    got = prometheus.query(pod_query(metric, selector=BARE, by=("instance",)), at=EVAL_AT)
    assert judge(got, expected) == []


@pytest.mark.parametrize("metric", ["queue-time", "pending", "requests"])
def test_adapter_query_is_valid_promql_once_the_adapter_fills_it(metric: str) -> None:
    rule = adapter_rule(metric)
    filled = rule["metricsQuery"].replace("<<.LabelMatchers>>", 'namespace="default",pod=~"a|b"').replace(
        "<<.GroupBy>>", "pod")
    promql_parser.parse(filled)
    assert set(rule) == {"seriesQuery", "resources", "name", "metricsQuery"}
    assert rule["resources"]["overrides"] == {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}
    assert 'job=~"triton"' in rule["metricsQuery"]


def test_hpa_and_adapter_manifest() -> None:
    (hpa,) = yaml.safe_load_all(autoscale_yaml("hpa", metric="queue-time", target=0.05, deployment="llama",
                                               namespace="serving", max_replicas=8))
    values = yaml.safe_load(adapter_values_yaml("queue-time"))
    assert (hpa["apiVersion"], hpa["kind"]) == ("autoscaling/v2", "HorizontalPodAutoscaler")
    spec = hpa["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "llama"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 8)
    (metric,) = spec["metrics"]
    assert metric == {"type": "Pods", "pods": {"metric": {"name": "triton_queue_time_per_request_seconds"},
                                               "target": {"type": "AverageValue", "averageValue": "50m"}}}
    assert values["rules"]["custom"][0]["name"]["as"] == "triton_queue_time_per_request_seconds"


def test_keda_scaled_object() -> None:
    (so,) = yaml.safe_load_all(autoscale_yaml("keda", metric="queue-time", target=0.05, namespace="serving"))
    assert (so["apiVersion"], so["kind"]) == ("keda.sh/v1alpha1", "ScaledObject")
    (trigger,) = so["spec"]["triggers"]
    assert trigger["type"] == "prometheus" and trigger["metricType"] == "Value"  # an average: current x value/target
    meta = trigger["metadata"]
    assert all(isinstance(v, str) for v in meta.values())  # KEDA reads metadata as strings
    assert meta["threshold"] == "0.05"
    promql_parser.parse(meta["query"])
    assert 'namespace="serving"' in meta["query"]
    (requests,) = yaml.safe_load_all(autoscale_yaml("keda", metric="requests", target=120))
    assert requests["spec"]["triggers"][0]["metricType"] == "AverageValue"  # a total: value/target replicas


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "hpa.yaml"
    result = CliRunner().invoke(main, ["autoscale", "--target", "0.1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# Generated by 'python -m triton_dash autoscale'")


def test_target_from_capacity_json(tmp_path: Path) -> None:
    rows = tmp_path / "capacity.json"
    rows.write_text('[{"model": "llama", "version": "1", "max_rps": 40.0, "target_per_pod": 14.0},'
                    ' {"model": "bert", "version": "1", "max_rps": 0.0, "target_per_pod": null}]')
    result = CliRunner().invoke(main, ["autoscale", "--from-capacity", str(rows), "--model", "llama", "-o", "-"])
    assert result.exit_code == 0, result.output
    hpa = next(yaml.safe_load_all(result.stdout))
    assert hpa["spec"]["metrics"][0]["pods"] == {"metric": {"name": "triton_requests_per_second"},
                                                 "target": {"type": "AverageValue", "averageValue": "14"}}
    several = CliRunner().invoke(main, ["autoscale", "--from-capacity", str(rows), "-o", "-"])
    assert several.exit_code == 1 and "pick one with --model (models: bert, llama)" in several.stderr
    never = CliRunner().invoke(main, ["autoscale", "--from-capacity", str(rows), "--model", "bert", "-o", "-"])
    assert never.exit_code == 1 and "has no target (the SLO never held)" in never.stderr


def test_hpa_and_adapter_values_go_to_two_files(tmp_path: Path) -> None:
    """kubectl apply takes the HPA file; the adapter's Helm values (not a Kubernetes object) are their own file."""
    out = tmp_path / "k8s" / "triton-hpa.yaml"
    result = CliRunner().invoke(main, ["autoscale", "--target", "0.05", "-o", str(out)])
    assert result.exit_code == 0, result.output
    values = tmp_path / "k8s" / "triton-hpa.adapter-values.yaml"
    assert result.stdout.splitlines() == [
        f"wrote {out} (kubectl apply -f {out})",
        f"wrote {values} (helm upgrade --install prometheus-adapter prometheus-community/prometheus-adapter -f "
        f"{values})"]
    assert [d["kind"] for d in yaml.safe_load_all(out.read_text())] == ["HorizontalPodAutoscaler"]
    assert set(yaml.safe_load(values.read_text())) == {"rules"}
    chosen = tmp_path / "adapter.yaml"
    again = CliRunner().invoke(main, ["autoscale", "--target", "0.05", "-o", "-", "--adapter-values", str(chosen)])
    assert again.exit_code == 0 and chosen.is_file()
    assert [d["kind"] for d in yaml.safe_load_all(again.stdout)] == ["HorizontalPodAutoscaler"]
    keda = CliRunner().invoke(main, ["autoscale", "--format", "keda", "--target", "1", "-o", "-",
                                     "--adapter-values", str(chosen)])
    assert keda.exit_code == 2
