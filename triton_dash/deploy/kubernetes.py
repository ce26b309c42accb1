"""Kubernetes manifests: dashboard ConfigMaps for Grafana's sidecar, a PodMonitor for Triton.

kube-prometheus-stack's Grafana sidecar loads every ConfigMap labelled
``grafana_dashboard: "1"``; the folder comes from an annotation whose key must
match the chart's ``sidecar.dashboards.folderAnnotation``. One dashboard per
ConfigMap, compact JSON, well under the 1 MiB ConfigMap limit.

    text = configmap_yaml(doc, namespace="monitoring", folder="Triton")
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .. import validate
from ..files import generated_yaml
from .jobs import DEFAULT_SCRAPE_JOB, literal_job

__all__ = ["CONFIGMAP_LIMIT", "MAX_DASHBOARD_BYTES", "ManifestError", "configmap_yaml", "pod_monitor_yaml"]

CONFIGMAP_LIMIT = 1_048_576
#: Refuse dashboards above 90 % of the limit: metadata and YAML quoting need room too.
MAX_DASHBOARD_BYTES = int(CONFIGMAP_LIMIT * 0.9)


class ManifestError(validate.InvalidValue):
    """A manifest cannot be produced (too large, invalid name)."""


def _dns_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].rstrip("-")


def dashboard_configmap(
    doc: Mapping[str, Any], *, namespace: str = "monitoring", folder: str | None = "Triton",
    folder_annotation: str = "grafana_folder", label: tuple[str, str] = ("grafana_dashboard", "1"),
) -> dict[str, Any]:
    validate.dns_label(namespace, "namespace")
    validate.k8s_label_key(folder_annotation, "folder annotation")
    if folder:
        validate.text(folder, "folder")
    validate.grafana_uid(str(doc.get("uid")), "dashboard uid")
    body = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    size = len(body.encode())
    if size > MAX_DASHBOARD_BYTES:
        raise ManifestError(f"dashboard {doc.get('uid')!r} is {size} bytes of JSON, too near the "
                            f"{CONFIGMAP_LIMIT}-byte ConfigMap limit: split it into smaller dashboards")
    metadata: dict[str, Any] = {"name": _dns_name(f"grafana-dashboard-{doc['uid']}"), "namespace": namespace,
                                "labels": {label[0]: label[1], "app.kubernetes.io/managed-by": "triton-dash"}}
    if folder:
        metadata["annotations"] = {folder_annotation: folder}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {f"{doc['uid']}.json": body}}


def configmap_yaml(doc: Mapping[str, Any], **options: Any) -> str:
    """One ConfigMap manifest (YAML) holding one dashboard as compact JSON."""
    return generated_yaml(dashboard_configmap(doc, **options), "build --format configmap")


def pod_monitor(
    *, namespace: str = "monitoring", release: str = "kube-prometheus-stack",
    match_labels: Mapping[str, str] | None = None, port: str = "metrics", interval: str = "15s",
    target_namespaces: tuple[str, ...] = (), job: str = DEFAULT_SCRAPE_JOB,
) -> dict[str, Any]:
    """A PodMonitor scraping Triton pods' metrics port (container port named ``port``, usually 8002).

    prometheus-operator names a PodMonitor's job ``<namespace>/<name>`` (``monitoring/triton``); a
    relabeling, applied after the operator's own, sets ``job`` to ``job`` instead: the literal name the
    rules and autoscalers select (``job=~"<job>"``).
    """
    validate.dns_label(namespace, "namespace")
    validate.k8s_label_value(release, "release")
    for key, value in (match_labels or {}).items():
        validate.k8s_label_key(key, "match label")
        validate.k8s_label_value(value, f"match label {key}")
    validate.port_name(port, "port")
    validate.duration(interval, "interval")
    for name in target_namespaces:
        validate.dns_label(name, "target namespace")
    literal_job(job, "the PodMonitor")
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(match_labels or {"app": "triton"})},
        "podMetricsEndpoints": [{
            "port": port, "path": "/metrics", "interval": interval,
            "relabelings": [{"action": "replace", "targetLabel": "job", "replacement": job}],
        }],
    }
    spec["namespaceSelector"] = {"matchNames": list(target_namespaces)} if target_namespaces else {"any": True}
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
            "metadata": {"name": "triton", "namespace": namespace, "labels": {"release": release}}, "spec": spec}


def pod_monitor_yaml(**options: Any) -> str:
    return generated_yaml(pod_monitor(**options), "podmonitor")
