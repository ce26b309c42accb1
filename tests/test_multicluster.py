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
from .support.clusters import BOTH, FLEETS, WEST, expected_in
from .support.harness import Context, cases, evaluate, judge
from .support.prometheus import Prometheus, backfilled_prometheus
from .support.synthetic import DURATION, EVAL_AT, FLEET, T0, Fleet, Series, all_series, openmetrics

pytestmark = pytest.mark.prometheus

STEMS = ("triton-llm", "triton-overview", "triton-stack")


def _in_cluster(series: list[Series], cluster: str) -> list[Series]:
    return [replace(s, labels=tuple(sorted((*s.labels, ("cluster", cluster))))) for s in series]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    series = _in_cluster(all_series(FLEET), "east") + _in_cluster(all_series(WEST, llm=False), "west")
    workdir: Path = tmp_path_factory.mktemp("multicluster")
    with backfilled_prometheus(openmetrics(series), workdir, span=(T0, T0 + DURATION),
                               recording_rules=rules_yaml([recording_rules("cluster")])) as prom:
        yield prom


def _expected(stem: str, title: str, ref_id: str, chosen: dict[str, str], fleet: Fleet) -> dict[Any, float]:
    if stem == "triton-llm" and fleet is WEST:
        return {}  # no LLM in the west cluster
    return expected_in(stem, title, ref_id, chosen, fleet)


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
