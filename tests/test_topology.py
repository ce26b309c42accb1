"""A real multi-cluster topology: two Prometheus, remote write, one VictoriaMetrics, vmalert, Alertmanager.

Two Prometheus 2.42 servers, ``external_labels: {cluster: east}`` and
``{cluster: west}``, each scrape their own live Triton-format endpoints (the
same model names, other rates and times: :mod:`tests.support.clusters`),
evaluate triton_dash's recording rules (built with ``cluster_label="cluster"``)
locally, where no series has a ``cluster`` label, and remote-write everything
to one VictoriaMetrics 1.79.5. vmalert evaluates triton_dash's alerts on
VictoriaMetrics and notifies a real Alertmanager. The dashboards built with
``cluster_label="cluster"`` are evaluated on VictoriaMetrics as Grafana would
(the same harness and oracle as every known-answer test), for all clusters and
for each one, raw and recorded. Only the overview dashboard is judged: the
exporters serve Triton's families, not the stack's (Prometheus, cAdvisor) or
the LLM backends'.

Timing (the module takes about 80 s): scrape, rule and vmalert evaluation every
1 s; the raw dashboards are read 5 s after the first scrape (MetricsQL's rate
does not extrapolate: two samples give the exact slope of these linear
counters); the recorded ones only once the recording rules' 1m window lies
wholly inside scraped data, since Prometheus' rate over a window that is only
partly filled extrapolates by at most half a scrape interval and reads low.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from triton_dash.build import compile_builtin
from triton_dash.metrics.recorded import recorded_series
from triton_dash.rules import AlertConfig, alert_rules, recording_rules, rules_yaml

from .support import oracle
from .support.clusters import BOTH, CLUSTER_LABEL, FLEETS, expected_in
from .support.harness import Context, cases, evaluate, judge, label_values
from .support.synthetic import Fleet
from .support.topology import SCRAPE_INTERVAL_S, Topology, two_clusters

pytestmark = [pytest.mark.prometheus, pytest.mark.victoria]

STEM = "triton-overview"
#: No blackbox exporter here: the fleets without their probes.
LIVE = {name: replace(fleet, probes={}) for name, fleet in FLEETS.items()}
ALL = replace(BOTH, probes={})
#: The error-ratio alert, made to fire within seconds; "flaky" fails 20 % (east) and 14 % (west) of its requests,
#: every other model less than 10 %, and every other alert waits minutes (its default ``for:``).
ALERTS = AlertConfig(cluster_label=CLUSTER_LABEL, error_ratio=0.1, error_ratio_for="3s")
RAW_AFTER_S = 5
RECORDED_AFTER_S = 64  # the 1m recording window, a sample before it, and remote write
ALERT_WITHIN_S = 40


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    # The group's 30s interval shortened to the scrape interval, so the test is not a minute longer.
    recording = recording_rules(CLUSTER_LABEL) | {"interval": f"{SCRAPE_INTERVAL_S}s"}
    with two_clusters(tmp_path_factory.mktemp("topology"), LIVE, rules_yaml([recording]),
                      rules_yaml([alert_rules(ALERTS)])) as topo:
        yield topo


def _context_after(topo: Topology, seconds: float) -> Context:
    """Wait until ``seconds`` after scraping began; evaluate 2 s back, where remote write has delivered."""
    time.sleep(max(0.0, topo.scraping_since + seconds - time.time()))
    return Context(topo.victoria, at=time.time() - 2)


def _problems(ctx: Context, recorded: bool, cluster: str | None) -> list[str]:
    docs = {c.stem: c.document for c in compile_builtin(recording_rules=recorded, cluster_label=CLUSTER_LABEL)
            if c.stem == STEM}
    fleet: Fleet = LIVE[cluster] if cluster else ALL
    out, seen = [], 0
    for case in cases(ctx, docs, {"cluster": cluster} if cluster else None):
        chosen = dict(case.chosen) | ({"cluster": cluster} if cluster else {})
        got = evaluate(ctx, docs[case.stem], case.expr, chosen)
        problems = judge(got, expected_in(case.stem, case.title, case.ref_id, chosen, fleet))
        seen += 1
        if problems:
            out.append(f"{case.id}: " + "; ".join(problems))
    assert seen >= 45
    return out


def test_external_labels_reach_the_central_store_only(topology: Topology) -> None:
    """Locally the recorded series have no cluster label; in VictoriaMetrics each cluster's carry theirs."""
    ctx = _context_after(topology, RAW_AFTER_S)
    name = recorded_series("nv_inference_request_success", CLUSTER_LABEL)
    assert name is not None
    for cluster, prometheus in topology.clusters.items():
        local = prometheus.query(f'{name.name}{{model="flaky"}}')
        assert [dict(labels) for labels in local] == [{"job": "triton", "model": "flaky", "version": "1"}], cluster
    central = topology.victoria.query(f'{name.name}{{model="flaky"}}', at=ctx.at)
    assert {dict(labels)["cluster"] for labels in central} == {"east", "west"}
    assert label_values(ctx, f"label_values(up, {CLUSTER_LABEL})", {}) == ["east", "west"]


@pytest.mark.parametrize("cluster", [None, "east", "west"], ids=["all-clusters", "east", "west"])
def test_raw_dashboards_on_the_central_store(topology: Topology, cluster: str | None) -> None:
    problems = _problems(_context_after(topology, RAW_AFTER_S), False, cluster)
    assert not problems, "\n".join(problems)


_PERCENT = re.compile(r"^(?P<value>[\d.]+)% of the requests")


def test_alert_fires_once_per_cluster_with_its_label(topology: Topology) -> None:
    deadline = topology.scraping_since + ALERT_WITHIN_S
    alerts: list[dict[str, Any]] = []
    while time.time() < deadline:
        alerts = [a for a in topology.alerts() if a["status"]["state"] == "active"]
        if len(alerts) >= 2:
            break
        time.sleep(0.5)
    time.sleep(2 * SCRAPE_INTERVAL_S)  # anything else that would arrive
    alerts = [a for a in topology.alerts() if a["status"]["state"] == "active"]
    got = sorted((a["labels"]["alertname"], a["labels"].get("cluster"), a["labels"]["model"]) for a in alerts)
    assert got == [("TritonModelErrorRatioHigh", "east", "flaky"), ("TritonModelErrorRatioHigh", "west", "flaky")]
    for alert in alerts:
        labels = alert["labels"]
        assert labels["job"] == "triton" and labels["version"] == "1" and labels["severity"] == "warning"
        fleet = LIVE[labels["cluster"]]
        want = oracle.error_ratio([t for t in fleet.traffic if t.model == "flaky"])
        assert want is not None
        match = _PERCENT.match(alert["annotations"]["description"])
        assert match, alert["annotations"]["description"]
        assert float(match["value"]) / 100 == pytest.approx(want, rel=1e-3)  # humanizePercentage: 4 digits


@pytest.mark.parametrize("cluster", [None, "east", "west"], ids=["all-clusters", "east", "west"])
def test_recorded_dashboards_on_the_central_store(topology: Topology, cluster: str | None) -> None:
    problems = _problems(_context_after(topology, RECORDED_AFTER_S), True, cluster)
    assert not problems, "\n".join(problems)
