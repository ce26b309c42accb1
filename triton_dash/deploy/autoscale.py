"""Autoscaling manifests that scale Triton on the panels' own numbers: an HPA (and, in a file of its own, the
prometheus-adapter Helm values that serve its metric) or a KEDA ScaledObject.

Three signals, each from the same query functions as the dashboards:

- ``queue-time``: seconds a request waits in Triton's queue (intensive: per pod for the
  HPA, the whole deployment's ratio of sums for KEDA, ``metricType: Value``);
- ``pending``: requests waiting (extensive: per pod / summed, ``AverageValue``);
- ``requests``: successful requests per second (extensive, ``AverageValue``; set the
  target to the per-pod capacity a load test measured).

    text = autoscale_yaml("hpa", metric="queue-time", target=0.05, deployment="triton")   # kubectl apply -f
    values = adapter_values_yaml("queue-time")            # helm upgrade prometheus-adapter ... -f values.yaml

The prometheus-adapter rule uses the adapter's template fields (``<<.LabelMatchers>>``,
``<<.GroupBy>>``); every query is parsed as PromQL before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import queries as q
from .. import validate
from ..files import generated_yaml
from ..selector import Selector

__all__ = [
    "AUTOSCALE_WINDOW", "METRICS", "ScalingMetric", "adapter_rule", "adapter_values_yaml", "autoscale_yaml", "hpa",
    "keda_scaled_object", "pod_query",
]

_MATCHERS, _GROUP = "__adapter_matchers__", "__adapter_group__"


#: The rate window of the scaling queries: an HPA must react within a minute.
AUTOSCALE_WINDOW = "1m"

@dataclass(frozen=True)
class ScalingMetric:
    name: str  # the custom metric the adapter serves
    query: Callable[[Selector, tuple[str, ...]], str]
    intensive: bool  # a per-request average (not additive over pods)
    unit: str


METRICS: dict[str, ScalingMetric] = {
    "queue-time": ScalingMetric("triton_queue_time_per_request_seconds", q.queue_time_per_request, True, "seconds"),
    "pending": ScalingMetric("triton_pending_requests", q.pending_requests, False, "requests"),
    "requests": ScalingMetric("triton_requests_per_second", q.success_rate, False, "requests/s"),
}


def _metric(name: str) -> ScalingMetric:
    if name not in METRICS:
        raise validate.InvalidValue(f"metric={name!r} is not one of {', '.join(METRICS)}")
    return METRICS[name]


def pod_query(metric: str, *, selector: Selector, by: tuple[str, ...] = ("namespace", "pod")) -> str:
    """One value per pod: the ratio of sums (or the sum) over that pod's models."""
    return _metric(metric).query(selector, by)


def adapter_rule(metric: str, *, job: str = "triton", rate_window: str = AUTOSCALE_WINDOW) -> dict[str, Any]:
    """A prometheus-adapter ``rules`` entry serving the per-pod metric on ``custom.metrics.k8s.io``."""
    spec = _metric(metric)
    selector = Selector.fixed(job=_MATCHERS, rate_interval=rate_window)
    raw = spec.query(selector, (_GROUP,))
    validate.promql(raw.replace(f'job=~"{_MATCHERS}"', f'job=~"{job}"').replace(_GROUP, "pod"), "the adapter query")
    template = raw.replace(f'job=~"{_MATCHERS}"', f'<<.LabelMatchers>>, job=~"{job}"').replace(_GROUP, "<<.GroupBy>>")
    return {
        "seriesQuery": f'nv_inference_request_success{{job=~"{job}",namespace!="",pod!=""}}',
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": "^nv_inference_request_success$", "as": spec.name},
        "metricsQuery": template,
    }


def hpa(metric: str, *, target: float, deployment: str, namespace: str, min_replicas: int,
        max_replicas: int) -> dict[str, Any]:
    """An ``autoscaling/v2`` HorizontalPodAutoscaler on the adapter's per-pod metric (``AverageValue``)."""
    spec = _metric(metric)
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": deployment, "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "triton-dash"}},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
            "minReplicas": min_replicas, "maxReplicas": max_replicas,
            "metrics": [{"type": "Pods", "pods": {
                "metric": {"name": spec.name},
                "target": {"type": "AverageValue", "averageValue": _quantity(target)}}}],
        },
    }


