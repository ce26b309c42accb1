"""Rules files: a Prometheus rules file or a PrometheusRule, every rule parsed before it is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import validate
from ..files import generated_yaml

__all__ = ["check_rule_groups", "prometheus_rule", "rules_yaml"]


def check_rule_groups(groups: Sequence[Mapping[str, Any]]) -> None:
    """Refuse groups Prometheus would reject: every expression is parsed as PromQL, every name checked.

    Raises :class:`~triton_dash.validate.InvalidValue` naming the rule; run before any file is written.
    """
    names: set[str] = set()
    for group in groups:
        name = str(group.get("name") or "")
        validate.text(name, "rule group name")
        if name in names:
            raise validate.InvalidValue(f"two rule groups are named {name!r}")
        names.add(name)
        if "interval" in group:
            validate.duration(str(group["interval"]), f"group {name} interval")
        for rule in group.get("rules", []):
            label = rule.get("record") or rule.get("alert")
            if not label:
                raise validate.InvalidValue(f"a rule in group {name!r} has neither 'record' nor 'alert'")
            if "record" in rule:
                validate.metric_name(rule["record"], f"group {name} record")
            else:
                validate.prometheus_label_name(rule["alert"], f"group {name} alert")
                validate.duration(str(rule.get("for", "0s")), f"alert {label} for", allow_zero=True)
            for key in (rule.get("labels") or {}):
                validate.prometheus_label_name(key, f"rule {label} label")
            validate.promql(rule["expr"], f"rule {label} in group {name!r} (check the --set values)")


def rules_yaml(groups: Sequence[Mapping[str, Any]], *, command: str = "rules") -> str:
    """A Prometheus rules file (``promtool check rules`` accepts it); checked before it is returned.

    ``command`` is the triton_dash command the header names as the file's source.
    """
    check_rule_groups(groups)
    return generated_yaml({"groups": list(groups)}, command)


def prometheus_rule(groups: Sequence[Mapping[str, Any]], *, name: str = "triton-dash",
                    namespace: str = "monitoring", release: str = "kube-prometheus-stack",
                    command: str = "rules") -> str:
    """A ``monitoring.coreos.com/v1`` PrometheusRule; kube-prometheus-stack loads it only with ``release``."""
    check_rule_groups(groups)
    validate.dns_subdomain(name, "PrometheusRule name")
    validate.dns_label(namespace, "namespace")
    validate.k8s_label_value(release, "release")
    manifest = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                "metadata": {"name": name, "namespace": namespace, "labels": {"release": release}},
                "spec": {"groups": list(groups)}}
    return generated_yaml(manifest, f"{command} --format prometheusrule")
