"""End to end: a real Triton, scraped by a real Prometheus every second, under a bounded load.

Each per-model panel of the built overview dashboard is evaluated over the load
window and compared, within 5 %, with Triton's own statistics API (deltas over
the same window).
"""

from __future__ import annotations

import json
import math
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.deploy.compose import StackSettings, health_job, provision_files

from .grafana import DASHBOARD_DIR, load_dashboards, query_panels
from .support.harness import Context, evaluate, judge
from .support.prometheus import Prometheus, free_port, run_blackbox, run_prometheus
from .support.triton import MODELS, SLOW_MODEL, TritonServer, drive_load, running_triton, stepped_load

pytestmark = [pytest.mark.triton, pytest.mark.prometheus]
TOLERANCE = 0.05
#: rate() extrapolates the increase it sees to the window's edges: about one scrape
#: interval over the window (1 s in 45 s, 2 %) for the per-second panels.
WINDOW_SECONDS = 45
OVERVIEW = load_dashboards()["triton-overview"]


@dataclass(frozen=True)
class Window:
    prometheus: Prometheus
    start: float
    end: float
    before: Mapping[str, dict[str, Any]]
    after: Mapping[str, dict[str, Any]]
    http_port: int = 0

    @property
    def seconds(self) -> int:
        return math.ceil(self.end - self.start)

    def delta(self, model: str, *path: str) -> float:
        def pick(stats: Mapping[str, dict[str, Any]]) -> float:
            value: Any = stats[model]
            for key in path:
                value = value[key]
            return float(value)
        return pick(self.after) - pick(self.before)


def _wait_for(prom: Prometheus, expr: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(prom.query(expr)) >= count:
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus never saw {count} series of {expr}")


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Window]:
    workdir: Path = tmp_path_factory.mktemp("triton-live")
    with running_triton() as triton, run_blackbox(provision_files()["blackbox/blackbox.yml"], workdir) as blackbox:
        dead = f"127.0.0.1:{free_port()}"  # a second Triton target that is down, for check
        health = health_job(StackSettings(triton_http=f"http://127.0.0.1:{triton.http_port}", probed_models=MODELS))
        health["relabel_configs"][-1]["replacement"] = blackbox  # the provisioned job, aimed at this exporter
        config = yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "triton", "static_configs": [{"targets": [triton.metrics_target, dead]}]},
                               health]}, sort_keys=False)
        with run_prometheus(config, workdir) as prom:
            _wait_for(prom, 'nv_inference_request_success{job="triton"}', len(MODELS))
            time.sleep(2.5)  # at least two scrapes of the idle counters
            start, before = time.time(), triton.stats()
            time.sleep(3)
            drive_load(triton)
            time.sleep(max(5.0, WINDOW_SECONDS - (time.time() - start)))  # the last counters are scraped
            after, end = triton.stats(), time.time()
            yield Window(prom, start, end, before, after, triton.http_port)


def _expected(w: Window, title: str, ref_id: str) -> dict[frozenset[tuple[str, str]], float]:
    """What the statistics API says each model's panel value must be over the window."""
    out = {}
    for model in MODELS:
        key = frozenset({("model", model), ("version", "1")})
        ok = w.delta(model, "inference_stats", "success", "count")
        failed = w.delta(model, "inference_stats", "fail", "count")
        executed = ok - w.delta(model, "inference_stats", "cache_hit", "count")
        executions = w.delta(model, "execution_count")

        def per_request(phase: str, count_of: str = "count", m: str = model) -> float:
            stats = ("inference_stats", phase)
            return w.delta(m, *stats, "ns") / w.delta(m, *stats, count_of) / 1e9

        values = {
            ("Request time per request", "A"): per_request("success"),
            ("Queue time per request", "A"): w.delta(model, "inference_stats", "queue", "ns") / ok / 1e9,
            ("Inference time per request", "A"): per_request("compute_infer"),
            ("Input time per request", "A"): per_request("compute_input"),
            ("Output time per request", "A"): per_request("compute_output"),
            ("Successful requests/s", "A"): ok / w.seconds,
            ("Inferences/s", "A"): w.delta(model, "inference_count") / w.seconds,
            ("Executions/s", "A"): executions / w.seconds,
            ("Error ratio", "A"): failed / (ok + failed),
            ("Batch ratio", "A"): w.delta(model, "inference_count") / executions,
            ("Batch ratio", "B"): executed / executions,
        }
        if (title, ref_id) == ("Failed requests/s by reason", "A"):
            out[key | {("reason", "BACKEND")}] = failed / w.seconds
            for reason in ("REJECTED", "CANCELED", "OTHER"):
                out[key | {("reason", reason)}] = 0.0
        else:
            out[key] = values[(title, ref_id)]
    return out


PANELS = [("Request time per request", "A"), ("Queue time per request", "A"), ("Inference time per request", "A"),
          ("Input time per request", "A"), ("Output time per request", "A"), ("Successful requests/s", "A"),
          ("Failed requests/s by reason", "A"), ("Error ratio", "A"), ("Inferences/s", "A"),
          ("Executions/s", "A"), ("Batch ratio", "A"), ("Batch ratio", "B")]


def test_the_load_exercised_every_feature(window: Window) -> None:
    assert window.delta("identity", "inference_count") > window.delta("identity", "inference_stats", "success", "count")
    assert window.delta("identity", "execution_count") < window.delta("identity", "inference_stats", "success", "count")
    assert window.delta("flaky", "inference_stats", "fail", "count") == 6


@pytest.mark.parametrize(("title", "ref_id"), PANELS, ids=[f"{t}:{r}" for t, r in PANELS])
def test_panel_agrees_with_the_statistics_api(window: Window, title: str, ref_id: str) -> None:
    panel = next(p for p in query_panels(OVERVIEW) if p["title"] == title)
    target = next(t for t in panel["targets"] if t["refId"] == ref_id)
    ctx = Context(window.prometheus, at=window.end, rate_interval=f"{window.seconds}s")
    got = evaluate(ctx, OVERVIEW, target["expr"], {})
    got = {k: v for k, v in got.items() if ("model", SLOW_MODEL) not in k}  # idle here; the capacity test's model
    want = _expected(window, title, ref_id)
    assert judge(got, want, rel=TOLERANCE) == [], f"got {got}"


# --- check on the same real Triton (summaries, GPU metrics and the response cache are off) ----------

def _check(window: Window, *args: str) -> tuple[int, dict[str, dict[str, Any]], dict[str, Any]]:
    scrape = math.ceil(window.seconds / 4)  # so $__rate_interval (4 x) spans the load
    result = CliRunner().invoke(main, ["check", "--prometheus", window.prometheus.url,
                                       str(DASHBOARD_DIR / "triton-overview.json"), "--at", str(window.end),
                                       "--scrape-interval", f"{scrape}s", "--format", "json", *args])
    body = json.loads(result.stdout)
    return result.exit_code, {p["title"]: p for p in body["panels"]}, body


def test_check_explains_each_empty_panel_of_a_real_triton(window: Window) -> None:
    code, panels, body = _check(window)
    assert code == 1
    for title in ("Request time quantiles", "Inference time quantiles"):
        assert panels[title]["status"] == "not-enabled"
        assert "only with --metrics-config summary_latencies=true" in panels[title]["targets"][0]["detail"]
    for title in {t for t, _ in PANELS} | {"Pending requests", "Requests/s (all models)", "Host CPU utilization"}:
        assert panels[title]["status"] == "ok", (title, panels[title])
    assert panels["GPU utilization"]["status"] == "not-enabled"
    assert "--allow-gpu-metrics" in panels["GPU utilization"]["targets"][0]["detail"]
    assert panels["Response cache hit ratio"]["status"] == "not-enabled"
    assert "only with the response cache" in panels["Response cache hit ratio"]["targets"][0]["detail"]
    health = sorted(t["health"] for t in body["scrape_targets"])
    assert health == ["down", "up"]
    down = next(t for t in body["scrape_targets"] if t["health"] == "down")
    assert "connection refused" in down["last_error"]
    # the down target alone fails the run: no optional family counts as a problem
    assert code == 1 and body["failed"] is True
    assert not [t for t, p in panels.items() if p["status"] in ("no-data", "nan", "error")]


