"""``check`` on a real Prometheus: every status, and each "no data" explained with its cause and fix.

A small scenario is backfilled into a real Prometheus 2.42: a model with
traffic scraped every 15 s, an idle model, a family that stops being reported
half-way, and a counter scraped only every 60 s. A dashboard written for the
test reads them with right and wrong queries. (The real-Triton checks, with
summaries off and the job renamed, are in ``test_triton_live.py``.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner, Result

from triton_dash.cli import main

from .support.prometheus import Prometheus, backfilled_prometheus

pytestmark = pytest.mark.prometheus

T0 = 1767225600  # 2026-01-01T00:00:00Z
END = T0 + 3600
AT = T0 + 3300
GONE_AT = T0 + 1800  # the pending-requests gauge stops here
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", model=~"$model"'
RI = "[$__rate_interval]"


def _family(name: str, kind: str, series: list[tuple[str, Any]], step: int, until: int = END) -> list[str]:
    """Samples every ``step`` s; each series is (labels, value or per-second rate as ('rate', r))."""
    lines = [f"# TYPE {name} {kind}"]
    for labels, value in series:
        for t in range(T0, until + 1, step):
            v = 1000 + value[1] * (t - T0) if isinstance(value, tuple) else value
            lines.append(f"{name}{{{labels}}} {float(v)} {t}")
    return lines


def _openmetrics() -> str:
    busy, idle = 'job="triton",instance="a:8002",model="busy",version="1"', \
        'job="triton",instance="a:8002",model="idle",version="1"'
    lines = [
        *_family("nv_inference_request_success", "unknown", [(busy, ("rate", 10.0)), (idle, ("rate", 0.0))], 15),
        *_family("nv_inference_queue_duration_us", "unknown", [(busy, ("rate", 20000.0)), (idle, ("rate", 0.0))], 15),
        *_family("nv_inference_pending_request_count", "gauge", [(busy, 3.0)], 15, until=GONE_AT),
        *_family("nv_inference_count", "unknown", [(busy, ("rate", 10.0))], 60),
        "# EOF",
    ]
    return "\n".join(lines) + "\n"


def _panel(title: str, expr: str) -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "description": "d", "datasource": DS,
            "fieldConfig": {"defaults": {"unit": "short"}}, "targets": [{"refId": "A", "expr": expr}]}


DASHBOARD = {
    "title": "Check scenarios", "uid": "check-scenarios",
    "templating": {"list": [
        {"name": "datasource", "type": "datasource", "query": "prometheus"},
        {"name": "job", "type": "query", "query": "label_values(nv_inference_request_success, job)",
         "includeAll": True, "refresh": 2},
        {"name": "model", "type": "query", "query": "label_values(nv_inference_request_success, model)",
         "includeAll": True, "allValue": ".*", "refresh": 2},
    ]},
    "panels": [
        {"type": "row", "title": "Right", "panels": []},
        _panel("Queue time", f"sum by (model) (rate(nv_inference_queue_duration_us{{{SEL}}}{RI})) "
                             f"/ 1e6 / (sum by (model) (rate(nv_inference_request_success{{{SEL}}}{RI})) > 0)"),
        _panel("Idle queue time", f'sum(rate(nv_inference_queue_duration_us{{{SEL}, model="idle"}}{RI})) '
                                  f'/ (sum(rate(nv_inference_request_success{{{SEL}, model="idle"}}{RI})) > 0)'),
        {"type": "row", "title": "Wrong", "panels": []},
        _panel("Unguarded", f'sum(rate(nv_inference_queue_duration_us{{{SEL}, model="idle"}}[$__rate_interval])) '
                            f'/ sum(rate(nv_inference_request_success{{{SEL}, model="idle"}}[$__rate_interval]))'),
        _panel("Pending", f"sum(nv_inference_pending_request_count{{{SEL}}})"),
        _panel("Short window", f"sum(rate(nv_inference_count{{{SEL}}}[30s]))"),
        _panel("TTFT", f"histogram_quantile(0.9, sum by (le) (rate(nv_inference_first_response_histogram_ms_bucket"
                       f"{{{SEL}}}[$__rate_interval])))"),
        _panel("Removed", f"sum(rate(nv_inference_compute_duration_us{{{SEL}}}[$__rate_interval]))"),
        _panel("Invalid", "sum(rate(nv_inference_count[5m]) offset -)"),
    ],
}


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(_openmetrics(), tmp_path_factory.mktemp("check")) as prom:
        yield prom


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("check-dash") / "scenarios.json"
    path.write_text(json.dumps(DASHBOARD))
    return path


def run(prom: Prometheus, dashboard: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--prometheus", prom.url, str(dashboard), "--at", str(AT),
                                     "--lookback", "1h", *args], env={"PROMETHEUS_TOKEN": ""})


def _panels(result: Result) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in json.loads(result.stdout)["panels"]}


def test_every_status_and_its_reason(prometheus: Prometheus, dashboard: Path) -> None:
    result = run(prometheus, dashboard, "--format", "json")
    assert result.exit_code == 1, result.output
    panels = _panels(result)
    status = {title: p["status"] for title, p in panels.items()}
    assert status == {"Queue time": "ok", "Idle queue time": "idle", "Unguarded": "nan", "Pending": "no-data",
                      "Short window": "no-data", "TTFT": "not-enabled", "Removed": "no-data", "Invalid": "error"}
    detail = {title: p["targets"][0]["detail"] for title, p in panels.items()}
    assert detail["Queue time"] == "1 series"
    gone = datetime.fromtimestamp(GONE_AT, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert detail["Pending"].startswith(f"nv_inference_pending_request_count was last seen at {gone} (25m before)")
    assert detail["Short window"].startswith("rate(nv_inference_count[30s]) holds fewer than 2 samples: the target "
                                             "is scraped every ~1m; use a window of at least 2 scrapes (4m is safe)")
    assert detail["TTFT"].startswith("nv_inference_first_response_histogram_ms_bucket: not enabled here (no series "
                                     "in the last 1h).")
    assert "from Triton 24.11 on, and only with --metrics-config histogram_latencies=true" in detail["TTFT"]
    assert detail["Removed"].startswith("nv_inference_compute_duration_us was removed in Triton 20.06")
    assert detail["Unguarded"].startswith("1 of 1 series are NaN")
    assert detail["Invalid"].startswith("Prometheus rejected the query")


def test_text_report_groups_by_row(prometheus: Prometheus, dashboard: Path) -> None:
    lines = run(prometheus, dashboard).stdout.splitlines()
    assert lines[:4] == ["Check scenarios", "  Right", "    ok       Queue time: 1 series",
                         "    idle     Idle queue time: every series exists, with no traffic in the window (fine)"]
    assert lines[4] == "  Wrong"
    assert lines[-1] == ("summary: 1 ok, 1 idle, 1 not-enabled, 3 no-data, 1 nan, 1 error (targets); scrape "
                         "targets: 0 up, 0 down")


def test_a_matcher_that_selects_nothing_names_the_values_that_exist(prometheus: Prometheus,
                                                                    dashboard: Path) -> None:
    result = run(prometheus, dashboard, "--set", "job=triton-server", "--format", "json")
    detail = _panels(result)["Queue time"]["targets"][0]["detail"]
    assert detail == ('job=~"triton-server" matches none of the job values nv_inference_queue_duration_us has '
                      "now: triton; set the job variable to one of them (or --set job=...)")
    model = _panels(run(prometheus, dashboard, "--set", "model=ghost", "--format", "json"))["Queue time"]
    assert 'model=~"ghost" matches none of the model values nv_inference_queue_duration_us has now: busy, idle' \
        in model["targets"][0]["detail"]


def test_nothing_wrong_exits_0(prometheus: Prometheus, tmp_path: Path) -> None:
    only_right = {**DASHBOARD, "panels": DASHBOARD["panels"][:3]}
    path = tmp_path / "right.json"
    path.write_text(json.dumps(only_right))
    result = run(prometheus, path)
    assert result.exit_code == 0, result.output


def test_optional_families_never_seen_are_not_enabled_and_pass(prometheus: Prometheus, tmp_path: Path) -> None:
    """An ordinary Triton has no LLM, DCGM, cAdvisor, probe, summary or SLO series: not a failure."""
    optional = [
        _panel("TTFT", f"histogram_quantile(0.9, sum by (le) (rate(nv_inference_first_response_histogram_ms_bucket"
                       f"{{{SEL}}}[$__rate_interval])))"),
        _panel("vLLM", f"sum(rate(vllm:e2e_request_latency_seconds_count{{{SEL}}}[$__rate_interval]))"),
        _panel("KV cache", f"sum(nv_trt_llm_kv_cache_block_metrics{{{SEL}}})"),
        _panel("Summary", f"sum(nv_inference_request_summary_us_count{{{SEL}}})"),
        _panel("GPU", 'max(nv_gpu_utilization{job=~"$job"})'),
        _panel("DCGM", "max(DCGM_FI_DEV_GPU_UTIL)"),
        _panel("Probe", "min(probe_success)"),
        _panel("cAdvisor", "sum(rate(container_cpu_usage_seconds_total[5m]))"),
        _panel("SLO", "max(slo:triton_request_error:ratio_rate5m)"),
        _panel("Firing", 'sum(ALERTS{alertname="TritonErrorBudgetBurn", alertstate="firing"})'),
    ]
    path = tmp_path / "optional.json"
    path.write_text(json.dumps({**DASHBOARD, "panels": [*DASHBOARD["panels"][:3], *optional]}))
    result = run(prometheus, path, "--format", "json")
    assert result.exit_code == 0, result.output
    panels = _panels(result)
    assert {t: p["status"] for t, p in panels.items() if t not in ("Queue time", "Idle queue time")} == {
        **{p["title"]: "not-enabled" for p in optional}, "Firing": "idle"}
    assert "--metrics-config summary_latencies=true" in panels["Summary"]["targets"][0]["detail"]
    assert "Optional: only where cAdvisor is there" in panels["cAdvisor"]["targets"][0]["detail"]
    assert "triton_dash's SLO rules loaded" in panels["SLO"]["targets"][0]["detail"]
    assert json.loads(result.stdout)["failed"] is False


def test_an_optional_family_does_not_hide_a_real_problem(prometheus: Prometheus, tmp_path: Path) -> None:
    both = _panel("Both", f"sum(nv_inference_pending_request_count{{{SEL}}}) + sum(probe_success)")
    path = tmp_path / "both.json"
    path.write_text(json.dumps({**DASHBOARD, "panels": [both]}))
    result = run(prometheus, path, "--format", "json")
    assert result.exit_code == 1
    assert _panels(result)["Both"]["targets"][0]["detail"].startswith(
        "nv_inference_pending_request_count was last seen")


class _NotPrometheus(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._html()

    def do_POST(self) -> None:
        self._html()

    def _html(self) -> None:
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_not_prometheus_exits_2_with_one_line() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotPrometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = CliRunner().invoke(main, ["check", "--prometheus", url])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {url} is not a Prometheus API (HTTP 200, not JSON from /api/v1); point --prometheus at "
        "Prometheus' base URL"]


@responses.activate
def test_credentials_are_sent_and_never_shown() -> None:
    url = "https://prom.example:9090"
    responses.post(f"{url}/api/v1/query", status=401, json={"status": "error", "error": "unauthorized"})
    result = CliRunner().invoke(main, ["check", "--prometheus", url], env={"PROMETHEUS_TOKEN": "secret-token-123"})
    assert result.exit_code == 2
    assert responses.calls[0].request.headers["Authorization"] == "Bearer secret-token-123"
    assert "secret-token-123" not in result.output
    assert result.stderr.startswith(f"Error: {url} refused the credentials (401)")
    responses.calls.reset()
    CliRunner().invoke(main, ["check", "--prometheus", url, "--user", "ops", "--password", "pw-456789"],
                       env={"PROMETHEUS_TOKEN": ""})
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_one_cause_for_several_panels_is_one_line(prometheus: Prometheus, dashboard: Path) -> None:
    lines = run(prometheus, dashboard, "--set", "job=triton-server").stdout.splitlines()
    shared = [line for line in lines if "matches none of the job values" in line]
    assert shared == ['    no-data  job=~"triton-server" matches none of the job values that exist now: triton; set '
                      "the job variable to one of them (or --set job=...) (4 panels: Queue time, Idle queue time, "
                      "Unguarded, Short window)"]
    assert lines[lines.index(shared[0]) - 1] == "One cause, several panels"


def test_down_targets_lead_the_report_once() -> None:
    from triton_dash.check import CheckReport, PanelResult, TargetHealth, TargetResult

    cause = 'job=~"" matches none of the job values that exist now: prometheus; set the job variable'
    report = CheckReport(at=0.0, panels=[
        PanelResult("D", "R", title, (TargetResult("A", "no-data", f"{cause} ({title})", "x", cause=cause),))
        for title in ("Requests", "Queue time", "Failures")])
    report.scrape_targets = [TargetHealth("triton", "10.0.0.1:8002", "down", "connection refused")]
    lines = report.text().splitlines()
    assert lines[:2] == ["Scrape targets down: the likely cause of the 3 panels without data below that read "
                         "families they expose",
                         "    down     10.0.0.1:8002 (job triton): connection refused"]
    assert lines[2:4] == ["One cause, several panels",
                          f"    no-data  {cause} (3 panels: Requests, Queue time, Failures)"]
    assert sum("10.0.0.1:8002" in line for line in lines) == 1


def test_a_down_target_is_not_blamed_for_families_it_does_not_expose() -> None:
    from triton_dash.check import CheckReport, PanelResult, TargetHealth, TargetResult

    report = CheckReport(at=0.0, panels=[
        PanelResult("D", "R", "Containers", (TargetResult("A", "no-data", "c", "x",
                                                          families=("container_cpu_usage_seconds_total",)),)),
        PanelResult("D", "R", "TTFT", (TargetResult("A", "not-enabled", "t", "x",
                                                    families=("vllm:time_to_first_token_seconds_bucket",)),)),
        PanelResult("D", "R", "Requests", (TargetResult("A", "no-data", "r", "x",
                                                        families=("nv_inference_request_success",)),))])
    report.scrape_targets = [TargetHealth("triton", "10.0.0.1:8002", "down", "connection refused")]
    assert [p.title for p in report.blamed_on_down()] == ["Requests"]
    assert report.text().splitlines()[0] == ("Scrape targets down: the likely cause of the 1 panel without data "
                                             "below that read families they expose")
    report.panels = report.panels[:2]
    assert report.text().splitlines()[0] == ("Scrape targets down (no panel without data below reads a family "
                                             "they expose)")
