"""A multi-cluster topology on 127.0.0.1: one Prometheus per cluster, remote write, one VictoriaMetrics, vmalert.

    with two_clusters(workdir, {"east": FLEET, "west": WEST}, local_rules, central_rules) as topo:
        topo.victoria.query("sum by (cluster) (up)")

::

    exporters (east) --scrape--> Prometheus east  external_labels{cluster="east"} --remote write--+
    exporters (west) --scrape--> Prometheus west  external_labels{cluster="west"} --remote write--+
                                                                                                  v
    Alertmanager <--notify-- vmalert --query--> VictoriaMetrics /api/v1/write, /api/v1/query <-- dashboards
         ^--------notify (alerts evaluated locally)------- each Prometheus

Each Prometheus scrapes the live Triton-format endpoints of its fleet
(:mod:`tests.support.exporter`, one per Triton server, ``instance`` set to the
fleet's pod name; a target nobody listens on for each fleet target that is down),
evaluates the ``local`` rules and remote-writes everything; vmalert evaluates the
``central`` rules on VictoriaMetrics; both notify one real Alertmanager. Every process is
stopped on exit. Facts this relies on (Prometheus 2.42, VictoriaMetrics 1.79.5;
see docs/multi-cluster.md): external labels are added on remote write and to
alerts, not to local series; VictoriaMetrics runs with ``-search.latencyOffset=0s``.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .exporter import serving
from .prometheus import Prometheus, _serving, free_port, run_alertmanager, run_prometheus
from .synthetic import JOB, Fleet
from .tools import require_binary
from .victoria import run_victoria

__all__ = ["SCRAPE_INTERVAL_S", "Topology", "prometheus_config", "two_clusters"]

SCRAPE_INTERVAL_S = 1  # scrape, rule evaluation and vmalert evaluation interval
ALERTMANAGER_CONFIG = ("route: {receiver: blackhole, group_by: [alertname, cluster], group_wait: 1s}\n"
                       "receivers: [{name: blackhole}]\n")  # a receiver named 'null' would parse as YAML null


@dataclass(frozen=True)
class Topology:
    victoria: Prometheus  # the central store, queried as Grafana's Prometheus datasource would
    alertmanager: str  # URL
    clusters: Mapping[str, Prometheus]  # each cluster's own Prometheus
    scraping_since: float  # wall-clock time of the first scrape of every target (within ~0.2 s)

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts Alertmanager holds now (its v2 API)."""
        with urllib.request.urlopen(f"{self.alertmanager}/api/v2/alerts", timeout=10) as response:
            return list(json.load(response))


def prometheus_config(cluster: str, targets: Mapping[str, str], down: list[str], remote_write: str,
                      rule_file: Path, alertmanager: str) -> str:
    """A cluster's Prometheus: ``external_labels: {cluster: ...}``, local rules, remote write of everything."""
    static = [{"targets": [address], "labels": {"instance": instance}} for instance, address in targets.items()]
    static += [{"targets": [f"127.0.0.1:{free_port()}"], "labels": {"instance": instance}} for instance in down]
    config = {
        "global": {"scrape_interval": f"{SCRAPE_INTERVAL_S}s", "evaluation_interval": f"{SCRAPE_INTERVAL_S}s",
                   "external_labels": {"cluster": cluster}},
        "rule_files": [str(rule_file)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager.removeprefix("http://")]}]}]},
        "scrape_configs": [{"job_name": JOB, "scrape_timeout": f"{SCRAPE_INTERVAL_S}s", "static_configs": static}],
        "remote_write": [{"url": f"{remote_write}/api/v1/write",
                          "queue_config": {"batch_send_deadline": "1s", "min_backoff": "50ms",
                                           "max_backoff": "1s"}}],
    }
    return yaml.safe_dump(config, sort_keys=False)


@contextlib.contextmanager
def _vmalert(rules: str, victoria: Prometheus, alertmanager: str, workdir: Path) -> Iterator[str]:
    binary = require_binary("vmalert")
    rule_file = workdir / "alerts.yml"
    rule_file.write_text(rules, encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}"
    args = [binary, f"-rule={rule_file}", f"-datasource.url={victoria.url}", f"-notifier.url={alertmanager}",
            f"-evaluationInterval={SCRAPE_INTERVAL_S}s", f"-httpListenAddr={url.removeprefix('http://')}"]
    with _serving(args, url, workdir / "vmalert.log", "vmalert", timeout=30, ready_path="/health"):
        yield url


@contextlib.contextmanager
def two_clusters(workdir: Path, fleets: Mapping[str, Fleet], local: str, central: str) -> Iterator[Topology]:
    """Start the whole topology (central store first, as the reference advises); stop all of it on exit.

    ``local`` is the rules file every Prometheus evaluates (and sends its alerts from to the
    Alertmanager); ``central`` the one vmalert evaluates on VictoriaMetrics.
    """
    with contextlib.ExitStack() as stack:
        victoria = stack.enter_context(run_victoria(workdir))
        alertmanager = stack.enter_context(run_alertmanager(ALERTMANAGER_CONFIG, workdir))
        rule_file = workdir / "local.rules.yml"
        rule_file.write_text(local, encoding="utf-8")
        clusters = {}
        for cluster, fleet in fleets.items():
            targets = stack.enter_context(serving(fleet))
            down = [t.instance for t in fleet.targets if t.job == JOB and not t.up]
            folder = workdir / cluster
            folder.mkdir()
            config = prometheus_config(cluster, targets, down, victoria.url, rule_file, alertmanager)
            clusters[cluster] = stack.enter_context(run_prometheus(config, folder))
        stack.enter_context(_vmalert(central, victoria, alertmanager, workdir))
        scraped = {cluster: sum(1 for t in fleet.targets if t.job == JOB) for cluster, fleet in fleets.items()}
        yield Topology(victoria, alertmanager, clusters, _first_scrapes(clusters, scraped))


def _first_scrapes(clusters: Mapping[str, Prometheus], targets: Mapping[str, int], timeout: float = 30) -> float:
    """Wait until every target has been scraped once (Prometheus applies new targets up to 5 s after start)."""
    deadline = time.monotonic() + timeout
    while any(len(prometheus.query("up")) < targets[cluster] for cluster, prometheus in clusters.items()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"not every target was scraped within {timeout}s")
        time.sleep(0.2)
    return time.time()
