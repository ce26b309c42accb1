"""Serve the DCGM exporter fixture and two Triton pods' scrapes on 127.0.0.1, for a real Prometheus to scrape.

The DCGM fixture is served as written, with two changes so that rates have exact
known answers: every sample carries the scrape's timestamp (milliseconds, as the
text format allows), and the energy counter grows from the fixture's value at
the GPU's ``energy_watts`` (mJ/s = W x 1000) from the moment the server starts.
The Triton pods both serve the real Triton 2.51 CPU scrape (no ``nv_gpu_*``,
as on MIG GPUs). Prometheus gets each target's Kubernetes labels (``pod``,
``namespace``...) as static labels, the way Kubernetes service discovery sets them.

    with serving() as port:
        config = prometheus_config(port, honor_labels=False)
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from .oracle_dcgm import EXPORTER, PHYSICAL, TRITON_PODS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DCGM_FIXTURE = FIXTURES / "dcgm-exporter-k8s-mig.prom"
TRITON_FIXTURE = FIXTURES / "triton-2.51-cpu-default.prom"
ENERGY = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"
_UUID = re.compile(r'UUID="([^"]+)"')
SCRAPE_INTERVAL = "1s"


def dcgm_exposition(text: str, now: float, started: float) -> str:
    """The fixture at ``now``: every sample stamped, energy grown since ``started``."""
    watts = {g.uuid: g.energy_watts for g in PHYSICAL}
    stamp = int(now * 1000)
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            if series.startswith(ENERGY + "{"):
                uuid = _UUID.search(series)
                assert uuid is not None, line
                value = f"{int(value) + round(watts[uuid[1]] * 1000 * (stamp / 1000 - started))}"
            line = f"{series} {value} {stamp}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def serving() -> Iterator[int]:
    """``/dcgm/metrics`` and ``/triton/metrics`` on a free loopback port; stopped on exit."""
    dcgm, triton = DCGM_FIXTURE.read_text(encoding="utf-8"), TRITON_FIXTURE.read_text(encoding="utf-8")
    started = time.time()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/dcgm/metrics":
                body = dcgm_exposition(dcgm, time.time(), started)
            elif self.path == "/triton/metrics":
                body = triton
            else:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def prometheus_config(port: int, *, honor_labels: bool) -> str:
    """Triton pods and the exporter as kube-prometheus would see them; ``honor_labels`` as the exporter's
    ServiceMonitor sets it (false in the shipped ones)."""
    address = f"127.0.0.1:{port}"
    triton = [{"targets": [address], "labels": {"__metrics_path__": "/triton/metrics", "namespace": ns, "pod": pod,
                                                "container": "triton", "instance": instance}}
              for (ns, pod), instance in sorted(TRITON_PODS.items())]
    exporter = [{"targets": [address], "labels": {"__metrics_path__": "/dcgm/metrics", **EXPORTER}}]
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": SCRAPE_INTERVAL},
        "scrape_configs": [
            {"job_name": "triton", "static_configs": triton},
            {"job_name": "gpu-metrics", "honor_labels": honor_labels, "static_configs": exporter},
        ],
    }
    return yaml.safe_dump(config, sort_keys=False)
