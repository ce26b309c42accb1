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
``<<.GroupBy>>``): the HPA asks for the scaled Deployment's pods, so its metric is theirs. KEDA's query
reads Prometheus directly: it matches the Deployment's pods by name (``pod=~"<deployment>-<hash>-<id>"``,
as the ReplicaSet names them), so two Deployments in one namespace do not add up. With ``model``, every
query reads that model's series only (``model=~"<model>"``): a per-model target (``capacity``) is
compared with a per-model number. Every query is parsed as PromQL before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import queries as q
from .. import validate
from ..files import generated_yaml
from ..selector import Selector, quote

__all__ = [
    "AUTOSCALE_WINDOW", "METRICS", "ScalingMetric", "adapter_rule", "adapter_values_yaml", "autoscale_yaml", "hpa",
    "keda_scaled_object", "literal_regex", "metric_name", "pod_matcher", "pod_query",
]

_MATCHERS, _GROUP = "__adapter_matchers__", "__adapter_group__"


#: The rate window of the scaling queries: an HPA must react within a minute.
AUTOSCALE_WINDOW = "1m"
#: A Deployment's pods are ``<deployment>-<pod-template-hash>-<5 characters>``; the API server cuts a generated
#: name's prefix to 58 characters, which may drop the second dash (hence the optional group).
POD_NAME_SUFFIX = "-[a-z0-9]+(-[a-z0-9]+)?"
#: The longest Deployment name whose pod names still start with ``<deployment>-``.
MAX_MATCHABLE_DEPLOYMENT = 56
_REGEX_OPERATORS = frozenset("\\.^$*+?()[]{}|")


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


def literal_regex(text: str) -> str:
    """A regex (RE2) matching ``text`` only: ``llama.v2`` -> ``llama\\.v2``."""
    return "".join(f"\\{c}" if c in _REGEX_OPERATORS else c for c in text)


def pod_matcher(deployment: str) -> tuple[str, str, str]:
    """The ``pod`` matcher of one Deployment's pods: ``llama`` takes ``llama-6d4cf56db6-x7k2p``, not the
    ``llama-big-...`` pods of the Deployment ``llama-big`` in the same namespace."""
    validate.dns_subdomain(deployment, "deployment")
    if len(deployment) > MAX_MATCHABLE_DEPLOYMENT:
        raise validate.InvalidValue(
            f"deployment={deployment!r} is longer than {MAX_MATCHABLE_DEPLOYMENT} characters: Kubernetes cuts its "
            "pod names, so no query can tell its pods from others'; use a shorter Deployment name")
    return ("pod", "=~", literal_regex(deployment) + POD_NAME_SUFFIX)


def metric_name(metric: str, model: str | None = None) -> str:
    """The custom metric the adapter serves: ``triton_requests_per_second``, or per model
    ``triton_requests_per_second_llama`` (so that rules for two models do not clash)."""
    name = _metric(metric).name
    return name if model is None else f"{name}_{re.sub(r'[^a-z0-9_]', '_', model.lower())}"


def _model_regex(model: str | None) -> str | None:
    if model is None:
        return None
    validate.text(model, "model")
    return literal_regex(model)


def pod_query(metric: str, *, selector: Selector, by: tuple[str, ...] = ("namespace", "pod")) -> str:
    """One value per pod: the ratio of sums (or the sum) over that pod's models."""
    return _metric(metric).query(selector, by)


def adapter_rule(metric: str, *, job: str = "triton", rate_window: str = AUTOSCALE_WINDOW,
                 model: str | None = None) -> dict[str, Any]:
    """A prometheus-adapter ``rules`` entry serving the per-pod metric on ``custom.metrics.k8s.io``
    (with ``model``, that model's number in each pod)."""
    spec = _metric(metric)
    model_regex = _model_regex(model)
    selector = Selector.fixed(job=_MATCHERS, model=model_regex, rate_interval=rate_window)
    raw = spec.query(selector, (_GROUP,))
    validate.promql(raw.replace(f'job=~"{_MATCHERS}"', f'job=~"{job}"').replace(_GROUP, "pod"), "the adapter query")
    template = raw.replace(f'job=~"{_MATCHERS}"', f'<<.LabelMatchers>>, job=~"{job}"').replace(_GROUP, "<<.GroupBy>>")
    series = f'job=~"{job}",namespace!="",pod!=""' + ("" if model_regex is None else f",model=~{quote(model_regex)}")
    return {
        "seriesQuery": f"nv_inference_request_success{{{series}}}",
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": "^nv_inference_request_success$", "as": metric_name(metric, model)},
        "metricsQuery": template,
    }


def hpa(metric: str, *, target: float, deployment: str, namespace: str, min_replicas: int,
        max_replicas: int, model: str | None = None) -> dict[str, Any]:
    """An ``autoscaling/v2`` HorizontalPodAutoscaler on the adapter's per-pod metric (``AverageValue``)."""
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": deployment, "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "triton-dash"}},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
            "minReplicas": min_replicas, "maxReplicas": max_replicas,
            "metrics": [{"type": "Pods", "pods": {
                "metric": {"name": metric_name(metric, model)},
                "target": {"type": "AverageValue", "averageValue": _quantity(target)}}}],
        },
    }


def keda_scaled_object(metric: str, *, target: float, deployment: str, namespace: str, min_replicas: int,
                       max_replicas: int, prometheus_url: str, job: str = "triton",
                       rate_window: str = AUTOSCALE_WINDOW, model: str | None = None) -> dict[str, Any]:
    """A KEDA ``ScaledObject`` with a Prometheus trigger over the deployment's pods' series (``model``'s only,
    when given)."""
    spec = _metric(metric)
    selector = Selector.fixed(job=job, model=_model_regex(model), rate_interval=rate_window,
                              extra=(("namespace", "=", namespace), pod_matcher(deployment)))
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
                   rate_window: str = AUTOSCALE_WINDOW, model: str | None = None) -> str:
    """The Kubernetes manifest: the HPA, or the ScaledObject (on ``model``'s numbers, when given).

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
                                  min_replicas=min_replicas, max_replicas=max_replicas, model=model),
                             "autoscale")
    if kind == "keda":
        validate.url(prometheus_url, "prometheus_url", example="http://prometheus-operated.monitoring:9090")
        return generated_yaml(keda_scaled_object(metric, target=target, deployment=deployment, namespace=namespace,
                                                 min_replicas=min_replicas, max_replicas=max_replicas,
                                                 prometheus_url=prometheus_url, job=job,
                                                 rate_window=rate_window, model=model), "autoscale")
    raise validate.InvalidValue(f"kind={kind!r} is not hpa or keda")


def adapter_values_yaml(metric: str, *, job: str = "triton", rate_window: str = AUTOSCALE_WINDOW,
                        model: str | None = None) -> str:
    """prometheus-adapter Helm values (``rules:``) serving the per-pod metric the HPA reads.

    For the adapter's chart: ``helm upgrade --install prometheus-adapter
    prometheus-community/prometheus-adapter -f values.yaml``; not for ``kubectl apply``.
    """
    validate.re2_regex(job, "job")
    validate.duration(rate_window, "rate_window")
    rule = adapter_rule(metric, job=job, rate_window=rate_window, model=model)
    values = {"rules": {"default": False, "custom": [rule]}}
    header, body = generated_yaml(values, "autoscale").split("\n", 1)
    return (f"{header}\n# prometheus-adapter Helm values (helm ... -f THIS_FILE), not a Kubernetes object: they "
            f"serve the custom metric the HPA reads.\n{body}")
