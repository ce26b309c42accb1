"""Recording and alerting rules: promtool accepts them, and each alert fires exactly when it should.

``promtool test rules`` runs every scenario below against the generated rules
file. Each scenario expects its own alert and *no other*: every alert name is
checked at the evaluation time, so a rule that also fires for an idle model, a
healthy model or another job fails the test.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.metrics.recorded import RECORDED, RECORDED_COUNTERS
from triton_dash.rules import AlertConfig, alert_rules, recording_rules, rule_groups, rules_yaml

from .support.tools import require_binary

pytestmark = pytest.mark.prometheus
ALERTS = {rule["alert"]: rule for rule in alert_rules(AlertConfig())["rules"]}


def _series(name: str, values: str, **labels: str) -> dict[str, str]:
    text = ",".join(f'{k}="{v}"' for k, v in {"job": "triton", "instance": "a:8002", **labels}.items())
    return {"series": f"{name}{{{text}}}", "values": values}


def _model(model: str, success: str, failures: Mapping[str, str] | None = None,
           **counters: str) -> list[dict[str, str]]:
    out = [_series("nv_inference_request_success", success, model=model, version="1")]
    for reason in ("REJECTED", "CANCELED", "BACKEND", "OTHER"):
        out.append(_series("nv_inference_request_failure", (failures or {}).get(reason, "0x80"),
                           model=model, version="1", reason=reason))
    out += [_series(name, values, model=model, version="1") for name, values in counters.items()]
    return out


UP = [_series("up", "1x80")]


@dataclass
class Scenario:
    alert: str | None  # the one alert expected (None: none at all)
    series: list[dict[str, str]]
    eval_minutes: int
    labels: dict[str, str] = field(default_factory=dict)
    value: str = ""  # how the template renders $value


SCENARIOS = {
    "target_down": Scenario("TritonTargetDown", [
        _series("up", "1x5 0x30"), _series("up", "1x35", instance="b:8002"),
        _series("up", "0x35", job="other", instance="c:1")], 20, {"job": "triton", "instance": "a:8002"}),
    "scrape_missing": Scenario("TritonScrapeMissing", [_series("up", "1x30", job="other")], 15),
    "error_ratio": Scenario("TritonModelErrorRatioHigh", UP
                            + _model("bad", "0+480x40", {"BACKEND": "0+120x40"})
                            + _model("good", "0+600x40") + _model("idle", "0x40"),
                            30, {"job": "triton", "model": "bad", "version": "1"}, "20%"),
    "queue_time": Scenario("TritonQueueTimeHigh", UP
                           + _model("slow", "0+600x40", nv_inference_queue_duration_us="0+120000000x40")
                           + _model("fast", "0+600x40", nv_inference_queue_duration_us="0+600000x40")
                           + _model("idle", "0x40", nv_inference_queue_duration_us="0x40"),
                           30, {"job": "triton", "model": "slow", "version": "1"}, "200ms"),
    "pending": Scenario("TritonPendingRequestsGrowing", UP
                        + [_series("nv_inference_pending_request_count", v, model=m, version="1")
                           for m, v in (("growing", "0+1x40"), ("steady", "50x40"), ("idle", "0x40"))],
                        30, {"job": "triton", "model": "growing", "version": "1"}, "30"),
    "gpu_memory": Scenario("TritonGpuMemoryHigh", UP
                           + [_series("nv_gpu_memory_used_bytes", "76000000000x20", gpu_uuid="GPU-1"),
                              _series("nv_gpu_memory_total_bytes", "80000000000x20", gpu_uuid="GPU-1"),
                              _series("nv_gpu_memory_used_bytes", "40000000000x20", gpu_uuid="GPU-2"),
                              _series("nv_gpu_memory_total_bytes", "80000000000x20", gpu_uuid="GPU-2")],
                           10, {"job": "triton", "gpu_uuid": "GPU-1"}, "95%"),
    "stalled": Scenario("TritonModelStalled", UP
                        + _model("stalled", "0+600x30 18000x40") + _model("busy", "0+600x71")
                        + _model("idle", "0x71"),
                        55, {"job": "triton", "model": "stalled", "version": "1"}),
    "kv_cache": Scenario("TritonLlmKvCacheHigh", UP + [
        _series("nv_trt_llm_kv_cache_block_metrics", v, model=m, version="1", kv_cache_block_type=t, instance=i)
        for m, i, t, v in (("full", "a:8002", "used", "950x20"), ("full", "a:8002", "max", "1000x20"),
                           ("full", "b:8002", "used", "950x20"), ("full", "b:8002", "max", "1000x20"),
                           ("full", "b:8002", "fraction", "0.95x20"),
                           ("roomy", "a:8002", "used", "100x20"), ("roomy", "a:8002", "max", "1000x20"))],
        10, {"job": "triton", "model": "full", "version": "1"}, "95%"),
    "ttft_core": Scenario("TritonLlmTimeToFirstTokenHigh", UP + [
        _series("nv_inference_first_response_histogram_ms_bucket", v, model=m, version="1", le=le)
        for m, per_le in (("slow", ("0x40", "0x40", "0+2220x40", "0+2400x40", "0+2400x40")),
                          ("fast", ("0+600x40", "0+600x40", "0+600x40", "0+600x40", "0+600x40")),
                          ("idle", ("0x40",) * 5))
        for le, v in zip(("100", "500", "2000", "5000", "+Inf"), per_le, strict=True)],
        30, {"job": "triton", "model": "slow", "version": "1"}, "3s"),
    "ttft_vllm": Scenario("TritonLlmTimeToFirstTokenHigh", UP + [
        _series("vllm:time_to_first_token_seconds_bucket", v, model=m, version="1", le=le)
        for m, per_le in (("vslow", ("0x40", "0x40", "0+540x40", "0+600x40", "0+600x40")),
                          ("vfast", ("0+600x40",) * 5))
        for le, v in zip(("0.5", "1", "2.5", "5", "+Inf"), per_le, strict=True)],
        30, {"job": "triton", "model": "vslow", "version": "1"}, "3.75s"),
    "llm_waiting": Scenario("TritonLlmWaitingRequestsGrowing", UP + [
        _series("nv_trt_llm_request_metrics", v, model=m, version="1", request_type="waiting")
        for m, v in (("backlog", "0+1x40"), ("steady", "50x40"), ("idle", "0x40"))],
        30, {"job": "triton", "model": "backlog", "version": "1"}, "30"),
    "llm_at_max": Scenario("TritonLlmActiveRequestsAtMax", UP + [
        _series("nv_trt_llm_request_metrics", v, model=m, version="1", request_type=t)
        for m, t, v in (("saturated", "active", "64x30"), ("saturated", "max", "64x30"),
                        ("busy", "active", "40x30"), ("busy", "max", "64x30"),
                        ("idle", "active", "0x30"), ("idle", "max", "0x30"))],
        20, {"job": "triton", "model": "saturated", "version": "1"}),
    "canary_slower": Scenario("TritonModelVersionWorse", UP
                              + _model("m", "0+600x40", nv_inference_request_duration_us="0+6000000x40")
                              + [_series(n, v, model="m", version="2") for n, v in (
                                  ("nv_inference_request_success", "0+60x40"),
                                  ("nv_inference_request_duration_us", "0+1800000x40"))]
                              + [_series("nv_inference_request_failure", "0x40", model="m", version="2", reason=r)
                                 for r in ("REJECTED", "CANCELED", "BACKEND", "OTHER")]
                              + _model("solo", "0+600x40", nv_inference_request_duration_us="0+30000000x40"),
                              30, {"job": "triton", "model": "m", "version": "2"}),
    "canary_failing": Scenario("TritonModelVersionWorse", UP
                               + _model("m", "0+5970x40", {"BACKEND": "0+30x40"})
                               + [_series("nv_inference_request_success", "0+582x40", model="m", version="2")]
                               + [_series("nv_inference_request_failure", v, model="m", version="2", reason=r)
                                  for r, v in (("REJECTED", "0x40"), ("CANCELED", "0x40"), ("BACKEND", "0+18x40"),
                                               ("OTHER", "0x40"))],
                               30, {"job": "triton", "model": "m", "version": "2"}),
    "server_not_ready": Scenario("TritonServerNotReady", UP + [
        {"series": f'probe_success{{job="triton-health",instance="{url}"}}', "values": v} for url, v in (
            ("http://a:8000/v2/health/ready", "1x3 0x12"), ("http://b:8000/v2/health/ready", "1x15"),
            ("http://a:8000/v2/health/live", "1x15"))],
        12, {"job": "triton-health", "instance": "http://a:8000/v2/health/ready"}),
    "model_not_ready": Scenario("TritonModelNotReady", UP + [
        {"series": f'probe_success{{job="triton-health",instance="{url}"}}', "values": v} for url, v in (
            ("http://a:8000/v2/models/flaky/ready", "1x3 0x12"), ("http://a:8000/v2/models/resnet/ready", "1x15"),
            ("http://a:8000/v2/health/ready", "1x15"))],
        12, {"job": "triton-health", "instance": "http://a:8000/v2/models/flaky/ready"}),
    "all_quiet": Scenario(None, UP + _model("busy", "0+600x40", nv_inference_queue_duration_us="0+600000x40")
                          + _model("idle", "0x40", nv_inference_queue_duration_us="0x40")
                          + [_series("nv_inference_pending_request_count", "2x40", model="busy", version="1")],
                          30),
}


def _render(template: str, labels: Mapping[str, str], value: str) -> str:
    text = re.sub(r"\{\{ with \$labels\.(\w+) \}\}(.*?)\{\{ \. \}\}\{\{ end \}\}",
                  lambda m: m[2] + labels[m[1]] if labels.get(m[1]) else "", template)
    text = re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m[1]], text)
    text = text.replace("{{ $externalURL }}", "")  # promtool's test runner has no external URL
    return re.sub(r"\{\{ \$value(?: \| \w+)? \}\}", value, text)


def _promtool_test(scenario: Scenario) -> dict[str, Any]:
    checks = []
    for name, rule in ALERTS.items():
        expected = []
        if name == scenario.alert:
            labels = {"severity": rule["labels"]["severity"], **scenario.labels}
            annotations = {k: _render(v, scenario.labels, scenario.value) for k, v in rule["annotations"].items()}
            expected = [{"exp_labels": labels, "exp_annotations": annotations}]
        checks.append({"eval_time": f"{scenario.eval_minutes}m", "alertname": name, "exp_alerts": expected})
    return {"interval": "1m", "input_series": scenario.series, "alert_rule_test": checks}


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "triton.rules.yml"
    path.write_text(rules_yaml(rule_groups()))
    return path


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([require_binary("promtool"), *args], capture_output=True, text=True, timeout=120)


def test_promtool_checks_the_rules(rules_file: Path) -> None:
    result = _promtool("check", "rules", str(rules_file))
    assert result.returncode == 0, result.stdout + result.stderr
    recordings = recording_rules()["rules"]
    assert len(recordings) == len(RECORDED_COUNTERS) + 2  # plus executed requests and overhead
    assert f"SUCCESS: {len(recordings) + len(ALERTS)} rules found" in result.stdout


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_alert_fires_exactly_when_it_should(rules_file: Path, tmp_path: Path, name: str) -> None:
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(rules_file)], "evaluation_interval": "1m",
                                         "tests": [_promtool_test(SCENARIOS[name])]}, sort_keys=False))
    result = _promtool("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_expectation_fails(rules_file: Path, tmp_path: Path) -> None:
    """The promtool harness itself can fail: expecting the idle model to alert is refused."""
    scenario = SCENARIOS["error_ratio"]
    wrong = Scenario(scenario.alert, scenario.series, scenario.eval_minutes,
                     {**scenario.labels, "model": "idle"}, scenario.value)
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(rules_file)], "evaluation_interval": "1m",
                                         "tests": [_promtool_test(wrong)]}, sort_keys=False))
    assert _promtool("test", "rules", str(test_file)).returncode != 0


def test_recording_rules_record_the_sum_of_rates(rules_file: Path, tmp_path: Path) -> None:
    series = [_series("nv_inference_request_success", "0+600x20", model="m", version="1"),
              _series("nv_inference_request_success", "0+300x20", model="m", version="1", instance="b:8002"),
              _series("nv_inference_request_success", "0+60x20", model="m", version="1", gpu_uuid="GPU-1")]
    name = RECORDED["nv_inference_request_success"].name
    test = {"interval": "1m", "input_series": series, "promql_expr_test": [
        {"expr": name, "eval_time": "10m",
         "exp_samples": [{"labels": f'{name}{{job="triton",model="m",version="1"}}', "value": 16}]}]}
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(rules_file)], "evaluation_interval": "1m",
                                         "tests": [test]}, sort_keys=False))
    result = _promtool("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_overrides_change_thresholds() -> None:
    config = AlertConfig.from_overrides({"queue_time_seconds": "0.25", "queue_time_for": "3m", "job": "tri.*"})
    rule = next(r for r in alert_rules(config)["rules"] if r["alert"] == "TritonQueueTimeHigh")
    assert rule["expr"].endswith("> 0.25") and rule["for"] == "3m" and 'job=~"tri.*"' in rule["expr"]
    result = CliRunner().invoke(main, ["rules", "-o", "-", "--set", "queue_time_seconds=0.25"])
    assert result.exit_code == 0 and "> 0.25" in result.output
    result = CliRunner().invoke(main, ["rules", "-o", "-", "--set", "queue_time=1"])
    assert result.exit_code == 1 and "unknown alert setting 'queue_time'" in result.output


def test_alert_style() -> None:
    """mixtool's alert rules: CamelCase names, severities, a plain summary, a templated description."""
    for name, rule in ALERTS.items():
        assert re.fullmatch(r"([A-Z]+[a-z0-9]+)+", name) and len(name) <= 40, name
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), name
        summary, description = rule["annotations"]["summary"], rule["annotations"]["description"]
        assert re.fullmatch(r"[A-Z].+\.", summary) and "{{" not in summary, name
        assert "{{" in description, name


