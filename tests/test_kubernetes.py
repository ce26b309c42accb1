"""Kubernetes outputs: dashboard ConfigMaps, the PrometheusRule and the PodMonitor parse and carry their labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.build import compile_builtin
from triton_dash.cli import main
from triton_dash.deploy.kubernetes import MAX_DASHBOARD_BYTES, ManifestError, dashboard_configmap
from triton_dash.rules import rule_groups


def test_build_configmaps(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--format", "configmap", "-o", str(tmp_path), "--namespace", "obs",
                                       "--folder", "Inference", "--folder-annotation", "k8s-sidecar-target-directory"])
    assert result.exit_code == 0, result.output
    built = {c.uid: c.document for c in compile_builtin()}
    files = sorted(tmp_path.glob("*.configmap.yaml"))
    assert [f.name for f in files] == ["triton-llm.configmap.yaml", "triton-overview.configmap.yaml",
                                      "triton-slo.configmap.yaml", "triton-stack.configmap.yaml"]
    for path in files:
        manifest = yaml.safe_load(path.read_text())
        assert (manifest["apiVersion"], manifest["kind"]) == ("v1", "ConfigMap")
        meta = manifest["metadata"]
        assert meta["namespace"] == "obs"
        assert meta["labels"]["grafana_dashboard"] == "1"
        assert meta["annotations"] == {"k8s-sidecar-target-directory": "Inference"}
        ((key, body),) = manifest["data"].items()
        uid = key.removesuffix(".json")
        assert json.loads(body) == built[uid]
        assert body == json.dumps(built[uid], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert meta["name"] == f"grafana-dashboard-{uid}" and len(meta["name"]) <= 63


def test_configmap_near_the_limit_is_refused(tmp_path: Path) -> None:
    huge = {"uid": "huge", "title": "Huge", "panels": [], "description": "x" * MAX_DASHBOARD_BYTES}
    with pytest.raises(ManifestError, match="too near the 1048576-byte ConfigMap limit"):
        dashboard_configmap(huge)


def test_prometheusrule(tmp_path: Path) -> None:
    out = tmp_path / "rule.yaml"
    result = CliRunner().invoke(main, ["rules", "--format", "prometheusrule", "-o", str(out),
                                       "--release", "kps", "--namespace", "obs"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(out.read_text())
    assert (manifest["apiVersion"], manifest["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert manifest["metadata"]["labels"] == {"release": "kps"}
    assert manifest["metadata"]["namespace"] == "obs"
    assert manifest["spec"]["groups"] == rule_groups()


def test_podmonitor(tmp_path: Path) -> None:
    out = tmp_path / "pm.yaml"
    result = CliRunner().invoke(main, ["podmonitor", "-o", str(out), "--match-label", "app.kubernetes.io/name=triton",
                                       "--release", "kps"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(out.read_text())
    assert (manifest["apiVersion"], manifest["kind"]) == ("monitoring.coreos.com/v1", "PodMonitor")
    assert manifest["metadata"]["labels"] == {"release": "kps"}
    assert manifest["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "triton"}}
    assert manifest["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "15s"}]


def test_recording_rules_flag_is_for_builtin_dashboards(tmp_path: Path) -> None:
    user = tmp_path / "x.dashboard.py"
    user.write_text("import grafanalib.core as G\ndashboard = G.Dashboard(title='x')\n")
    result = CliRunner().invoke(main, ["build", str(user), "--recording-rules", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Selector(recording_rules=True" in result.output
