"""Alert delivery end to end: real Prometheus + the generated rules + real Alertmanager -> a webhook.

A fake Triton metrics endpoint reports one GPU at 95 % memory and one at 50 %;
Prometheus scrapes it every second with triton_dash's rules loaded (``for:``
shortened through the same overrides the CLI offers) and sends to a real
Alertmanager, whose webhook receiver is a local HTTP server. Exactly the one
alert must arrive, with its labels and rendered annotations.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from triton_dash.rules import AlertConfig, rule_groups, rules_yaml

from .support.delivery import delivery_stack, wait_until

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


def test_gpu_memory_alert_reaches_the_webhook(tmp_path: Path) -> None:
    config = AlertConfig.from_overrides({"gpu_memory_for": "2s", "scrape_missing_for": "10m"})
    (tmp_path / "rules.yml").write_text(rules_yaml(rule_groups(config)))
    with delivery_stack(tmp_path / "rules.yml", _Exporter, ("alertname", "gpu_uuid"), tmp_path) as received:
        wait_until(lambda: bool(received), 60)
        time.sleep(3)  # anything else that would arrive
    assert received, "no alert reached the webhook within 60 s"
    alerts = [alert for payload in received for alert in payload["alerts"]]
    assert {a["labels"]["alertname"] for a in alerts} == {"TritonGpuMemoryHigh"}
    assert {a["labels"]["gpu_uuid"] for a in alerts} == {"GPU-hot"}
    alert = alerts[0]
    assert alert["status"] == "firing"
    assert alert["labels"]["severity"] == "warning" and alert["labels"]["job"] == "triton"
    assert alert["annotations"]["summary"] == "A GPU used by Triton is almost out of memory."
    assert alert["annotations"]["description"].startswith("GPU GPU-hot (job triton) has 95% of its memory in use")
