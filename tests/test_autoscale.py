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
from .support.synthetic import DURATION, EVAL_AT, FLEET, T0, Series, all_series, openmetrics

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


# --- one namespace, two Deployments (llama, llama-big), two models (llama, bert) in llama's pods -------------
# (namespace, pod, model): (successful requests/s, seconds in the queue per request, pending requests)
LLAMA_PODS = ("llama-6d4cf56db6-x7k2p", "llama-6d4cf56db6-q9w8e")
SHARED: dict[tuple[str, str, str], tuple[float, float, float]] = {
    ("serving", LLAMA_PODS[0], "llama"): (10.0, 0.02, 3),
    ("serving", LLAMA_PODS[0], "bert"): (4.0, 0.5, 1),
    ("serving", LLAMA_PODS[1], "llama"): (6.0, 0.04, 2),
    ("serving", LLAMA_PODS[1], "bert"): (2.0, 0.1, 5),
    ("serving", "llama-big-7f8b9c6d5-m3n4b", "llama"): (100.0, 1.0, 50),   # another Deployment, same prefix
    ("other", "llama-6d4cf56db6-z8z8z", "llama"): (1000.0, 2.0, 70),        # the same Deployment name elsewhere
}


def _shared_series() -> list[Series]:
    out: list[Series] = []
    for (namespace, pod, model), (success, queue_s, pending) in SHARED.items():
        labels = tuple(sorted({"job": "triton", "namespace": namespace, "pod": pod, "instance": f"{pod}:8002",
                               "model": model, "version": "1"}.items()))
        out += [Series("nv_inference_request_success", labels, rate=success),
                Series("nv_inference_queue_duration_us", labels, rate=success * queue_s * 1e6),
                Series("nv_inference_pending_request_count", labels, value=pending)]
    return out


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(openmetrics(_shared_series()), tmp_path_factory.mktemp("shared"),
                               span=(T0, T0 + DURATION)) as prom:
        yield prom


def _known(metric: str, rows: list[tuple[float, float, float]]) -> float:
    if metric == "requests":
        return sum(r[0] for r in rows)
    if metric == "pending":
        return sum(r[2] for r in rows)
    return sum(r[0] * r[1] for r in rows) / sum(r[0] for r in rows)  # a ratio of sums over pods and models


def _rows(deployment_pods: tuple[str, ...], model: str | None) -> list[tuple[float, float, float]]:
    return [v for (ns, pod, m), v in SHARED.items()
            if ns == "serving" and pod in deployment_pods and (model is None or m == model)]


@pytest.mark.prometheus
@pytest.mark.parametrize("metric", ["queue-time", "pending", "requests"])
@pytest.mark.parametrize(("deployment", "pods"), [("llama", LLAMA_PODS), ("llama-big", ("llama-big-7f8b9c6d5-m3n4b",))])
@pytest.mark.parametrize("model", [None, "llama", "bert"])
def test_keda_query_counts_only_the_deployments_pods_and_the_model(
        shared: Prometheus, metric: str, deployment: str, pods: tuple[str, ...], model: str | None) -> None:
    """KEDA's number is the scaled Deployment's (not its namespace neighbours'), and one model's with --model."""
    (so,) = yaml.safe_load_all(autoscale_yaml("keda", metric=metric, target=1, deployment=deployment,
                                              namespace="serving", model=model))
    got = shared.query(so["spec"]["triggers"][0]["metadata"]["query"], at=EVAL_AT)
    rows = _rows(pods, model)
    assert judge(got, {frozenset(): _known(metric, rows)} if rows else {}) == []


@pytest.mark.prometheus
@pytest.mark.parametrize("metric", ["queue-time", "pending", "requests"])
@pytest.mark.parametrize("model", [None, "llama", "bert"])
def test_adapter_serves_each_pod_its_number_and_the_models(shared: Prometheus, metric: str,
                                                           model: str | None) -> None:
    """The adapter fills in the HPA's pods (the Deployment's, by its selector): one value per pod, of the model."""
    rule = adapter_rule(metric, model=model)
    pods = "|".join(LLAMA_PODS)
    filled = rule["metricsQuery"].replace("<<.LabelMatchers>>", f'namespace="serving",pod=~"{pods}"').replace(
        "<<.GroupBy>>", "pod")
    expected = {labels(pod=pod): _known(metric, _rows((pod,), model)) for pod in LLAMA_PODS}
    assert judge(shared.query(filled, at=EVAL_AT), expected) == []
    if model is not None:
        assert rule["name"]["as"].endswith(f"_{model}") and f'model=~"{model}"' in rule["seriesQuery"]


def test_a_deployment_name_kubernetes_cuts_in_pod_names_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 56 characters"):
        autoscale_yaml("keda", metric="requests", target=1, deployment="d" * 57)


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
    # llama's target per pod is compared with llama's requests/s per pod, not the pod's sum over its models
    assert hpa["spec"]["metrics"][0]["pods"] == {"metric": {"name": "triton_requests_per_second_llama"},
                                                 "target": {"type": "AverageValue", "averageValue": "14"}}
    values = tmp_path / "adapter.yaml"
    keda = CliRunner().invoke(main, ["autoscale", "--from-capacity", str(rows), "--model", "llama", "-o", "-",
                                     "--adapter-values", str(values)])
    (rule,) = yaml.safe_load(values.read_text())["rules"]["custom"]
    assert keda.exit_code == 0 and rule["name"]["as"] == "triton_requests_per_second_llama"
    assert 'model=~"llama"' in rule["metricsQuery"]
    keda = CliRunner().invoke(main, ["autoscale", "--format", "keda", "--from-capacity", str(rows), "--model",
                                     "llama", "--deployment", "llama", "-o", "-"])
    query = next(yaml.safe_load_all(keda.stdout))["spec"]["triggers"][0]["metadata"]["query"]
    assert query == ('sum(rate(nv_inference_request_success{job=~"triton", model=~"llama", namespace="default", '
                     'pod=~"llama-[a-z0-9]+(-[a-z0-9]+)?"}[1m]))')
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
