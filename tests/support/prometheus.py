"""A real Prometheus on 127.0.0.1: backfill OpenMetrics with promtool, start, query, stop.

    with backfilled_prometheus(openmetrics_text, tmp_path) as prom:
        prom.query("up", at=1767225600)

Facts this relies on (checked with Prometheus 2.42): OpenMetrics timestamps are
in seconds and the text must end with ``# EOF``; Triton's counters have no
``_total`` suffix, so they are declared ``unknown``; promtool cuts blocks on
2 h boundaries; the server needs about a second to load them.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .tools import require_binary

Labels = frozenset[tuple[str, str]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backfill(openmetrics: str, workdir: Path) -> Path:
    """Write ``openmetrics`` to a file and turn it into TSDB blocks; returns the TSDB folder."""
    promtool = require_binary("promtool")
    source = workdir / "data.om"
    source.write_text(openmetrics, encoding="utf-8")
    tsdb = workdir / "tsdb"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(tsdb)],
                   check=True, capture_output=True, text=True, timeout=300)
    return tsdb


@dataclass
class Prometheus:
    url: str

    def api(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
            raise AssertionError(f"Prometheus rejected {params}: {body.get('error')}") from exc
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> dict[Labels, float]:
        """Instant query; returns {label set (without __name__): value}."""
        data = self.api("/api/v1/query", query=expr, time=at)
        assert data["resultType"] == "vector", data["resultType"]
        out: dict[Labels, float] = {}
        for sample in data["result"]:
            labels = frozenset((k, v) for k, v in sample["metric"].items() if k != "__name__")
            out[labels] = float(sample["value"][1])
        return out


@contextlib.contextmanager
def _serving(args: list[str], url: str, log: Path, name: str, timeout: float = 60,
             ready_path: str = "/-/ready") -> Iterator[subprocess.Popen[bytes]]:
    """Start a server, wait for its ``ready_path`` to answer 200, and always stop it (terminate, then kill)."""
    with log.open("wb") as log_handle:
        process = subprocess.Popen(args, stdout=log_handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}{ready_path}", timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {timeout}s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextlib.contextmanager
def run_prometheus(config: str, workdir: Path, tsdb: Path | None = None) -> Iterator[Prometheus]:
    """Start Prometheus on a free loopback port with ``config``; always stopped on exit."""
    binary = require_binary("prometheus")
    config_file = workdir / "prometheus.yml"
    config_file.write_text(config, encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}"
    log = workdir / "prometheus.log"
    args = [binary, f"--config.file={config_file}", f"--storage.tsdb.path={tsdb or workdir / 'tsdb'}",
            f"--web.listen-address={url.removeprefix('http://')}", "--storage.tsdb.retention.time=3650d"]
    with _serving(args, url, log, "prometheus"):
        yield Prometheus(url)


NO_SCRAPES = "global: {}\nscrape_configs: []\n"


def backfill_rules(prom: Prometheus, rules: str, start: int, end: int, workdir: Path,
                   eval_interval: str = "15s") -> list[Path]:
    """Evaluate recording rules over past data with ``promtool tsdb create-blocks-from rules``."""
    promtool = require_binary("promtool")
    rules_file = workdir / "recording.rules.yml"
    rules_file.write_text(rules, encoding="utf-8")
    out = workdir / "rule-blocks"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "rules", f"--start={start}", f"--end={end}",
                    f"--url={prom.url}", f"--eval-interval={eval_interval}", f"--output-dir={out}", str(rules_file)],
                   check=True, capture_output=True, text=True, timeout=300)
    return sorted(p for p in out.iterdir() if p.is_dir())


@contextlib.contextmanager
def backfilled_prometheus(openmetrics: str, workdir: Path, *, recording_rules: str | None = None,
                          span: tuple[int, int] | None = None) -> Iterator[Prometheus]:
    """A Prometheus serving only backfilled data (no scrape targets).

    With ``recording_rules`` (and the ``span`` of the data), the rules are
    evaluated over the data and their series added before the server is handed out.
    """
    tsdb = backfill(openmetrics, workdir)
    if recording_rules is not None:
        assert span is not None, "recording rules need the data's time span"
        with run_prometheus(NO_SCRAPES, workdir, tsdb) as prom:
            blocks = backfill_rules(prom, recording_rules, *span, workdir)
        for block in blocks:
            block.rename(tsdb / block.name)
    with run_prometheus(NO_SCRAPES, workdir, tsdb) as prom:
        yield prom


@contextlib.contextmanager
def run_alertmanager(config: str, workdir: Path) -> Iterator[str]:
    """A real Alertmanager (Debian prometheus-alertmanager) on a free loopback port; yields its URL."""
    binary = shutil.which("prometheus-alertmanager") or require_binary("alertmanager")
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(config, encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}"
    args = [binary, f"--config.file={config_file}", f"--storage.path={workdir / 'am-data'}",
            f"--web.listen-address={url.removeprefix('http://')}", "--cluster.listen-address="]
    with _serving(args, url, workdir / "alertmanager.log", "alertmanager", timeout=30):
        yield url


@contextlib.contextmanager
def run_blackbox(config: str, workdir: Path) -> Iterator[str]:
    """Start Debian's blackbox exporter with ``config``; yields its host:port."""
    binary = require_binary("prometheus-blackbox-exporter")
    config_file = workdir / "blackbox.yml"
    config_file.write_text(config, encoding="utf-8")
    address = f"127.0.0.1:{free_port()}"
    args = [binary, f"--config.file={config_file}", f"--web.listen-address={address}"]
    with _serving(args, f"http://{address}", workdir / "blackbox.log", "blackbox exporter", timeout=30,
                  ready_path="/-/healthy"):
        yield address
