"""A real VictoriaMetrics (Debian ``victoria-metrics`` 1.79.5) on 127.0.0.1: import, query, replay rules.

    with imported_victoria(openmetrics_text, tmp_path) as vm:
        vm.query("up", at=1767225600)

It answers the same ``/api/v1/query`` API as Prometheus, so the known-answer
harness queries it through the same :class:`~tests.support.prometheus.Prometheus`
handle. Facts this relies on (1.79.5): ``/api/v1/import/prometheus`` takes the
text format with millisecond timestamps; data becomes searchable after
``/internal/force_flush``; ``-search.latencyOffset=0`` and ``-search.disableCache``
make just-imported history visible; ``vmalert -replay.timeFrom/-replay.timeTo``
evaluates recording rules over past data and remote-writes the results.
"""

from __future__ import annotations

import contextlib
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from .prometheus import Prometheus, _serving, free_port
from .tools import require_binary

__all__ = ["imported_victoria", "replay_rules", "run_victoria", "to_import_format"]


def to_import_format(openmetrics: str) -> bytes:
    """OpenMetrics text (seconds) -> Prometheus text with millisecond timestamps, comments dropped."""
    out = []
    for line in openmetrics.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value, seconds = line.rsplit(" ", 2)
        out.append(f"{head} {value} {int(float(seconds) * 1000)}")
    return ("\n".join(out) + "\n").encode()


@contextlib.contextmanager
def run_victoria(workdir: Path, scrape_config: str | None = None) -> Iterator[Prometheus]:
    """Start VictoriaMetrics on a free loopback port; with ``scrape_config`` (Prometheus' format) it scrapes too."""
    binary = require_binary("victoria-metrics")
    url = f"http://127.0.0.1:{free_port()}"
    args = [binary, f"-storageDataPath={workdir / 'vm-data'}", f"-httpListenAddr={url.removeprefix('http://')}",
            "-retentionPeriod=100y", "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=ERROR"]
    if scrape_config is not None:
        config_file = workdir / "promscrape.yml"
        config_file.write_text(scrape_config, encoding="utf-8")
        args.append(f"-promscrape.config={config_file}")
    with _serving(args, url, workdir / "victoria-metrics.log", "victoria-metrics", timeout=60):
        yield Prometheus(url)


def _post(url: str, data: bytes) -> None:
    request = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(request, timeout=300) as response:
        assert response.status in (200, 204), response.status


def _flush(vm: Prometheus) -> None:
    with urllib.request.urlopen(f"{vm.url}/internal/force_flush", timeout=60) as response:
        assert response.status == 200


@contextlib.contextmanager
def imported_victoria(openmetrics: str, workdir: Path) -> Iterator[Prometheus]:
    with run_victoria(workdir) as vm:
        _post(f"{vm.url}/api/v1/import/prometheus", to_import_format(openmetrics))
        _flush(vm)
        yield vm


def _rfc3339(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def replay_rules(vm: Prometheus, rules: str, start: int, end: int, workdir: Path, *extra: str) -> None:
    """``vmalert`` replay: evaluate ``rules`` over [start, end] against ``vm`` and write the results into it.

    ``extra`` vmalert flags, e.g. ``-datasource.queryStep=1m``: 1.79.5's replay sends its range queries with
    ``step`` = ``-datasource.queryStep`` (default 5m), so without it a 1 m group writes a point every 5 minutes.
    """
    vmalert = require_binary("vmalert")
    rules_file = workdir / "vmalert.rules.yml"
    rules_file.write_text(rules, encoding="utf-8")
    result = subprocess.run(
        [vmalert, f"-rule={rules_file}", f"-datasource.url={vm.url}", f"-remoteWrite.url={vm.url}",
         f"-replay.timeFrom={_rfc3339(start)}", f"-replay.timeTo={_rfc3339(end)}", "-replay.disableProgressBar",
         "-replay.rulesDelay=0s", "-remoteWrite.flushInterval=100ms", "-evaluationInterval=1m", "-loggerLevel=ERROR",
         *extra],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _flush(vm)