def test_committed_rules_file_is_current() -> None:
    result = CliRunner().invoke(main, ["rules", "--check", "-o", "provisioning/prometheus/rules/triton.rules.yml"])
    assert result.exit_code == 0, result.output


def test_alerts_and_recordings_keep_the_cluster_label(tmp_path: Path) -> None:
    """With --cluster-label, the same scenario in two clusters fires once per cluster, labelled with it."""
    config = AlertConfig(cluster_label="cluster")
    rules_file = tmp_path / "cluster.rules.yml"
    rules_file.write_text(rules_yaml(rule_groups(config)))
    scenario = SCENARIOS["queue_time"]
    series = [{"series": item["series"].replace("{", f'{{cluster="{cluster}",', 1), "values": item["values"]}
              for cluster in ("east", "west") for item in scenario.series]
    rule = next(r for r in alert_rules(config)["rules"] if r["alert"] == "TritonQueueTimeHigh")
    expected = [{"exp_labels": {"severity": "warning", **scenario.labels, "cluster": cluster},
                 "exp_annotations": {k: _render(v, {**scenario.labels, "cluster": cluster}, scenario.value)
                                     for k, v in rule["annotations"].items()}} for cluster in ("east", "west")]
    recorded = "cluster_job_model_version:nv_inference_request_success:rate1m"
    test = {"interval": "1m", "input_series": series,
            "alert_rule_test": [{"eval_time": f"{scenario.eval_minutes}m", "alertname": "TritonQueueTimeHigh",
                                 "exp_alerts": expected}],
            "promql_expr_test": [{"expr": f'{recorded}{{model="slow"}}', "eval_time": "10m", "exp_samples": [
                {"labels": f'{recorded}{{cluster="{c}",job="triton",model="slow",version="1"}}', "value": 10}
                for c in ("east", "west")]}]}
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(rules_file)], "evaluation_interval": "1m",
                                         "tests": [test]}, sort_keys=False))
    result = _promtool("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr
