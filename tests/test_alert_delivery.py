"""Alert delivery end to end: real Prometheus + the generated rules + real Alertmanager -> a webhook.

A fake Triton metrics endpoint reports one GPU at 95 % memory and one at 50 %;
Prometheus scrapes it every second with triton_dash's rules loaded (``for:``
shortened through the same overrides the CLI offers) and sends to a real
Alertmanager, whose webhook receiver is a local HTTP server. Exactly the one
alert must arrive, with its labels and rendered annotations.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from triton_dash.rules import AlertConfig, rule_groups, rules_yaml

from .support.prometheus import run_alertmanager, run_prometheus

pytestmark = pytest.mark.prometheus

METRICS = """\
# TYPE nv_gpu_memory_used_bytes gauge
nv_gpu_memory_used_bytes{gpu_uuid="GPU-hot"} 76000000000
nv_gpu_memory_used_bytes{gpu_uuid="GPU-cool"} 40000000000
# TYPE nv_gpu_memory_total_bytes gauge
nv_gpu_memory_total_bytes{gpu_uuid="GPU-hot"} 80000000000
nv_gpu_memory_total_bytes{gpu_uuid="GPU-cool"} 80000000000
# TYPE nv_inference_pending_request_count gauge
nv_inference_pending_request_count{model="m",version="1"} 0
"""


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Exporter(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = METRICS.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


RECEIVED: list[dict[str, Any]] = []


class _Webhook(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        RECEIVED.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_gpu_memory_alert_reaches_the_webhook(tmp_path: Path) -> None:
    RECEIVED.clear()
    config = AlertConfig.from_overrides({"gpu_memory_for": "2s", "scrape_missing_for": "10m"})
    (tmp_path / "rules.yml").write_text(rules_yaml(rule_groups(config)))
    with http_server(_Exporter) as exporter, http_server(_Webhook) as webhook:
        alertmanager_config = (
            "route: {receiver: hook, group_by: [alertname, gpu_uuid], group_wait: 1s, group_interval: 1s, "
            "repeat_interval: 1h}\n"
            f"receivers:\n  - name: hook\n    webhook_configs: [{{url: 'http://{webhook}/alerts', "
            "send_resolved: false}]\n")
        with run_alertmanager(alertmanager_config, tmp_path) as am_url:
            prometheus_config = (
                "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                f"rule_files: ['{tmp_path / 'rules.yml'}']\n"
                f"alerting:\n  alertmanagers: [{{static_configs: [{{targets: ['{am_url.removeprefix('http://')}']}}]}}]\n"
                f"scrape_configs:\n  - job_name: triton\n    static_configs: [{{targets: ['{exporter}']}}]\n")
            with run_prometheus(prometheus_config, tmp_path):
                deadline = time.monotonic() + 60
                while not RECEIVED and time.monotonic() < deadline:
                    time.sleep(0.5)
                time.sleep(3)  # anything else that would arrive
    assert RECEIVED, "no alert reached the webhook within 60 s"
    alerts = [alert for payload in RECEIVED for alert in payload["alerts"]]
    assert {a["labels"]["alertname"] for a in alerts} == {"TritonGpuMemoryHigh"}
    assert {a["labels"]["gpu_uuid"] for a in alerts} == {"GPU-hot"}
    alert = alerts[0]
    assert alert["status"] == "firing"
    assert alert["labels"]["severity"] == "warning" and alert["labels"]["job"] == "triton"
    assert alert["annotations"]["summary"] == "A GPU used by Triton is almost out of memory."
    assert alert["annotations"]["description"].startswith("GPU GPU-hot (job triton) has 95% of its memory in use")