def test_check_names_the_job_that_exists(window: Window) -> None:
    _, panels, _ = _check(window, "--set", "job=triton-server")
    detail = panels["Successful requests/s"]["targets"][0]["detail"]
    assert detail.startswith('job=~"triton-server" matches none of the job values nv_inference_request_success '
                             "has now: triton;")


# --- capacity under a stepped load on the same server -----------------------------------------------

RATES = (5.0, 15.0, 60.0)  # requests/s; 'slow' serves about 50/s at most, so the third step overloads it


def test_capacity_finds_where_queue_time_crossed_the_slo(window: Window) -> None:
    steps = stepped_load(TritonServer(window.http_port, 0), SLOW_MODEL, RATES, seconds=15)
    time.sleep(3)  # the last scrapes
    result = CliRunner().invoke(main, [
        "capacity", "--prometheus", window.prometheus.url, "--from", str(steps[0][0]), "--to", str(steps[-1][1]),
        "--model", SLOW_MODEL, "--slo-queue", "50ms", "--step", "2s", "--rate-window", "10s", "--sustain", "6s",
        "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    # The SLO held through the second step and broke in the third: the capacity is the second step's
    # throughput (within one step), and the SLO broke only above it.
    assert 0.8 * RATES[1] <= row["max_rps"] < RATES[2], row
    assert row["slo_broken_at_rps"] > 0.8 * RATES[1], row
    assert row["queue_s"] <= 0.050


# --- readiness through a real blackbox exporter (last: it unloads a model) --------------------------

def _probes(window: Window) -> dict[str, float]:
    got = window.prometheus.query('probe_success{job="triton-health"}')
    return {dict(labels)["instance"].split(str(window.http_port), 1)[1]: value for labels, value in got.items()}


def test_readiness_of_a_real_triton_and_an_unloaded_model(window: Window) -> None:
    assert _probes(window) == {"/v2/health/live": 1, "/v2/health/ready": 1, **{
        f"/v2/models/{model}/ready": 1 for model in MODELS}}
    request = urllib.request.Request(f"http://127.0.0.1:{window.http_port}/v2/repository/models/scaler/unload",
                                     data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    # Each URL is its own scrape target: wait until the model's endpoint has been probed since the unload.
    # With Triton's default --strict-readiness=true the server's /v2/health/ready also fails while the model
    # unloads; once it is unloaded the server may answer ready again, so that one is read, not assumed.
    deadline = time.monotonic() + 30
    while _probes(window).get("/v2/models/scaler/ready") != 0:
        assert time.monotonic() < deadline, _probes(window)
        time.sleep(0.5)
    time.sleep(1.5)
    at = time.time()
    truth = {dict(labels)["instance"].split(str(window.http_port), 1)[1]: v for labels, v in
             window.prometheus.query('probe_success{job="triton-health"}', at=at).items()}
    panels = {p["title"]: p for p in query_panels(OVERVIEW)}
    ctx = Context(window.prometheus, at=at)
    got = evaluate(ctx, OVERVIEW, panels["Probe success by endpoint"]["targets"][0]["expr"], {})
    by_path = {dict(labels)["instance"].split(str(window.http_port), 1)[1]: v for labels, v in got.items()}
    assert by_path == truth
    assert {k: v for k, v in by_path.items() if k != "/v2/health/ready"} == {
        "/v2/health/live": 1, "/v2/models/identity/ready": 1, "/v2/models/flaky/ready": 1,
        "/v2/models/scaler/ready": 0}
    not_ready = evaluate(ctx, OVERVIEW, panels["Endpoints not ready"]["targets"][0]["expr"], {})
    assert list(not_ready.values()) == [sum(1 for v in truth.values() if v == 0)]