def keda_scaled_object(metric: str, *, target: float, deployment: str, namespace: str, min_replicas: int,
                       max_replicas: int, prometheus_url: str, job: str = "triton",
                       rate_window: str = AUTOSCALE_WINDOW) -> dict[str, Any]:
    """A KEDA ``ScaledObject`` with a Prometheus trigger over the whole deployment's series."""
    spec = _metric(metric)
    selector = Selector.fixed(job=job, rate_interval=rate_window, extra=(("namespace", "=", namespace),))
    query = validate.promql(spec.query(selector, ()), "the KEDA query")
    return {
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": {"name": deployment, "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "triton-dash"}},
        "spec": {
            "scaleTargetRef": {"name": deployment},
            "minReplicaCount": min_replicas, "maxReplicaCount": max_replicas,
            "triggers": [{
                "type": "prometheus",
                # an average per request scales as current x value / target; a total as value / target
                "metricType": "Value" if spec.intensive else "AverageValue",
                "metadata": {"serverAddress": prometheus_url, "query": query, "threshold": f"{target:g}",
                             "ignoreNullValues": "true"},
            }],
        },
    }


def _quantity(value: float) -> str:
    """A Kubernetes quantity: whole numbers as is, others in milli-units (0.05 -> 50m)."""
    return f"{value:g}" if float(value).is_integer() else f"{round(value * 1000)}m"


def autoscale_yaml(kind: str, *, metric: str, target: float, deployment: str = "triton",
                   namespace: str = "default", min_replicas: int = 1, max_replicas: int = 10, job: str = "triton",
                   prometheus_url: str = "http://prometheus-operated.monitoring:9090",
                   rate_window: str = AUTOSCALE_WINDOW) -> str:
    """The Kubernetes manifest: the HPA, or the ScaledObject.

    The HPA reads a custom metric that prometheus-adapter must serve: its Helm
    values are :func:`adapter_values_yaml`, a separate file (they are not a
    Kubernetes object, and ``kubectl apply`` rejects them).
    """
    validate.number(target, "target", minimum=0, exclusive_minimum=True)
    validate.dns_subdomain(deployment, "deployment")
    validate.dns_label(namespace, "namespace")
    validate.re2_regex(job, "job")
    validate.duration(rate_window, "rate_window")
    validate.number(min_replicas, "min_replicas", minimum=1)
    validate.number(max_replicas, "max_replicas", minimum=min_replicas)
    if kind == "hpa":
        if METRICS[metric].intensive and target < 0.001:
            raise validate.InvalidValue("target below 1ms cannot be written as a Kubernetes quantity")
        return generated_yaml(hpa(metric, target=target, deployment=deployment, namespace=namespace,
                                  min_replicas=min_replicas, max_replicas=max_replicas), "autoscale")
    if kind == "keda":
        validate.url(prometheus_url, "prometheus_url", example="http://prometheus-operated.monitoring:9090")
        return generated_yaml(keda_scaled_object(metric, target=target, deployment=deployment, namespace=namespace,
                                                 min_replicas=min_replicas, max_replicas=max_replicas,
                                                 prometheus_url=prometheus_url, job=job,
                                                 rate_window=rate_window), "autoscale")
    raise validate.InvalidValue(f"kind={kind!r} is not hpa or keda")


def adapter_values_yaml(metric: str, *, job: str = "triton", rate_window: str = AUTOSCALE_WINDOW) -> str:
    """prometheus-adapter Helm values (``rules:``) serving the per-pod metric the HPA reads.

    For the adapter's chart: ``helm upgrade --install prometheus-adapter
    prometheus-community/prometheus-adapter -f values.yaml``; not for ``kubectl apply``.
    """
    validate.re2_regex(job, "job")
    validate.duration(rate_window, "rate_window")
    values = {"rules": {"default": False, "custom": [adapter_rule(metric, job=job, rate_window=rate_window)]}}
    header, body = generated_yaml(values, "autoscale").split("\n", 1)
    return (f"{header}\n# prometheus-adapter Helm values (helm ... -f THIS_FILE), not a Kubernetes object: they "
            f"serve the custom metric the HPA reads.\n{body}")
