"""Alerts delivered end to end: a real Prometheus scraping a local exporter with rules loaded, sending to a real
Alertmanager whose webhook receiver is a local HTTP server.

    with delivery_stack(rules_file, MyExporter, ("alertname", "gpu_uuid"), tmp_path) as received:
        wait_until(lambda: bool(received), 60)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .prometheus import run_alertmanager, run_prometheus

__all__ = ["delivery_stack", "http_server", "wait_until"]


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 (a free port) for the duration; yields ``host:port``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _webhook(received: list[dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Webhook(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Webhook


@contextlib.contextmanager
def delivery_stack(rules: Path, exporter: type[BaseHTTPRequestHandler], group_by: Sequence[str],
                   workdir: Path) -> Iterator[list[dict[str, Any]]]:
    """Prometheus (1 s scrape and evaluation) -> Alertmanager (1 s grouping) -> webhook; yields the payloads
    received, a list that fills while the stack runs. Everything is stopped on leaving."""
    received: list[dict[str, Any]] = []
    with http_server(exporter) as target, http_server(_webhook(received)) as webhook:
        alertmanager_config = (
            f"route: {{receiver: hook, group_by: [{', '.join(group_by)}], group_wait: 1s, group_interval: 1s, "
            "repeat_interval: 1h}\n"
            f"receivers:\n  - name: hook\n    webhook_configs: [{{url: 'http://{webhook}/alerts', "
            "send_resolved: false}]\n")
        with run_alertmanager(alertmanager_config, workdir) as am_url:
            prometheus_config = (
                "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                f"rule_files: ['{rules}']\n"
                f"alerting:\n  alertmanagers: [{{static_configs: [{{targets: ['{am_url.removeprefix('http://')}']}}]}}]\n"
                f"scrape_configs:\n  - job_name: triton\n    static_configs: [{{targets: ['{target}']}}]\n")
            with run_prometheus(prometheus_config, workdir):
                yield received


def wait_until(done: Callable[[], bool], seconds: float) -> None:
    """Poll ``done`` every half second until it is true or ``seconds`` have passed (the caller asserts)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.5)
