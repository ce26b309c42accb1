"""Two clusters with the same model names, told apart by an external ``cluster`` label (Thanos, Mimir, VM).

The east cluster is the usual synthetic fleet; the west cluster serves the same
model names from other pods, at other rates and per-request times. Dashboards
built with ``cluster_label="cluster"`` are evaluated for "All" clusters (per-model
numbers are ratios of sums over both), for each single cluster, raw and with the
cluster-aware recording rules, against the oracle of the matching fleet. The LLM
dashboard is left out: its scenario has one cluster only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from triton_dash.build import compile_builtin
from triton_dash.rules import recording_rules, rules_yaml

from .support import oracle
from .support.harness import Context, cases, evaluate, judge
from .support.prometheus import Prometheus, backfilled_prometheus
from .support.synthetic import DURATION, EVAL_AT, FLEET, T0, Fleet, Series, all_series, openmetrics

pytestmark = pytest.mark.prometheus

STEMS = ("triton-llm", "triton-overview", "triton-stack")
#: Panels whose lines are per Triton server: with a cluster label they keep it (pod names repeat across clusters).
PER_SERVER = {"Request time quantiles", "Inference time quantiles", "Host CPU utilization", "Host memory",
              "Pinned memory pool"}


def _west(name: str) -> str:
    return name.replace("pod-", "west-")


WEST = Fleet(
    traffic=tuple(replace(t, instance=_west(t.instance), success=t.success * 3, queue_s=t.queue_s * 2,
                          request_s=t.request_s * 2 + 0.001, restarted=False,
                          failures={k: v * 2 for k, v in t.failures.items()},
                          cache_hits=None if t.cache_hits is None else t.cache_hits * 3,
                          inferences=None if t.inferences is None else t.inferences * 3,
                          executions=None if t.executions is None else t.executions * 3,
                          summaries={}, gpu_split={f"{g}-west": v for g, v in t.gpu_split.items()})
                  for t in FLEET.traffic),
    gpus=tuple(replace(g, uuid=f"{g.uuid}-west", instances=tuple(_west(i) for i in g.instances),
                       memory_used=g.memory_used / 2) for g in FLEET.gpus),
    hosts=tuple(replace(h, instance=_west(h.instance), cpu=h.cpu / 2, cache_util=None) for h in FLEET.hosts),
    targets=tuple(replace(t, instance=_west(t.instance)) for t in FLEET.targets if t.job == "triton"),
    head_series={}, samples_appended={}, container_cpu={}, container_memory={},
)
BOTH = Fleet(traffic=FLEET.traffic + WEST.traffic, gpus=FLEET.gpus + WEST.gpus, hosts=FLEET.hosts + WEST.hosts,
             targets=FLEET.targets + WEST.targets, head_series=FLEET.head_series,
             samples_appended=FLEET.samples_appended, container_cpu=FLEET.container_cpu,
             container_memory=FLEET.container_memory, probes=FLEET.probes)
FLEETS = {"east": FLEET, "west": WEST}


def _in_cluster(series: list[Series], cluster: str) -> list[Series]:
    return [replace(s, labels=tuple(sorted((*s.labels, ("cluster", cluster))))) for s in series]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    series = _in_cluster(all_series(FLEET), "east") + _in_cluster(all_series(WEST, llm=False), "west")
    workdir: Path = tmp_path_factory.mktemp("multicluster")
    with backfilled_prometheus(openmetrics(series), workdir, span=(T0, T0 + DURATION),
                               recording_rules=rules_yaml([recording_rules("cluster")])) as prom:
        yield prom


def _cluster_of(instance: str) -> str:
    return "west" if instance.startswith("west-") else "east"


def _expected(stem: str, title: str, ref_id: str, chosen: dict[str, str], fleet: Fleet) -> dict[Any, float]:
    if stem == "triton-llm" and fleet is WEST:
        return {}  # no LLM in the west cluster
    want = oracle.expected(stem, title, ref_id, {k: v for k, v in chosen.items() if k != "cluster"}, fleet)
    if title not in PER_SERVER:
        return want
    return {labels | {("cluster", _cluster_of(dict(labels)["instance"]))}: v for labels, v in want.items()}


def _problems(ctx: Context, recorded: bool, cluster: str | None) -> list[str]:
    docs = {c.stem: c.document for c in compile_builtin(recording_rules=recorded, cluster_label="cluster")
            if c.stem in STEMS}
    fleet = FLEETS[cluster] if cluster else BOTH
    out, seen = [], 0
    for case in cases(ctx, docs, {"cluster": cluster} if cluster else None):
        chosen = dict(case.chosen) | ({"cluster": cluster} if cluster else {})
        got = evaluate(ctx, docs[case.stem], case.expr, chosen)
        problems = judge(got, _expected(case.stem, case.title, case.ref_id, chosen, fleet))
        seen += 1
        if problems:
            out.append(f"{case.id}: " + "; ".join(problems))
    assert seen >= 60
    return out


@pytest.mark.parametrize("cluster", [None, "east", "west"], ids=["all-clusters", "east", "west"])
@pytest.mark.parametrize("recorded", [False, True], ids=["raw", "recorded"])
def test_two_clusters_with_the_same_model_names(prometheus: Prometheus, cluster: str | None, recorded: bool) -> None:
    assert _problems(Context(prometheus, at=EVAL_AT), recorded, cluster) == []


def test_the_clusters_really_differ(prometheus: Prometheus) -> None:
    """Per-model answers for one cluster, the other, and both are three different numbers."""
    per = {name: oracle.per_model(oracle.queue_time)(fleet, {}) for name, fleet in (*FLEETS.items(), ("both", BOTH))}
    key = frozenset({("model", "resnet"), ("version", "1")})
    assert len({round(per[name][key], 9) for name in per}) == 3


def test_without_the_option_nothing_changes() -> None:
    plain = {c.stem: c.text for c in compile_builtin()}
    committed = {p.stem: p.read_text() for p in (Path(__file__).parent.parent / "dashboards").glob("*.json")}
    assert plain == committed
    assert "cluster" not in rules_yaml([recording_rules()])
