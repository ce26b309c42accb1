"""An SLO page end to end: real Prometheus + the ``slo`` rules + real Alertmanager -> a webhook.

A fake Triton endpoint counts requests that fail half the time (burn rate 500
for 99.9 %); Prometheus scrapes it every second with the rules of ``slo
--availability 99.9`` loaded (``for:`` shortened to 5s and the metadata group's
5m interval dropped, the only edits) and sends to a real Alertmanager, whose
webhook receiver is a local HTTP server. The page must arrive with its labels
and its rendered annotations, budget left included (looked up with the
``query`` template at notification time). docs/slo.md shows this payload.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from triton_dash.cli import main

from .support.delivery import delivery_stack, wait_until

pytestmark = pytest.mark.prometheus
START = time.monotonic()
_LOCK = threading.Lock()


class _FailingTriton(BaseHTTPRequestHandler):
    """100 requests/s to resnet, half of them failing with reason BACKEND, a few CANCELED."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with _LOCK:
            n = int((time.monotonic() - START) * 50)
        labels = 'model="resnet",version="1"'
        lines = ["# TYPE nv_inference_request_success counter",
                 f"nv_inference_request_success{{{labels}}} {n}",
                 "# TYPE nv_inference_request_failure counter"]
        lines += [f'nv_inference_request_failure{{{labels},reason="{r}"}} {v}'
                  for r, v in (("REJECTED", 0), ("CANCELED", n // 10), ("BACKEND", n), ("OTHER", 0))]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_slo_page_reaches_the_webhook(tmp_path: Path) -> None:
    rules = tmp_path / "slo.rules.yml"
    result = CliRunner().invoke(main, ["slo", "--availability", "99.9", "--runbook-url",
                                       "https://wiki.example.com/triton/slo", "-o", str(rules)])
    assert result.exit_code == 0, result.output
    # for: 5s, not 0s: by the first firing evaluation the metadata group has recorded the budget left (groups
    # run concurrently), and Alertmanager does not re-notify for a changed annotation
    # and the metadata group's interval (5m) down to the global 1s, or its first evaluation may come minutes late
    text = rules.read_text().replace("for: 2m", "for: 5s").replace("for: 15m", "for: 5s")
    rules.write_text(text.replace("  interval: 5m\n", ""))
    with delivery_stack(rules, _FailingTriton, ("alertname", "slo", "model"), tmp_path) as received:
        wait_until(lambda: any(a["labels"].get("severity") == "page" and "unknown" not in
                               a["annotations"]["description"] for p in received for a in p["alerts"]), 90)
    alerts = [a for payload in received for a in payload["alerts"] if a["labels"].get("severity") == "page"]
    assert alerts, f"no page reached the webhook within 90 s: {received}"
    alert = next(a for a in alerts if "unknown" not in a["annotations"]["description"])
    (tmp_path / "delivered.json").write_text(json.dumps(alert, indent=2))
    assert alert["status"] == "firing"
    assert alert["labels"] == {"alertname": "TritonErrorBudgetBurn", "severity": "page", "slo": "availability",
                               "model": "resnet", "version": "1"}
    assert alert["annotations"]["summary"] == "resnet version 1 burns its availability error budget too fast."
    assert alert["annotations"]["runbook_url"] == "https://wiki.example.com/triton/slo"
    description = alert["annotations"]["description"]
    # half of the requests that count fail (CANCELED excluded): error ratio 0.5, burn rate 500
    assert "burns 500.0 times as fast" in description, description
    assert "Budget left over 30d: -4.99e+04%." in description, description
    assert _documented() == {k: alert[k] for k in ("status", "labels", "annotations")}


def _documented() -> dict[str, Any]:
    """The example in docs/slo.md: what Alertmanager delivered, as it delivered it."""
    text = (Path(__file__).parent.parent / "docs" / "slo.md").read_text(encoding="utf-8")
    block = text.split("## An alert as Alertmanager delivers it", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    example = json.loads(block)
    return {k: example[k] for k in ("status", "labels", "annotations")}
