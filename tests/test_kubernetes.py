"""Kubernetes outputs: dashboard ConfigMaps, the PrometheusRule and the PodMonitor parse and carry their labels."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.build import compile_builtin
from triton_dash.cli import main
from triton_dash.deploy.kubernetes import MAX_DASHBOARD_BYTES, ManifestError, dashboard_configmap
from triton_dash.profile import Profile
from triton_dash.rules import rule_groups

from .support.dcgm_exporter import serving
from .support.prometheus import run_prometheus


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
    assert manifest["spec"]["podMetricsEndpoints"] == [{
        "port": "metrics", "path": "/metrics", "interval": "15s",
        "relabelings": [{"action": "replace", "targetLabel": "job", "replacement": "triton"}]}]


def _podmonitor(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "pm.yaml"
    result = CliRunner().invoke(main, ["podmonitor", "-o", str(out), *args])
    return result.exit_code, result.output, out


def test_podmonitor_job_follows_the_profile_and_the_flag(tmp_path: Path) -> None:
    profile = tmp_path / "triton-dash.toml"
    profile.write_text('job = "triton-prod"\n', encoding="utf-8")
    for args, job in ((["--config", str(profile)], "triton-prod"),
                      (["--config", str(profile), "--job", "llm"], "llm")):
        code, output, out = _podmonitor(tmp_path, *args)
        assert code == 0, output
        (endpoint,) = yaml.safe_load(out.read_text())["spec"]["podMetricsEndpoints"]
        assert endpoint["relabelings"] == [{"action": "replace", "targetLabel": "job", "replacement": job}]


@pytest.mark.parametrize(("args", "says"), [
    (["--job", "triton|llm"], "Error: --job='triton|llm' is a regex; the PodMonitor needs the literal job name"),
    (["--config", "{profile}"], "Error: {profile}: job='prod-.*' is a regex; the PodMonitor needs the literal"),
])
def test_podmonitor_refuses_a_regex_job(tmp_path: Path, args: list[str], says: str) -> None:
    profile = tmp_path / "fleet.toml"
    profile.write_text('job = "prod-.*"\n', encoding="utf-8")
    code, output, out = _podmonitor(tmp_path, *(a.format(profile=profile) for a in args))
    assert code == 1 and output.count("\n") == 1 and output.startswith(says.format(profile=profile)), output
    assert not out.exists()


@pytest.mark.prometheus
def test_the_podmonitor_job_is_the_one_the_rules_select(tmp_path: Path) -> None:
    """A real Prometheus given the operator's job relabeling (``<namespace>/<name>``) then the PodMonitor's own
    (the operator appends an endpoint's relabelings after its own) names the job the rules select:
    TritonScrapeMissing stays quiet and the rules' job matcher finds the target."""
    code, output, out = _podmonitor(tmp_path, "--job", "triton-prod")
    assert code == 0, output
    (endpoint,) = yaml.safe_load(out.read_text())["spec"]["podMetricsEndpoints"]
    names = {"targetLabel": "target_label", "sourceLabels": "source_labels"}
    theirs = [{names.get(k, k): v for k, v in r.items()} for r in endpoint["relabelings"]]
    groups = rule_groups(profile=Profile(job="triton-prod"))
    missing = next(r["expr"] for g in groups for r in g["rules"] if r.get("alert") == "TritonScrapeMissing")
    with serving() as port:
        config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}, "scrape_configs": [{
            "job_name": "podMonitor/monitoring/triton/0", "metrics_path": "/triton/metrics",
            "static_configs": [{"targets": [f"127.0.0.1:{port}"]}],
            "relabel_configs": [{"target_label": "job", "replacement": "monitoring/triton"}, *theirs]}]}
        with run_prometheus(yaml.safe_dump(config), tmp_path) as prom:
            deadline = time.monotonic() + 30
            while not (found := prom.query('nv_inference_request_success{job=~"triton-prod"}')):
                assert time.monotonic() < deadline, "no Triton series under the rules' job"
                time.sleep(0.5)
            assert {dict(labels)["job"] for labels in found} == {"triton-prod"}
            assert prom.query(missing) == {}
            assert prom.query('up{job="monitoring/triton"}') == {}


def test_recording_rules_flag_is_for_builtin_dashboards(tmp_path: Path) -> None:
    user = tmp_path / "x.dashboard.py"
    user.write_text("import grafanalib.core as G\ndashboard = G.Dashboard(title='x')\n")
    result = CliRunner().invoke(main, ["build", str(user), "--recording-rules", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Selector(recording_rules=True" in result.output
